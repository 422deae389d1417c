/**
 * restore-drill: reports a restore drill's achieved RTO and RPO against the targets (seed 001:
 * 4 h / 24 h) in the job summary and as outputs, and fails the step when either is missed, so
 * a drill that would not meet the objectives is a red run, not a footnote.
 */
import { core, input, run, writeSummary } from "../../lib/action";
import { drillSummary, measureDrill } from "../../lib/recovery";

run(async () => {
  const objectives = { rtoHours: Number(input("rto-hours", { required: true })), rpoHours: Number(input("rpo-hours", { required: true })) };
  for (const [name, v] of Object.entries(objectives)) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`input "${name}" = ${v} is invalid; must be a positive number of hours`);
  }
  const result = measureDrill({ startedAt: input("started-at", { required: true }), snapshotTime: input("snapshot-time", { required: true }), availableAt: input("available-at", { required: true }) }, objectives);
  core.setOutput("rto-minutes", result.rtoMinutes);
  core.setOutput("rpo-minutes", result.rpoMinutes);
  core.setOutput("met", String(result.rtoMet && result.rpoMet));
  const summary = drillSummary(result, objectives, { source: input("source", { required: true }), target: input("target", { required: true }), snapshot: input("snapshot", { required: true }) });
  core.info(summary);
  await writeSummary(summary);
  if (!result.rtoMet || !result.rpoMet) {
    throw new Error(`the drill missed its objectives: RTO ${result.rtoMinutes} min (target ${objectives.rtoHours * 60}), RPO ${result.rpoMinutes} min (target ${objectives.rpoHours * 60})`);
  }
});
