import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DNS_LABEL_RE, checkDnsName } from "../core/dns";
import { check, checkInt, checkUniqueList } from "../core/validation";
import { sloDashboard } from "./dashboard";

/** What makes a request good. */
export type Sli =
  /** Good = not a 5xx response (NGINX's own 502/503/504 for a dead upstream count as bad). */
  | { readonly kind: "availability" }
  /** Good = served within `thresholdSeconds` (NGINX `$request_time`, first byte read to last byte sent). */
  | { readonly kind: "latency"; readonly thresholdSeconds: number };

/** One service-level objective over the platform Gateway's requests. */
export interface SloSpec {
  /** DNS label, e.g. `lms-availability` (the `slo` label of its rules and alerts). */
  readonly name: string;
  /** What it promises, for the alert summary and the dashboard. */
  readonly description: string;
  /** Share of good requests over the window, in percent, strictly between 0 and 100 (99.9). */
  readonly objectivePercent: number;
  readonly sli: Sli;
  /** Hostnames the SLO covers, under the environment's domain (`lms` for `lms.<domain>`). */
  readonly subdomains: readonly string[];
  /**
   * Request-path prefixes the SLO covers (literal, matched at the path's start).
   * @default every path
   */
  readonly pathPrefixes?: readonly string[];
}

/** An environment's SLOs: config, not code (environments/shared.ts holds seed 002's). */
export interface SloConfig {
  /** Length of the rolling window the objectives and error budgets are over (seed 002: 30 days). */
  readonly windowDays: number;
  readonly objectives: readonly SloSpec[];
}

/**
 * Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs", table 5-8):
 * each fires when both its long and short window burn the budget faster than the share of
 * the budget it names would allow in the long window; the short window makes it reset
 * quickly once the burn stops. For a 30-day window the burn rates are 14.4, 6 and 1.
 */
export const BURN_RATE_ALERTS = [
  { long: "1h", short: "5m", budgetPercent: 2, severity: "critical" },
  { long: "6h", short: "30m", budgetPercent: 5, severity: "critical" },
  { long: "3d", short: "6h", budgetPercent: 10, severity: "warning" },
] as const;

const HOURS: Record<string, number> = { "5m": 1 / 12, "30m": 0.5, "1h": 1, "6h": 6, "3d": 72 };

/** Burn rate that spends `budgetPercent` of a `windowDays` budget in `long`. */
export function burnRate(windowDays: number, alert: { long: string; budgetPercent: number }): number {
  return Math.round(((alert.budgetPercent / 100) * windowDays * 24 / HOURS[alert.long]!) * 1000) / 1000;
}

/** Histogram buckets of every SLO's request durations (a latency threshold is added when missing). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Counters the Gateway's access log feeds, through Alloy (`loki_process_custom_` is stage.metrics' prefix). */
export function sloMetrics(name: string) {
  const id = name.replace(/-/g, "_");
  return {
    id,
    errors: `loki_process_custom_slo_${id}_errors_total`,
    duration: `loki_process_custom_slo_${id}_request_duration_seconds`,
  };
}

export interface ServiceLevelObjectivesProps {
  /** The environment's apex domain; `subdomains` are under it. */
  readonly domain: string;
  readonly config: SloConfig;
  /** Prometheus retention: the longest window (the SLO window, the 3-day ticket window) must fit. */
  readonly prometheusRetentionDays: number;
  /** Namespace of Grafana (its dashboard sidecar loads ConfigMaps labelled `grafana_dashboard`). */
  readonly namespace: string;
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Seed 002's SLOs measured at the platform Gateway, the closest point to users the platform
 * owns (CloudFront's own errors are in its metrics, not here). NGINX OSS under NGINX Gateway
 * Fabric exports no per-request metrics (only stub_status connection counts), so the SLIs come
 * from its access log, extended with `$host` and `$request_time`, which Alloy turns into a
 * duration histogram and a 5xx counter per SLO (`alloyStages`). Recording rules compute each
 * SLO's error ratio over the burn-rate windows and its window; alerts follow the SRE
 * workbook's multi-window, multi-burn-rate method; critical ones page through Alertmanager's
 * on-call route, warnings (tickets) go to the alarm topic. A Grafana dashboard shows each
 * SLO's SLI and the error budget left over the window.
 */
export class ServiceLevelObjectives extends Construct {
  /** Prometheus rule groups (kube-prometheus-stack `additionalPrometheusRulesMap` entry). */
  public readonly ruleGroups: { readonly groups: readonly Record<string, unknown>[] };
  /** Alloy `loki.process` stages that count each SLO's requests from the Gateway access log. */
  public readonly alloyStages: string;
  public readonly dashboard: ConfigMapV1;

  constructor(scope: Construct, id: string, props: ServiceLevelObjectivesProps) {
    super(scope, id);
    const where = `ServiceLevelObjectives ${id}`;
    const { config } = props;
    checkSloConfig(where, config, props.prometheusRetentionDays);
    checkDnsName(where, "domain", props.domain);
    this.ruleGroups = sloRules(config);
    this.alloyStages = config.objectives.map((s) => alloyStage(s, props.domain)).join("\n");
    this.dashboard = new ConfigMapV1(this, "dashboard", {
      metadata: { name: "slo-error-budgets", namespace: props.namespace, labels: { grafana_dashboard: "1" } },
      data: { "slo-error-budgets.json": JSON.stringify(sloDashboard(config)) },
      dependsOn: props.dependsOn,
    });
  }
}

/** Synth-time rules: objectives strictly inside (0, 100), unique DNS-label names, windows that fit Prometheus's retention. */
export function checkSloConfig(where: string, config: SloConfig, retentionDays: number): void {
  checkInt(where, "config.windowDays", config.windowDays, 7, 90);
  check(retentionDays >= config.windowDays, where, "prometheusRetentionDays", retentionDays,
    `must be at least config.windowDays (${config.windowDays}): the error budget is computed over the whole window`);
  checkUniqueList(where, "config.objectives[].name", config.objectives.map((s) => s.name));
  config.objectives.forEach((s, i) => {
    const p = `config.objectives[${i}]`;
    check(DNS_LABEL_RE.test(s.name) && s.name.length <= 40, where, `${p}.name`, s.name, "must be a DNS label of at most 40 characters");
    check(typeof s.objectivePercent === "number" && s.objectivePercent > 0 && s.objectivePercent < 100, where, `${p}.objectivePercent`, s.objectivePercent,
      "must be a percentage strictly between 0 and 100 (100 leaves no error budget to alert on)");
    check(s.description.trim().length > 0, where, `${p}.description`, s.description, "must say what the objective promises");
    checkUniqueList(where, `${p}.subdomains`, s.subdomains);
    s.subdomains.forEach((d, j) => check(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(d), where, `${p}.subdomains[${j}]`, d,
      "must be DNS labels under the domain, such as lms or apps.lms"));
    (s.pathPrefixes ?? []).forEach((x, j) => check(/^\/[A-Za-z0-9._~\-/]*$/.test(x), where, `${p}.pathPrefixes[${j}]`, x,
      "must be a path starting with / of letters, digits and . _ ~ - /"));
    if (s.sli.kind === "latency") {
      const t = s.sli.thresholdSeconds;
      check(typeof t === "number" && t > 0 && t <= 10, where, `${p}.sli.thresholdSeconds`, t, "must be a duration in seconds above 0 and at most 10");
    }
  });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The le label of a bucket bound; Prometheus 3 stores integers as `1.0`, older exporters as `1`. */
const leMatcher = (bound: number) => `le=~"${escapeRe(String(bound)).replace(/\\/g, "\\\\")}(\\\\.0+)?"`;

/** Error ratio of one SLO over `window`, as PromQL. */
export function errorRatioExpr(s: SloSpec, window: string): string {
  const m = sloMetrics(s.name);
  const total = `sum(rate(${m.duration}_count[${window}]))`;
  if (s.sli.kind === "availability") return `(sum(rate(${m.errors}[${window}])) or vector(0)) / ${total}`;
  return `1 - sum(rate(${m.duration}_bucket{${leMatcher(s.sli.thresholdSeconds)}}[${window}])) / ${total}`;
}

/** Recording rules (error ratio per window, objective) and the burn-rate alerts. */
export function sloRules(config: SloConfig) {
  const window = `${config.windowDays}d`;
  const windows = [...new Set([...BURN_RATE_ALERTS.flatMap((a) => [a.short, a.long]), window])];
  const ratio = (w: string) => `slo:sli_error:ratio_rate${w}`;
  return {
    groups: config.objectives.map((s) => {
      const budget = Math.round((1 - s.objectivePercent / 100) * 1e9) / 1e9;
      const labels = { slo: s.name };
      return {
        name: `slo-${s.name}`,
        rules: [
          ...windows.map((w) => ({ record: ratio(w), expr: errorRatioExpr(s, w), labels })),
          { record: "slo:objective:ratio", expr: `vector(${s.objectivePercent / 100})`, labels },
          { record: "slo:error_budget_remaining:ratio", expr: `1 - ${ratio(window)}{slo="${s.name}"} / ${budget}`, labels },
          ...BURN_RATE_ALERTS.map((a) => {
            const rate = burnRate(config.windowDays, a);
            return {
              alert: a.severity === "critical" ? "SloErrorBudgetBurn" : "SloErrorBudgetSlowBurn",
              expr: `${ratio(a.long)}{slo="${s.name}"} > (${rate} * ${budget}) and ${ratio(a.short)}{slo="${s.name}"} > (${rate} * ${budget})`,
              labels: { severity: a.severity, slo: s.name, long_window: a.long },
              annotations: {
                summary: `SLO ${s.name} (${s.objectivePercent}%: ${s.description}) burns its ${config.windowDays}-day error budget ${rate}x too fast over ${a.long} and ${a.short}`,
                description: `At this rate ${a.budgetPercent}% of the budget is gone within ${a.long}. docs/on-call-slos.md says what to do.`,
              },
            };
          }),
        ],
      };
    }),
  };
}

/**
 * One SLO's Alloy stages: a regex over the Gateway's access-log line (format in
 * modules/ingress `ACCESS_LOG_FORMAT`) that only matches the SLO's hosts and paths, and
 * metrics fed from its captures (a stage.metrics metric counts only entries whose source was
 * extracted, so other requests are not counted).
 */
export function alloyStage(s: SloSpec, domain: string): string {
  const { id } = sloMetrics(s.name);
  const hosts = s.subdomains.map((d) => escapeRe(`${d}.${domain}`)).join("|");
  const paths = (s.pathPrefixes?.length ? s.pathPrefixes : ["/"]).map(escapeRe).join("|");
  const regex = sloLineRegex(id, hosts, paths);
  const buckets = [...new Set([...DURATION_BUCKETS, ...(s.sli.kind === "latency" ? [s.sli.thresholdSeconds] : [])])].sort((a, b) => a - b);
  return `    stage.regex {
      expression = \`${regex}\`
    }
    stage.metrics {
      metric.histogram {
        name        = "slo_${id}_request_duration_seconds"
        description = "Durations of requests in SLO ${s.name}"
        source      = "slo_${id}_seconds"
        buckets     = [${buckets.join(", ")}]
      }
      metric.counter {
        name        = "slo_${id}_errors_total"
        description = "5xx responses in SLO ${s.name}"
        source      = "slo_${id}_class"
        value       = "5"
        action      = "inc"
      }
    }`;
}

/** The line regex (RE2) of one SLO: combined format, then `"$host" $request_time`. */
export function sloLineRegex(id: string, hosts: string, paths: string): string {
  return String.raw`^\S+ \S+ \S+ \[[^\]]*\] "\S+ (?:${paths})[^ "]* [^"]*" (?P<slo_${id}_class>[1-5])\d\d \S+ "[^"]*" "[^"]*" "(?:${hosts})" (?P<slo_${id}_seconds>\d+(?:\.\d+)?)$`;
}
