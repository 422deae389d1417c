import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack, environments } from "../../environments";
import { validateEnvironment } from "../../environments/validate";
import { EC2_FAMILIES, maxPods, serviceOffers } from "../../modules/core/aws-catalogue";
import { K3S_TARGET } from "../helpers";

/**
 * Every invariant validateEnvironment holds, one table per class of mistake, each with the exact
 * message (`environment <name>: <prop> = <value> is invalid; <allowed>`). validateEnvironment is
 * the first thing EnvironmentStack does, before any construct exists and long before synth writes
 * a file (the last test proves the wiring).
 */

const { production, staging, sandbox } = environments;

/** A deep copy of `base` with the value at a dotted path replaced (`undefined` deletes the key). */
function patch(base: EnvironmentConfig, path: string, value: unknown): EnvironmentConfig {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as unknown as EnvironmentConfig;
}

type Case = [string, EnvironmentConfig, string];
const rejects = (cases: Case[]) =>
  it.each(cases)("rejects %s", (_name, config, message) => {
    expect(() => validateEnvironment(config)).toThrow(message);
  });

describe("protection tiers decide the invariants, not names", () => {
  rejects([
    ["a production tier with single-AZ stores", patch(production, "multiAz", false),
      'environment production: multiAz = false is invalid; must be true for protection "production" (every data store spread over AZs with failover)'],
    ["a production tier with one NAT gateway", patch(production, "network.natGateways", "single"),
      'environment production: network.natGateways = "single" is invalid; must be "per-az" for protection "production" (a single NAT gateway is an AZ-wide single point of failure)'],
    ["a production tier without deletion protection", patch(production, "deletionProtection", false),
      'environment production: deletionProtection = false is invalid; must be true for protection "production"'],
    ["a production tier with forceDestroy", patch(production, "forceDestroy", true),
      'environment production: forceDestroy = true is invalid; must be false for protection "production"'],
    ["a production tier with 14 days of MySQL backups", patch(production, "data.mysql.backupRetentionDays", 14),
      'environment production: data.mysql.backupRetentionDays = 14 is invalid; must be at least 30 days for protection "production" (seed 001\'s backup target)'],
    ["a production tier with 7 days of Redis snapshots", patch(production, "data.redis.snapshotRetentionDays", 7),
      'environment production: data.redis.snapshotRetentionDays = 7 is invalid; must be at least 30 days for protection "production"'],
    ["a production tier with 7 days of DocumentDB backups", patch(production, "data.documentdb.backupRetentionDays", 7),
      'environment production: data.documentdb.backupRetentionDays = 7 is invalid; must be at least 30 days for protection "production"'],
    ["a production tier with an http-only origin", patch(production, "edge.originProtocol", "http-only"),
      'environment production: edge.originProtocol = "http-only" is invalid; must be "https-only" for protection "production"'],
    ["a production tier without media backups", patch(production, "mediaStorage.backups", false),
      'environment production: mediaStorage.backups = false is invalid; must be true for protection "production"'],
    ["a production tier with 90 days of logs", patch(production, "logRetentionDays", 90),
      'environment production: logRetentionDays = 90 is invalid; must be at least 365 for protection "production" (a year of audit and flow logs)'],
    ["a standard tier without deletion protection", patch(staging, "deletionProtection", false),
      'environment staging: deletionProtection = false is invalid; must be true for protection "standard"'],
    ["a standard tier with forceDestroy", patch(staging, "forceDestroy", true),
      'environment staging: forceDestroy = true is invalid; must be false for protection "standard"'],
    ["an unknown tier", patch(production, "protection", "prod"),
      'environment production: protection = "prod" is invalid; must be one of "production", "standard", "disposable"'],
    // Any name: a new environment on the production tier gets production's rules.
    ["a production-tier environment of another name", { ...patch(production, "multiAz", false), name: "eu-production" },
      'environment eu-production: multiAz = false is invalid; must be true for protection "production"'],
  ]);

  it("a disposable tier named production gets no production rule (the name decides nothing)", () => {
    const throwaway = { ...sandbox, name: "production", protection: "disposable" } as const;
    expect(() => validateEnvironment(throwaway)).not.toThrow();
  });

  it("the lifecycle gate and the on-call warning follow the tier", () => {
    const old = (c: EnvironmentConfig) => patch(c, "data.mysql.engineVersion", "8.0");
    // standard refuses a version past end of standard support; disposable only warns, even with
    // deletionProtection on (the flag is a setting of the stores, not the tier).
    expect(() => new EnvironmentStack(Testing.app(), old(staging))).toThrow(/RdsMysql mysql: engineVersion = "8.0" is invalid; reached the end/);
    const guarded = new EnvironmentStack(Testing.app(), { ...old(sandbox), deletionProtection: true, forceDestroy: false });
    expect(guarded.data.mysql.node.metadata.map((m) => String(m.data))).toEqual([expect.stringMatching(/engineVersion 8.0 is past the end/)]);
    const warnings = (c: EnvironmentConfig) => new EnvironmentStack(Testing.app(), c).node.metadata.map((m) => String(m.data)).filter((d) => d.includes("NO ON-CALL"));
    expect(warnings({ ...staging, onCall: undefined })).toEqual([expect.stringMatching(/^environment staging: NO ON-CALL TARGET\. protection "standard" marks it/)]);
    expect(warnings({ ...sandbox, deletionProtection: true, forceDestroy: false })).toEqual([]);
  });
});

describe("values checked against what AWS offers, not only their shape", () => {
  rejects([
    ["a node-group instance type typo", patch(production, "cluster.nodeGroups.general.instanceTypes", ["m5.2xlarg"]),
      'environment production: cluster.nodeGroups.general.instanceTypes = "m5.2xlarg" is invalid; must be an EC2 instance type offered in the region'],
    ["a node-group family that does not exist", patch(production, "cluster.nodeGroups.general.instanceTypes", ["m9.large"]),
      'environment production: cluster.nodeGroups.general.instanceTypes = "m9.large" is invalid; must be an EC2 instance type offered in the region'],
    ["an RDS class typo", patch(production, "data.mysql.instanceClass", "db.r7g.4xlrage"),
      'environment production: data.mysql.instanceClass = "db.r7g.4xlrage" is invalid; must be a RDS for MySQL instance type offered in the region (e.g. db.r7g.large;'],
    ["an ElastiCache type without its prefix", patch(production, "data.redis.nodeType", "r7g.2xlarge"),
      'environment production: data.redis.nodeType = "r7g.2xlarge" is invalid; must be a ElastiCache instance type offered in the region'],
    ["an OpenSearch type without .search", patch(production, "data.search.dataNodeType", "i3.2xlarge"),
      'environment production: data.search.dataNodeType = "i3.2xlarge" is invalid; must be a OpenSearch Service instance type offered in the region'],
    ["an OpenSearch master type the service does not offer", patch(production, "data.search.dedicatedMasters.type", "m7g.large.search"),
      'environment production: data.search.dedicatedMasters.type = "m7g.large.search" is invalid; must be a OpenSearch Service instance type'],
    ["a DocumentDB size that does not exist", patch(production, "data.documentdb.instanceClass", "db.t4g.large"),
      'environment production: data.documentdb.instanceClass = "db.t4g.large" is invalid; must be a DocumentDB instance type offered in the region'],
    ["a region that does not exist", patch(production, "region", "us-east-7"),
      'environment production: region = "us-east-7" is invalid; must be an AWS region name this library is reviewed for (us-east-1, us-east-2,'],
    ["an AZ the region does not have", patch(production, "network.azs", ["us-east-1a", "us-east-1b", "us-east-1g"]),
      'environment production: network.azs = "us-east-1g" is invalid; must be zones of region us-east-1: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f'],
    ["an AZ EKS does not support", patch(production, "network.azs", ["us-east-1a", "us-east-1b", "us-east-1e"]),
      'environment production: network.azs = "us-east-1e" is invalid; must be a zone EKS supports for the control plane (EKS refuses us-east-1e with UnsupportedAvailabilityZoneException)'],
    ["an ARM AMI with x86 instance types", patch(production, "cluster.nodeGroups.general", { ...production.cluster.nodeGroups.general, amiType: "AL2023_ARM_64_STANDARD" }),
      'environment production: cluster.nodeGroups.general.instanceTypes = "m5.2xlarge" is invalid; must match amiType AL2023_ARM_64_STANDARD (ARM AMIs need Graviton types such as m7g.xlarge)'],
    ["an x86 AMI with Graviton instance types", patch(production, "cluster.nodeGroups.general.instanceTypes", ["m7g.2xlarge"]),
      'environment production: cluster.nodeGroups.general.instanceTypes = "m7g.2xlarge" is invalid; must match amiType AL2023_x86_64_STANDARD (x86 AMIs need x86 types; for Graviton set amiType AL2023_ARM_64_STANDARD)'],
  ]);

  it("the catalogue accepts what the environments use and knows max pods per size", () => {
    expect(serviceOffers("rds", "db.r7g.4xlarge")).toBe(true);
    expect(serviceOffers("opensearch", "i3.2xlarge.search")).toBe(true);
    expect(serviceOffers("elasticache", "cache.t4g.small")).toBe(true);
    // eni-max-pods.txt: m5.large 29, m5.2xlarge 58, c5.4xlarge 234, t3.large 35, m6g.medium 8, m5.24xlarge 737.
    expect(["m5.large", "m5.2xlarge", "c5.4xlarge", "t3.large", "m6g.medium", "m5.24xlarge"].map(maxPods)).toEqual([29, 58, 234, 35, 8, 737]);
    // Every catalogued EC2 type has a max-pods figure (the subnet check needs one for each).
    const missing = Object.entries(EC2_FAMILIES).flatMap(([f, e]) => e.sizes.split(" ").map((s) => `${f}.${s}`)).filter((t) => !(maxPods(t) > 0));
    expect(missing).toEqual([]);
  });
});

describe("ranges: cron fields, label and tag values, alarm thresholds", () => {
  const schedule = (cron: string) => patch(production, "platform.backupSchedules", [{ name: "daily", cron, ttl: "72h" }]);
  rejects([
    ["an hour of 25", schedule("0 25 * * *"),
      'environment production: platform.backupSchedules[0].cron = "0 25 * * *" is invalid; must have its hour field ("25") within 0-23'],
    ["a minute of 60", schedule("60 * * * *"), 'platform.backupSchedules[0].cron = "60 * * * *" is invalid; must have its minute field ("60") within 0-59'],
    ["a day of month 0", schedule("0 2 0 * *"), 'must have its day of month field ("0") within 1-31'],
    ["a month 13", schedule("0 2 1 13 *"), 'must have its month field ("13") within 1-12'],
    ["a day of week 8", schedule("0 2 * * 8"), 'must have its day of week field ("8") within 0-7'],
    ["a reversed range", schedule("0 5-2 * * *"), 'must have its hour field ("5-2") within 0-23'],
    ["a zero step", schedule("*/0 * * * *"), 'must have its minute field ("*/0") within 0-59'],
    ["six fields", schedule("0 0 2 * * *"), 'platform.backupSchedules[0].cron = "0 0 2 * * *" is invalid; must be a five-field cron expression'],
    ["a label value with a space", patch(production, "cluster.nodeGroups.general.labels", { workload: "general pool" }),
      'environment production: cluster.nodeGroups.general.labels.workload = "general pool" is invalid; must be a Kubernetes label value: at most 63 characters'],
    ["a label value of 64 characters", patch(production, "cluster.nodeGroups.general.labels", { workload: "a".repeat(64) }),
      "cluster.nodeGroups.general.labels.workload = \"" + "a".repeat(64) + "\" is invalid; must be a Kubernetes label value"],
    ["a taint value ending in a hyphen", patch(production, "cluster.nodeGroups.compute.taints", [{ key: "workload", value: "compute-", effect: "NO_SCHEDULE" }]),
      'environment production: cluster.nodeGroups.compute.taints[0].value = "compute-" is invalid; must be a Kubernetes label value'],
    ["a tag value with a character AWS refuses", patch(production, "owner", "platform#sre"),
      'environment production: owner = "platform#sre" is invalid; must be an AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @'],
    ["a tag value of 257 characters", patch(production, "costCenter", "c".repeat(257)), "costCenter = \"ccc"],
    ["a CPU alarm at 100 %", patch(production, "data.mysql.alarmThresholds.cpuPercent", 100),
      'environment production: data.mysql.alarmThresholds.cpuPercent = 100 is invalid; must be a percentage above 0 and below 100 (the metric never passes 100, so the alarm could never fire)'],
    ["a memory alarm at 150 %", patch(production, "data.redis.alarmThresholds.memoryPercent", 150), "data.redis.alarmThresholds.memoryPercent = 150 is invalid; must be a percentage"],
    ["a JVM pressure alarm at 0 %", patch(production, "data.search.alarmThresholds.jvmMemoryPressurePercent", 0), "data.search.alarmThresholds.jvmMemoryPressurePercent = 0 is invalid; must be a percentage"],
    ["a negative free-memory alarm", patch(production, "data.documentdb.alarmThresholds.freeableMemoryMiB", -1),
      "data.documentdb.alarmThresholds.freeableMemoryMiB = -1 is invalid; must be a number above 0"],
    ["a free-storage alarm above the volume", patch(production, "data.mysql.alarmThresholds.freeStorageGiB", 600),
      "environment production: data.mysql.alarmThresholds.freeStorageGiB = 600 is invalid; must be below data.mysql.allocatedStorageGiB (500)"],
  ]);

  it("accepts the cron forms Velero takes", () => {
    for (const cron of ["0 */6 * * *", "30 2 * * *", "0 3 * * 0", "0 4 1 * *", "0 1-5/2 * * 1,3,5", "15,45 * * 1-12 7"]) {
      expect(() => validateEnvironment(schedule(cron))).not.toThrow();
    }
  });
});

describe("unions checked at synth (a bundled synth does not type-check)", () => {
  rejects([
    ["a DNS provider spelled differently", patch(production, "edge.dns", { provider: "Route53" }),
      'environment production: edge.dns.provider = "Route53" is invalid; must be one of "route53", "cloudflare"'],
    ["a NAT mode spelled differently", patch(production, "network.natGateways", "per_az"), 'network.natGateways = "per_az" is invalid; must be one of "per-az", "single"'],
    ["an unknown price class", patch(production, "edge.priceClass", "PriceClass_300"), 'edge.priceClass = "PriceClass_300" is invalid; must be one of "PriceClass_All", "PriceClass_200", "PriceClass_100"'],
    ["an unknown origin protocol", patch(production, "edge.originProtocol", "https"), 'edge.originProtocol = "https" is invalid; must be one of "https-only", "http-only"'],
    ["an unknown state backend", patch(production, "state.backend", "gcs"), 'state.backend = "gcs" is invalid; must be one of "s3", "local"'],
    ["an unknown upgrade support type", patch(production, "cluster.upgradeSupportType", "standard"), 'cluster.upgradeSupportType = "standard" is invalid; must be one of "STANDARD", "EXTENDED"'],
  ]);
});

describe("cross-field rules", () => {
  rejects([
    // The CI plan roles read only `openedx-<env>-*` secrets; these two are read at plan time.
    ["an on-call endpoint secret outside the environment's prefix", patch(production, "onCall.endpoint.secretName", "pagerduty-production"),
      'environment production: onCall.endpoint.secretName = "pagerduty-production" is invalid; must start with openedx-production- (the stacks read it at plan time'],
    ["another environment's on-call secret", patch(production, "onCall.endpoint.secretName", "openedx-staging-on-call"),
      'environment production: onCall.endpoint.secretName = "openedx-staging-on-call" is invalid; must start with openedx-production-'],
    // Without the migration, which needs a VPC origin (checked first).
    ["a public origin's header secret outside the environment's prefix", patch(patch(production, "edge.migration", undefined), "edge.origin", { kind: "public", verifyHeaderSecretName: "origin-header", reason: "VPC origins unavailable" }),
      'environment production: edge.origin.verifyHeaderSecretName = "origin-header" is invalid; must start with openedx-production-'],
    ["a kubeconfig target on an environment that builds EKS", patch(staging, "platform.kubeconfig", K3S_TARGET),
      'environment staging: platform.kubeconfig = "set" is invalid; must be unset on an environment whose AWS stack builds an EKS cluster'],
    ["a subdomain written as a full name", patch(production, "edge.subdomains", ["lms", "studio.learn.example.org"]),
      'environment production: edge.subdomains = "studio.learn.example.org" is invalid; must be names relative to domain learn.example.org (e.g. "lms", not "lms.learn.example.org")'],
    ["a subdomain that is the domain", patch(production, "edge.subdomains", ["learn.example.org"]), 'edge.subdomains = "learn.example.org" is invalid; must be names relative to domain'],
    ["a private CIDR on the public API allowlist", patch(production, "cluster.publicAccessCidrs", ["203.0.113.0/24", "10.8.0.0/16"]),
      'environment production: cluster.publicAccessCidrs[1] = "10.8.0.0/16" is invalid; must be a public range (VPN / CI egress): private, shared and loopback ranges never reach the public endpoint'],
    ["a CGNAT CIDR on the public API allowlist", patch(production, "cluster.publicAccessCidrs", ["100.64.1.0/24"]), 'cluster.publicAccessCidrs[0] = "100.64.1.0/24" is invalid; must be a public range'],
    ["a range that contains a private one", patch(production, "cluster.publicAccessCidrs", ["0.0.0.0/1"]), 'cluster.publicAccessCidrs[0] = "0.0.0.0/1" is invalid; must be a public range'],
    ["private subnets too small for the node groups' pods", patch(production, "network.privateSubnetCidrs", ["10.0.64.0/22", "10.0.68.0/22", "10.0.72.0/22"]),
      'environment production: network.privateSubnetCidrs = ["10.0.64.0/22","10.0.68.0/22","10.0.72.0/22"] is invalid; must hold every pod of the node groups at maximum size (VPC CNI: one address per pod): 8240 addresses needed (general: 40 x 59, compute: 20 x 235, memory: 20 x 59; maxSize x (max pods + 1)), 3057 usable'],
    // The stack appends the CI apply role before the cluster module counts admins: only this check sees an empty list.
    ["no admin role of its own", patch(production, "cluster.adminRoles", []), 'environment production: cluster.adminRoles = [] is invalid; must list at least 1'],
  ]);

  it("sizes the pod addresses from the largest type of a group", () => {
    // sandbox: general 3 nodes, largest t3.large (35 pods) -> 3 x 36 = 108 against two /20s.
    const tiny = patch(sandbox, "network.privateSubnetCidrs", ["10.20.64.0/27", "10.20.80.0/27"]);
    expect(() => validateEnvironment(tiny)).toThrow("108 addresses needed (general: 3 x 36; maxSize x (max pods + 1)), 54 usable");
  });
});

describe("missing required fields fail with the field's name, not a TypeError", () => {
  rejects([
    ["a missing data block", patch(production, "data", undefined),
      "environment production: data (missing) is invalid; must be set: a required object of EnvironmentConfig (environments/config.ts)"],
    ["a missing nested field", patch(production, "network.privateSubnetCidrs", undefined),
      "environment production: network.privateSubnetCidrs (missing) is invalid; must be set: a required list of EnvironmentConfig"],
    ["a missing protection", patch(production, "protection", undefined), "environment production: protection (missing) is invalid; must be set: a required string"],
    ["a field of the wrong kind", patch(production, "multiAz", "yes"), 'environment production: multiAz = "yes" is invalid; must be set: a required boolean'],
    ["a missing name", patch(production, "name", undefined), "environment (unnamed): name (missing) is invalid; must be set: a required string"],
    ["a missing WAF block", patch(production, "edge.waf", undefined), "environment production: edge.waf (missing) is invalid"],
  ]);

  it("EnvironmentStack validates before creating anything (no stack is added to the app)", () => {
    const app = Testing.app();
    expect(() => new EnvironmentStack(app, patch(production, "cluster", undefined))).toThrow("environment production: cluster (missing) is invalid");
    expect(app.node.children).toHaveLength(0);
  });
});
