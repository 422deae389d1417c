import { join } from "path";
import { Testing } from "cdktf";
import { EnvironmentStack, RegistryEnvironment, awsEnvironments, environments, isSelfHosted } from "../../environments";
import { platformCharts } from "../../environments/shared";
import {
  ACTION_SUPPORT, autoscalerCoupling, CHART_SUPPORT, chartLifecycleWarning, evaluate, LIFECYCLE_CHECKED_ON, PinnedComponent, pinnedComponents, WAIVERS, workflowActions,
} from "../../environments/lifecycle";
import { daysUntil, FAIL_DAYS, PRODUCTS } from "../../modules/core/lifecycle";

const ROOT = join(__dirname, "..", "..");
const envs = Object.values(awsEnvironments);
const selfHosted = Object.values(environments as Readonly<Record<string, RegistryEnvironment>>).filter(isSelfHosted);
const rows = pinnedComponents({ environments: envs, selfHosted, platformCharts: { ...platformCharts }, root: ROOT });
/** The real current date: the gate is about deploy day, not the day the table was written. */
const today = new Date();

describe("lifecycle table", () => {
  it("lists every kind of pinned component", () => {
    const kinds = new Set(rows.map((r) => r.component.replace(/ \(.*$/, "").replace(/^(chart|action) .*/, "$1")));
    expect([...kinds].sort()).toEqual(expect.arrayContaining([
      "DocumentDB", "EKS Kubernetes", "ElastiCache valkey", "Node.js", "OpenSearch Service engine", "RDS MySQL", "Terraform CLI", "action", "chart",
    ]));
    expect(rows.filter((r) => r.component.startsWith("Terraform provider")).map((r) => r.component)).toEqual(expect.arrayContaining([
      expect.stringContaining("registry.terraform.io/hashicorp/aws"), expect.stringContaining("registry.terraform.io/hashicorp/helm"),
      expect.stringContaining("registry.terraform.io/hashicorp/kubernetes"), expect.stringContaining("registry.terraform.io/cloudflare/cloudflare"),
    ]));
  });

  it("has a support row for every chart in platformCharts and every action in the workflows, versions read from where they are pinned", () => {
    for (const chart of Object.values(platformCharts)) {
      expect([chart.chart, CHART_SUPPORT[chart.chart] !== undefined]).toEqual([chart.chart, true]);
      expect(rows).toContainEqual(expect.objectContaining({ component: `chart ${chart.chart}`, version: chart.version }));
    }
    const actions = workflowActions(ROOT);
    expect(actions.length).toBeGreaterThan(10);
    for (const a of actions) expect([a.action, ACTION_SUPPORT[a.action] !== undefined]).toEqual([a.action, true]);
    for (const env of envs) {
      expect(rows).toContainEqual(expect.objectContaining({ component: `EKS Kubernetes (${env.name})`, version: env.cluster.kubernetesVersion }));
    }
  });

  it("no pinned version is past its end of standard support or within 90 days of it (nor behind a latest-only release)", () => {
    const failures = rows
      .map((row) => ({ row, result: evaluate(row, today, FAIL_DAYS) }))
      .filter(({ row, result }) => !result.ok && !WAIVERS.some((w) => w.component === row.component && w.version === row.version && daysUntil(w.until, today) >= 0))
      .map(({ result }) => result.message);
    expect(failures).toEqual([]);
  });

  it("keeps waivers short and deletes them once expired", () => {
    for (const w of WAIVERS) {
      expect([w.component, daysUntil(w.until, new Date(`${LIFECYCLE_CHECKED_ON}T00:00:00Z`)) <= 14]).toEqual([w.component, true]);
      expect([w.component, `waiver expired ${w.until}`, daysUntil(w.until, today) >= 0]).toEqual([w.component, `waiver expired ${w.until}`, true]);
      expect(w.reason.length).toBeGreaterThan(20);
    }
  });

  it("fails a row past its date or within 90 days, naming the component, the date and the next version", () => {
    const row = (version: string, end: string): PinnedComponent => ({
      component: "EKS Kubernetes (production)", version, pinnedIn: "environments/production.ts cluster.kubernetesVersion",
      support: { kind: "dated", endOfStandardSupport: end, next: "1.36", source: "calendar" },
    });
    const at = new Date("2026-12-02T00:00:00Z");
    expect(evaluate(row("1.33", "2026-07-29"), at, 90)).toEqual({ ok: false, message:
      "EKS Kubernetes (production) 1.33 (environments/production.ts cluster.kubernetesVersion): end of standard support 2026-07-29 (126 days ago); move to 1.36 [calendar]" });
    expect(evaluate(row("1.35", "2027-03-02"), at, 90)).toMatchObject({ ok: false, message: expect.stringContaining("end of standard support 2027-03-02 (in 90 days); move to 1.36") });
    expect(evaluate(row("1.35", "2027-03-03"), at, 90).ok).toBe(true);
    const chart: PinnedComponent = { component: "chart velero", version: "10.0.10", pinnedIn: "platformCharts", support: CHART_SUPPORT["velero"]!("10.0.10") };
    expect(evaluate(chart, at, 90)).toMatchObject({ ok: false, message: expect.stringMatching(/chart velero 10.0.10 .*not the newest release 12.1.0 .*move to 12.1.0/) });
    expect(evaluate({ ...chart, component: "chart cert-manager", version: "v1.18.2", support: CHART_SUPPORT["cert-manager"]!("v1.18.2") }, at, 90).message)
      .toMatch(/end of standard support 2026-03-10 .*move to v1.21.1/);
  });

  it("checks the engines each environment runs against their vendor calendars", () => {
    const prod = rows.filter((r) => r.component.endsWith("(production)"));
    expect(prod.map((r) => [r.component, r.version])).toEqual([
      ["EKS Kubernetes (production)", "1.36"], ["RDS MySQL (production)", "8.4"], ["OpenSearch Service engine (production)", "OpenSearch_2.19"],
      ["DocumentDB (production)", "5.0.0"], ["ElastiCache valkey (production)", "8.0"],
      ["RDS PostgreSQL (production)", "17"], ["Amazon MQ RabbitMQ (production)", "4.2"],
    ]);
    expect(prod[0]!.support).toMatchObject({ kind: "dated", endOfStandardSupport: "2027-08-02" });
    expect(prod[1]!.support).toMatchObject({ kind: "dated", endOfStandardSupport: "2029-07-31" });
    expect(PRODUCTS.eks.releases[0].version).toBe("1.36");
  });

  it("keeps the Cluster Autoscaler's minor equal to every cluster's", () => {
    for (const env of envs) {
      const coupling = autoscalerCoupling(env.cluster.kubernetesVersion);
      expect([env.name, coupling.message, coupling.ok]).toEqual([env.name, coupling.message, true]);
    }
    expect(autoscalerCoupling("1.34")).toEqual({ ok: false, message: expect.stringContaining("Cluster Autoscaler image for Kubernetes 1.34 is missing") });
  });

  it("warns at synth 180 days before a chart's support ends, and for charts the table does not know", () => {
    const cm = { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.19.6" };
    expect(chartLifecycleWarning(cm, new Date("2026-01-10T00:00:00Z"))).toBe("chart cert-manager v1.19.6 reaches (in 179 days) the end of its support on 2026-07-08; move to v1.21.1");
    expect(chartLifecycleWarning(cm, new Date("2026-01-08T00:00:00Z"))).toBeUndefined();
    expect(chartLifecycleWarning({ ...cm, version: "v1.21.1" }, today)).toBeUndefined();
    expect(chartLifecycleWarning({ ...cm, chart: "mystery" }, today)).toMatch(/chart mystery v1.19.6 has no row in CHART_SUPPORT/);
  });

  it("rejects an environment config past end of standard support at synth unless it accepts extended support with a reason", () => {
    const prod = environments.production;
    const stack = (config: typeof prod) => () => new EnvironmentStack(Testing.app(), config);
    expect(stack({ ...prod, data: { ...prod.data, mysql: { ...prod.data.mysql, engineVersion: "8.0" } } }))
      .toThrow(/RdsMysql mysql: engineVersion = "8.0" is invalid; reached the end of Amazon RDS for MySQL standard support on 2026-07-31 .*use a supported version \(8.4\), or set extendedSupport/);
    expect(stack({ ...prod, cluster: { ...prod.cluster, kubernetesVersion: "1.34" } }))
      .toThrow(/EksCluster cluster: kubernetesVersion = "1.34" is invalid; reached the end of Amazon EKS Kubernetes standard support on 2026-12-02 .*\(1.36, 1.35\)/);
    const accepted = new EnvironmentStack(Testing.app(), {
      ...prod, data: { ...prod.data, mysql: { ...prod.data.mysql, engineVersion: "8.0", extendedSupport: { reason: "blue/green to 8.4 on 2027-01-10 (OPS-77)" } } },
    });
    expect(accepted.data.mysql.node.metadata.map((m) => String(m.data))).toEqual([expect.stringMatching(/engineVersion 8.0 is past the end .*accepted: blue\/green/)]);
    // A disposable environment (the sandbox) runs it with a warning instead.
    const sandbox = environments.sandbox;
    const sb = new EnvironmentStack(Testing.app(), { ...sandbox, data: { ...sandbox.data, mysql: { ...sandbox.data.mysql, engineVersion: "8.0" } } });
    expect(sb.data.mysql.node.metadata.map((m) => String(m.data))).toEqual([expect.stringMatching(/engineVersion 8.0 is past the end/)]);
  });
});
