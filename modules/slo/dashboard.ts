import type { SloConfig } from "./index";

/**
 * Grafana dashboard (schema 39) of the SLOs: per SLO, the SLI over the window against its
 * objective, the error budget left, and the budget's burn-down over the window (seed 002's
 * "error budget burndown (30 days)"). It reads only the recording rules of `sloRules`.
 */
export function sloDashboard(config: SloConfig) {
  const window = `${config.windowDays}d`;
  const ds = { type: "prometheus", uid: "prometheus" };
  const panels = config.objectives.flatMap((s, i) => {
    const y = i * 8;
    const sel = `{slo="${s.name}"}`;
    return [
      {
        id: i * 3 + 1, type: "stat", title: `${s.name}: SLI over ${window} (objective ${s.objectivePercent}%)`, datasource: ds,
        gridPos: { x: 0, y, w: 6, h: 8 },
        targets: [{ refId: "A", datasource: ds, expr: `1 - slo:sli_error:ratio_rate${window}${sel}` }],
        fieldConfig: { defaults: { unit: "percentunit", decimals: 3, thresholds: { mode: "absolute", steps: [{ color: "red", value: null }, { color: "green", value: s.objectivePercent / 100 }] } }, overrides: [] },
      },
      {
        id: i * 3 + 2, type: "stat", title: `${s.name}: error budget left`, datasource: ds,
        gridPos: { x: 6, y, w: 6, h: 8 },
        targets: [{ refId: "A", datasource: ds, expr: `slo:error_budget_remaining:ratio${sel}` }],
        fieldConfig: { defaults: { unit: "percentunit", decimals: 1, thresholds: { mode: "absolute", steps: [{ color: "red", value: null }, { color: "orange", value: 0.25 }, { color: "green", value: 0.5 }] } }, overrides: [] },
      },
      {
        id: i * 3 + 3, type: "timeseries", title: `${s.name}: error budget burn-down (${window})`, datasource: ds,
        gridPos: { x: 12, y, w: 12, h: 8 },
        targets: [{ refId: "A", datasource: ds, expr: `slo:error_budget_remaining:ratio${sel}`, legendFormat: s.description }],
        fieldConfig: { defaults: { unit: "percentunit", min: 0, max: 1 }, overrides: [] },
      },
    ];
  });
  return {
    uid: "slo-error-budgets",
    title: "SLOs and error budgets",
    tags: ["slo"],
    schemaVersion: 39,
    editable: false,
    time: { from: `now-${window}`, to: "now" },
    refresh: "5m",
    panels,
  };
}
