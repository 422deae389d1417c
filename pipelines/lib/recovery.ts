/**
 * Recovery objectives measured by the restore drill: RTO is the time from the drill's start
 * (the moment the database is declared lost) until the restored copy is available; RPO is how
 * old the newest restorable data was at that moment (the snapshot's creation time).
 */
export interface DrillTimes {
  readonly startedAt: string;
  readonly snapshotTime: string;
  readonly availableAt: string;
}

export interface DrillResult {
  readonly rtoMinutes: number;
  readonly rpoMinutes: number;
  readonly rtoMet: boolean;
  readonly rpoMet: boolean;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function time(name: string, value: string): number {
  const ms = ISO_RE.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new Error(`${name} = ${JSON.stringify(value)} is invalid; must be an ISO 8601 time such as 2026-12-02T03:05:00Z`);
  return ms;
}

/** Measures a drill against the objectives; refuses times out of order. */
export function measureDrill(t: DrillTimes, objectives: { rtoHours: number; rpoHours: number }): DrillResult {
  const started = time("started-at", t.startedAt);
  const snapshot = time("snapshot-time", t.snapshotTime);
  const available = time("available-at", t.availableAt);
  if (snapshot > started) throw new Error(`snapshot-time ${t.snapshotTime} is after started-at ${t.startedAt}; the drill restores a snapshot that existed when it started`);
  if (available < started) throw new Error(`available-at ${t.availableAt} is before started-at ${t.startedAt}`);
  const rtoMinutes = Math.round((available - started) / 60000);
  const rpoMinutes = Math.round((started - snapshot) / 60000);
  return { rtoMinutes, rpoMinutes, rtoMet: rtoMinutes <= objectives.rtoHours * 60, rpoMet: rpoMinutes <= objectives.rpoHours * 60 };
}

const hm = (minutes: number) => `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;

/** The job summary: one table, achieved against target. */
export function drillSummary(r: DrillResult, objectives: { rtoHours: number; rpoHours: number }, context: { source: string; target: string; snapshot: string }): string {
  const mark = (ok: boolean) => (ok ? "✅ met" : "❌ missed");
  return [
    `### Restore drill: ${context.source} → ${context.target}`,
    "",
    `Snapshot \`${context.snapshot}\` restored into ${context.target}.`,
    "",
    "| Objective | Achieved | Target | Result |",
    "| --- | --- | --- | --- |",
    `| RTO (restore time) | ${hm(r.rtoMinutes)} | ${objectives.rtoHours} h | ${mark(r.rtoMet)} |`,
    `| RPO (age of the restored data) | ${hm(r.rpoMinutes)} | ${objectives.rpoHours} h | ${mark(r.rpoMet)} |`,
    "",
  ].join("\n");
}
