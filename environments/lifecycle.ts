import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import {
  CLUSTER_AUTOSCALER_IMAGE_TAGS, daysUntil, LIFECYCLE_CHECKED_ON, nextVersion, PRODUCTS, ProductId, releaseLine, WARN_DAYS,
} from "learning-platform-infra/core/lifecycle";
import { DEFAULT_MYSQL_VERSION } from "learning-platform-infra/rds-mysql";
import { DEFAULT_POSTGRES_VERSION } from "learning-platform-infra/rds-postgres";
import { DEFAULT_RABBITMQ_VERSION } from "learning-platform-infra/amazon-mq";
import { DEFAULT_SEARCH_ENGINE } from "learning-platform-infra/elasticsearch";
import { DEFAULT_DOCUMENTDB_VERSION } from "learning-platform-infra/documentdb";
import { DEFAULT_REDIS_VERSION, DEFAULT_VALKEY_VERSION } from "learning-platform-infra/elasticache";
import type { ChartRef } from "learning-platform-infra/core/helm";
import type { SelfHostedEnvironmentConfig } from "./selfhosted-config";
import type { EnvironmentConfig } from "./config";

/**
 * The lifecycle table: every pinned component of the platform with its end of standard
 * support where the vendor publishes one, or the vendor's support policy where it does not.
 * Versions are never copied here: they are read from where they are pinned (environment
 * configs, module defaults, `platformCharts`, the workflows, package.json), so a bump is one
 * edit and this table says whether the result is still supported.
 *
 * The lifecycle test (test/lifecycle.test.ts) fails when a pinned version is past its date or
 * within `FAIL_DAYS` (90) of it, or, for "latest only" policies, is not the newest release known
 * on `LIFECYCLE_CHECKED_ON`; synth warns `WARN_DAYS` (180) ahead for the versioned AWS services
 * and the charts. Refresh the dates and "latest" entries whenever `LIFECYCLE_CHECKED_ON` moves.
 */
export { LIFECYCLE_CHECKED_ON };

/** How one pinned version is supported. */
export type Support =
  /** The vendor publishes an end of standard support date for this release line. */
  | { readonly kind: "dated"; readonly endOfStandardSupport: string; readonly next: string; readonly source: string }
  /** Only the newest release is supported: the pin must be the newest known on `LIFECYCLE_CHECKED_ON`. */
  | { readonly kind: "latest-only"; readonly latest: string; readonly policy: string; readonly source: string }
  /** Supported, no published date (the policy says what ends it). */
  | { readonly kind: "no-date"; readonly policy: string; readonly source: string };

/** One row of the table: a component, its pinned version and how that version is supported. */
export interface PinnedComponent {
  /** e.g. `EKS Kubernetes (production cluster.kubernetesVersion)`, `chart cert-manager`. */
  readonly component: string;
  readonly version: string;
  /** Where the pin lives, so a failing row says which line to edit. */
  readonly pinnedIn: string;
  readonly support: Support;
}

/** A row's status on `today`: ok, or the sentence a failing test prints. */
export function evaluate(row: PinnedComponent, today: Date, failDays: number): { ok: boolean; message: string } {
  const s = row.support;
  const head = `${row.component} ${row.version} (${row.pinnedIn})`;
  if (s.kind === "dated") {
    const days = daysUntil(s.endOfStandardSupport, today);
    return days > failDays
      ? { ok: true, message: `${head}: standard support until ${s.endOfStandardSupport} (${days} days)` }
      : { ok: false, message: `${head}: end of standard support ${s.endOfStandardSupport} (${days < 0 ? `${-days} days ago` : `in ${days} days`}); move to ${s.next} [${s.source}]` };
  }
  if (s.kind === "latest-only") {
    return row.version === s.latest
      ? { ok: true, message: `${head}: the newest release (${s.policy})` }
      : { ok: false, message: `${head}: not the newest release ${s.latest} known on ${LIFECYCLE_CHECKED_ON}, and ${s.policy}; move to ${s.latest} [${s.source}]` };
  }
  return { ok: true, message: `${head}: no published end of standard support (${s.policy})` };
}

/** Support of a versioned AWS service from its calendar in modules/core/lifecycle.ts. */
export function productSupport(product: ProductId, version: string): Support {
  const p = PRODUCTS[product];
  const line = releaseLine(product, version);
  if (!line) return { kind: "dated", endOfStandardSupport: "1970-01-01", next: nextVersion(product, version), source: `${version} is not in the ${p.name} calendar` };
  return line.endOfStandardSupport
    ? { kind: "dated", endOfStandardSupport: line.endOfStandardSupport, next: nextVersion(product, version), source: p.source }
    : { kind: "no-date", policy: p.policy, source: p.source };
}

/**
 * Charts by chart name (not by `platformCharts` key, so a chart that moves repository or key
 * keeps its row). Most chart projects support only their newest release: the newest chart
 * version known on `LIFECYCLE_CHECKED_ON` is recorded; where the project publishes dated
 * release lines, those are used instead.
 */
export const CHART_SUPPORT: Readonly<Record<string, (version: string) => Support>> = {
  // Kubernetes SIG Network retired ingress-nginx: best-effort maintenance ended March 2026,
  // no releases or security fixes after (kubernetes.io/blog/2025/11/11/ingress-nginx-retirement).
  "ingress-nginx": () => ({ kind: "dated", endOfStandardSupport: "2026-03-31", next: "a Gateway API controller (NGINX Gateway Fabric)", source: "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/" }),
  "nginx-gateway-fabric": () => latest("2.6.7", "NGINX supports the latest release"),
  "aws-load-balancer-controller": () => latest("3.5.0", "AWS supports the latest release of the controller"),
  // cert-manager supports its two newest minors; a minor ends when the one after next is released.
  "cert-manager": (v) => certManager(v),
  "raw": () => latest("2.0.2", "community chart, latest release only"),
  "argo-cd": () => latest("10.1.1", "the argo-helm chart supports its latest release (Argo CD itself: the three newest minors)"),
  "argocd-apps": () => latest("2.0.5", "the argo-helm chart supports its latest release"),
  "kube-prometheus-stack": () => latest("88.5.3", "prometheus-community supports the latest chart release only"),
  // The OSS chart moved to grafana-community in March 2026; grafana/loki 7.x is enterprise-only.
  "loki": () => latest("18.11.0", "grafana-community supports the latest chart release only"),
  "alloy": () => latest("1.11.1", "Grafana supports the latest chart release only"),
  "metrics-server": () => latest("3.13.1", "kubernetes-sigs supports the latest release only"),
  "cluster-autoscaler": () => latest("9.59.0", "the autoscaler publishes one chart line; the image minor must equal the cluster's (CLUSTER_AUTOSCALER_IMAGE_TAGS)"),
  "velero": () => latest("12.1.0", "vmware-tanzu supports the latest chart release only (Velero itself: the three newest minors)"),
  // ESO supports only its latest minor (external-secrets.io "Supported versions").
  "external-secrets": () => latest("2.9.0", "External Secrets supports only its latest minor"),
  // apache/couchdb-helm: tags couchdb-4.6.2 is the newest (chart repository index, December 2026).
  "couchdb": () => latest("4.6.2", "Apache CouchDB supports the latest chart release"),
};

function latest(version: string, policy: string, source = "the chart repository index (helm search repo --versions)"): Support {
  return { kind: "latest-only", latest: version, policy, source };
}

/** cert-manager release lines (cert-manager.io/docs/releases; dates via endoflife.date/cert-manager). */
function certManager(version: string): Support {
  const source = "https://cert-manager.io/docs/releases/";
  const ended: Record<string, string> = { "1.19": "2026-07-08", "1.18": "2026-03-10", "1.17": "2025-10-07" };
  const minor = /^v?(\d+\.\d+)\./.exec(version)?.[1] ?? version;
  if (ended[minor]) return { kind: "dated", endOfStandardSupport: ended[minor]!, next: "v1.21.1", source };
  return { kind: "no-date", policy: "cert-manager supports its two newest minors (1.21, 1.20); a minor ends when the one after next ships", source };
}

/**
 * GitHub Actions by repository: newest release tags as read from each action's repository
 * (mirrored snapshots of 2026-06 to 2026-08; SHAs in the workflows are those tags' commits). Action maintainers support their newest major only (older
 * majors get no fixes, and their Node runtimes reach end of life: Node 20 ended 2026-04-30).
 * The pin must be the newest release known on `LIFECYCLE_CHECKED_ON`.
 */
export const ACTION_SUPPORT: Readonly<Record<string, string>> = {
  "actions/checkout": "v7.0.1",
  "actions/setup-node": "v7.0.0",
  // Newest tag in actions/setup-go (b7ad1dad…, snapshot of 2026-08-20); builds helm for the render check.
  "actions/setup-go": "v7.0.0",
  "actions/upload-artifact": "v7.0.0",
  "actions/download-artifact": "v8.0.1",
  "aquasecurity/trivy-action": "v0.36.0",
  "aws-actions/configure-aws-credentials": "v6.2.3",
  "hashicorp/setup-terraform": "v4.0.1",
  "github/codeql-action": "v4.36.2",
};

/** Node.js release lines (github.com/nodejs/Release schedule, as mirrored by endoflife.date/nodejs). */
const NODE_EOL: Record<string, string> = { "20": "2026-04-30", "22": "2027-04-30", "24": "2028-04-30", "26": "2029-04-30" };
/**
 * Terraform CLI: HashiCorp supports the two newest minors (a minor ends when the one after next
 * is released: 1.13 ended with 1.15 on 2026-04-29); dates and the newest patch (1.15.9) from
 * endoflife.date/terraform (snapshot of 2026-08-22).
 */
const TERRAFORM_ENDED: Record<string, string> = { "1.13": "2026-04-29", "1.12": "2025-11-19" };

export interface LifecycleSources {
  readonly environments: readonly EnvironmentConfig[];
  readonly platformCharts: Readonly<Record<string, ChartRef>>;
  /**
   * Self-hosted environments (their charts; the cluster is the operators', its versions theirs).
   * @default []
   */
  readonly selfHosted?: readonly SelfHostedEnvironmentConfig[];
  /** Repository root (workflows and package.json are read from it). */
  readonly root: string;
}

/** Every pinned component, read from where it is pinned. */
export function pinnedComponents(src: LifecycleSources): PinnedComponent[] {
  const rows: PinnedComponent[] = [];
  for (const env of src.environments) {
    const at = `environments/${env.name}.ts`;
    rows.push({ component: `EKS Kubernetes (${env.name})`, version: env.cluster.kubernetesVersion, pinnedIn: `${at} cluster.kubernetesVersion`, support: productSupport("eks", env.cluster.kubernetesVersion) });
    const d = env.data;
    const mysql = d.mysql.engineVersion ?? DEFAULT_MYSQL_VERSION;
    rows.push({ component: `RDS MySQL (${env.name})`, version: mysql, pinnedIn: `${at} data.mysql.engineVersion / DEFAULT_MYSQL_VERSION`, support: productSupport("rdsMysql", mysql) });
    const search = d.search.engineVersion ?? DEFAULT_SEARCH_ENGINE;
    rows.push({ component: `OpenSearch Service engine (${env.name})`, version: search, pinnedIn: `${at} data.search.engineVersion / DEFAULT_SEARCH_ENGINE`, support: productSupport("opensearch", search) });
    const docdb = d.documentdb.engineVersion ?? DEFAULT_DOCUMENTDB_VERSION;
    rows.push({ component: `DocumentDB (${env.name})`, version: docdb, pinnedIn: `${at} data.documentdb.engineVersion / DEFAULT_DOCUMENTDB_VERSION`, support: productSupport("documentdb", docdb) });
    const engine = d.redis.engine ?? "valkey";
    const cache = d.redis.engineVersion ?? (engine === "valkey" ? DEFAULT_VALKEY_VERSION : DEFAULT_REDIS_VERSION);
    rows.push({ component: `ElastiCache ${engine} (${env.name})`, version: cache, pinnedIn: `${at} data.redis.engineVersion`, support: productSupport(engine === "valkey" ? "elasticacheValkey" : "elasticacheRedis", cache) });
    if (d.postgres) {
      const postgres = d.postgres.engineVersion ?? DEFAULT_POSTGRES_VERSION;
      rows.push({ component: `RDS PostgreSQL (${env.name})`, version: postgres, pinnedIn: `${at} data.postgres.engineVersion / DEFAULT_POSTGRES_VERSION`, support: productSupport("rdsPostgres", postgres) });
    }
    if (d.rabbitmq) {
      const rabbitmq = d.rabbitmq.engineVersion ?? DEFAULT_RABBITMQ_VERSION;
      rows.push({ component: `Amazon MQ RabbitMQ (${env.name})`, version: rabbitmq, pinnedIn: `${at} data.rabbitmq.engineVersion / DEFAULT_RABBITMQ_VERSION`, support: productSupport("amazonMqRabbitmq", rabbitmq) });
    }
  }
  const charts = new Map<string, ChartRef>();
  for (const chart of Object.values(src.platformCharts)) charts.set(`${chart.chart}@${chart.version}`, chart);
  for (const env of src.environments) for (const chart of Object.values(env.platform.charts)) charts.set(`${chart.chart}@${chart.version}`, chart);
  for (const env of src.selfHosted ?? []) for (const chart of Object.values(env.platform.charts)) charts.set(`${chart.chart}@${chart.version}`, chart);
  for (const chart of charts.values()) {
    const support = CHART_SUPPORT[chart.chart];
    rows.push({
      component: `chart ${chart.chart}`, version: chart.version, pinnedIn: `platformCharts (${chart.repository})`,
      support: support ? support(chart.version) : { kind: "dated", endOfStandardSupport: "1970-01-01", next: "a release listed in CHART_SUPPORT", source: `chart ${chart.chart} has no row in CHART_SUPPORT (environments/lifecycle.ts)` },
    });
  }
  const actionPins = new Map(workflowActions(src.root).map((p) => [`${p.file}:${p.action}@${p.version}`, p]));
  for (const pin of actionPins.values()) {
    const newest = ACTION_SUPPORT[pin.action];
    rows.push({
      component: `action ${pin.action}`, version: pin.version, pinnedIn: `.github/workflows/${pin.file}`,
      support: newest
        ? { kind: "latest-only", latest: newest, policy: "action maintainers support their newest major only", source: `https://github.com/${pin.action}/releases` }
        : { kind: "dated", endOfStandardSupport: "1970-01-01", next: "a release listed in ACTION_SUPPORT", source: `action ${pin.action} has no row in ACTION_SUPPORT (environments/lifecycle.ts)` },
    });
  }
  for (const { file, version } of workflowValues(src.root, /node-version:\s*"?(\d+)"?/g)) {
    const eol = NODE_EOL[version];
    rows.push({ component: "Node.js (CI)", version, pinnedIn: `.github/workflows/${file} node-version`,
      support: eol ? { kind: "dated", endOfStandardSupport: eol, next: "26 (Active LTS since 2026-10-28, maintained until 2029-04-30)", source: "https://github.com/nodejs/Release" }
        : { kind: "dated", endOfStandardSupport: "1970-01-01", next: "an LTS line listed in NODE_EOL", source: "unknown Node.js line" } });
  }
  for (const { file, version } of workflowValues(src.root, /(?:TF_VERSION:|terraform_version:|default:)\s*"?(\d+\.\d+\.\d+)"?/g)) {
    const minor = version.split(".").slice(0, 2).join(".");
    const ended = TERRAFORM_ENDED[minor];
    rows.push({ component: "Terraform CLI (CI)", version, pinnedIn: `.github/workflows/${file}`,
      support: ended ? { kind: "dated", endOfStandardSupport: ended, next: "1.15.9", source: "https://endoflife.date/terraform" }
        : { kind: "no-date", policy: "HashiCorp supports the two newest minors (1.15, 1.14 on the checked date)", source: "https://endoflife.date/terraform" } });
  }
  const pkg = JSON.parse(readFileSync(join(src.root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const [name, version] of Object.entries(pkg.dependencies).filter(([n]) => n.startsWith("@cdktf/provider-"))) {
    const meta = JSON.parse(readFileSync(join(src.root, "node_modules", name, "package.json"), "utf8")) as { cdktf?: { isDeprecated?: boolean; provider?: { name: string; version: string } } };
    const upstream = meta.cdktf?.provider;
    rows.push({
      component: `Terraform provider ${upstream?.name ?? name} (via ${name})`, version: `${version} (${upstream?.name.split("/").pop()} ${upstream?.version ?? "?"})`, pinnedIn: "package.json",
      support: {
        kind: "no-date",
        policy: `HashiCorp stopped publishing prebuilt cdktf bindings (cdktf.isDeprecated = ${String(meta.cdktf?.isDeprecated ?? false)}); this is the final build, pinned to provider ${upstream?.version ?? "?"}, which gets no fixes through this package`,
        source: "https://github.com/cdktf/cdktf-repository-manager",
      },
    });
  }
  return rows;
}

/** `uses: owner/repo@sha # vX.Y.Z` lines of the workflows. */
export function workflowActions(root: string): { file: string; action: string; sha: string; version: string }[] {
  const out: { file: string; action: string; sha: string; version: string }[] = [];
  const dir = join(root, ".github", "workflows");
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(/uses: ([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40}) # (v[\d.]+)/g)) {
      // This repository's own actions (pipelines/…), pinned to one of its commits: they have no
      // upstream support window; release.yml's test ties the pin to the current source.
      if (m[2]?.startsWith("/pipelines/")) continue;
      out.push({ file, action: m[1]!, sha: m[3]!, version: m[4]! });
    }
  }
  return out;
}

function workflowValues(root: string, re: RegExp): { file: string; version: string }[] {
  const dir = join(root, ".github", "workflows");
  const seen = new Map<string, { file: string; version: string }>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(re)) seen.set(`${file}:${m[1]}`, { file, version: m[1]! });
  }
  return [...seen.values()];
}

/** The Cluster Autoscaler coupling: its image minor must equal the cluster's. */
export function autoscalerCoupling(kubernetesVersion: string): { ok: boolean; message: string } {
  const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion];
  const minor = tag ? /^v(\d+\.\d+)\./.exec(tag)?.[1] : undefined;
  return minor === kubernetesVersion
    ? { ok: true, message: `Cluster Autoscaler ${tag} matches Kubernetes ${kubernetesVersion}` }
    : { ok: false, message: `Cluster Autoscaler image for Kubernetes ${kubernetesVersion} is ${tag ?? "missing"}; its minor must be ${kubernetesVersion} (CLUSTER_AUTOSCALER_IMAGE_TAGS in modules/core/lifecycle.ts)` };
}

/**
 * Time-boxed exceptions: a failing row accepted until `until` (at most 14 days after
 * `LIFECYCLE_CHECKED_ON`) because its fix is in flight. Expired waivers fail the test, so they
 * are deleted, not forgotten.
 */
export interface Waiver {
  readonly component: string;
  readonly version: string;
  readonly until: string;
  readonly reason: string;
}

export const WAIVERS: readonly Waiver[] = [
];

/**
 * The synth-time warning for a chart whose support ends within `WARN_DAYS` (or has ended), or
 * that the table does not know; undefined when nothing is due.
 */
export function chartLifecycleWarning(chart: ChartRef, today: Date): string | undefined {
  const support = CHART_SUPPORT[chart.chart]?.(chart.version);
  if (!support) return `chart ${chart.chart} ${chart.version} has no row in CHART_SUPPORT (environments/lifecycle.ts): its support is unknown`;
  if (support.kind !== "dated") return undefined;
  const days = daysUntil(support.endOfStandardSupport, today);
  if (days > WARN_DAYS) return undefined;
  return `chart ${chart.chart} ${chart.version} ${days <= 0 ? "reached" : `reaches (in ${days} days)`} the end of its support on ${support.endOfStandardSupport}; move to ${support.next}`;
}
