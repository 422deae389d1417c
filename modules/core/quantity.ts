import { check } from "./validation";

/**
 * Kubernetes resource quantities for CPU and memory, as whole numbers so sums and
 * comparisons are exact: CPU in millicores, memory in bytes.
 *
 * Accepted: a plain or decimal number with an optional suffix: `m` (milli), the decimal
 * `k M G T P E` or the binary `Ki Mi Gi Ti Pi Ei` (e.g. "500m", "2", "0.5", "512Mi", "4Gi",
 * "1G"). The API server also takes exponents ("1e3"); config has no need for them, so they
 * are rejected rather than half-supported. A CPU finer than 1m and a fraction of a byte are
 * rejected too (the API server would round them, silently changing what was asked for).
 */
export type QuantityKind = "cpu" | "memory";

const QUANTITY_RE = /^(\d+(?:\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTOR: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Millicores (cpu) or bytes (memory); undefined when `text` is not a quantity of that kind. */
export function parseQuantity(text: string, kind: QuantityKind): number | undefined {
  const m = typeof text === "string" ? QUANTITY_RE.exec(text) : null;
  if (!m) return undefined;
  // Scale in two steps so "0.5" CPU is exactly 500 and "1.5Gi" exactly 1610612736.
  const value = Number(m[1]) * FACTOR[m[2] ?? ""]! * (kind === "cpu" ? 1000 : 1);
  const rounded = Math.round(value);
  if (Math.abs(value - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) return undefined;
  return rounded;
}

/** The canonical text: whole cores as "2", else "1500m"; memory in the largest exact binary unit. */
export function formatQuantity(value: number, kind: QuantityKind): string {
  if (kind === "cpu") return value % 1000 === 0 ? String(value / 1000) : `${value}m`;
  for (const unit of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    if (value !== 0 && value % FACTOR[unit]! === 0) return `${value / FACTOR[unit]!}${unit}`;
  }
  return String(value);
}

/** Parses or throws a ValidationError naming the prop and the accepted forms. */
export function requireQuantity(where: string, prop: string, text: string, kind: QuantityKind): number {
  const value = parseQuantity(text, kind);
  check(value !== undefined && value > 0, where, prop, text, kind === "cpu"
    ? 'must be a positive CPU quantity in cores or millicores, e.g. "500m" or "2" (at least 1m)'
    : 'must be a positive memory quantity in bytes with an optional suffix, e.g. "512Mi" or "4Gi"');
  return value!;
}
