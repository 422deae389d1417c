/** The EksCluster construct's props: its contract with environments (index.ts builds it). */
import { Naming } from "../core/naming";
import { NetworkRef } from "../core/types";
import { ExtendedSupport } from "../core/lifecycle";
import { AddonVersions } from "./addons";
import { NodeGroupSpec } from "./node-groups";
import { SUPPORT_TYPES } from "./validate";
import type { KeyRef } from "../core/refs";

/** What EKS does at the end of standard support (SUPPORT_TYPES). */
export type UpgradeSupportType = (typeof SUPPORT_TYPES)[number];

export interface EksClusterProps {
  readonly naming: Naming;
  /** Cluster name (not derived from naming: seed 000 fixes production's as `openedx-eks`). */
  readonly clusterName: string;
  readonly network: NetworkRef;
  /**
   * Kubernetes minor version, e.g. "1.36": one of the EKS versions in modules/core/lifecycle.ts.
   * Node groups follow it (their AL2023/Bottlerocket AMI is the EKS-optimized release for it).
   */
  readonly kubernetesVersion: string;
  /**
   * Accept paid EKS extended support for a `kubernetesVersion` past its end of standard
   * support, with the reason. Without it, a cluster with `requireStandardSupport` (the default)
   * refuses such a version at synth; with it, `upgradeSupportType` must be `EXTENDED` (else EKS would
   * upgrade the control plane on its own).
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /**
   * What happens at the end of standard support: `STANDARD` auto-upgrades the control plane
   * (keeps it patched, no extended-support fee); `EXTENDED` keeps the version at extra cost.
   * @default "STANDARD"
   */
  readonly upgradeSupportType?: UpgradeSupportType;
  /**
   * Also serve the API endpoint publicly, restricted to `publicAccessCidrs`. The private
   * endpoint is always on, so nodes and in-VPC tooling never leave the VPC.
   */
  readonly endpointPublicAccess: boolean;
  /**
   * CIDRs allowed to reach the public endpoint; required when it is on, and never 0.0.0.0/0.
   * @default []
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * IAM roles that get cluster-admin through access entries: ARNs, or names of roles in
   * this account. At least one is required (the cluster creator gets no implicit admin).
   */
  readonly adminRoles: readonly string[];
  /**
   * IAM roles with read-only access to the whole cluster: access entries in the Kubernetes
   * group `platform-viewers`, which the platform stack binds to the `view` ClusterRole
   * (no Secrets). No EKS access policy: the grant lives in Kubernetes RBAC, in one place.
   * @default []
   */
  readonly viewerRoles?: readonly string[];
  /**
   * IAM roles that deploy to the app namespace: access entries in the Kubernetes group
   * `platform-developers`, which the platform stack binds to `edit` in that namespace only.
   * @default []
   */
  readonly developerRoles?: readonly string[];
  /**
   * IAM roles that get cluster-wide read access, Secrets included (AmazonEKSAdminViewPolicy),
   * e.g. CI's read-only Terraform plan role: refreshing a `helm_release` reads the release
   * record Helm keeps in a Secret. ARNs, or names of roles in this account; not in another access list.
   * @default [] (nobody)
   */
  readonly planReaderRoles?: readonly string[];
  /** Managed node groups by name (`general`, `compute`, ...). */
  readonly nodeGroups: Readonly<Record<string, NodeGroupSpec>>;
  /**
   * Add-on versions to pin (validated: `vX.Y.Z-eksbuild.N`, kube-proxy on the cluster's minor).
   * Add-ons not pinned take the most recent version EKS publishes for `kubernetesVersion`
   * (`aws_eks_addon_version` data source, `most_recent = true`), so a Kubernetes bump brings
   * add-ons built for it instead of versions nobody checked against a real cluster.
   * @default {} (every add-on resolved at plan time)
   */
  readonly addonVersions?: AddonVersions;
  /**
   * Retention of the control-plane log group.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Block cluster deletion (EKS deletion protection).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Refuse at synth a version past its end of standard support unless `extendedSupport` accepts
   * it with a reason; when false, such a version only warns (a throwaway environment may run it).
   * @default true
   */
  readonly requireStandardSupport?: boolean;
  /**
   * IMDSv2 hop limit on nodes. 1 keeps pods (one network hop further) away from the node
   * role's credentials; every add-on here gets its own role through Pod Identity or IRSA,
   * so nothing needs the node role from a pod. 2 only for workloads that cannot use either.
   * @default 1
   */
  readonly metadataHopLimit?: 1 | 2;
  /**
   * Key for Kubernetes secrets envelope encryption and the control-plane logs.
   * @default a new customer-managed key
   */
  readonly secretsKey?: KeyRef;
}
