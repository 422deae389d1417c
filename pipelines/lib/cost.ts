/**
 * Offline monthly cost estimate of a synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json) or of
 * Terraform resource values (`terraform show -json` before/after), from a pinned, dated price table.
 *
 * Why offline: Infracost and the AWS Price List API need the network; this runs in `npm run cost`,
 * in tests and in the plan comment without any. The price of that is a table that ages: it carries
 * its date, and every output says "estimate" and that date.
 *
 * Rules: a resource type is either priced by a rule below, explicitly free (IAM, routes, policies...),
 * explicitly usage-based (priced by traffic/storage used, which the config does not say), or UNKNOWN.
 * An unknown resource type, or a known type whose instance/node type is missing from the table, is
 * reported as unknown and never counted as zero: the total then says "+ N unpriced".
 */

/** Date the prices below were recorded. Printed on every output. */
export const PRICE_TABLE_DATE = "2026-12-02";
/** AWS bills hourly resources over 730 hours a month in its calculator and pricing pages. */
export const HOURS_PER_MONTH = 730;
export const REGION = "us-east-1";

// All prices: us-east-1, on-demand, USD, recorded 2026-12-02 on a machine with no access to the
// AWS price list. Only the EKS control-plane rates ($0.10/h, $0.60/h extended) and the NAT
// gateway hourly rate were checked against a source; every other figure is as remembered from
// the AWS pricing page named on its group and is UNVERIFIED: re-check it there (or replace this
// table with the Price List API's output) before quoting a figure as a price.

/** EC2 Linux on-demand $/hour, per https://aws.amazon.com/ec2/pricing/on-demand/ */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
  "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664,
  "t3a.medium": 0.0376, "t3a.large": 0.0752, "t3a.xlarge": 0.1504,
  "m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
  "m5a.large": 0.086, "m5a.xlarge": 0.172, "m5a.2xlarge": 0.344,
  "m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384,
  "m6g.large": 0.077, "m6g.xlarge": 0.154, "m7g.large": 0.0816, "m7g.xlarge": 0.1632,
  "c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34, "c5.4xlarge": 0.68,
  "c6i.xlarge": 0.17, "c6i.2xlarge": 0.34,
  "r5.large": 0.126, "r5.xlarge": 0.252, "r5.2xlarge": 0.504, "r5.4xlarge": 1.008,
  "r6i.xlarge": 0.252, "r6i.2xlarge": 0.504,
};

/** RDS for MySQL single-AZ $/hour, per https://aws.amazon.com/rds/mysql/pricing/ (Multi-AZ: ×2). */
export const RDS_MYSQL_HOURLY: Readonly<Record<string, number>> = {
  "db.t3.micro": 0.017, "db.t3.small": 0.034, "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
  "db.r6g.large": 0.225, "db.r6g.xlarge": 0.45, "db.r6g.2xlarge": 0.899, "db.r6g.4xlarge": 1.798,
  "db.r7g.large": 0.239, "db.r7g.xlarge": 0.478, "db.r7g.2xlarge": 0.956, "db.r7g.4xlarge": 1.912,
  "db.m7g.large": 0.168, "db.m7g.xlarge": 0.336,
};
/** RDS gp2 and gp3 $/GB-month single-AZ (Multi-AZ ×2), per https://aws.amazon.com/rds/mysql/pricing/ */
export const RDS_GP3_GB_MONTH = 0.115;

/** DocumentDB instance-based $/hour, per https://aws.amazon.com/documentdb/pricing/ */
export const DOCDB_HOURLY: Readonly<Record<string, number>> = {
  "db.t3.medium": 0.078, "db.t4g.medium": 0.073,
  "db.r6g.large": 0.257, "db.r6g.xlarge": 0.514, "db.r6g.2xlarge": 1.028,
  "db.r5.large": 0.277, "db.r5.xlarge": 0.554,
};

/** ElastiCache Redis OSS node-based $/hour, per https://aws.amazon.com/elasticache/pricing/ */
export const ELASTICACHE_HOURLY: Readonly<Record<string, number>> = {
  "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
  "cache.r7g.large": 0.219, "cache.r7g.xlarge": 0.437, "cache.r7g.2xlarge": 0.876,
  "cache.r6g.large": 0.206, "cache.r6g.xlarge": 0.411, "cache.m7g.large": 0.158,
};
/** Valkey node-based is priced 20 % below Redis OSS, per https://aws.amazon.com/elasticache/pricing/ */
export const VALKEY_FACTOR = 0.8;

/** OpenSearch Service instance $/hour, per https://aws.amazon.com/opensearch-service/pricing/ */
export const OPENSEARCH_HOURLY: Readonly<Record<string, number>> = {
  "t3.small.search": 0.036, "t3.medium.search": 0.073,
  "m6g.large.search": 0.128, "m6g.xlarge.search": 0.256,
  "r6g.large.search": 0.167, "r6g.xlarge.search": 0.335, "r6g.2xlarge.search": 0.669,
  "i3.large.search": 0.249, "i3.xlarge.search": 0.499, "i3.2xlarge.search": 0.998,
};
/** OpenSearch gp3 $/GB-month, per https://aws.amazon.com/opensearch-service/pricing/ */
export const OPENSEARCH_GP3_GB_MONTH = 0.122;

/** EBS gp3 $/GB-month, per https://aws.amazon.com/ebs/pricing/ (3,000 IOPS and 125 MB/s included). */
export const EBS_GP3_GB_MONTH = 0.08;
export const EBS_GP3_IOPS_MONTH = 0.005;
export const EBS_GP3_MBPS_MONTH = 0.04;

/** EKS control plane $/hour per cluster, per https://aws.amazon.com/eks/pricing/ (extended support is $0.60 in total). */
export const EKS_STANDARD_HOURLY = 0.1;
export const EKS_EXTENDED_HOURLY = 0.6;
/** NAT gateway $/hour, per https://aws.amazon.com/vpc/pricing/ (data processed is usage-based). */
export const NAT_GATEWAY_HOURLY = 0.045;
/** Public IPv4 address $/hour (in use or idle), per https://aws.amazon.com/vpc/pricing/ */
export const PUBLIC_IPV4_HOURLY = 0.005;
/** NLB/ALB base $/hour (LCUs are usage-based), per https://aws.amazon.com/elasticloadbalancing/pricing/ */
export const LOAD_BALANCER_HOURLY = 0.0225;
/** Interface VPC endpoint $/hour per AZ, per https://aws.amazon.com/privatelink/pricing/ */
export const INTERFACE_ENDPOINT_HOURLY = 0.01;
/** WAF: web ACL $5/month, each rule or managed rule group $1/month, per https://aws.amazon.com/waf/pricing/ */
export const WAF_ACL_MONTH = 5;
export const WAF_RULE_MONTH = 1;
/** KMS customer managed key $1/month, per https://aws.amazon.com/kms/pricing/ */
export const KMS_KEY_MONTH = 1;
/** Secrets Manager $0.40/secret-month, per https://aws.amazon.com/secrets-manager/pricing/ */
export const SECRET_MONTH = 0.4;
/** Route 53 hosted zone $0.50/month (first 25), per https://aws.amazon.com/route53/pricing/ */
export const HOSTED_ZONE_MONTH = 0.5;
/** CloudWatch standard-resolution alarm $0.10 per metric-month, per https://aws.amazon.com/cloudwatch/pricing/ */
export const ALARM_METRIC_MONTH = 0.1;

/** Types that cost nothing by themselves (their cost, if any, is in what they configure). */
const FREE = new Set([
  "aws_acm_certificate", "aws_acm_certificate_validation", "aws_cloudfront_cache_policy",
  "aws_cloudfront_origin_access_control", "aws_cloudfront_origin_request_policy", "aws_cloudfront_response_headers_policy",
  "aws_cloudwatch_log_delivery", "aws_cloudwatch_log_delivery_destination", "aws_cloudwatch_log_delivery_source",
  "aws_cloudwatch_log_resource_policy", "aws_codeconnections_connection", "aws_codebuild_webhook",
  "aws_db_event_subscription", "aws_db_option_group", "aws_db_parameter_group", "aws_db_subnet_group",
  "aws_default_security_group", "aws_default_vpc", "aws_docdb_cluster_parameter_group", "aws_docdb_event_subscription", "aws_docdb_subnet_group",
  "aws_efs_access_point", "aws_efs_backup_policy", "aws_efs_file_system_policy", "aws_efs_mount_target",
  "aws_eks_access_entry", "aws_eks_access_policy_association", "aws_eks_addon", "aws_eks_pod_identity_association",
  "aws_elasticache_parameter_group", "aws_elasticache_subnet_group", "aws_elasticache_user", "aws_elasticache_user_group",
  "aws_ecr_lifecycle_policy", "aws_iam_openid_connect_provider", "aws_iam_role", "aws_iam_role_policy",
  "aws_iam_role_policy_attachment", "aws_iam_service_linked_role", "aws_internet_gateway", "aws_kms_alias",
  "aws_launch_template", "aws_route", "aws_route_table", "aws_route_table_association", "aws_route53_record",
  "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning", "aws_security_group", "aws_sns_topic_policy", "aws_sns_topic_subscription",
  "aws_subnet", "aws_vpc", "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule",
  "aws_wafv2_web_acl_logging_configuration", "cloudflare_dns_record",
  "kubernetes_cluster_role_binding_v1", "kubernetes_cluster_role_v1", "kubernetes_config_map_v1",
  "kubernetes_limit_range_v1", "kubernetes_namespace_v1", "kubernetes_network_policy_v1",
  "kubernetes_resource_quota_v1", "kubernetes_role_binding_v1", "kubernetes_storage_class_v1",
]);
/** Types billed by use (GB stored, requests, minutes): the config does not say how much. */
const USAGE_BASED: Readonly<Record<string, string>> = {
  aws_cloudwatch_log_group: "ingestion and storage",
  aws_cloudfront_distribution: "requests and transfer (no base fee)",
  aws_s3_bucket: "storage and requests",
  aws_efs_file_system: "storage used and elastic throughput",
  aws_codebuild_project: "build minutes",
  aws_sns_topic: "publishes and deliveries",
  aws_flow_log: "vended log ingestion",
  aws_ecr_repository: "image storage",
  aws_backup_plan: "backup storage", aws_backup_vault: "backup storage", aws_backup_selection: "backup storage",
  aws_guardduty_detector: "events and logs analysed",
  aws_cloudtrail: "first management trail free; data events per event",
};

export type LineKind = "priced" | "usage" | "unknown";
export interface CostLine {
  readonly stack: string;
  readonly component: string;
  /** `type.name` */
  readonly resource: string;
  readonly kind: LineKind;
  /** Monthly USD; 0 unless kind is "priced". */
  readonly monthly: number;
  /** How the figure was made, or why it is not priced. */
  readonly note: string;
}
export interface StackCost {
  readonly stack: string;
  readonly lines: CostLine[];
  readonly total: number;
  readonly unknown: number;
}

type Values = Record<string, unknown>;
/** Terraform JSON has a single nested block as an object (cdktf) or a one-element list (show -json). */
function block(v: unknown): Values | undefined {
  const b = Array.isArray(v) ? v[0] : v;
  return b && typeof b === "object" ? (b as Values) : undefined;
}
function num(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}
const round2 = (n: number): number => Math.round(n * 100) / 100;
const usd = (n: number): string => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A resource to price: its values plus a way to look up others of the same stack (launch templates, replica sources). */
export interface PricedInput {
  readonly type: string;
  readonly name: string;
  readonly values: Values;
  readonly lookup?: (type: string, name: string) => Values | undefined;
}
type Result = { kind: LineKind; monthly: number; note: string };
const priced = (monthly: number, note: string): Result => ({ kind: "priced", monthly: round2(monthly), note });
const unknown = (note: string): Result => ({ kind: "unknown", monthly: 0, note });

/** `${aws_launch_template.x.id}` → ["aws_launch_template", "x"]. */
function refOf(v: unknown): [string, string] | undefined {
  const m = typeof v === "string" ? /\$\{(?:tostring\()?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\./.exec(v) : null;
  return m?.[1] && m[2] ? [m[1], m[2]] : undefined;
}

function gp3Monthly(ebs: Values, perGb = EBS_GP3_GB_MONTH): number {
  const gb = num(ebs.volume_size) ?? 0;
  const iops = Math.max(0, (num(ebs.iops) ?? 3000) - 3000);
  const mbps = Math.max(0, (num(ebs.throughput) ?? 125) - 125);
  return gb * perGb + iops * EBS_GP3_IOPS_MONTH + mbps * EBS_GP3_MBPS_MONTH;
}

function nodeGroup(r: PricedInput): Result {
  const v = r.values;
  const scaling = block(v.scaling_config) ?? {};
  const nodes = num(scaling.desired_size) ?? num(scaling.min_size);
  if (nodes === undefined) return unknown("node count not known");
  let types = Array.isArray(v.instance_types) ? (v.instance_types as string[]) : [];
  const lt = block(v.launch_template);
  const ref = lt ? refOf(lt.id) ?? refOf(lt.name) : undefined;
  const template = ref && r.lookup ? r.lookup(ref[0], ref[1]) : undefined;
  if (types.length === 0 && typeof template?.instance_type === "string") types = [template.instance_type];
  if (types.length === 0) types = ["t3.medium"]; // the EKS API's default for a managed node group
  const missing = types.filter((t) => EC2_HOURLY[t] === undefined);
  if (missing.length > 0) return unknown(`instance type ${missing.join(", ")} not in the price table`);
  // Several types (spot diversification): price at the dearest, an upper bound.
  const hourly = Math.max(...types.map((t) => EC2_HOURLY[t] ?? 0));
  const spot = v.capacity_type === "SPOT";
  let monthly = nodes * hourly * HOURS_PER_MONTH;
  let note = `${nodes} × ${types.length > 1 ? "max(" + types.join(", ") + ")" : types[0]} @ $${hourly}/h`
    + (spot ? " (SPOT: on-demand list price, an upper bound)" : "");
  const ebs = block(block(template?.block_device_mappings)?.ebs);
  if (ebs && (ebs.volume_type ?? "gp3") === "gp3") {
    monthly += nodes * gp3Monthly(ebs);
    note += ` + ${nodes} × ${num(ebs.volume_size)} GB gp3`;
  } else if (!template) {
    const disk = num(v.disk_size) ?? 20;
    monthly += nodes * disk * EBS_GP3_GB_MONTH;
    note += ` + ${nodes} × ${disk} GB root volume`;
  } else {
    note += " (root volumes not priced)";
  }
  return priced(monthly, note);
}

function dbInstance(r: PricedInput): Result {
  const v = r.values;
  const cls = String(v.instance_class);
  const engine = String(v.engine ?? "mysql");
  const src = refOf(v.replicate_source_db);
  const source = src && r.lookup ? r.lookup(src[0], src[1]) : undefined;
  const eng = source ? String(source.engine ?? "mysql") : engine;
  if (eng !== "mysql") return unknown(`RDS engine ${eng} not in the price table`);
  const hourly = RDS_MYSQL_HOURLY[cls];
  if (hourly === undefined) return unknown(`instance class ${cls} not in the price table`);
  const azs = v.multi_az === true || v.multi_az === "true" ? 2 : 1;
  const gb = num(v.allocated_storage) ?? num(source?.allocated_storage) ?? 0;
  const storage = String(v.storage_type ?? source?.storage_type ?? "gp2");
  if (gb > 0 && storage !== "gp2" && storage !== "gp3") return unknown(`storage type ${storage} not in the price table`);
  const monthly = azs * (hourly * HOURS_PER_MONTH + gb * RDS_GP3_GB_MONTH);
  const secret = v.manage_master_user_password === true || v.manage_master_user_password === "true" ? SECRET_MONTH : 0;
  return priced(monthly + secret, `${cls}${azs === 2 ? " Multi-AZ ×2" : ""}${src ? " read replica" : ""} @ $${hourly}/h + ${gb} GB ${storage}`
    + (secret ? " + managed master secret" : ""));
}

function search(v: Values): Result {
  const c = block(v.cluster_config) ?? {};
  const type = String(c.instance_type ?? "r6g.large.search");
  const count = num(c.instance_count) ?? 1;
  const data = OPENSEARCH_HOURLY[type];
  if (data === undefined) return unknown(`instance type ${type} not in the price table`);
  let monthly = count * data * HOURS_PER_MONTH;
  let note = `${count} × ${type}`;
  if (c.dedicated_master_enabled === true || c.dedicated_master_enabled === "true") {
    const mt = String(c.dedicated_master_type);
    const mc = num(c.dedicated_master_count) ?? 3;
    const m = OPENSEARCH_HOURLY[mt];
    if (m === undefined) return unknown(`master type ${mt} not in the price table`);
    monthly += mc * m * HOURS_PER_MONTH;
    note += ` + ${mc} × ${mt}`;
  }
  const ebs = block(v.ebs_options);
  if (ebs && (ebs.ebs_enabled === true || ebs.ebs_enabled === "true")) {
    monthly += count * gp3Monthly(ebs, OPENSEARCH_GP3_GB_MONTH);
    note += ` + ${count} × ${num(ebs.volume_size)} GB gp3`;
  }
  return priced(monthly, note);
}

/** PVCs on an EBS storage class are priced by their request; on EFS they are usage-based. */
function pvc(r: PricedInput): Result {
  const spec = block(r.values.spec) ?? {};
  const cls = refOf(spec.storage_class_name);
  const sc = cls && r.lookup ? r.lookup(cls[0], cls[1]) : undefined;
  if (sc && sc.storage_provisioner === "efs.csi.aws.com") return { kind: "usage", monthly: 0, note: "EFS: storage used" };
  if (sc && sc.storage_provisioner === "ebs.csi.aws.com" && block(sc.parameters)?.type === "gp3") {
    const req = String(block(block(spec.resources)?.requests)?.storage ?? "");
    const m = /^(\d+)(Gi|Ti)$/.exec(req);
    if (m) {
      const gb = Number(m[1]) * (m[2] === "Ti" ? 1024 : 1);
      return priced(gb * EBS_GP3_GB_MONTH, `${gb} GB gp3`);
    }
  }
  return unknown("storage class or size not resolved");
}

/** A chart that asks the AWS Load Balancer Controller for an NLB: one load balancer's base fee. */
function helmRelease(v: Values): Result {
  const values = JSON.stringify(v.values ?? "");
  if (values.includes("aws-load-balancer-nlb-target-type") || values.includes("aws-load-balancer-type")) {
    return priced(LOAD_BALANCER_HOURLY * HOURS_PER_MONTH, "NLB base fee for its LoadBalancer service (LCUs usage-based)");
  }
  return { kind: "usage", monthly: 0, note: "in-cluster: runs on the node groups; volumes the chart claims are not estimated" };
}

/** Price one resource from its values. */
export function priceResource(r: PricedInput): Result {
  const v = r.values;
  const hourly = (h: number, note: string): Result => priced(h * HOURS_PER_MONTH, note);
  switch (r.type) {
    case "aws_eks_cluster": {
      const ext = block(v.upgrade_policy)?.support_type === "EXTENDED";
      return hourly(ext ? EKS_EXTENDED_HOURLY : EKS_STANDARD_HOURLY, ext ? "control plane, EXTENDED support" : "control plane, standard support");
    }
    case "aws_eks_node_group": return nodeGroup(r);
    case "aws_instance": {
      const t = String(v.instance_type);
      const h = EC2_HOURLY[t];
      return h === undefined ? unknown(`instance type ${t} not in the price table`) : hourly(h, `${t} @ $${h}/h (root volume not priced)`);
    }
    case "aws_db_instance": return dbInstance(r);
    case "aws_docdb_cluster_instance": {
      const cls = String(v.instance_class);
      const h = DOCDB_HOURLY[cls];
      return h === undefined ? unknown(`instance class ${cls} not in the price table`) : hourly(h, `${cls} @ $${h}/h (storage and I/O usage-based)`);
    }
    case "aws_docdb_cluster":
      return v.manage_master_user_password === true || v.manage_master_user_password === "true"
        ? priced(SECRET_MONTH, "managed master secret (instances priced separately)")
        : { kind: "usage", monthly: 0, note: "storage and I/O (instances priced separately)" };
    case "aws_elasticache_replication_group": {
      const type = String(v.node_type);
      const base = ELASTICACHE_HOURLY[type];
      if (base === undefined) return unknown(`node type ${type} not in the price table`);
      const valkey = v.engine === "valkey";
      const h = base * (valkey ? VALKEY_FACTOR : 1);
      const shards = num(v.num_node_groups);
      const nodes = shards !== undefined ? shards * (1 + (num(v.replicas_per_node_group) ?? 0)) : num(v.num_cache_clusters) ?? 1;
      return hourly(nodes * h, `${nodes} × ${type}${valkey ? " (Valkey −20 %)" : ""} @ $${round2(h * 1000) / 1000}/h`);
    }
    case "aws_opensearch_domain": return search(v);
    case "aws_nat_gateway":
      return v.connectivity_type === "private" ? hourly(NAT_GATEWAY_HOURLY, "private NAT gateway") : hourly(NAT_GATEWAY_HOURLY, "NAT gateway hours (data processed usage-based)");
    case "aws_eip": return hourly(PUBLIC_IPV4_HOURLY, "public IPv4 address");
    case "aws_lb": case "aws_alb":
      return hourly(LOAD_BALANCER_HOURLY, `${String(v.load_balancer_type ?? "application")} load balancer base (LCUs usage-based)`);
    case "aws_vpc_endpoint":
      if (v.vpc_endpoint_type === "Interface") {
        const azs = Array.isArray(v.subnet_ids) ? v.subnet_ids.length : 1;
        return hourly(azs * INTERFACE_ENDPOINT_HOURLY, `interface endpoint × ${azs} AZ`);
      }
      return priced(0, "gateway endpoint: free");
    case "aws_wafv2_web_acl": {
      const rules = Array.isArray(v.rule) ? v.rule.length : 0;
      return priced(WAF_ACL_MONTH + rules * WAF_RULE_MONTH, `web ACL + ${rules} rules (requests usage-based)`);
    }
    case "aws_kms_key": return priced(KMS_KEY_MONTH, "customer managed key");
    case "aws_secretsmanager_secret": return priced(SECRET_MONTH, "secret");
    case "aws_route53_zone": return priced(HOSTED_ZONE_MONTH, "hosted zone (queries usage-based)");
    case "aws_cloudwatch_metric_alarm": {
      const metrics = Array.isArray(v.metric_query) ? v.metric_query.filter((q) => block(q)?.metric !== undefined).length || 1 : 1;
      return priced(metrics * ALARM_METRIC_MONTH, `${metrics} metric${metrics === 1 ? "" : "s"}, standard resolution`);
    }
    case "aws_ebs_volume": {
      if ((v.type ?? "gp3") !== "gp3") return unknown(`volume type ${String(v.type)} not in the price table`);
      return priced(gp3Monthly({ volume_size: v.size, iops: v.iops, throughput: v.throughput }), `${num(v.size)} GB gp3`);
    }
    case "kubernetes_persistent_volume_claim_v1": return pvc(r);
    case "helm_release": return helmRelease(v);
  }
  if (FREE.has(r.type)) return priced(0, "no charge of its own");
  const usage = USAGE_BASED[r.type];
  if (usage !== undefined) return { kind: "usage", monthly: 0, note: `usage-based (${usage}), not estimated` };
  return unknown(`resource type ${r.type} not in the price table`);
}

function summarize(stack: string, lines: CostLine[]): StackCost {
  const total = round2(lines.reduce((s, l) => s + l.monthly, 0));
  return { stack, lines, total, unknown: lines.filter((l) => l.kind === "unknown").length };
}

interface SynthJson { resource?: Record<string, Record<string, Values>> }

/** Cost of a synthesized stack (cdk.tf.json). Component = the construct under the stack (`production/<component>/...`). */
export function costOfSynth(stack: string, json: SynthJson): StackCost {
  const res = json.resource ?? {};
  const lookup = (t: string, n: string): Values | undefined => res[t]?.[n];
  const lines: CostLine[] = [];
  for (const [type, byName] of Object.entries(res)) {
    for (const [name, values] of Object.entries(byName)) {
      const path = String((values["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? "");
      const component = path.split("/")[1] ?? "(stack)";
      const p = priceResource({ type, name, values, lookup });
      lines.push({ stack, component, resource: `${type}.${name}`, ...p });
    }
  }
  lines.sort((a, b) => a.component.localeCompare(b.component) || b.monthly - a.monthly || a.resource.localeCompare(b.resource));
  return summarize(stack, lines);
}

/** Plan JSON (`terraform show -json`), only what the cost needs. */
export interface PlanForCost {
  resource_changes?: Array<{ address: string; type: string; name: string; mode?: string; change: { actions: string[]; before?: unknown; after?: unknown } }>;
  planned_values?: { root_module?: PlanModule };
}
interface PlanModule { resources?: Array<{ address: string; type: string; name: string; mode?: string; values?: Values }>; child_modules?: PlanModule[] }

export interface PlanCost {
  /** Monthly delta of the priced resources: after − before over the plan's changes. */
  readonly delta: number;
  /** Monthly total of the stack as planned (planned_values). */
  readonly total: number;
  /** Resources of the plan whose price is unknown (counted in neither figure). */
  readonly unknown: number;
}

export function costOfPlan(plan: PlanForCost): PlanCost {
  const planned: Array<{ address: string; type: string; name: string; values: Values }> = [];
  const walk = (m: PlanModule | undefined): void => {
    for (const r of m?.resources ?? []) if (r.mode !== "data") planned.push({ address: r.address, type: r.type, name: r.name, values: r.values ?? {} });
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values?.root_module);
  const lookup = (t: string, n: string): Values | undefined => planned.find((r) => r.type === t && r.name === n)?.values;
  const unknowns = new Set<string>();
  let total = 0;
  for (const r of planned) {
    const p = priceResource({ ...r, lookup });
    if (p.kind === "unknown") unknowns.add(r.address);
    total += p.monthly;
  }
  let delta = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const side = (v: unknown): number => {
      if (!v || typeof v !== "object") return 0;
      const p = priceResource({ type: rc.type, name: rc.name, values: v as Values, lookup });
      if (p.kind === "unknown") unknowns.add(rc.address);
      return p.monthly;
    };
    const acts = rc.change.actions;
    if (acts.length === 1 && (acts[0] === "no-op" || acts[0] === "read" || acts[0] === "forget")) continue;
    delta += side(acts.includes("create") || acts.includes("update") ? rc.change.after : undefined) - side(rc.change.before);
  }
  return { delta: round2(delta), total: round2(total), unknown: unknowns.size };
}

/** One line for the plan comment, under the summary. */
export function renderPlanCostLine(c: PlanCost): string {
  const sign = c.delta > 0 ? "+" : c.delta < 0 ? "−" : "±";
  return `💰 Estimated monthly cost: ${sign}${usd(Math.abs(c.delta))} → ${usd(c.total)} for this stack`
    + (c.unknown > 0 ? ` (+ ${c.unknown} resource${c.unknown === 1 ? "" : "s"} of unknown price)` : "")
    + ` — estimate, us-east-1 on-demand list prices as of ${PRICE_TABLE_DATE}, usage-based charges excluded.`;
}

/** Text report: per stack a table (component, resource, monthly USD, note), its total; then a grand total. */
export function renderCostText(stacks: StackCost[]): string {
  const out: string[] = [`Monthly cost estimate — ${REGION} on-demand list prices, price table dated ${PRICE_TABLE_DATE} (recorded offline, mostly unverified: see pipelines/lib/cost.ts).`,
    "Usage-based charges (logs, transfer, requests, storage used) are listed but not estimated.", ""];
  for (const s of stacks) {
    out.push(`## ${s.stack}`);
    const rows = s.lines.filter((l) => l.kind !== "priced" || l.monthly > 0);
    const w1 = Math.max(9, ...rows.map((l) => l.component.length));
    const w2 = Math.max(8, ...rows.map((l) => l.resource.length));
    out.push(`${"component".padEnd(w1)}  ${"resource".padEnd(w2)}  ${"monthly USD".padStart(12)}  note`);
    for (const l of rows) {
      const fig = l.kind === "priced" ? usd(l.monthly) : l.kind === "usage" ? "usage-based" : "UNKNOWN";
      out.push(`${l.component.padEnd(w1)}  ${l.resource.padEnd(w2)}  ${fig.padStart(12)}  ${l.note}`);
    }
    const byComp = new Map<string, number>();
    for (const l of s.lines) byComp.set(l.component, (byComp.get(l.component) ?? 0) + l.monthly);
    out.push("", "by component: " + [...byComp].filter(([, m]) => m > 0).sort((a, b) => b[1] - a[1]).map(([c, m]) => `${c} ${usd(m)}`).join(", "));
    out.push(`total ${s.stack}: ${usd(s.total)}/month (estimate)${s.unknown > 0 ? ` + ${s.unknown} unpriced (unknown)` : ""}`, "");
  }
  const grand = round2(stacks.reduce((a, s) => a + s.total, 0));
  const unk = stacks.reduce((a, s) => a + s.unknown, 0);
  out.push(`total of ${stacks.length} stacks: ${usd(grand)}/month (estimate, prices as of ${PRICE_TABLE_DATE})${unk > 0 ? ` + ${unk} unpriced (unknown)` : ""}`);
  return out.join("\n") + "\n";
}

export function costJson(stacks: StackCost[]): object {
  return { estimate: true, priceTableDate: PRICE_TABLE_DATE, region: REGION, hoursPerMonth: HOURS_PER_MONTH, stacks };
}
