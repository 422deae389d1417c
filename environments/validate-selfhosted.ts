import { Annotations } from "cdktf";
import type { IConstruct } from "constructs";
import { check, checkOneOf, checkTagValue, checkUniqueList } from "learning-platform-infra/core/validation";
import { checkDnsName, checkIpv6, ipv6Reach } from "learning-platform-infra/core/dns";
import { DNS_LABEL_RE } from "learning-platform-infra/core/dns";
import { checkPlacement } from "learning-platform-infra/core/pod";
import { DNS_PROVIDERS } from "learning-platform-infra/dns";
import { PROTECTION_TIERS, ProtectionTier } from "./config";
import { AWS_ONLY_CHARTS, SelfHostedEnvironmentConfig } from "./selfhosted-config";

/**
 * Fields of an AWS environment (EnvironmentConfig) that mean nothing on a cluster the library
 * did not create: set on a self-hosted environment (a spread AWS config, a bundled synth
 * without type checks), they would be silently ignored, so they are refused by name.
 */
const AWS_ONLY_FIELDS = ["network", "data", "clusterName", "multiAz", "mediaStorage", "buckets", "edge", "forceDestroy", "logRetentionDays"] as const;
const AWS_ONLY_PLATFORM_FIELDS = ["veleroAwsPluginTag", "backupSchedules", "kubeconfig"] as const;

/** Per tier, what a self-hosted environment must hold; `disposable` has none. */
interface SelfHostedRule {
  readonly prop: string;
  readonly value: (c: SelfHostedEnvironmentConfig) => unknown;
  readonly ok: (c: SelfHostedEnvironmentConfig) => boolean;
  readonly allowed: string;
  readonly why: string;
}

const productionNodes = (c: SelfHostedEnvironmentConfig) => c.cluster.nodes.filter((n) => n.role === "serving");

export const SELF_HOSTED_TIER_RULES: Readonly<Record<ProtectionTier, readonly SelfHostedRule[]>> = {
  production: [
    { prop: "cluster.nodes", value: (c) => `${productionNodes(c).length} serving node(s)`, ok: (c) => productionNodes(c).length >= 3,
      allowed: "must have at least 3 serving nodes", why: "no single point of failure: CouchDB keeps a quorum and DNS still answers with one node down" },
    { prop: "dns.healthCheckPath", value: (c) => c.dns.healthCheckPath, ok: (c) => c.dns.zone.provider !== "route53" || c.dns.healthCheckPath !== undefined,
      allowed: "must be set on a Route53 zone", why: "a failed node must leave the DNS answers" },
    { prop: "backups.keep.monthly", value: (c) => c.backups.keep.monthly, ok: (c) => c.backups.keep.monthly >= 1,
      allowed: "must be at least 1", why: "seed 003's monthly generation" },
    { prop: "backups.keep.daily", value: (c) => c.backups.keep.daily, ok: (c) => c.backups.keep.daily >= 7,
      allowed: "must be at least 7", why: "a week of daily restore points" },
  ],
  standard: [
    { prop: "backups.keep.daily", value: (c) => c.backups.keep.daily, ok: (c) => c.backups.keep.daily >= 3,
      allowed: "must be at least 3", why: "restore points from before a bad change" },
  ],
  disposable: [],
};

/**
 * Checks a self-hosted environment before any resource is created (module-level rules, such as
 * chart versions and cron syntax, live in the modules). `scope` receives the warnings.
 */
export function validateSelfHosted(config: SelfHostedEnvironmentConfig, scope?: IConstruct): void {
  const where = `environment ${config.name}`;
  const raw = config as unknown as Record<string, unknown>;
  for (const field of AWS_ONLY_FIELDS) {
    check(raw[field] === undefined, where, field, "set", "must be unset on a self-hosted environment (the library creates no VPC, EKS, data stores or CloudFront for it)");
  }
  const platform = config.platform as unknown as Record<string, unknown>;
  for (const field of AWS_ONLY_PLATFORM_FIELDS) {
    check(platform[field] === undefined, where, `platform.${field}`, "set",
      field === "kubeconfig" ? "must be unset: a self-hosted environment's cluster is cluster.kubeconfigPath/kubeconfigContext"
        : "must be unset on a self-hosted environment (Velero is not installed; the node backups hold the data)");
  }
  for (const chart of [...AWS_ONLY_CHARTS, "velero"]) {
    check((config.platform.charts as Record<string, unknown>)[chart] === undefined, where, `platform.charts.${chart}`, "set",
      "must be unset on a self-hosted environment (an AWS-only component: Pod Identity, the origin NLB, node autoscaling, Secrets Manager, Velero to S3)");
  }
  check(config.platform.app.sesIdentities === undefined || config.platform.app.sesIdentities.length === 0, where, "platform.app.sesIdentities", config.platform.app.sesIdentities,
    "must be unset on a self-hosted environment (SES access is granted through an EKS Pod Identity role)");
  checkOneOf(where, "protection", config.protection, PROTECTION_TIERS);
  for (const prop of ["project", "owner", "costCenter", "name"] as const) checkTagValue(where, prop, config[prop]);
  checkDnsName(where, "domain", config.domain);
  checkOneOf(where, "dns.zone.provider", config.dns.zone.provider, DNS_PROVIDERS);
  checkUniqueList(where, "dns.subdomains", config.dns.subdomains);

  const c = config.cluster;
  check(typeof c.kubeconfigPath === "string" && /\S/.test(c.kubeconfigPath), where, "cluster.kubeconfigPath", c.kubeconfigPath, "must name the kubeconfig file Terraform reads");
  check(typeof c.kubeconfigContext === "string" && /\S/.test(c.kubeconfigContext), where, "cluster.kubeconfigContext", c.kubeconfigContext,
    "must name a context of the kubeconfig (without one, Terraform would use whichever cluster the file's current-context points at)");
  check(/^1\.\d{2}$/.test(c.kubernetesVersion), where, "cluster.kubernetesVersion", c.kubernetesVersion, "must be the k3s release's Kubernetes minor, e.g. 1.35");
  checkUniqueList(where, "cluster.nodes[].name", c.nodes.map((n) => n.name));
  checkUniqueList(where, "cluster.nodes[].ipv6", c.nodes.map((n) => n.ipv6));
  c.nodes.forEach((n, i) => {
    check(DNS_LABEL_RE.test(n.name) || /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(n.name), where, `cluster.nodes[${i}].name`, n.name, "must be a Kubernetes node name");
    checkOneOf(where, `cluster.nodes[${i}].role`, n.role, ["serving", "backup"]);
    checkIpv6(where, `cluster.nodes[${i}].ipv6`, n.ipv6);
    const reach = ipv6Reach(n.ipv6);
    check(reach === "global" || reach === "documentation", where, `cluster.nodes[${i}].ipv6`, n.ipv6, reach === "mycelium"
      ? "must be a global IPv6 address (2000::/3): 400::/7 is a Mycelium overlay address, which browsers cannot reach; use the node's public address"
      : "must be a global IPv6 address (2000::/3): link-local, unique-local, loopback and multicast addresses are not reachable from the internet");
    if (reach === "documentation" && scope) {
      Annotations.of(scope).addWarning(`${where}: cluster.nodes[${i}].ipv6 ${n.ipv6} is a documentation address (2001:db8::/32): replace it with the node's public address before deploying`);
    }
  });
  check(c.nodes.filter((n) => n.role === "serving").length >= 1, where, "cluster.nodes", c.nodes.map((n) => n.name), "must include at least one serving node");
  check(c.nodes.filter((n) => n.role === "backup").length === 1, where, "cluster.nodes", c.nodes.map((n) => `${n.name} (${n.role})`), "must include exactly one backup node (seed 003: the backup jobs and their volume run there)");
  checkPlacement(where, "cluster.roles.serving", { nodeSelector: c.roles.serving.labels, tolerations: c.roles.serving.taints });
  checkPlacement(where, "cluster.roles.backup", { nodeSelector: c.roles.backup.labels, tolerations: c.roles.backup.taints });
  const same = Object.entries(c.roles.backup.labels).every(([k, v]) => c.roles.serving.labels[k] === v);
  check(!same, where, "cluster.roles.backup.labels", c.roles.backup.labels, "must differ from the serving role's (a label only the backup node has), or backups and CouchDB could land on any node");
  for (const prop of ["storageClass", "mediaStorageClass"] as const) {
    const v = c[prop];
    if (v !== undefined) check(DNS_LABEL_RE.test(v), where, `cluster.${prop}`, v, "must be a StorageClass name (a DNS label) such as local-path");
  }

  for (const rule of SELF_HOSTED_TIER_RULES[config.protection]) {
    check(rule.ok(config), where, rule.prop, rule.value(config), `${rule.allowed} for protection "${config.protection}" (${rule.why})`);
  }
}
