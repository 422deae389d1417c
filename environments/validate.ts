import { check, checkCron, checkLabelValue, checkLogRetention, checkOneOf, checkTagValue } from "learning-platform-infra/core/validation";
import { checkDnsName } from "learning-platform-infra/core/dns";
import { contains, parseCidr, requireCidr } from "learning-platform-infra/core/cidr";
import { checkIamRoles } from "learning-platform-infra/core/rbac";
import { Naming } from "learning-platform-infra/core/naming";
import { checkOnCall } from "learning-platform-infra/core/on-call";
import { CatalogueService, REGIONS, ec2Type, maxPods, serviceFamilies, serviceOffers, SERVICE_CATALOGUE } from "learning-platform-infra/core/aws-catalogue";
import { NAT_GATEWAY_MODES } from "learning-platform-infra/vpc";
import { DNS_PROVIDERS } from "learning-platform-infra/dns";
import { ORIGIN_PROTOCOLS, PRICE_CLASSES } from "learning-platform-infra/cloudfront";
import { SUPPORT_TYPES, checkClusterName } from "learning-platform-infra/eks-cluster";
import { PROTECTION_TIERS, EnvironmentConfig, ProtectionTier } from "./config";
import type { RabbitMqDeploymentMode } from "learning-platform-infra/amazon-mq";
import { DEFAULT_BACKUP_RETENTION_DAYS } from "learning-platform-infra/core/data-store";

/** Environment names become stack names (`<name>`, `<name>-platform`), GitHub environments and the `<project>-<name>` prefix. */
const NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Stack names the app already uses for something else. */
const RESERVED_NAMES = ["bootstrap"];

/**
 * Checks that span modules (module-level rules live in each module). Runs before any
 * resource is created, so a bad environment file fails with one clear message.
 */
export function validateEnvironment(config: EnvironmentConfig): void {
  checkPresence(config);
  const where = `environment ${config.name}`;
  check(NAME_RE.test(config.name) && config.name.length <= 20 && !RESERVED_NAMES.includes(config.name) && !/-(platform|plan|destroy)$/.test(config.name),
    where, "name", config.name,
    "must be 1-20 lower-case letters, digits and single hyphens, starting with a letter, not \"bootstrap\" and not ending in -platform, -plan or -destroy (it names the stacks and GitHub environments)");
  checkOneOf(where, "protection", config.protection, PROTECTION_TIERS);
  checkRegion(where, config);
  checkDnsName(where, "domain", config.domain);
  check(!config.multiAz || config.network.azs.length >= 2, where, "network.azs", config.network.azs,
    "must list at least 2 AZs when multiAz is true");
  checkLogRetention(where, "logRetentionDays", config.logRetentionDays);
  checkClusterName(where, "clusterName", config.clusterName);
  // The provider's default tags (stack.ts defaultTags): a value AWS refuses fails every resource at apply.
  for (const prop of ["project", "owner", "costCenter", "name"] as const) checkTagValue(where, prop, config[prop]);
  checkUnions(where, config);
  checkInstanceTypes(where, config);
  checkNodeGroups(where, config);
  checkAlarmThresholds(where, config);
  checkCrossField(where, config);
  config.platform.backupSchedules.forEach((s, i) => checkCron(where, `platform.backupSchedules[${i}].cron`, s.cron));
  checkTier(where, config);
  checkPlanTimeSecrets(where, config);
}

/** The tier's invariants, as a table: what each tier requires, and why. */
interface TierRule {
  readonly prop: string;
  readonly value: (c: EnvironmentConfig) => unknown;
  readonly ok: (c: EnvironmentConfig) => boolean;
  readonly allowed: string;
  /** Why the tier needs it (appended to the message). */
  readonly why?: string;
}

/** Seed 001: production databases keep 30 days of backups (OpenSearch's 14-day hourly snapshots are fixed by AWS). */
const BACKUP_DAYS: ReadonlyArray<readonly [string, (c: EnvironmentConfig) => number]> = [
  ["data.mysql.backupRetentionDays", (c) => c.data.mysql.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS],
  ["data.postgres.backupRetentionDays", (c) => c.data.postgres?.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS],
  ["data.redis.snapshotRetentionDays", (c) => c.data.redis.snapshotRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS],
  ["data.documentdb.backupRetentionDays", (c) => c.data.documentdb.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS],
];

const PROTECTED: readonly TierRule[] = [
  { prop: "deletionProtection", value: (c) => c.deletionProtection, ok: (c) => c.deletionProtection, allowed: "must be true" },
  { prop: "forceDestroy", value: (c) => c.forceDestroy, ok: (c) => !c.forceDestroy, allowed: "must be false" },
];

/** Per tier; `disposable` has none (a sandbox may be anything the modules accept). */
export const TIER_RULES: Readonly<Record<ProtectionTier, readonly TierRule[]>> = {
  production: [
    ...PROTECTED,
    // One flag turns every data store single-AZ: an AZ outage would take the platform down.
    { prop: "multiAz", value: (c) => c.multiAz, ok: (c) => c.multiAz, allowed: "must be true", why: "every data store spread over AZs with failover" },
    // A single NAT gateway is one AZ's: its outage cuts every private subnet off the internet.
    { prop: "network.natGateways", value: (c) => c.network.natGateways, ok: (c) => c.network.natGateways === "per-az", allowed: "must be \"per-az\"", why: "a single NAT gateway is an AZ-wide single point of failure" },
    ...BACKUP_DAYS.map(([prop, days]): TierRule => ({ prop, value: days, ok: (c) => days(c) >= 30, allowed: "must be at least 30 days", why: "seed 001's backup target" })),
    // Session cookies and tokens must never cross the internet unencrypted to the origin.
    { prop: "edge.originProtocol", value: (c) => c.edge.originProtocol, ok: (c) => c.edge.originProtocol !== "http-only",
      allowed: "must be \"https-only\"", why: "http-only sends cookies and session tokens unencrypted between CloudFront and the origin" },
    { prop: "mediaStorage.backups", value: (c) => c.mediaStorage.backups, ok: (c) => c.mediaStorage.backups, allowed: "must be true" },
    // Seed 004: a month of daily recovery points and a year of monthly ones, which nobody can delete early.
    { prop: "awsBackup.dailyRetentionDays", value: (c) => c.awsBackup && (c.awsBackup.dailyRetentionDays ?? 35), ok: (c) => !!c.awsBackup && (c.awsBackup.dailyRetentionDays ?? 35) >= 30,
      allowed: "must be set, at least 30 days", why: "seed 004's daily backups kept 30-35 days" },
    { prop: "awsBackup.monthlyRetentionDays", value: (c) => c.awsBackup?.monthlyRetentionDays ?? 365, ok: (c) => (c.awsBackup?.monthlyRetentionDays ?? 365) >= 365,
      allowed: "must be at least 365 days", why: "seed 004's monthly backups kept a year" },
    { prop: "awsBackup.vaultLock", value: (c) => c.awsBackup?.vaultLock, ok: (c) => c.awsBackup?.vaultLock === true,
      allowed: "must be true", why: "recovery points nobody can delete before their retention ends" },
    { prop: "logRetentionDays", value: (c) => c.logRetentionDays, ok: (c) => c.logRetentionDays >= 365, allowed: "must be at least 365", why: "a year of audit and flow logs" },
    { prop: "data.rabbitmq.deploymentMode", value: (c) => c.data.rabbitmq && rabbitMqMode(c), ok: (c) => !c.data.rabbitmq || rabbitMqMode(c) === "CLUSTER_MULTI_AZ",
      allowed: "must be \"CLUSTER_MULTI_AZ\"", why: "a single broker node is lost with its AZ, and its queues with it" },
  ],
  standard: PROTECTED,
  disposable: [],
};

function checkTier(where: string, config: EnvironmentConfig): void {
  for (const rule of TIER_RULES[config.protection]) {
    check(rule.ok(config), where, rule.prop, rule.value(config), `${rule.allowed} for protection "${config.protection}"${rule.why ? ` (${rule.why})` : ""}`);
  }
}

/**
 * The RabbitMQ deployment per tier unless the config names one: a three-node cluster across AZs
 * for the production tier, a single instance elsewhere (a third of the cost; staging rehearses
 * the app against the broker, not the broker's failover).
 */
export function rabbitMqMode(config: EnvironmentConfig): RabbitMqDeploymentMode {
  return config.data.rabbitmq?.deploymentMode ?? (config.protection === "production" ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE");
}

/** Whether the tier refuses what only a throwaway environment may do (versions past support, no on-call). */
export function isProtected(tier: ProtectionTier): boolean {
  return tier !== "disposable";
}

function checkRegion(where: string, config: EnvironmentConfig): void {
  const region = Object.hasOwn(REGIONS, config.region) ? REGIONS[config.region] : undefined;
  check(region !== undefined, where, "region", config.region,
    `must be an AWS region name this library is reviewed for (${Object.keys(REGIONS).join(", ")}); add the region to REGIONS in modules/core/aws-catalogue.ts`);
  for (const az of config.network.azs) {
    const letter = az.slice(config.region.length);
    check(az.startsWith(config.region) && /^[a-z]$/.test(letter) && region.azLetters.includes(letter), where, "network.azs", az,
      `must be zones of region ${config.region}: ${[...region.azLetters].map((l) => config.region + l).join(", ")}`);
    check(!region.eksUnsupported.includes(letter), where, "network.azs", az,
      `must be a zone EKS supports for the control plane (EKS refuses ${[...region.eksUnsupported].map((l) => config.region + l).join(", ")} with UnsupportedAvailabilityZoneException)`);
  }
}

/** Unions the types promise but a bundled synth (no type-check) does not: a misspelling would fall through to another code path. */
function checkUnions(where: string, config: EnvironmentConfig): void {
  checkOneOf(where, "state.backend", config.state.backend, ["s3", "local"]);
  checkOneOf(where, "network.natGateways", config.network.natGateways, NAT_GATEWAY_MODES);
  checkOneOf(where, "edge.dns.provider", config.edge.dns.provider, DNS_PROVIDERS);
  checkOneOf(where, "edge.originProtocol", config.edge.originProtocol, ORIGIN_PROTOCOLS);
  checkOneOf(where, "edge.priceClass", config.edge.priceClass, PRICE_CLASSES);
  checkOneOf(where, "cluster.upgradeSupportType", config.cluster.upgradeSupportType, SUPPORT_TYPES);
}

function checkServiceType(where: string, prop: string, service: CatalogueService, type: string): void {
  check(serviceOffers(service, type), where, prop, type,
    `must be a ${SERVICE_CATALOGUE[service].name} instance type offered in the region (e.g. ${SERVICE_CATALOGUE[service].example}; catalogue in modules/core/aws-catalogue.ts: ${serviceFamilies(service)})`);
}

function checkInstanceTypes(where: string, config: EnvironmentConfig): void {
  const { mysql, redis, search, documentdb } = config.data;
  checkServiceType(where, "data.mysql.instanceClass", "rds", mysql.instanceClass);
  checkServiceType(where, "data.redis.nodeType", "elasticache", redis.nodeType);
  checkServiceType(where, "data.search.dataNodeType", "opensearch", search.dataNodeType);
  if (search.dedicatedMasters) checkServiceType(where, "data.search.dedicatedMasters.type", "opensearch", search.dedicatedMasters.type);
  checkServiceType(where, "data.documentdb.instanceClass", "documentdb", documentdb.instanceClass);
}

function checkNodeGroups(where: string, config: EnvironmentConfig): void {
  for (const [name, group] of Object.entries(config.cluster.nodeGroups)) {
    const at = `cluster.nodeGroups.${name}`;
    const arm = (group.amiType ?? "AL2023_x86_64_STANDARD").includes("ARM_64");
    for (const type of group.instanceTypes) {
      const t = ec2Type(type);
      check(t !== undefined, where, `${at}.instanceTypes`, type,
        "must be an EC2 instance type offered in the region (families and sizes in modules/core/aws-catalogue.ts EC2_FAMILIES, e.g. m5.2xlarge, m7g.xlarge)");
      check(t.arch === (arm ? "arm64" : "x86_64"), where, `${at}.instanceTypes`, type,
        `must match amiType ${group.amiType ?? "AL2023_x86_64_STANDARD"} (${arm ? "ARM AMIs need Graviton types such as m7g.xlarge" : "x86 AMIs need x86 types; for Graviton set amiType AL2023_ARM_64_STANDARD"})`);
    }
    for (const [key, value] of Object.entries(group.labels ?? {})) checkLabelValue(where, `${at}.labels.${key}`, value);
    (group.taints ?? []).forEach((t, i) => { if (t.value !== undefined) checkLabelValue(where, `${at}.taints[${i}].value`, t.value); });
  }
}

const percent = (where: string, prop: string, v: number | undefined) =>
  v === undefined || check(Number.isFinite(v) && v > 0 && v < 100, where, prop, v, "must be a percentage above 0 and below 100 (the metric never passes 100, so the alarm could never fire)");
const positive = (where: string, prop: string, v: number | undefined) =>
  v === undefined || check(Number.isFinite(v) && v > 0, where, prop, v, "must be a number above 0 (the metric is never below 0, so the alarm could never fire)");

/** Alarm thresholds inside their metric's range: an alarm that can never fire (or always fires) is no alarm. */
function checkAlarmThresholds(where: string, config: EnvironmentConfig): void {
  const { mysql, redis, search, documentdb } = config.data;
  const m = mysql.alarmThresholds ?? {};
  percent(where, "data.mysql.alarmThresholds.cpuPercent", m.cpuPercent);
  positive(where, "data.mysql.alarmThresholds.freeStorageGiB", m.freeStorageGiB);
  if (m.freeStorageGiB !== undefined) {
    check(m.freeStorageGiB < mysql.allocatedStorageGiB, where, "data.mysql.alarmThresholds.freeStorageGiB", m.freeStorageGiB,
      `must be below data.mysql.allocatedStorageGiB (${mysql.allocatedStorageGiB}): free storage can never exceed the volume, so the alarm would fire from the first minute`);
  }
  positive(where, "data.mysql.alarmThresholds.freeableMemoryMiB", m.freeableMemoryMiB);
  positive(where, "data.mysql.alarmThresholds.replicaLagSeconds", m.replicaLagSeconds);
  const r = redis.alarmThresholds ?? {};
  percent(where, "data.redis.alarmThresholds.engineCpuPercent", r.engineCpuPercent);
  percent(where, "data.redis.alarmThresholds.memoryPercent", r.memoryPercent);
  positive(where, "data.redis.alarmThresholds.replicationLagSeconds", r.replicationLagSeconds);
  const s = search.alarmThresholds ?? {};
  percent(where, "data.search.alarmThresholds.cpuPercent", s.cpuPercent);
  percent(where, "data.search.alarmThresholds.jvmMemoryPressurePercent", s.jvmMemoryPressurePercent);
  percent(where, "data.search.alarmThresholds.masterCpuPercent", s.masterCpuPercent);
  positive(where, "data.search.alarmThresholds.freeStorageMiB", s.freeStorageMiB);
  const d = documentdb.alarmThresholds ?? {};
  percent(where, "data.documentdb.alarmThresholds.cpuPercent", d.cpuPercent);
  positive(where, "data.documentdb.alarmThresholds.freeableMemoryMiB", d.freeableMemoryMiB);
  positive(where, "data.documentdb.alarmThresholds.replicaLagMs", d.replicaLagMs);
}

/**
 * Secrets the AWS and platform stacks read at plan time (the on-call endpoint's URL, a public
 * origin's verify header). The CI plan and apply roles may read only the environment's own
 * `<project>-<env>-*` secrets (modules/github-oidc/terraform-roles.ts, DenyOtherSecrets): any
 * other name would synth and then fail every plan with AccessDenied.
 */
function checkPlanTimeSecrets(where: string, config: EnvironmentConfig): void {
  const prefix = `${new Naming(config.project, config.name).prefix}-`;
  const read: [string, string | undefined][] = [
    ["onCall.endpoint.secretName", config.onCall?.endpoint?.secretName],
    ["edge.origin.verifyHeaderSecretName", config.edge.origin?.kind === "public" ? config.edge.origin.verifyHeaderSecretName : undefined],
    ["data.rabbitmq.adminSecretName", config.data.rabbitmq?.adminSecretName],
  ];
  // The endpoint's own rules first (a secret name, not a URL), so a pasted URL gets that message.
  if (config.onCall) checkOnCall(where, "onCall", config.onCall);
  for (const [prop, name] of read) {
    if (name === undefined) continue;
    check(name.startsWith(prefix), where, prop, name,
      `must start with ${prefix} (the stacks read it at plan time, and the CI plan roles read only the environment's own ${prefix}* secrets)`);
  }
}

/** Ranges that are not the internet: on a public allowlist they match nothing (or only what the private endpoint already serves). */
const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"].map((c) => parseCidr(c)!);

function checkCrossField(where: string, config: EnvironmentConfig): void {
  // The environment stack always builds its EKS cluster: a kubeconfig target would leave it unused
  // and install the platform elsewhere. A cluster this library did not create gets a PlatformStack alone.
  check(config.platform.kubeconfig === undefined, where, "platform.kubeconfig", "set",
    "must be unset on an environment whose AWS stack builds an EKS cluster (the platform would skip that cluster); target an existing cluster with a PlatformStack built with { kubeconfig } alone");
  // The migration ALB is internal: CloudFront reaches it as a VPC origin, in front of the EKS origin NLB.
  if (config.edge.migration) {
    check(config.edge.selfHostedNodes === undefined, where, "edge.migration", "set", "needs CloudFront and the EKS origin NLB; it cannot be combined with edge.selfHostedNodes");
    check(config.edge.origin?.kind !== "public", where, "edge.migration", "set", "needs a VPC origin (the migration ALB is internal); remove edge.origin's public mode");
  }
  for (const sub of config.edge.subdomains) {
    check(sub !== config.domain && !sub.endsWith(`.${config.domain}`) && !sub.endsWith("."), where, "edge.subdomains", sub,
      `must be names relative to domain ${config.domain} (e.g. "lms", not "lms.${config.domain}")`);
    checkDnsName(where, "edge.subdomains", `${sub}.${config.domain}`);
  }
  // The stack adds the CI apply role to adminRoles before the cluster module checks the list, so
  // the module's "at least one admin" check cannot fail for the config: check the config's own list.
  checkIamRoles(where, "cluster.adminRoles", config.cluster.adminRoles, 1);
  config.cluster.publicAccessCidrs.forEach((cidr, i) => {
    const block = requireCidr(where, `cluster.publicAccessCidrs[${i}]`, cidr);
    if (block.prefix === 0) return; // 0.0.0.0/0: the cluster module refuses it with its own reason
    const inside = NON_PUBLIC.find((p) => contains(p, block) || contains(block, p));
    check(inside === undefined, where, `cluster.publicAccessCidrs[${i}]`, cidr,
      "must be a public range (VPN / CI egress): private, shared and loopback ranges never reach the public endpoint (in-VPC clients use the private endpoint)");
  });
  checkPodAddresses(where, config);
}

/**
 * VPC CNI gives every pod an address of its node's subnet: the private subnets must hold the node
 * groups at their maximum size with every node at its max pods (plus the node's own address).
 * Counted over all private subnets (the groups span them), without prefix delegation.
 */
function checkPodAddresses(where: string, config: EnvironmentConfig): void {
  const usable = config.network.privateSubnetCidrs.reduce((sum, c) => sum + 2 ** (32 - (parseCidr(c)?.prefix ?? 32)) - 5, 0);
  const needs = Object.entries(config.cluster.nodeGroups).map(([name, g]) => {
    const perNode = Math.max(...g.instanceTypes.map((t) => maxPods(t))) + 1;
    return { name, text: `${name}: ${g.maxSize} x ${perNode}`, count: g.maxSize * perNode };
  });
  const needed = needs.reduce((sum, n) => sum + n.count, 0);
  check(needed <= usable, where, "network.privateSubnetCidrs", config.network.privateSubnetCidrs,
    `must hold every pod of the node groups at maximum size (VPC CNI: one address per pod): ${needed} addresses needed (${needs.map((n) => n.text).join(", ")}; maxSize x (max pods + 1)), ${usable} usable; use larger subnets or smaller maxSize`);
}

type Kind = "string" | "number" | "boolean" | "object" | "array";
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Shape<T> = { readonly [K in RequiredKeys<T>]: Kind | Shape<T[K]> };

/**
 * Every required key of EnvironmentConfig, with its kind (the type checks that none is left out).
 * Synth bundles without type-checking, so a missing block would otherwise surface as a TypeError
 * deep in a module.
 */
const REQUIRED: Shape<EnvironmentConfig> = {
  name: "string", protection: "string", project: "string", region: "string", owner: "string", costCenter: "string",
  domain: "string", state: "object", clusterName: "string", multiAz: "boolean", deletionProtection: "boolean",
  forceDestroy: "boolean", logRetentionDays: "number",
  network: { cidr: "string", azs: "array", publicSubnetCidrs: "array", privateSubnetCidrs: "array", databaseSubnetCidrs: "array", natGateways: "string" },
  buckets: "object",
  data: { mysql: "object", redis: "object", search: "object", documentdb: "object" },
  edge: { subdomains: "array", dns: "object", originHostname: "string", originProtocol: "string", priceClass: "string", waf: { rateLimit: "number", countOnlyRules: "array" } },
  cluster: {
    kubernetesVersion: "string", upgradeSupportType: "string", endpointPublicAccess: "boolean", publicAccessCidrs: "array",
    adminRoles: "array", viewerRoles: "array", developerRoles: "array", nodeGroups: "object",
  },
  mediaStorage: { backups: "boolean", accessPoints: "object" },
  platform: {
    appNamespace: "string", gitops: "object", ingress: "object", acmeEmail: "string", charts: "object", veleroAwsPluginTag: "string",
    observability: "object", backupSchedules: "array", highAvailability: "boolean", mediaSizeGi: "number", app: "object",
  },
};

function kindOf(value: unknown): Kind | "missing" | "other" {
  if (value === undefined || value === null) return "missing";
  if (Array.isArray(value)) return "array";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" || t === "object" ? t : "other";
}

/** Presence and kind of every required field, before any rule reads one. */
function checkPresence(config: EnvironmentConfig): void {
  check(kindOf(config) === "object", "environment", "config", config, "must be an EnvironmentConfig object");
  const where = `environment ${typeof config.name === "string" ? config.name : "(unnamed)"}`;
  const walk = (value: Record<string, unknown>, shape: Record<string, unknown>, path: string): void => {
    for (const [key, want] of Object.entries(shape)) {
      const prop = path ? `${path}.${key}` : key;
      const got = value[key];
      const kind = typeof want === "string" ? want : "object";
      check(kindOf(got) === kind, where, prop, got, `must be set: a required ${kind === "array" ? "list" : kind} of EnvironmentConfig (environments/config.ts)`);
      if (typeof want === "object") walk(got as Record<string, unknown>, want as Record<string, unknown>, prop);
    }
  };
  walk(config as unknown as Record<string, unknown>, REQUIRED as unknown as Record<string, unknown>, "");
}
