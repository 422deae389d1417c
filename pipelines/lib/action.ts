/**
 * The runner contract every action here shares: inputs from `INPUT_*`, outputs to
 * `$GITHUB_OUTPUT`, the human summary to `$GITHUB_STEP_SUMMARY`, failures as an error
 * annotation and exit code 1. Through @actions/core, so the actions behave exactly as on a
 * GitHub runner, and on a laptop with plain environment variables.
 */
import * as core from "@actions/core";

export { core };

/**
 * An input. GitHub sets `INPUT_<NAME>` with the name upper-cased and hyphens kept
 * (`INPUT_PLAN-JSON`); for shells that cannot set such a name, `INPUT_PLAN_JSON` works too.
 */
export function input(name: string, options: { required?: boolean; fallback?: string } = {}): string {
  const value = core.getInput(name) || (process.env[`INPUT_${name.replace(/[ -]/g, "_").toUpperCase()}`] ?? "").trim();
  if (value) return value;
  if (options.fallback !== undefined) return options.fallback;
  if (options.required) throw new Error(`input "${name}" is required (set INPUT_${name.toUpperCase()})`);
  return "";
}

/** A non-negative integer input, refused (never clamped) when it is anything else. */
export function intInput(name: string, fallback: number, max: number): number {
  const raw = input(name, { fallback: String(fallback) });
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > max) throw new Error(`input "${name}" = ${JSON.stringify(raw)} is invalid; must be an integer from 0 to ${max}`);
  return n;
}

/** Appends markdown to the job summary when the runner provides one. */
export async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write();
}

/** Runs an action's main function; any error fails the step with its message. */
export function run(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    core.setFailed(err instanceof Error ? err.message : String(err));
  });
}
