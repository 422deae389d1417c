/**
 * A stable digest of what a plan would change, so main applies exactly what a pull request's
 * reviewers saw (the approach of dflook/terraform-github-actions, which compares the plan a PR
 * comment shows with the plan made at apply time and refuses when they differ).
 *
 * What goes in: every resource change that does something (create, update, delete, replace,
 * import, move, forget; no-ops and data-source reads do not change anything), by address
 * (with previous address and deposed key), with its action list in Terraform's order
 * (`["delete","create"]` and `["create","delete"]` are different replaces) and the attributes
 * that change, as a reviewer reads them: the whole new object for a create, only the changed
 * paths with their old and new value for an update or replace, nothing but the address for a
 * delete. Output changes likewise.
 * What stays out: everything that differs between two runs of the same plan — key order, the
 * order of `resource_changes`, `timestamp`, `terraform_version`, prior state, drift, no-ops
 * whose refreshed attributes moved, and the value of unchanged attributes of an updated object
 * (a refreshed `latest_version` must not break the comparison).
 * Unknown values become "(known after apply)". Sensitive values never enter the digest (it is
 * printed in a public comment, and every non-sensitive input of it is shown too, so a short
 * secret could be guessed offline): they become "(sensitive)", or "(sensitive, changed)" when
 * the raw values differ, so a rotated secret still changes the digest without revealing it.
 *
 * Pure functions, no @actions/core: the tests import this directly.
 */
import { FULL_SHA } from "./git";
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { basename } from "path";
import { label, Plan, ResourceChange } from "./plan";

/** Bump when what goes into the digest changes: a PR digest of another version never matches. */
export const DIGEST_VERSION = 1;

const UNKNOWN = "(known after apply)";
const SENSITIVE = "(sensitive)";
const SENSITIVE_CHANGED = "(sensitive, changed)";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One changed path of an object: its path, old and new value (normalized). */
type PathChange = [path: Array<string | number>, before: Json, after: Json];

interface DigestEntry {
  readonly address: string;
  readonly actions: readonly string[];
  readonly previous_address?: string;
  readonly importing?: string;
  readonly after?: Json;
  readonly changes?: PathChange[];
  readonly replace_paths?: Json;
}

export interface PlanDigest {
  /** `sha256:<64 hex>` over the canonical JSON of the normalized changes. */
  readonly digest: string;
  /** The normalized document the digest is computed over (for a diff when two digests differ). */
  readonly canonical: string;
  /** Resource changes that count (create, update, delete, replace, import, move, forget). */
  readonly changes: number;
  /** Addresses that are deleted (alone or as part of a replace). */
  readonly deletes: readonly string[];
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const at = (mask: unknown, key: string | number): unknown => (mask !== null && typeof mask === "object" ? (mask as Record<string, unknown>)[key] : undefined);

/** A value with unknown parts as "(known after apply)" and sensitive parts as "(sensitive)". */
export function normalize(value: unknown, unknown: unknown, sensitive: unknown): Json {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value)) return value.map((v, i) => normalize(v, at(unknown, i), at(sensitive, i)));
  if (isObject(value) || isObject(unknown)) {
    const obj = isObject(value) ? value : {};
    // An attribute unknown until apply is absent from `after` and `true` in `after_unknown`.
    const keys = new Set([...Object.keys(obj), ...Object.entries(isObject(unknown) ? unknown : {}).filter(([, u]) => u === true).map(([k]) => k)]);
    return Object.fromEntries([...keys].sort().map((k) => [k, normalize(obj[k], at(unknown, k), at(sensitive, k))]));
  }
  return value === undefined ? null : (value as Json);
}

/** The paths where `after` differs from `before`, as a reviewer sees them (sensitive values masked). */
function diff(before: unknown, after: unknown, unknown: unknown, beforeSens: unknown, afterSens: unknown, path: Array<string | number>, out: PathChange[]): void {
  if (unknown === true) {
    out.push([path, normalize(before, undefined, beforeSens), UNKNOWN]);
    return;
  }
  if (beforeSens === true || afterSens === true) {
    if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) {
      out.push([path, beforeSens === true ? SENSITIVE_CHANGED : normalize(before, undefined, undefined), afterSens === true ? SENSITIVE_CHANGED : normalize(after, undefined, undefined)]);
    }
    return;
  }
  if (isObject(before) && isObject(after)) {
    const a = after;
    const keys = new Set([...Object.keys(before), ...Object.keys(a), ...Object.entries(isObject(unknown) ? unknown : {}).filter(([, u]) => u === true).map(([k]) => k)]);
    for (const k of [...keys].sort()) diff(before[k], a[k], at(unknown, k), at(beforeSens, k), at(afterSens, k), [...path, k], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((b, i) => diff(b, after[i], at(unknown, i), at(beforeSens, i), at(afterSens, i), [...path, i], out));
    return;
  }
  const b = normalize(before, undefined, beforeSens);
  const a = normalize(after, unknown, afterSens);
  if (canonicalJson(b) !== canonicalJson(a)) out.push([path, b, a]);
  // Same masked text but different raw values: a sensitive part changed somewhere inside.
  else if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) out.push([path, SENSITIVE_CHANGED, SENSITIVE_CHANGED]);
}

/** Does this resource change do anything? No-ops (unless imported or moved) and reads do not. */
function counts(rc: ResourceChange): boolean {
  const a = rc.change.actions;
  if (a.length === 1 && a[0] === "read") return false;
  const noop = a.length === 0 || (a.length === 1 && a[0] === "no-op");
  if (!noop) return true;
  return Boolean(rc.change.importing) || Boolean(rc.previous_address && rc.previous_address !== rc.address);
}

function entryOf(rc: ResourceChange): DigestEntry {
  const c = rc.change;
  const a = c.actions;
  const base = {
    address: label(rc),
    actions: [...a],
    ...(rc.previous_address && rc.previous_address !== rc.address ? { previous_address: rc.previous_address } : {}),
    ...(c.importing ? { importing: c.importing.id ?? "" } : {}),
  };
  if (a.length === 1 && a[0] === "create") return { ...base, after: normalize(c.after, c.after_unknown, c.after_sensitive) };
  if (a.includes("delete") && !a.includes("create")) return base; // delete: what goes is the address
  if (a.length === 1 && a[0] === "forget") return base;
  const changes: PathChange[] = [];
  diff(c.before, c.after, c.after_unknown, c.before_sensitive, c.after_sensitive, [], changes);
  return { ...base, changes, ...(c.replace_paths ? { replace_paths: sortKeys(c.replace_paths) as Json } : {}) };
}

/** The digest of a parsed plan (see the module comment for what it covers). */
export function planDigest(plan: Plan): PlanDigest {
  const resources = (plan.resource_changes ?? []).filter(counts).map(entryOf)
    .map((e) => ({ e, key: canonicalJson(e) }))
    .sort((x, y) => (x.e.address < y.e.address ? -1 : x.e.address > y.e.address ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .map((x) => x.e);
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, o]) => !(o.actions.length === 0 || (o.actions.length === 1 && o.actions[0] === "no-op")))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([name, o]) => ({ name, actions: [...o.actions], after: normalize(o.after, o.after_unknown, o.after_sensitive) }));
  const canonical = canonicalJson({ version: DIGEST_VERSION, resources, outputs });
  return {
    digest: `sha256:${createHash("sha256").update(canonical).digest("hex")}`,
    canonical,
    changes: resources.length,
    deletes: resources.filter((r) => r.actions.includes("delete")).map((r) => r.address),
  };
}

/**
 * The digest of the files a plan was made from (`cdk.tf.json`, `.terraform.lock.hcl`): by
 * name and content, in name order. A missing file is an error, not an empty input.
 */
export function filesDigest(paths: readonly string[]): string {
  const hash = createHash("sha256");
  for (const p of [...paths].sort((x, y) => (basename(x) < basename(y) ? -1 : basename(x) > basename(y) ? 1 : 0))) {
    let content: Buffer;
    try {
      content = readFileSync(p);
    } catch (err) {
      throw new Error(`cannot read ${JSON.stringify(p)} for the plan-inputs digest: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    hash.update(`${basename(p)}\0${createHash("sha256").update(content).digest("hex")}\n`);
  }
  return `sha256:${hash.digest("hex")}`;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const STACK_RE = /^[A-Za-z0-9._-]{1,100}$/;

/** Refuses anything that is not `sha256:<64 lowercase hex>`, naming where it came from. */
export function checkDigest(where: string, value: string): string {
  if (!DIGEST_RE.test(value)) throw new Error(`${where} = ${JSON.stringify(value)} is not a plan digest; expected "sha256:" and 64 lowercase hex digits`);
  return value;
}

/**
 * The hidden line a PR plan comment carries: the stack, the PR head commit the plan was made
 * from, and the digest. HTML comments are not rendered, so reviewers see the plan, and main's
 * apply job reads this line back.
 */
export function digestMarker(stack: string, digest: string, headSha: string): string {
  if (!STACK_RE.test(stack)) throw new Error(`stack ${JSON.stringify(stack)} is invalid; use 1-100 letters, digits, '.', '_' or '-'`);
  checkDigest("digest", digest);
  if (!FULL_SHA.test(headSha)) throw new Error(`head SHA ${JSON.stringify(headSha)} is not a full commit SHA (40 or 64 hex digits)`);
  return `<!-- plan-digest v${DIGEST_VERSION} stack=${stack} head=${headSha} ${digest} -->`;
}

export interface ReviewedDigest {
  readonly stack: string;
  readonly head: string;
  readonly digest: string;
}

/** The digest marker for `stack` in a comment body, if any (other stacks' and versions' ignored). */
export function parseDigestMarker(body: string, stack: string): ReviewedDigest | undefined {
  const re = new RegExp(`<!-- plan-digest v${DIGEST_VERSION} stack=([A-Za-z0-9._-]+) head=([0-9a-f]{40}(?:[0-9a-f]{24})?) (sha256:[0-9a-f]{64}) -->`, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) if (m[1] === stack) return { stack, head: m[2]!, digest: m[3]! };
  return undefined;
}

/**
 * `approved-digests` of a manual run: one `<stack>=sha256:<hex>` per line (or comma-separated).
 * Refuses a malformed line, naming it.
 */
export function parseApprovedDigests(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/[\n,]/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9._-]{1,100})=(.*)$/.exec(raw);
    if (!m) throw new Error(`approved-digests line ${JSON.stringify(raw)} is invalid; expected <stack>=sha256:<64 hex>, e.g. sandbox=sha256:${"0".repeat(64)}`);
    out.set(m[1]!, checkDigest(`approved-digests for ${m[1]}`, m[2]!.trim()));
  }
  return out;
}

/** The hidden marker of the refusal comment on a pull request (one per stack, updated in place). */
export function refusalMarker(stack: string): string {
  return `<!-- apply-refused stack=${stack} -->`;
}
