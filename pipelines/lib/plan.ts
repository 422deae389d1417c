/**
 * Reading `terraform show -json <planfile>` output: strict parsing with errors a person can
 * act on, and Terraform's own arithmetic for the summary (a replace counts once in "add" and
 * once in "destroy", data-source reads and no-ops count nowhere).
 *
 * Pure functions, no @actions/core: the tests import this directly.
 */

/** One entry of `resource_changes` / `resource_drift` (the fields this library reads). */
export interface ResourceChange {
  /** Absent on `resource_drift` entries of Terraform 1.0; `label()` rebuilds it. */
  readonly address: string;
  readonly index?: string | number;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode?: "managed" | "data";
  readonly type?: string;
  readonly name?: string;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
    readonly importing?: { readonly id?: string } | null;
  };
}

export interface OutputChange {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

export interface Plan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly errored?: boolean;
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
  readonly planned_values?: { readonly outputs?: Record<string, { readonly sensitive?: boolean }> };
  readonly prior_state?: { readonly values?: { readonly outputs?: Record<string, { readonly sensitive?: boolean }> } };
  readonly configuration?: { readonly root_module?: { readonly outputs?: Record<string, { readonly sensitive?: boolean }> } };
}

/** A plan that cannot be rendered; the message says what is wrong and what to do. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

/** What a resource change is, from Terraform's point of view (one per resource change). */
export type ChangeKind = "create" | "update" | "delete" | "replace" | "read" | "import" | "move" | "forget" | "no-op";

/** The kind of a resource change: replace and the action arrays Terraform can emit. */
export function kindOf(rc: ResourceChange): ChangeKind {
  const a = rc.change.actions;
  if (a.includes("create") && a.includes("delete")) return "replace";
  if (a.length === 1) {
    const only = a[0];
    if (only === "create" || only === "update" || only === "delete" || only === "read" || only === "forget") return only;
  }
  if (rc.change.importing) return "import";
  if (rc.previous_address && rc.previous_address !== rc.address) return "move";
  return "no-op";
}

export interface PlanSummary {
  /** Terraform's "to add": creates plus replaces. */
  readonly add: number;
  /** Terraform's "to change": in-place updates. */
  readonly change: number;
  /** Terraform's "to destroy": deletes plus replaces. */
  readonly destroy: number;
  readonly replace: number;
  /** Resources imported by this plan (`import` blocks), whatever else happens to them. */
  readonly import: number;
  /** Resources whose address changes (`moved` blocks). */
  readonly move: number;
  /** Resources removed from state without being destroyed (`removed` blocks). */
  readonly forget: number;
  /** Data sources read during apply. */
  readonly read: number;
  /** Output values that change. */
  readonly outputChanges: number;
  /** Entries of `resource_drift`: objects changed outside Terraform. */
  readonly drift: number;
  /** Addresses destroyed or replaced (the list the warning shows). */
  readonly destructive: ReadonlyArray<{ readonly address: string; readonly kind: "delete" | "replace" }>;
  /** Anything to apply: resource actions, imports, moves, forgets or output changes. */
  readonly hasChanges: boolean;
}

export function summarize(plan: Plan): PlanSummary {
  let add = 0, change = 0, destroy = 0, replace = 0, imp = 0, move = 0, forget = 0, read = 0;
  const destructive: Array<{ address: string; kind: "delete" | "replace" }> = [];
  for (const rc of plan.resource_changes ?? []) {
    const a = rc.change.actions;
    if (a.includes("create")) add++;
    if (a.includes("delete")) destroy++;
    if (a.length === 1 && a[0] === "update") change++;
    if (a.length === 1 && a[0] === "read") read++;
    if (a.length === 1 && a[0] === "forget") forget++;
    if (rc.change.importing) imp++;
    if (rc.previous_address && rc.previous_address !== rc.address) move++;
    const kind = kindOf(rc);
    if (kind === "replace") {
      replace++;
      destructive.push({ address: label(rc), kind });
    } else if (kind === "delete") {
      destructive.push({ address: label(rc), kind });
    }
  }
  const outputChanges = Object.values(plan.output_changes ?? {}).filter((o) => !isNoop(o.actions)).length;
  return {
    add, change, destroy, replace, import: imp, move, forget, read, outputChanges,
    drift: (plan.resource_drift ?? []).length,
    destructive,
    hasChanges: add + change + destroy + imp + move + forget + outputChanges > 0,
  };
}

/** The address as Terraform prints it, with the deposed key for deposed objects. */
export function label(rc: ResourceChange): string {
  const address = rc.address ?? rebuildAddress(rc);
  return rc.deposed ? `${address} (deposed object ${rc.deposed})` : address;
}

function rebuildAddress(rc: ResourceChange): string {
  const local = `${rc.mode === "data" ? "data." : ""}${rc.type ?? "unknown"}.${rc.name ?? "unknown"}`;
  const index = rc.index === undefined ? "" : typeof rc.index === "number" ? `[${rc.index}]` : `[${JSON.stringify(rc.index)}]`;
  return `${rc.module_address ? `${rc.module_address}.` : ""}${local}${index}`;
}

function isNoop(actions: readonly string[]): boolean {
  return actions.length === 0 || (actions.length === 1 && actions[0] === "no-op");
}

/**
 * Parses plan JSON text. Refuses, with a message saying what to do: empty input, output
 * captured through setup-terraform's wrapper, several documents (terragrunt run-all), text
 * that is not JSON (with line and column), JSON that is not a plan (a state file, say), a
 * plan format this code does not know, and an errored plan.
 */
export function parsePlan(text: string, source = "plan"): Plan {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") throw new PlanError(`${source} is empty; expected the output of \`terraform show -json <planfile>\``);
  if (/^\[command\]|^::(debug|set-output|group)|\n::(debug|set-output)::/m.test(trimmed)) {
    throw new PlanError(`${source} is not plain JSON: it contains GitHub Actions wrapper lines ("[command]…", "::debug::…"), `
      + "typical of hashicorp/setup-terraform's wrapper. Set `terraform_wrapper: false` on setup-terraform, "
      + "or write the file with `terraform show -json tfplan > plan.json`");
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (err) {
    throw new PlanError(explainJsonError(trimmed, source, err as Error));
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new PlanError(`${source} is JSON but not an object; expected the output of \`terraform show -json <planfile>\``);
  }
  const obj = doc as Record<string, unknown>;
  if (typeof obj.format_version !== "string") {
    const hint = "values" in obj ? " (it looks like a state file: pass the plan file to `terraform show -json`)" : "";
    throw new PlanError(`${source} has no format_version, so it is not Terraform plan JSON${hint}`);
  }
  const major = Number(obj.format_version.split(".")[0]);
  if (!(major === 0 || major === 1)) {
    throw new PlanError(`${source}: format_version ${JSON.stringify(obj.format_version)} is not supported; this action reads plan JSON format 0.x and 1.x`);
  }
  if (obj.errored === true) {
    throw new PlanError(`${source} is an errored plan (errored: true): terraform plan failed, so there is nothing to review. Fix the errors in the plan step's log first`);
  }
  if (!("resource_changes" in obj) && !("planned_values" in obj) && !("output_changes" in obj)) {
    throw new PlanError(`${source} has none of resource_changes, planned_values or output_changes, so it is not a plan`);
  }
  const changes = obj.resource_changes;
  if (changes !== undefined && !Array.isArray(changes)) throw new PlanError(`${source}: resource_changes must be a list`);
  for (const [i, rc] of ((changes as unknown[]) ?? []).entries()) {
    const r = rc as ResourceChange;
    if (typeof r?.address !== "string" || !Array.isArray(r.change?.actions)) {
      throw new PlanError(`${source}: resource_changes[${i}] has no address or change.actions; the file is not a complete plan`);
    }
  }
  return obj as unknown as Plan;
}

/** Says where JSON.parse stopped and, when it is a second document, that there are several. */
function explainJsonError(text: string, source: string, err: Error): string {
  const end = firstValueEnd(text);
  if (end > 0 && end < text.length) {
    try {
      JSON.parse(text.slice(0, end));
      const rest = text.slice(end).trimStart();
      if (rest.startsWith("{")) {
        const count = countDocuments(text);
        return `${source} holds ${count > 1 ? count : "several"} JSON documents (one per line, as terragrunt run-all writes); `
          + "plan-comment takes exactly one plan per stack: run it once per stack's plan file";
      }
      const { line, column } = position(text, end + (text.slice(end).length - rest.length));
      return `${source} is not valid JSON: unexpected text after the end of the document at line ${line}, column ${column}`;
    } catch {
      // fall through to JSON.parse's own message
    }
  }
  const pos = /position (\d+)/.exec(err.message);
  const where = pos ? (({ line, column }) => ` at line ${line}, column ${column}`)(position(text, Number(pos[1]))) : "";
  return `${source} is not valid JSON${where}: ${err.message}`;
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

/** Index just past the first complete JSON object/array, or -1 (strings and escapes respected). */
function firstValueEnd(text: string, from = 0): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function countDocuments(text: string): number {
  let count = 0;
  let at = 0;
  while (at < text.length) {
    const start = text.slice(at).search(/\S/);
    if (start < 0) break;
    const end = firstValueEnd(text, at + start);
    if (end < 0) break;
    count++;
    at = end;
  }
  return count;
}
