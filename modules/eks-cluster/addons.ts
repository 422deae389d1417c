import { Construct } from "constructs";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { ADDON_NAMES } from "./validate";

export type AddonName = (typeof ADDON_NAMES)[number];
/**
 * Pinned EKS add-on versions (`aws eks describe-addon-versions --kubernetes-version <v>`), by
 * add-on; an add-on not listed gets the most recent version EKS offers for the cluster's
 * Kubernetes version, resolved at plan time.
 */
export type AddonVersions = Readonly<Partial<Record<AddonName, string>>>;

export type AddonOptions = Partial<ConstructorParameters<typeof EksAddon>[2]>;

export interface ClusterAddonsProps {
  /** The cluster resource's `name` reference, so add-ons are created after the cluster. */
  readonly clusterName: string;
  /** The static version string (not the cluster's attribute), so the plan shows the resolved add-on versions. */
  readonly kubernetesVersion: string;
  readonly addonVersions?: AddonVersions;
}

/**
 * Managed EKS add-ons of one cluster. Adds to `scope` (the EksCluster), not to a construct of
 * its own, so add-ons keep their Terraform addresses (`addon-<name>`, `addon-version-<name>`).
 */
export class ClusterAddons {
  constructor(private readonly scope: Construct, private readonly props: ClusterAddonsProps) {}

  /**
   * One add-on. Unpinned add-ons: the newest build for this Kubernetes version, read at plan
   * time by `aws_eks_addon_version`.
   */
  public add(name: AddonName, extra: AddonOptions = {}): EksAddon {
    return new EksAddon(this.scope, `addon-${name}`, {
      clusterName: this.props.clusterName,
      addonName: name,
      addonVersion: this.version(name),
      // Terraform is the source of truth: take over on create, and re-apply our config on update.
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...extra,
    });
  }

  private version(name: AddonName): string {
    return this.props.addonVersions?.[name]
      ?? new DataAwsEksAddonVersion(this.scope, `addon-version-${name}`, { addonName: name, kubernetesVersion: this.props.kubernetesVersion, mostRecent: true }).version;
  }
}
