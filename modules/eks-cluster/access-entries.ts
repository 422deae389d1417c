import { Construct } from "constructs";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { iamRoleArn, PLATFORM_GROUPS } from "../core/rbac";

export interface AccessEntriesProps {
  /** The cluster resource's `name` reference, so entries are created after the cluster. */
  readonly clusterName: string;
  readonly partition: string;
  readonly accountId: string;
  readonly adminRoles: readonly string[];
  readonly viewerRoles?: readonly string[];
  readonly developerRoles?: readonly string[];
  readonly planReaderRoles?: readonly string[];
}

/**
 * Access entries (the cluster uses authentication mode API only): cluster-admin for the admin
 * roles; a Kubernetes group each for viewers and developers, granted by RBAC in the platform
 * stack; cluster-wide read including Secrets for CI's plan role.
 *
 * Adds to `scope` (the EksCluster) rather than to a construct of its own, so the entries keep
 * their Terraform addresses (`admin-<i>`, `viewer-<i>`, ...).
 */
export function addAccessEntries(scope: Construct, props: AccessEntriesProps): void {
  const { clusterName, partition, accountId } = props;
  const adminPolicy = `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
  props.adminRoles.forEach((role, i) => {
    const principalArn = iamRoleArn(role, partition, accountId);
    const entry = new EksAccessEntry(scope, `admin-${i}`, { clusterName, principalArn, type: "STANDARD" });
    new EksAccessPolicyAssociation(scope, `admin-${i}-policy`, {
      clusterName, principalArn: entry.principalArn, policyArn: adminPolicy, accessScope: { type: "cluster" },
    });
  });
  // Viewers and developers: a Kubernetes group each, granted by RBAC in the platform stack.
  for (const [key, roles, group] of [
    ["viewer", props.viewerRoles ?? [], PLATFORM_GROUPS.viewers],
    ["developer", props.developerRoles ?? [], PLATFORM_GROUPS.developers],
  ] as const) {
    roles.forEach((role, i) => new EksAccessEntry(scope, `${key}-${i}`, {
      clusterName, principalArn: iamRoleArn(role, partition, accountId), type: "STANDARD", kubernetesGroups: [group],
    }));
  }
  // CI's plan role: cluster-wide read including Secrets (Helm keeps its release records there).
  const viewPolicy = `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy`;
  (props.planReaderRoles ?? []).forEach((role, i) => {
    const principalArn = iamRoleArn(role, partition, accountId);
    const entry = new EksAccessEntry(scope, `plan-reader-${i}`, { clusterName, principalArn, type: "STANDARD" });
    new EksAccessPolicyAssociation(scope, `plan-reader-${i}-policy`, {
      clusterName, principalArn: entry.principalArn, policyArn: viewPolicy, accessScope: { type: "cluster" },
    });
  });
}
