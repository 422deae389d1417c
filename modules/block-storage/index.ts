import { Construct } from "constructs";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { DNS_LABEL_RE } from "../core/dns";
import { check, checkInt, checkOneOf } from "../core/validation";

/** Kubernetes StorageClass reclaim policies for dynamically provisioned volumes (`Recycle` is deprecated and not for CSI). */
export const RECLAIM_POLICIES = ["Delete", "Retain"] as const;

export interface BlockStorageProps {
  /**
   * KMS key (ARN) the EBS CSI driver encrypts every volume with: the cluster's volume CMK.
   * The driver's role needs grants on it (the eks-cluster module gives them).
   */
  readonly kmsKeyArn: string;
  /** @default "gp3-encrypted" */
  readonly name?: string;
  /**
   * Provisioned IOPS per volume (gp3: 3,000 included, up to 16,000).
   * @default 3000
   */
  readonly iops?: number;
  /**
   * Throughput in MiB/s (gp3: 125 included, up to 1,000; at most IOPS / 4).
   * @default 125
   */
  readonly throughputMiBps?: number;
  /**
   * Keep the EBS volume when its claim is deleted (production data survives a mistaken
   * `helm uninstall`; the released volume is then deleted by hand).
   * @default "Delete"
   */
  readonly reclaimPolicy?: (typeof RECLAIM_POLICIES)[number];
}

/**
 * The cluster's default StorageClass: encrypted gp3 through the EBS CSI driver.
 *
 * EKS no longer marks the in-tree `gp2` class as default, and the EBS CSI add-on installs no
 * class, so without this every claim that names no class (Loki's write/backend, Prometheus's
 * and Alertmanager's volume claim templates) stays Pending forever. It is annotated as the
 * default and the charts also name it explicitly, so neither a second default nor a missing
 * annotation can send a claim elsewhere. `WaitForFirstConsumer` creates each volume in the AZ
 * of the node its pod is scheduled on (an EBS volume cannot be attached across AZs), and
 * expansion is allowed so a full Prometheus volume is grown, not rebuilt.
 */
export class BlockStorage extends Construct {
  public readonly storageClassName: string;

  constructor(scope: Construct, id: string, props: BlockStorageProps) {
    super(scope, id);
    const where = `BlockStorage ${id}`;
    const name = props.name ?? "gp3-encrypted";
    const iops = props.iops ?? 3000;
    const throughput = props.throughputMiBps ?? 125;
    check(DNS_LABEL_RE.test(name), where, "name", name, "must be a DNS label");
    check(typeof props.kmsKeyArn === "string" && props.kmsKeyArn.length > 0, where, "kmsKeyArn", props.kmsKeyArn, "must be the ARN of the cluster's volume KMS key");
    checkOneOf(where, "reclaimPolicy", props.reclaimPolicy ?? "Delete", RECLAIM_POLICIES);
    checkInt(where, "iops", iops, 3000, 16000);
    checkInt(where, "throughputMiBps", throughput, 125, 1000);
    check(throughput <= iops / 4, where, "throughputMiBps", throughput, `must be at most iops / 4 (${iops / 4} MiB/s for ${iops} IOPS; gp3's ratio)`);

    const sc = new StorageClassV1(this, "gp3", {
      metadata: {
        name,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        labels: { "app.kubernetes.io/managed-by": "cdktf" },
      },
      storageProvisioner: "ebs.csi.aws.com",
      reclaimPolicy: props.reclaimPolicy ?? "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: {
        type: "gp3",
        encrypted: "true",
        kmsKeyId: props.kmsKeyArn,
        iops: String(iops),
        throughput: String(throughput),
        "csi.storage.k8s.io/fstype": "ext4",
      },
    });
    this.storageClassName = sc.metadata.name;
  }
}
