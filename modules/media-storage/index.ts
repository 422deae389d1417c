import { Construct } from "constructs";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { check, checkInt } from "../core/validation";

export interface MediaStorageProps {
  /** Namespace of the claim (the app namespace). */
  readonly namespace: string;
  /**
   * EFS file system to provision access points on (EKS). Exactly one of `efsFileSystemId`
   * and `storageClassName` is required.
   */
  readonly efsFileSystemId?: string;
  /** An existing ReadWriteMany storage class (e.g. NFS or Longhorn on k3s). */
  readonly storageClassName?: string;
  /**
   * Requested size in GiB (EFS is elastic and ignores it; other classes enforce it).
   * @default 100
   */
  readonly sizeGi?: number;
  /**
   * POSIX owner of the media directory (Open edX images run as uid/gid 1000).
   * @default 1000
   */
  readonly uid?: number;
}

/**
 * Shared media for `/openedx/media` (seed 000: EFS RWX PVC): an EFS StorageClass that gives
 * each claim its own access point, TLS in transit and IAM mount authorization, reclaim
 * `Retain` so deleting the claim never deletes course media; and the ReadWriteMany claim the
 * LMS and CMS pods mount. The EFS CSI driver is the eks-cluster module's managed add-on.
 */
export class MediaStorage extends Construct {
  public readonly claimName = "openedx-media";
  public readonly storageClassName: string;

  constructor(scope: Construct, id: string, props: MediaStorageProps) {
    super(scope, id);
    const where = `MediaStorage ${id}`;
    check((props.efsFileSystemId === undefined) !== (props.storageClassName === undefined), where, "efsFileSystemId/storageClassName",
      { efsFileSystemId: props.efsFileSystemId, storageClassName: props.storageClassName },
      "exactly one is required: an EFS file system on EKS, or an existing ReadWriteMany storage class elsewhere");
    const size = props.sizeGi ?? 100;
    const uid = props.uid ?? 1000;
    checkInt(where, "sizeGi", size, 1, 1048576);
    checkInt(where, "uid", uid, 1, 2147483647);

    if (props.efsFileSystemId !== undefined) {
      const sc = new StorageClassV1(this, "efs", {
        metadata: { name: "efs-media" },
        storageProvisioner: "efs.csi.aws.com",
        reclaimPolicy: "Retain",
        volumeBindingMode: "Immediate",
        mountOptions: ["tls", "iam"],
        parameters: {
          provisioningMode: "efs-ap",
          fileSystemId: props.efsFileSystemId,
          directoryPerms: "750",
          uid: String(uid),
          gid: String(uid),
          basePath: "/openedx",
        },
      });
      this.storageClassName = sc.metadata.name!;
    } else {
      this.storageClassName = props.storageClassName!;
    }

    new PersistentVolumeClaimV1(this, "media", {
      metadata: { name: this.claimName, namespace: props.namespace, labels: { "app.kubernetes.io/part-of": "openedx" } },
      spec: {
        accessModes: ["ReadWriteMany"],
        storageClassName: this.storageClassName,
        resources: { requests: { storage: `${size}Gi` } },
      },
      // Binding is the CSI driver's job; do not hold the whole apply on it.
      waitUntilBound: false,
    });
  }
}
