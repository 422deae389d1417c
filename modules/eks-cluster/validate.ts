import { requireCidr } from "../core/cidr";
import { NAME_LIMITS } from "../core/naming";
import { checkIamRoles } from "../core/rbac";
import { LABEL_KEY_RE, check, checkInt, checkOneOf, checkUniqueList } from "../core/validation";
import type { AddonVersions, EksClusterProps, NodeGroupSpec } from "./index";

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
export const SUPPORT_TYPES = ["STANDARD", "EXTENDED"] as const;
export const AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"] as const;
export const ADDON_NAMES = [
  "vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver", "aws-efs-csi-driver",
] as const;

/**
 * Oldest Kubernetes minor EKS still runs (standard or extended support) when this module was
 * last reviewed (1.31 left extended support on 2026-11-26); the lifecycle table
 * (modules/core/lifecycle.ts) decides what is in standard support.
 */
export const MIN_KUBERNETES_MINOR = 32;
/** Managed node group size limit (EKS service quota "nodes per managed node group"). */
export const MAX_NODES_PER_GROUP = 450;

const CLUSTER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const GROUP_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ADDON_VERSION_RE = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;

/** EKS's cluster name rule; the environment config checks its `clusterName` with it before any resource exists. */
export function checkClusterName(where: string, prop: string, name: string): void {
  check(CLUSTER_NAME_RE.test(name) && name.length <= NAME_LIMITS.eksCluster, where, prop, name,
    `must be 1-${NAME_LIMITS.eksCluster} letters, digits, hyphens or underscores, starting with a letter or digit (EKS rule)`);
}

export function validateCluster(where: string, props: EksClusterProps): void {
  checkClusterName(where, "clusterName", props.clusterName);

  const azs = new Set(props.network.azs);
  check(props.network.privateSubnetIds.length >= 2 && azs.size >= 2, where, "network.privateSubnetIds", props.network.privateSubnetIds.length,
    `must be at least 2 subnets in at least 2 AZs (EKS requires two AZs for the control plane); got ${azs.size} AZ(s)`);

  const version = /^1\.(\d+)$/.exec(props.kubernetesVersion);
  check(version !== null && Number(version[1]) >= MIN_KUBERNETES_MINOR, where, "kubernetesVersion", props.kubernetesVersion,
    `must be a Kubernetes minor version such as "1.36", at least 1.${MIN_KUBERNETES_MINOR} (older versions have left EKS extended support too)`);
  checkOneOf(where, "upgradeSupportType", props.upgradeSupportType ?? "STANDARD", SUPPORT_TYPES);

  validateEndpoint(where, props);
  validateAccess(where, props);
  validateAddonVersions(where, props.addonVersions ?? {}, props.kubernetesVersion);
  if (props.extendedSupport) {
    check((props.upgradeSupportType ?? "STANDARD") === "EXTENDED", where, "upgradeSupportType", props.upgradeSupportType ?? "STANDARD",
      "must be \"EXTENDED\" when extendedSupport is set (with STANDARD, EKS upgrades the control plane itself at the end of standard support)");
  }

  const groups = Object.entries(props.nodeGroups);
  check(groups.length >= 1, where, "nodeGroups", Object.keys(props.nodeGroups), "must define at least one node group");
  for (const [groupName, spec] of groups) validateNodeGroup(where, groupName, spec);
  if (props.metadataHopLimit !== undefined) checkInt(where, "metadataHopLimit", props.metadataHopLimit, 1, 2);
}

function validateEndpoint(where: string, props: EksClusterProps): void {
  const cidrs = props.publicAccessCidrs ?? [];
  if (!props.endpointPublicAccess) {
    check(cidrs.length === 0, where, "publicAccessCidrs", cidrs, "must be empty when endpointPublicAccess is false (the endpoint is private only)");
    return;
  }
  checkUniqueList(where, "publicAccessCidrs", cidrs, 1);
  cidrs.forEach((cidr, i) => {
    const block = requireCidr(where, `publicAccessCidrs[${i}]`, cidr);
    check(block.prefix > 0, where, `publicAccessCidrs[${i}]`, cidr,
      "must not be 0.0.0.0/0: list the CIDRs of your VPN / CI egress, or set endpointPublicAccess to false");
  });
}

function validateAccess(where: string, props: EksClusterProps): void {
  // With authentication mode API and no creator admin, nobody could use kubectl without an admin.
  checkIamRoles(where, "adminRoles", props.adminRoles, 1);
  checkIamRoles(where, "viewerRoles", props.viewerRoles ?? [], 0);
  checkIamRoles(where, "developerRoles", props.developerRoles ?? [], 0);
  checkIamRoles(where, "planReaderRoles", props.planReaderRoles ?? [], 0);
  // EKS allows one access entry per principal, so a role in two lists would fail at apply.
  const lists = {
    adminRoles: props.adminRoles, planReaderRoles: props.planReaderRoles ?? [],
    viewerRoles: props.viewerRoles ?? [], developerRoles: props.developerRoles ?? [],
  };
  const seen = new Map<string, string>();
  for (const [prop, roles] of Object.entries(lists)) {
    for (const role of roles) {
      const other = seen.get(role);
      check(other === undefined, where, prop, role,
        `must not repeat a role of ${other} (EKS allows one access entry per IAM principal; the broader list already grants what it needs)`);
      seen.set(role, prop);
    }
  }
}

function validateAddonVersions(where: string, versions: AddonVersions, kubernetesVersion: string): void {
  for (const key of Object.keys(versions)) {
    check((ADDON_NAMES as readonly string[]).includes(key), where, "addonVersions", key, `must name EKS add-ons the module installs: ${ADDON_NAMES.join(", ")}`);
  }
  for (const addon of ADDON_NAMES) {
    const v = versions[addon];
    if (v === undefined) continue; // resolved at plan time
    check(typeof v === "string" && ADDON_VERSION_RE.test(v), where, `addonVersions["${addon}"]`, v,
      "must be a pinned EKS add-on version such as v1.20.1-eksbuild.1 (aws eks describe-addon-versions), or left out to take the most recent one for the cluster's version");
  }
  const pinnedKubeProxy = versions["kube-proxy"];
  if (pinnedKubeProxy === undefined) return;
  const kubeProxy = ADDON_VERSION_RE.exec(pinnedKubeProxy)!;
  check(`${kubeProxy[1]}.${kubeProxy[2]}` === kubernetesVersion, where, `addonVersions["kube-proxy"]`, pinnedKubeProxy,
    `must match the cluster's Kubernetes minor version ${kubernetesVersion} (kube-proxy is built per Kubernetes version)`);
}

function validateNodeGroup(where: string, groupName: string, spec: NodeGroupSpec): void {
  const at = `${where} nodeGroups.${groupName}`;
  check(GROUP_NAME_RE.test(groupName) && groupName.length <= 20, at, "name", groupName,
    "must be 1-20 lower-case letters, digits and hyphens (it becomes part of the node group and launch template names)");
  checkUniqueList(at, "instanceTypes", spec.instanceTypes, 1);
  for (const type of spec.instanceTypes) {
    check(INSTANCE_TYPE_RE.test(type), at, "instanceTypes", type, "must be EC2 instance types such as m5.2xlarge");
  }
  checkInt(at, "maxSize", spec.maxSize, 1, MAX_NODES_PER_GROUP);
  checkInt(at, "minSize", spec.minSize, 0, spec.maxSize);
  check(Number.isInteger(spec.desiredSize) && spec.desiredSize >= spec.minSize && spec.desiredSize <= spec.maxSize, at, "desiredSize", spec.desiredSize,
    `must be an integer with minSize <= desiredSize <= maxSize (${spec.minSize} <= ? <= ${spec.maxSize})`);
  checkOneOf(at, "capacityType", spec.capacityType ?? "ON_DEMAND", CAPACITY_TYPES);
  checkOneOf(at, "amiType", spec.amiType ?? "AL2023_x86_64_STANDARD", AMI_TYPES);
  checkInt(at, "diskSizeGiB", spec.diskSizeGiB ?? 50, 20, 16384);
  checkInt(at, "maxUnavailablePercentage", spec.maxUnavailablePercentage ?? 25, 1, 100);
  for (const key of Object.keys(spec.labels ?? {})) {
    check(LABEL_KEY_RE.test(key), at, "labels", key, "must be Kubernetes label keys ([prefix/]name, name up to 63 characters)");
  }
  for (const taint of spec.taints ?? []) {
    check(LABEL_KEY_RE.test(taint.key), at, "taints.key", taint.key, "must be a Kubernetes label key");
    checkOneOf(at, "taints.effect", taint.effect, TAINT_EFFECTS);
  }
}
