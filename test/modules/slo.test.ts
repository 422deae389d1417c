import { BURN_RATE_ALERTS, ServiceLevelObjectives, SloConfig, SloSpec, burnRate, errorRatioExpr, sloLineRegex, sloMetrics } from "../../modules/slo";
import { ACCESS_LOG_FORMAT } from "../../modules/ingress";
import { seedSlos } from "../../environments/shared";
import { resources, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

const DOMAIN = "learn.example.org";
const config: SloConfig = { windowDays: 30, objectives: seedSlos };

function build(c: SloConfig = config, retention = 31) {
  const stack = k8sStack();
  const slos = new ServiceLevelObjectives(stack, "slos", { domain: DOMAIN, config: c, prometheusRetentionDays: retention, namespace: "observability" });
  return { slos, json: synth(stack) };
}

/** A Gateway access-log line in ACCESS_LOG_FORMAT. */
function line(o: { request: string; status: number; host: string; seconds: string }): string {
  return ACCESS_LOG_FORMAT.replace("$remote_addr", "203.0.113.7").replace("$remote_user", "-").replace("$time_local", "02/Dec/2026:13:00:00 +0000")
    .replace('"$request"', `"${o.request}"`).replace("$status", String(o.status)).replace("$body_bytes_sent", "150")
    .replace("$http_referer", "-").replace("$http_user_agent", "Mozilla/5.0 (X11)").replace("$host", o.host).replace("$request_time", o.seconds);
}

/** The SLO's Alloy regex (RE2 named groups as JS ones) run on a line: the captures, or null when the line is not the SLO's. */
function captures(s: SloSpec, l: string): Record<string, string> | null {
  const stages = new ServiceLevelObjectives(k8sStack(), "x", { domain: DOMAIN, config: { windowDays: 30, objectives: [s] }, prometheusRetentionDays: 30, namespace: "o" }).alloyStages;
  const expr = /expression = `([^`]+)`/.exec(stages)![1]!;
  const m = l.match(new RegExp(expr.replace(/\(\?P</g, "(?<")));
  return m ? { ...m.groups } : null;
}

const slo = (name: string) => seedSlos.find((s) => s.name === name)!;

describe("ServiceLevelObjectives", () => {
  it("holds seed 002's targets: LMS 99.9 %, API p99 < 500 ms, authentication 99.99 %, enrollment 99.9 %", () => {
    expect(seedSlos.map((s) => [s.name, s.objectivePercent, s.sli])).toEqual([
      ["lms-availability", 99.9, { kind: "availability" }],
      ["api-latency", 99, { kind: "latency", thresholdSeconds: 0.5 }],
      ["authentication", 99.99, { kind: "availability" }],
      ["enrollment", 99.9, { kind: "availability" }],
    ]);
  });

  it("uses the SRE workbook's multi-window, multi-burn-rate pairs: 14.4x 1h/5m and 6x 6h/30m page, 1x 3d/6h tickets (30-day window)", () => {
    expect(BURN_RATE_ALERTS.map((a) => [a.long, a.short, burnRate(30, a), a.severity])).toEqual([
      ["1h", "5m", 14.4, "critical"], ["6h", "30m", 6, "critical"], ["3d", "6h", 1, "warning"],
    ]);
    // Same budget shares over a 7-day window: 2 % in 1 h is a 3.36x burn.
    expect(BURN_RATE_ALERTS.map((a) => burnRate(7, a))).toEqual([3.36, 1.4, 0.233]);
  });

  it("records each SLO's error ratio per window and alerts when both windows of a pair burn too fast", () => {
    const { slos } = build();
    const group = slos.ruleGroups.groups.find((g) => g.name === "slo-lms-availability") as { rules: Record<string, any>[] };
    const records = group.rules.filter((r) => r.record).map((r) => r.record);
    expect(records).toEqual(expect.arrayContaining(["slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30m", "slo:sli_error:ratio_rate1h",
      "slo:sli_error:ratio_rate6h", "slo:sli_error:ratio_rate3d", "slo:sli_error:ratio_rate30d", "slo:objective:ratio", "slo:error_budget_remaining:ratio"]));
    const alerts = group.rules.filter((r) => r.alert);
    expect(alerts.map((a) => [a.alert, a.labels.severity, a.expr])).toEqual([
      ["SloErrorBudgetBurn", "critical", 'slo:sli_error:ratio_rate1h{slo="lms-availability"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo="lms-availability"} > (14.4 * 0.001)'],
      ["SloErrorBudgetBurn", "critical", 'slo:sli_error:ratio_rate6h{slo="lms-availability"} > (6 * 0.001) and slo:sli_error:ratio_rate30m{slo="lms-availability"} > (6 * 0.001)'],
      ["SloErrorBudgetSlowBurn", "warning", 'slo:sli_error:ratio_rate3d{slo="lms-availability"} > (1 * 0.001) and slo:sli_error:ratio_rate6h{slo="lms-availability"} > (1 * 0.001)'],
    ]);
    const auth = slos.ruleGroups.groups.find((g) => g.name === "slo-authentication") as { rules: Record<string, any>[] };
    expect(auth.rules.find((r) => r.alert)!.expr).toContain("> (14.4 * 0.0001)");
    expect(group.rules.find((r) => r.record === "slo:error_budget_remaining:ratio")!.expr).toBe('1 - slo:sli_error:ratio_rate30d{slo="lms-availability"} / 0.001');
  });

  it("computes availability from the 5xx counter and latency from the histogram bucket at the threshold", () => {
    const m = sloMetrics("lms-availability");
    expect(errorRatioExpr(slo("lms-availability"), "1h")).toBe(`(sum(rate(${m.errors}[1h])) or vector(0)) / sum(rate(${m.duration}_count[1h]))`);
    const l = sloMetrics("api-latency");
    // Prometheus 3 stores an integer bound as "1.0", older exporters as "1": the matcher takes both.
    expect(errorRatioExpr(slo("api-latency"), "5m")).toBe(`1 - sum(rate(${l.duration}_bucket{le=~"0\\\\.5(\\\\.0+)?"}[5m])) / sum(rate(${l.duration}_count[5m]))`);
    expect(m.errors).toBe("loki_process_custom_slo_lms_availability_errors_total");
  });

  it("counts only the SLO's hosts and paths from Gateway log lines, with the status class and the request time", () => {
    const ok = line({ request: "POST /login_ajax HTTP/1.1", status: 200, host: `lms.${DOMAIN}`, seconds: "0.231" });
    expect(captures(slo("authentication"), ok)).toEqual({ slo_authentication_class: "2", slo_authentication_seconds: "0.231" });
    const failed = line({ request: "GET /oauth2/authorize?client_id=x HTTP/2.0", status: 503, host: `lms.${DOMAIN}`, seconds: "1.002" });
    expect(captures(slo("authentication"), failed)).toEqual({ slo_authentication_class: "5", slo_authentication_seconds: "1.002" });
    // Another path, another host, a look-alike host: not this SLO's.
    expect(captures(slo("authentication"), line({ request: "GET /courses HTTP/1.1", status: 500, host: `lms.${DOMAIN}`, seconds: "0.1" }))).toBeNull();
    expect(captures(slo("authentication"), line({ request: "POST /login HTTP/1.1", status: 500, host: `studio.${DOMAIN}`, seconds: "0.1" }))).toBeNull();
    expect(captures(slo("lms-availability"), line({ request: "GET / HTTP/1.1", status: 200, host: `lmsxlearn.example.org`, seconds: "0.1" }))).toBeNull();
    expect(captures(slo("lms-availability"), line({ request: "GET /dashboard HTTP/1.1", status: 502, host: `lms.${DOMAIN}`, seconds: "0.000" })))
      .toEqual({ slo_lms_availability_class: "5", slo_lms_availability_seconds: "0.000" });
    expect(captures(slo("enrollment"), line({ request: "POST /api/enrollment/v1/enrollment HTTP/1.1", status: 201, host: `lms.${DOMAIN}`, seconds: "0.4" })))
      .toEqual({ slo_enrollment_class: "2", slo_enrollment_seconds: "0.4" });
    // An NGINX error-log line is nobody's.
    expect(captures(slo("lms-availability"), "2026/12/02 13:00:00 [error] 12#12: *3 upstream timed out")).toBeNull();
  });

  it("feeds a histogram that has a bucket at the latency threshold, and the 5xx counter", () => {
    const { slos } = build();
    expect(slos.alloyStages).toMatch(/name += "slo_api_latency_request_duration_seconds"\n\s*description[^\n]*\n\s*source += "slo_api_latency_seconds"\n\s*buckets += \[0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10\]/);
    expect(slos.alloyStages).toMatch(/name += "slo_lms_availability_errors_total"[^}]*source += "slo_lms_availability_class"\n\s*value += "5"/);
    const odd = build({ windowDays: 30, objectives: [{ ...slo("api-latency"), sli: { kind: "latency", thresholdSeconds: 0.3 } }] }).slos;
    expect(odd.alloyStages).toContain("buckets     = [0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10]");
  });

  it("ships the error-budget dashboard to Grafana's sidecar, one row per SLO", () => {
    const { json } = build();
    const [cm] = resources(json, "kubernetes_config_map_v1");
    expect(cm!.metadata).toEqual({ name: "slo-error-budgets", namespace: "observability", labels: { grafana_dashboard: "1" } });
    const dash = JSON.parse(cm!.data["slo-error-budgets.json"]);
    expect(dash.time).toEqual({ from: "now-30d", to: "now" });
    expect(dash.panels).toHaveLength(seedSlos.length * 3);
    expect(dash.panels.map((p: any) => p.targets[0].expr)).toContain('slo:error_budget_remaining:ratio{slo="enrollment"}');
  });

  it.each<[string, Partial<SloSpec> | Partial<SloConfig>, number, string]>([
    ["objective 100", { objectivePercent: 100 }, 31, 'config.objectives[0].objectivePercent = 100 is invalid; must be a percentage strictly between 0 and 100 (100 leaves no error budget to alert on)'],
    ["objective 0", { objectivePercent: 0 }, 31, "config.objectives[0].objectivePercent = 0 is invalid; must be a percentage strictly between 0 and 100"],
    ["objective -5", { objectivePercent: -5 }, 31, "config.objectives[0].objectivePercent = -5 is invalid"],
    ["bad name", { name: "LMS_Availability" }, 31, 'config.objectives[0].name = "LMS_Availability" is invalid; must be a DNS label of at most 40 characters'],
    ["a full hostname", { subdomains: ["lms.learn.example.org."] }, 31, 'config.objectives[0].subdomains[0] = "lms.learn.example.org." is invalid; must be DNS labels under the domain'],
    ["a regex path", { pathPrefixes: ["/api/(v1|v2)"] }, 31, 'config.objectives[0].pathPrefixes[0] = "/api/(v1|v2)" is invalid; must be a path starting with /'],
    ["latency threshold 0", { sli: { kind: "latency", thresholdSeconds: 0 } }, 31, "config.objectives[0].sli.thresholdSeconds = 0 is invalid; must be a duration in seconds above 0 and at most 10"],
    ["retention too short", {}, 15, "prometheusRetentionDays = 15 is invalid; must be at least config.windowDays (30): the error budget is computed over the whole window"],
  ])("rejects %s at synth", (_, patch, retention, message) => {
    const objective = { ...seedSlos[0]!, ...(patch as Partial<SloSpec>) };
    expect(() => build({ windowDays: 30, objectives: [objective] }, retention)).toThrow(`ServiceLevelObjectives slos: ${message}`);
  });

  it("rejects repeated names and windows outside 7-90 days", () => {
    expect(() => build({ windowDays: 30, objectives: [seedSlos[0]!, seedSlos[0]!] })).toThrow('config.objectives[].name = ["lms-availability","lms-availability"] is invalid; must not repeat values');
    expect(() => build({ windowDays: 120, objectives: seedSlos }, 200)).toThrow("config.windowDays = 120 is invalid; must be an integer from 7 to 90");
  });

  it("the regex builder escapes hosts and paths (a dot is a dot)", () => {
    expect(sloLineRegex("x", "lms\\.a\\.b", "/api/")).toContain('"(?:lms\\.a\\.b)"');
  });
});
