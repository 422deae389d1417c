import { Construct } from "constructs";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Naming } from "../core/naming";
import { NetworkRef } from "../core/types";
import { check, checkInt, checkOneOf } from "../core/validation";
import { Connectable, checkConnectables } from "../core/security-group";
import { KmsKey } from "../kms-key";
import { policyJson } from "../core/policy";
import type { KeyRef } from "../core/refs";

/** A directory exposed through an access point, with the POSIX identity every client gets. */
export interface AccessPointSpec {
  /** Absolute path inside the file system, e.g. `/openedx/media`. */
  readonly path: string;
  /**
   * User id all access through this access point runs as (Open edX images run as 1000).
   * @default 1000
   */
  readonly uid?: number;
  /**
   * Group id all access runs as.
   * @default 1000
   */
  readonly gid?: number;
  /**
   * Mode of the directory when EFS creates it.
   * @default "0750"
   */
  readonly permissions?: string;
}

export interface SharedFileSystemProps {
  readonly naming: Naming;
  /** Component name (`media`): file system `<project>-<env>-<component>`. */
  readonly component: string;
  readonly network: NetworkRef;
  /** Clients allowed to mount (NFS 2049), e.g. the EKS cluster's nodes. */
  readonly allowFrom: readonly Connectable[];
  /** Access points by name. */
  readonly accessPoints: Readonly<Record<string, AccessPointSpec>>;
  /**
   * Daily AWS Backup of the file system (the EFS default backup plan, 35-day retention).
   * @default true
   */
  readonly backups?: boolean;
  /**
   * Days without access before files move to Infrequent Access (0 = never).
   * @default 30
   */
  readonly transitionToIaDays?: (typeof IA_DAYS)[number];
  /**
   * Encryption key.
   * @default a new customer-managed key
   */
  readonly kmsKey?: KeyRef;
}

/** Days EFS accepts for the Infrequent Access transition (0 = never). */
export const IA_DAYS = [0, 1, 7, 14, 30, 60, 90, 180, 270, 365] as const;
/** Defaults of the props below, used where they are applied and where they are checked. */
const DEFAULT_IA_DAYS = 30;
const DEFAULT_POSIX_ID = 1000;
const PERMISSIONS_RE = /^0?[0-7]{3}$/;

/**
 * Shared RWX storage on EFS (seed 000: the EFS PVC for `/openedx/media`): CMK-encrypted,
 * elastic throughput, one mount target per private subnet (every AZ nodes run in), NFS open
 * only to the given security groups, a file system policy that refuses non-TLS and
 * non-mount-target access and gives no client root, and access points that pin each path to
 * one POSIX identity so pods cannot reach outside their directory.
 */
export class SharedFileSystem extends Construct {
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly securityGroupId: string;
  /** Access point ids by name (for the EFS CSI `volumeHandle` `<fs id>::<ap id>`). */
  public readonly accessPointIds: Readonly<Record<string, string>>;
  public readonly mountTargetIds: readonly string[];
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: SharedFileSystemProps) {
    super(scope, id);
    const where = `SharedFileSystem ${id}`;
    validate(where, props);
    const { naming, network } = props;
    const name = naming.name(props.component);

    const key = props.kmsKey ?? new KmsKey(this, "key", { naming, component: `${props.component}-efs`, description: `${name} file system` });
    this.kmsKeyArn = key.keyArn;
    const iaDays = props.transitionToIaDays ?? DEFAULT_IA_DAYS;
    const fs = new EfsFileSystem(this, "fs", {
      creationToken: name,
      encrypted: true,
      kmsKeyId: key.keyArn,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicy: [
        ...(iaDays > 0 ? [{ transitionToIa: `AFTER_${iaDays}_DAY${iaDays === 1 ? "" : "S"}` }] : []),
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
      tags: { Name: name },
    });
    const fsId = fs.id;
    const fsArn = fs.arn;
    this.fileSystemId = fsId;
    this.fileSystemArn = fsArn;

    new EfsBackupPolicy(this, "backup", {
      fileSystemId: fsId,
      backupPolicy: { status: props.backups === false ? "DISABLED" : "ENABLED" },
    });

    new EfsFileSystemPolicy(this, "policy", {
      fileSystemId: fsId,
      policy: policyJson([
        {
          Sid: "MountThroughMountTargets",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          Resource: fsArn,
          Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
        },
        {
          Sid: "DenyWithoutTls",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: fsArn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });

    // A name prefix, because a fixed name would collide with the group create-before-destroy replaces.
    const sg = new SecurityGroup(this, "sg", {
      namePrefix: `${naming.name(`${props.component}-efs`, "securityGroup", 27)}-`,
      description: `NFS to ${name} from allowed security groups only`,
      vpcId: network.vpcId,
      tags: { Name: naming.name(`${props.component}-efs`) },
      lifecycle: { createBeforeDestroy: true },
    });
    const sgId = sg.id;
    props.allowFrom.forEach((client, i) => {
      new VpcSecurityGroupIngressRule(this, `nfs-${i}`, {
        securityGroupId: sgId, referencedSecurityGroupId: client.securityGroupId,
        ipProtocol: "tcp", fromPort: 2049, toPort: 2049, description: `NFS from ${client.description}`,
      });
    });
    this.securityGroupId = sgId;

    // Keyed by AZ so adding an AZ never replaces another's mount target.
    this.mountTargetIds = network.privateSubnetIds.map((subnetId, i) =>
      new EfsMountTarget(this, `mount-${network.azs[i]}`, { fileSystemId: fsId, subnetId, securityGroups: [sgId] }).id);

    const accessPoints: Record<string, string> = {};
    for (const [apName, spec] of Object.entries(props.accessPoints)) {
      const uid = spec.uid ?? DEFAULT_POSIX_ID;
      const gid = spec.gid ?? DEFAULT_POSIX_ID;
      accessPoints[apName] = new EfsAccessPoint(this, `ap-${apName}`, {
        fileSystemId: fsId,
        posixUser: { uid, gid },
        rootDirectory: { path: spec.path, creationInfo: { ownerUid: uid, ownerGid: gid, permissions: spec.permissions ?? "0750" } },
        tags: { Name: `${name}-${apName}` },
      }).id;
    }
    this.accessPointIds = accessPoints;
  }
}

function validate(where: string, props: SharedFileSystemProps): void {
  const { network } = props;
  check(network.privateSubnetIds.length >= 1 && network.privateSubnetIds.length === network.azs.length, where,
    "network.privateSubnetIds", network.privateSubnetIds.length, `must have one subnet per AZ (${network.azs.length})`);
  checkOneOf(where, "transitionToIaDays", props.transitionToIaDays ?? DEFAULT_IA_DAYS, IA_DAYS);
  checkConnectables(where, "allowFrom", props.allowFrom);
  check(Object.keys(props.accessPoints).length >= 1, where, "accessPoints", Object.keys(props.accessPoints), "must define at least one access point");
  for (const [name, spec] of Object.entries(props.accessPoints)) {
    const at = `accessPoints.${name}`;
    check(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(spec.path) && !spec.path.includes(".."), where, `${at}.path`, spec.path,
      "must be an absolute directory path below the file system root, such as /openedx/media");
    // Never root: the access point forces this identity on every client, so 0 would hand root to all of them.
    checkInt(where, `${at}.uid`, spec.uid ?? DEFAULT_POSIX_ID, 1, 4294967295);
    checkInt(where, `${at}.gid`, spec.gid ?? DEFAULT_POSIX_ID, 1, 4294967295);
    check(PERMISSIONS_RE.test(spec.permissions ?? "0750"), where, `${at}.permissions`, spec.permissions, "must be an octal mode such as 0750");
  }
}
