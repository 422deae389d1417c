/**
 * Synth-time validation. Every message names the construct path, the prop, the value
 * received and what is allowed, so a bad config fails at `cdktf synth` with a sentence a
 * person can act on instead of a Terraform-time API error.
 */
export class ValidationError extends Error {
  constructor(where: string, prop: string, value: unknown, allowed: string) {
    super(`${where}: ${prop} ${describe(value)} is invalid; ${allowed}`);
    this.name = "ValidationError";
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return `= ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
}

/** Throws a ValidationError unless `ok` (an assertion: after it, TypeScript knows `ok` held). */
export function check(ok: boolean, where: string, prop: string, value: unknown, allowed: string): asserts ok {
  if (!ok) throw new ValidationError(where, prop, value, allowed);
}

/** An integer in [min, max]. */
export function checkInt(where: string, prop: string, value: number, min: number, max: number): void {
  check(Number.isInteger(value) && value >= min && value <= max, where, prop, value, `must be an integer from ${min} to ${max}`);
}

/** One of a fixed set of values. */
export function checkOneOf<T>(where: string, prop: string, value: T, allowed: readonly T[]): void {
  check(allowed.includes(value), where, prop, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
}

/** A non-empty list without duplicates. */
export function checkUniqueList(where: string, prop: string, value: readonly string[], min = 1): void {
  check(value.length >= min, where, prop, value, `must list at least ${min} value(s)`);
  const dupes = value.filter((v, i) => value.indexOf(v) !== i);
  check(dupes.length === 0, where, prop, value, `must not repeat values (repeated: ${[...new Set(dupes)].join(", ")})`);
}

/**
 * CloudWatch Logs accepts only these retention periods; anything else is an API error at
 * apply, so it is caught here instead.
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function checkLogRetention(where: string, prop: string, days: number): void {
  check((LOG_RETENTION_DAYS as readonly number[]).includes(days), where, prop, days,
    `must be a CloudWatch Logs retention period: ${LOG_RETENTION_DAYS.join(", ")}`);
}

/** Range of each field of a five-field cron expression (minute, hour, day of month, month, day of week; 7 is Sunday too). */
const CRON_FIELDS = [["minute", 0, 59], ["hour", 0, 23], ["day of month", 1, 31], ["month", 1, 12], ["day of week", 0, 7]] as const;

/**
 * A five-field cron expression (robfig/cron, which Velero uses, in its standard mode): each field
 * `*`, `*\/n`, `a`, `a-b` or `a-b/n`, comma-separated, every number inside the field's range.
 * A shape-only regex accepts `0 25 * * *`, which the controller rejects after apply.
 */
export function checkCron(where: string, prop: string, cron: string): void {
  const fields = typeof cron === "string" ? cron.trim().split(/\s+/) : [];
  check(fields.length === 5, where, prop, cron, "must be a five-field cron expression such as 0 */6 * * * (minute hour day-of-month month day-of-week)");
  fields.forEach((field, i) => {
    const [name, min, max] = CRON_FIELDS[i]!;
    const ok = field.split(",").every((part) => {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return false;
      const [lo, hi, step] = [m[2], m[3], m[4]].map((v) => (v === undefined ? undefined : Number(v)));
      if (step !== undefined && step < 1) return false;
      if (lo === undefined) return true;
      return lo >= min && lo <= max && (hi === undefined || (hi >= lo && hi <= max));
    });
    check(ok, where, prop, cron, `must have its ${name} field (${JSON.stringify(field)}) within ${min}-${max} (*, n, a-b, */n or a-b/n, comma-separated)`);
  });
}

/** A Kubernetes label (or taint) key: `[prefix/]name`, the name up to 63 characters. */
export const LABEL_KEY_RE = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A Kubernetes label (or taint) value: at most 63 characters, alphanumerics with -_. inside. */
export function checkLabelValue(where: string, prop: string, value: string): void {
  check(typeof value === "string" && value.length <= 63 && LABEL_VALUE_RE.test(value), where, prop, value,
    "must be a Kubernetes label value: at most 63 characters, letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)");
}

const TAG_VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** An AWS tag value: at most 256 characters of letters, spaces, digits and _ . : / = + - @ (the tagging API's rule). */
export function checkTagValue(where: string, prop: string, value: string): void {
  check(typeof value === "string" && value.length <= 256 && TAG_VALUE_RE.test(value), where, prop, value,
    "must be an AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @");
}
