import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { check, checkCron, checkUniqueList } from "../core/validation";

/** One Velero schedule: a cron expression and how long its backups live. */
export interface BackupSchedule {
  /** DNS-label name, e.g. `every-6h`, `daily`. */
  readonly name: string;
  /** Five-field cron, UTC. */
  readonly cron: string;
  /** Velero TTL, e.g. `72h`, `720h`. */
  readonly ttl: string;
}

/** Backup storage in AWS S3, with the role bound by Pod Identity. */
export interface VeleroAwsStorage {
  readonly kind: "aws";
  readonly bucketName: string;
  readonly region: string;
  /** KMS key Velero asks S3 to encrypt backups with. */
  readonly kmsKeyArn: string;
}

/** S3-compatible storage for clusters outside AWS (MinIO, Ceph RGW, ...). */
export interface VeleroS3CompatibleStorage {
  readonly kind: "s3-compatible";
  readonly bucketName: string;
  readonly region: string;
  readonly s3Url: string;
  /** Existing Secret in the velero namespace with a `cloud` key (AWS credentials file format), created out of band. */
  readonly credentialsSecret: string;
}

export interface BackupsProps {
  readonly chart: ChartRef | undefined;
  /** Tag of `velero/velero-plugin-for-aws`, matched to the chart's Velero version. */
  readonly awsPluginTag: string;
  readonly storage: VeleroAwsStorage | VeleroS3CompatibleStorage;
  readonly schedules: readonly BackupSchedule[];
  /**
   * Namespaces the schedules back up.
   * @default all namespaces
   */
  readonly includedNamespaces?: readonly string[];
  /** @default "velero" */
  readonly namespace?: string;
  readonly dependsOn?: ITerraformDependable[];
}

const TTL_RE = /^[1-9]\d*h(\d+m)?(\d+s)?$/;

/**
 * Velero: cluster state (and EBS volume snapshots on AWS) to a versioned, KMS-encrypted
 * bucket on schedules from config. Seed 001 asks for a backup every 6 hours; seed 003
 * keeps daily, weekly and monthly generations, so environments list several schedules with
 * growing TTLs instead of one. Velero's own TTL expires backups; the bucket keeps deleted
 * versions for a while as a safety net.
 *
 * What Velero does not cover, by design: the EFS media volume. The EFS CSI driver has no
 * volume snapshotter and no node agent (file-system backup) runs, so Velero records the
 * claim and skips the data; AWS Backup backs the file system up daily instead
 * (`mediaStorage.backups`, required by the production protection tier), restored with `aws backup
 * start-restore-job`. Copying hundreds of GiB of media through a node agent every 6 hours
 * would duplicate that at a far higher cost. On kubeconfig clusters the RWX storage
 * system's own backups cover the media. README "Backups" lists every restore path.
 */
export class Backups extends Construct {
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    const where = `Backups ${id}`;
    const namespace = props.namespace ?? "velero";
    check(/^v\d+\.\d+\.\d+$/.test(props.awsPluginTag), where, "awsPluginTag", props.awsPluginTag, "must be an exact plugin release tag such as v1.12.0");
    checkUniqueList(where, "schedules[].name", props.schedules.map((s) => s.name));
    props.schedules.forEach((s, i) => {
      check(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s.name), where, `schedules[${i}].name`, s.name, "must be a DNS label");
      checkCron(where, `schedules[${i}].cron`, s.cron);
      check(TTL_RE.test(s.ttl), where, `schedules[${i}].ttl`, s.ttl, "must be a Velero TTL in hours such as 72h or 720h");
    });
    const { storage } = props;
    if (storage.kind === "s3-compatible") {
      check(/^https:\/\/\S+$/.test(storage.s3Url), where, "storage.s3Url", storage.s3Url, "must be an https:// endpoint");
    }
    const aws = storage.kind === "aws";

    this.release = chartRelease(this, "velero", {
      where, prop: "charts.velero", chart: props.chart, name: "velero", namespace, dependsOn: props.dependsOn,
      values: {
        initContainers: [{
          name: "velero-plugin-for-aws",
          image: `velero/velero-plugin-for-aws:${props.awsPluginTag}`,
          imagePullPolicy: "IfNotPresent",
          volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        }],
        configuration: {
          backupStorageLocation: [{
            name: "default",
            provider: "aws",
            default: true,
            bucket: storage.bucketName,
            config: aws
              ? { region: storage.region, kmsKeyId: storage.kmsKeyArn }
              : { region: storage.region, s3Url: storage.s3Url, s3ForcePathStyle: "true" },
          }],
          volumeSnapshotLocation: aws ? [{ name: "default", provider: "aws", config: { region: storage.region } }] : [],
        },
        snapshotsEnabled: aws,
        deployNodeAgent: false,
        // AWS: the Pod Identity role; elsewhere a Secret created outside Terraform state.
        credentials: aws ? { useSecret: false } : { useSecret: true, existingSecret: storage.credentialsSecret },
        serviceAccount: { server: { create: true, name: PLATFORM_SERVICE_ACCOUNTS.velero.name } },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
        schedules: Object.fromEntries(props.schedules.map((s) => [s.name, {
          schedule: s.cron,
          useOwnerReferencesInBackup: false,
          template: {
            ttl: s.ttl,
            storageLocation: "default",
            snapshotVolumes: aws,
            ...(props.includedNamespaces ? { includedNamespaces: [...props.includedNamespaces] } : {}),
          },
        }])),
      },
    });
  }
}
