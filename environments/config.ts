import type { NatGatewayMode } from "../modules/vpc";
import type { BucketSpec } from "../modules/s3-buckets";
import type { AddonVersions, NodeGroupSpec } from "../modules/eks-cluster";
import type { AccessPointSpec } from "../modules/efs";

export const ENVIRONMENT_NAMES = ["production", "staging", "sandbox"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Where a stack keeps its Terraform state. */
export type StateConfig =
  | {
      readonly backend: "s3";
      /** State bucket (created by the `bootstrap` stack). */
      readonly bucket: string;
      /** Keys are `<keyPrefix>/<stack>.tfstate`. */
      readonly keyPrefix: string;
      /** Region of the state bucket. */
      readonly region: string;
    }
  | { readonly backend: "local" };

export interface NetworkConfig {
  readonly cidr: string;
  readonly azs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly databaseSubnetCidrs: readonly string[];
  /** `per-az` for resilience to an AZ outage, `single` to save cost. */
  readonly natGateways: NatGatewayMode;
}

/** The EKS cluster (its name is `clusterName`, which the VPC also tags subnets with). */
export interface ClusterConfig {
  /** Kubernetes minor version, e.g. "1.33"; `addonVersions` must be built for it. */
  readonly kubernetesVersion: string;
  /** End of standard support: `STANDARD` auto-upgrades, `EXTENDED` pays to stay. */
  readonly upgradeSupportType: "STANDARD" | "EXTENDED";
  /** Serve the API publicly too (private access is always on), limited to `publicAccessCidrs`. */
  readonly endpointPublicAccess: boolean;
  /** Operator VPN / CI egress CIDRs allowed to the public endpoint; never 0.0.0.0/0. */
  readonly publicAccessCidrs: readonly string[];
  /** IAM roles (ARNs or names in the environment's account) given cluster-admin; at least one. */
  readonly adminRoles: readonly string[];
  /** Managed node groups by name. */
  readonly nodeGroups: Readonly<Record<string, NodeGroupSpec>>;
  /** Pinned EKS add-on versions for `kubernetesVersion`. */
  readonly addonVersions: AddonVersions;
}

/** Shared media storage (EFS) mounted by the platform's pods. */
export interface MediaStorageConfig {
  /** Daily AWS Backup of the file system. */
  readonly backups: boolean;
  /** Access points by name (`media` -> `/openedx/media`). */
  readonly accessPoints: Readonly<Record<string, AccessPointSpec>>;
}

/**
 * Everything that differs between environments. One stack class turns this into
 * infrastructure, so environments differ only in data.
 */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** Short project slug that prefixes every physical name. */
  readonly project: string;
  readonly region: string;
  /** Team that owns the environment (Owner tag). */
  readonly owner: string;
  /** Cost allocation (CostCenter tag). */
  readonly costCenter: string;
  /** Apex domain; the platform serves lms., studio. and apps.lms. under it. */
  readonly domain: string;
  readonly state: StateConfig;
  /** EKS cluster name (seed 000: `openedx-eks` in production); subnets are tagged for it. */
  readonly clusterName: string;
  /** Spread stateful services over AZs (needs at least 2 AZs). */
  readonly multiAz: boolean;
  /** Deletion protection and final snapshots on stateful services. */
  readonly deletionProtection: boolean;
  /** Allow `destroy` to delete non-empty buckets (throwaway environments only). */
  readonly forceDestroy: boolean;
  /** Retention of CloudWatch log groups (flow logs, control-plane logs, ...). */
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
  /** Named buckets besides the logs bucket. */
  readonly buckets: Readonly<Record<string, BucketSpec>>;
  readonly cluster: ClusterConfig;
  readonly mediaStorage: MediaStorageConfig;
}
