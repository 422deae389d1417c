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

/** Throws a ValidationError unless `ok`. */
export function check(ok: boolean, where: string, prop: string, value: unknown, allowed: string): void {
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
