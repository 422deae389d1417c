import { Construct } from "constructs";
import { DocdbCluster } from "@cdktf/provider-aws/lib/docdb-cluster";
import { DocdbClusterInstance } from "@cdktf/provider-aws/lib/docdb-cluster-instance";
import { DocdbClusterParameterGroup } from "@cdktf/provider-aws/lib/docdb-cluster-parameter-group";
import { DocdbSubnetGroup } from "@cdktf/provider-aws/lib/docdb-subnet-group";
import { DocdbEventSubscription } from "@cdktf/provider-aws/lib/docdb-event-subscription";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { DEFAULT_BACKUP_RETENTION_DAYS, DataStoreProps, StoreRestore, checkRestore, dataStoreDefaults, storeLogGroup } from "../core/data-store";
import { KmsKey } from "../kms-key";
import { StoreEndpoint, storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { checkVersionLifecycle, ExtendedSupport } from "../core/lifecycle";

/** MongoDB 5.0-compatible engine: what Open edX's modulestore drivers support; no published end of standard support. */
// renovate: datasource=endoflife-date depName=amazon-documentdb versioning=loose
export const DEFAULT_DOCUMENTDB_VERSION = "5.0.0";

/** Alarm thresholds; seed 001's alerting rules are the defaults. */
export interface DocumentDbAlarmThresholds {
  /** Cluster CPU over 5 minutes. @default 80 */
  readonly cpuPercent?: number;
  /** Freeable memory below this (MiB). @default 1024 */
  readonly freeableMemoryMiB?: number;
  /** Replica lag above this (milliseconds). @default 10000 */
  readonly replicaLagMs?: number;
}

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface DocumentDbSettings {
  /** Instance class, e.g. `db.r6g.large`. */
  readonly instanceClass: string;
  /** Instances (1 primary + replicas, 1-16); at least 2 for Multi-AZ. */
  readonly instanceCount: number;
  /**
   * MongoDB 5.0-compatible engine by default (what Open edX's modulestore drivers support).
   * @default DEFAULT_DOCUMENTDB_VERSION ("5.0.0")
   */
  readonly engineVersion?: "4.0.0" | "5.0.0";
  /**
   * Accept paid extended support for an `engineVersion` past its end of standard support, with the reason.
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /**
   * Days of continuous backup / point-in-time restore (1-35).
   * @default 35
   */
  readonly backupRetentionDays?: number;
  /** @default seed 001's thresholds */
  readonly alarmThresholds?: DocumentDbAlarmThresholds;
  /**
   * Create the cluster from a snapshot or a point in time of another cluster (docs/disaster-recovery.md).
   * @default undefined: an empty cluster
   */
  readonly restore?: StoreRestore;
}

export interface DocumentDbProps extends DataStoreProps, DocumentDbSettings {}

/** Families DocumentDB offers; burstable ones only as `medium`. */
const FAMILIES = ["t3", "t4g", "r5", "r6g", "r6gd", "r8g"];
const LOG_EXPORTS = ["audit", "profiler"] as const;
const PORT = 27017;

/**
 * The course modulestore: an Amazon DocumentDB (MongoDB-compatible) cluster — the hardened
 * form of seed 000's single MongoDB EC2 instance.
 *
 * - Instances spread round-robin over the AZs (Multi-AZ: at least two, so a replica in
 *   another AZ can be promoted); one instance in sandbox.
 * - TLS required (`tls = enabled` in the cluster parameter group), storage and Performance
 *   Insights encrypted with the store's CMK, audit and profiler logs to CMK-encrypted log
 *   groups, backups with point-in-time restore, deletion protection and a final snapshot
 *   outside sandbox.
 * - Credentials: DocumentDB manages the master password (`manage_master_user_password`):
 *   DocumentDB generates it, keeps it in a Secrets Manager secret it owns and rotates, and
 *   Terraform only ever sees the secret's ARN, so no password reaches the plan or the state.
 *   The price: the DocumentDB API takes a `MasterUserSecretKmsKeyId`, but provider 6.x's
 *   `aws_docdb_cluster` does not expose it, so the secret is encrypted with the AWS-managed
 *   `aws/secretsmanager` key rather than the store's CMK. That key's policy lets any
 *   principal of this account decrypt through Secrets Manager, so the secret's only fence is
 *   IAM on `secretsmanager:GetSecretValue` (which the CI roles are denied outside their own
 *   prefix and External Secrets has for this ARN only); with a generated secret under the
 *   CMK, the password sat in plain text in the state file, readable by everyone who can read
 *   state. Less exposure wins; switch to the CMK once the provider exposes the argument.
  */
export class DocumentDb extends Construct {
  public readonly clusterIdentifier: string;
  /** Writer endpoint. */
  public readonly endpoint: string;
  public readonly readerEndpoint: string;
  public readonly port = PORT;
  /** Secrets Manager ARN of the DocumentDB-managed master credential (`{"username": ..., "password": ...}`), rotated by DocumentDB. */
  public readonly masterUserSecretArn: string;
  /**
   * Key of the master credential's secret: the AWS-managed `aws/secretsmanager` key (see the
   * class doc), whose policy already lets this account's principals decrypt through Secrets
   * Manager, so readers need no key grant. Undefined, as opposed to the store's CMK.
   */
  public readonly masterUserSecretKmsKeyArn: string | undefined = undefined;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  /** Customer-managed key of the store (storage, snapshots, Performance Insights, logs). */
  public readonly kmsKeyArn: string;
  /** The cluster (for scanner suppressions and dependencies). */
  public readonly cluster: DocdbCluster;

  constructor(scope: Construct, id: string, props: DocumentDbProps) {
    super(scope, id);
    const where = `DocumentDb ${id}`;
    if (props.restore) checkRestore(where, "restore", props.restore, ["snapshot", "point-in-time"]);
    const d = dataStoreDefaults(this, where, "docdb", props, KmsKey);
    const version = props.engineVersion ?? DEFAULT_DOCUMENTDB_VERSION;
    const backups = props.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS;
    validate(where, props, version, backups, d.multiAz);
    checkVersionLifecycle(this, {
      where, prop: "engineVersion", product: "documentdb", version,
      protectedEnvironment: d.requireStandardSupport, extendedSupport: props.extendedSupport,
    });

    const { naming } = props;
    const { accountId, partition, region } = awsContext(this);
    this.clusterIdentifier = naming.name("docdb", "docdbCluster");
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: "docdb", vpcId: props.network.vpcId, port: PORT,
      allowFrom: props.allowFrom, description: "DocumentDB",
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: PORT, description: "DocumentDB" };
    this.kmsKeyArn = d.key.keyArn;
    const subnets = new DocdbSubnetGroup(this, "subnets", {
      name: this.clusterIdentifier,
      description: "Database tier (no internet route)",
      subnetIds: [...props.network.databaseSubnetIds],
    });
    const major = version.split(".").slice(0, 2).join(".");
    const params = new DocdbClusterParameterGroup(this, "params", {
      name: naming.name(`docdb${major.replace(".", "")}`),
      family: `docdb${major}`,
      description: "TLS required, audit and profiler logs",
      parameter: [
        { name: "tls", value: "enabled", applyMethod: "pending-reboot" },
        { name: "audit_logs", value: "enabled" },
        { name: "profiler", value: "enabled" },
        { name: "profiler_threshold_ms", value: "200" },
      ],
    });
    const logGroups = LOG_EXPORTS.map((log) => storeLogGroup(this, `log-${log}`, `/aws/docdb/${this.clusterIdentifier}/${log}`, d));

    const cluster = new DocdbCluster(this, "cluster", {
      clusterIdentifier: this.clusterIdentifier,
      engine: "docdb",
      engineVersion: version,
      port: PORT,
      dbSubnetGroupName: subnets.name,
      dbClusterParameterGroupName: params.name,
      vpcSecurityGroupIds: [sg.id],
      // A restored cluster keeps the snapshot's master user name.
      masterUsername: props.restore ? undefined : "docdbadmin",
      snapshotIdentifier: props.restore?.kind === "snapshot" ? props.restore.snapshotIdentifier : undefined,
      restoreToPointInTime: props.restore?.kind === "point-in-time" ? {
        sourceClusterIdentifier: props.restore.sourceIdentifier,
        ...(props.restore.restoreTime ? { restoreTime: props.restore.restoreTime } : { useLatestRestorableTime: true }),
      } : undefined,
      // DocumentDB generates, stores and rotates the password; Terraform never holds it.
      manageMasterUserPassword: true,
      storageEncrypted: true,
      kmsKeyId: d.key.keyArn,
      backupRetentionPeriod: backups,
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:05:00-sun:06:00",
      deletionProtection: d.deletionProtection,
      skipFinalSnapshot: !d.deletionProtection,
      finalSnapshotIdentifier: d.deletionProtection ? `${this.clusterIdentifier}-final` : undefined,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      dependsOn: logGroups,
    });
    this.cluster = cluster;
    if (backups < 7) suppress(cluster, { id: "CKV_AWS_360", reason: `backupRetentionDays = ${backups} set by the caller, below the 7 days the check asks (the production protection tier requires 30+)` });
    this.masterUserSecretArn = cluster.masterUserSecret.get(0).secretArn;
    this.endpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;

    const azs = props.network.azs;
    for (let i = 0; i < props.instanceCount; i++) {
      new DocdbClusterInstance(this, `instance-${i + 1}`, {
        identifier: naming.name(`docdb-${i + 1}`, "docdbCluster"),
        clusterIdentifier: cluster.id,
        instanceClass: props.instanceClass,
        availabilityZone: azs[d.multiAz ? i % azs.length : 0],
        promotionTier: i === 0 ? 0 : 1,
        autoMinorVersionUpgrade: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: d.key.keyArn,
        preferredMaintenanceWindow: "sun:05:00-sun:06:00",
        copyTagsToSnapshot: true,
      });
    }

    props.alarms.allowEventPublisher("events.rds.amazonaws.com", `arn:${partition}:rds:${region}:${accountId}:es:*`);
    new DocdbEventSubscription(this, "events", {
      name: naming.name("docdb-events"),
      snsTopicArn: props.alarms.topicArn,
      sourceType: "db-cluster",
      sourceIds: [cluster.clusterIdentifier],
      eventCategories: ["failover", "failure", "maintenance"],
    });

    const th = { cpuPercent: 80, freeableMemoryMiB: 1024, replicaLagMs: 10000, ...props.alarmThresholds };
    const base = { namespace: "AWS/DocDB", dimensions: { DBClusterIdentifier: this.clusterIdentifier } };
    const specs: AlarmSpec[] = [
      { ...base, name: "cpu", metricName: "CPUUtilization", statistic: "Average", comparison: ">", threshold: th.cpuPercent,
        description: `${this.clusterIdentifier}: CPU above ${th.cpuPercent} % for 5 minutes` },
      { ...base, name: "freeable-memory", metricName: "FreeableMemory", statistic: "Minimum", comparison: "<", threshold: th.freeableMemoryMiB * 1024 ** 2,
        description: `${this.clusterIdentifier}: freeable memory below ${th.freeableMemoryMiB} MiB` },
    ];
    if (props.instanceCount > 1) {
      specs.push({ ...base, name: "replica-lag", metricName: "DBClusterReplicaLagMaximum", statistic: "Maximum", comparison: ">", threshold: th.replicaLagMs,
        description: `${this.clusterIdentifier}: replica lag above ${th.replicaLagMs} ms` });
    }
    metricAlarms(this, props.alarms, naming, "docdb", specs);
  }
}

function validate(where: string, props: DocumentDbProps, version: string, backups: number, multiAz: boolean): void {
  checkOneOf(where, "engineVersion", version, ["4.0.0", "5.0.0"]);
  const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(props.instanceClass);
  check(m !== null && FAMILIES.includes(m[1]!), where, "instanceClass", props.instanceClass,
    `must be a db.<family>.<size> class DocumentDB offers (${FAMILIES.join(", ")})`);
  check(!m![1]!.startsWith("t") || m![2] === "medium", where, "instanceClass", props.instanceClass,
    "burstable DocumentDB instances exist only as medium (db.t3.medium, db.t4g.medium)");
  checkInt(where, "instanceCount", props.instanceCount, 1, 16);
  check(!multiAz || props.instanceCount >= 2, where, "instanceCount", props.instanceCount,
    "must be at least 2 when multiAz is true (a replica in another AZ to fail over to)");
  check(!multiAz || props.network.databaseSubnetIds.length >= 2, where, "network.databaseSubnetIds", props.network.databaseSubnetIds.length,
    "must span at least 2 AZs for Multi-AZ");
  checkInt(where, "backupRetentionDays", backups, 1, 35);
}
