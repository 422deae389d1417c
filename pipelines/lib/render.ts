/**
 * Renders a plan as one GitHub comment per stack: Terraform's summary line, a loud warning
 * listing everything destroyed or replaced, resources grouped by action with attribute-level
 * changes in collapsed details, output changes and drift. Never prints a sensitive value and
 * never exceeds GitHub's 65,536-character comment limit (details are dropped first, then the
 * resource list is cut; the summary and the destroy list always stay).
 */
import { ChangeKind, Plan, PlanSummary, ResourceChange, kindOf, label, summarize } from "./plan";
import { costOfPlan, type PlanForCost, renderPlanCostLine } from "./cost";

/** GitHub rejects issue/PR comments longer than this (characters). */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Shown instead of any value Terraform marks sensitive (or whose name says it is a secret). */
export const SENSITIVE = "(sensitive value)";
const UNKNOWN = "(known after apply)";
const MAX_VALUE_CHARS = 160;
const MAX_ROWS_PER_RESOURCE = 60;
/** The destroy list may take at most this much of the comment; beyond it, "…and N more". */
const MAX_DESTROY_LIST_CHARS = 24_000;

/**
 * Attribute names that hold secrets. Plans written before Terraform 0.15 carry no
 * `*_sensitive` markers, so a password in one of them would otherwise be printed.
 */
const SECRET_NAME = /(^|_)(password|passwd|passphrase|secret|secrets|token|private_key|secret_key|access_key|api_key|credential|credentials|connection_string|auth_token|client_secret)($|_)/i;

const STACK_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The hidden marker that identifies a stack's comment, so a later run updates it. */
export function markerFor(stack: string): string {
  if (!STACK_RE.test(stack)) {
    throw new Error(`stack ${JSON.stringify(stack)} is invalid; use 1-100 letters, digits, '.', '_' or '-' (it becomes the comment's hidden marker)`);
  }
  return `<!-- terraform-plan-comment: stack=${stack} -->`;
}

export interface RenderOptions {
  readonly stack: string;
  /** Commit the plan was made from (shown in the footer): on a pull request, its head commit. */
  readonly sha?: string;
  /** How the footer names it. @default "commit" */
  readonly shaLabel?: string;
  /** Link to the workflow run. */
  readonly runUrl?: string;
  /**
   * Show the plan's estimated monthly cost delta and the stack's new total under the summary
   * (pipelines/lib/cost.ts, offline price table). @default true
   */
  readonly cost?: boolean;
  /** Override of the size limit (tests). @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
}

export interface Rendered {
  readonly body: string;
  readonly summary: PlanSummary;
  /** Details (or resources) left out to stay under the limit. */
  readonly truncated: boolean;
}

const GROUPS: ReadonlyArray<{ kind: ChangeKind; title: string; icon: string }> = [
  { kind: "delete", title: "Destroy", icon: "🗑️" },
  { kind: "replace", title: "Replace", icon: "♻️" },
  { kind: "create", title: "Create", icon: "➕" },
  { kind: "update", title: "Update in place", icon: "✏️" },
  { kind: "import", title: "Import", icon: "📥" },
  { kind: "move", title: "Move", icon: "🚚" },
  { kind: "forget", title: "Forget (remove from state, keep the object)", icon: "🫥" },
  { kind: "read", title: "Read data sources during apply", icon: "📖" },
];

interface Item {
  /** One line: the address and what happens to it. */
  readonly line: string;
  /** The same with attribute changes in a collapsed block (empty when there is nothing to show). */
  readonly detail: string;
}

export function renderPlan(plan: Plan, options: RenderOptions): Rendered {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const summary = summarize(plan);
  const head = renderHead(plan, summary, options);
  const footer = renderFooter(plan, options);

  const sections: Array<{ heading: string; items: Item[] }> = [];
  const byKind = new Map<ChangeKind, ResourceChange[]>();
  for (const rc of plan.resource_changes ?? []) {
    const kind = kindOf(rc);
    if (kind === "no-op") continue;
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = []));
    list.push(rc);
  }
  for (const g of GROUPS) {
    const list = byKind.get(g.kind);
    if (!list) continue;
    sections.push({ heading: `### ${g.icon} ${g.title} (${list.length})\n\n`, items: list.map((rc) => resourceItem(rc, g.kind)) });
  }
  const outputs = outputItems(plan);
  if (outputs.length > 0) sections.push({ heading: `### 📤 Output changes (${outputs.length})\n\n`, items: outputs });
  const drift = visibleDrift(plan);
  if (drift.length > 0) {
    sections.push({
      heading: `### ⚠️ Drift: ${drift.length} resource${drift.length === 1 ? "" : "s"} changed outside Terraform\n\n`
        + "Terraform found these differences while refreshing; the plan above already accounts for them.\n\n",
      items: drift.map(driftItem),
    });
  }

  const assemble = (useDetail: (i: number) => boolean, maxItems: number, note: string): string => {
    const parts: string[] = [head];
    let n = 0;
    for (const s of sections) {
      if (n >= maxItems) break;
      parts.push(s.heading);
      for (const item of s.items) {
        if (n >= maxItems) break;
        parts.push(useDetail(n) && item.detail ? item.detail : item.line);
        n++;
      }
      parts.push("\n");
    }
    if (note) parts.push(note);
    parts.push(footer);
    return parts.join("");
  };

  const all = sections.flatMap((s) => s.items);
  const full = assemble(() => true, Infinity, "");
  if (full.length <= limit) return { body: full, summary, truncated: false };

  // Too long: every item as one line, then give details back in order while they fit.
  const noteReserve = 400;
  const compact = assemble(() => false, Infinity, "");
  if (compact.length + noteReserve <= limit) {
    let budget = limit - noteReserve - compact.length;
    let detailed = 0;
    for (const item of all) {
      const extra = item.detail ? item.detail.length - item.line.length : 0;
      if (extra > budget) break;
      budget -= extra;
      detailed++;
    }
    const withDetails = all.filter((item, i) => i >= detailed && item.detail).length;
    const note = truncationNote(`Attribute details are left out for ${withDetails} of ${all.length} entries`);
    return { body: assemble((i) => i < detailed, Infinity, note), summary, truncated: true };
  }

  // Even the one-line list is too long: keep as many lines as fit.
  let budget = limit - head.length - footer.length - noteReserve - sections.reduce((n, s) => n + s.heading.length + 1, 0);
  let shown = 0;
  for (const item of all) {
    if (item.line.length > budget) break;
    budget -= item.line.length;
    shown++;
  }
  const note = truncationNote(`Only the first ${shown} of ${all.length} entries are listed, without attribute details`);
  return { body: assemble(() => false, shown, note), summary, truncated: true };
}

function nonZero(counts: ReadonlyArray<readonly [number, string]>): string {
  return counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(", ");
}

/**
 * Drift entries that show something: a deletion, or an attribute that differs. Terraform also
 * lists objects whose refresh changed nothing visible (before equals after), which only add noise.
 */
function visibleDrift(plan: Plan): ResourceChange[] {
  return (plan.resource_drift ?? []).filter((rc) => kindOf(rc) === "delete"
    || diffAttributes(rc.change.before, rc.change.after, undefined, rc.change.before_sensitive, rc.change.after_sensitive, false).length > 0);
}

function truncationNote(what: string): string {
  return `> [!NOTE]\n> **Truncated:** ${what} to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit. `
    + "The summary counts are complete, and so is the destroy list unless it ends in \"…and N more\"; "
    + "the full plan is in the workflow run's plan artifact.\n\n";
}

function renderHead(plan: Plan, s: PlanSummary, options: RenderOptions): string {
  const parts = [`${markerFor(options.stack)}\n`, `## Terraform plan · \`${options.stack}\`\n\n`];
  if (!s.hasChanges) {
    parts.push("**No changes.** Your infrastructure matches the configuration.\n\n");
  } else {
    // Only what happens: zero counts are noise (Terraform's own line is in the run's log).
    const main = nonZero([[s.add, "to add"], [s.change, "to change"], [s.destroy, "to destroy"]]);
    const more = nonZero([[s.replace, "to replace"], [s.import, "to import"], [s.move, "to move"], [s.forget, "to forget"],
      [s.outputChanges, s.outputChanges === 1 ? "output changing" : "outputs changing"]]);
    parts.push(`${main ? `**Plan: ${main}.**` : "**Plan:**"}${more ? ` ${more.replace(/, /g, " · ")}` : ""}\n\n`);
  }
  // The price of the change, right under what changes; the head is never cut, so neither is this.
  if (options.cost !== false) parts.push(`${renderPlanCostLine(costOfPlan(plan as PlanForCost))}\n\n`);
  const drift = visibleDrift(plan).length;
  if (drift > 0) {
    parts.push(`> [!WARNING]\n> **Drift:** ${drift} resource${drift === 1 ? " was" : "s were"} changed outside Terraform (see below).\n\n`);
  }
  if (s.destructive.length > 0) {
    const lines: string[] = [];
    let used = 0;
    for (const d of s.destructive) {
      const line = `> - ${code(d.address)} — **${d.kind === "replace" ? "replaced" : "destroyed"}**\n`;
      if (used + line.length > MAX_DESTROY_LIST_CHARS) {
        lines.push(`> - …and ${s.destructive.length - lines.length} more\n`);
        break;
      }
      used += line.length;
      lines.push(line);
    }
    const what = [s.destroy - s.replace > 0 ? `destroys ${s.destroy - s.replace}` : "", s.replace > 0 ? `replaces ${s.replace}` : ""]
      .filter(Boolean).join(" and ");
    parts.push(`> [!CAUTION]\n> **This plan ${what} resource${s.destructive.length === 1 ? "" : "s"}.** `
      + "Data in them is lost unless it is backed up elsewhere. Check every address:\n>\n" + lines.join("") + "\n");
  }
  return parts.join("");
}

function renderFooter(plan: Plan, options: RenderOptions): string {
  const bits = [
    plan.terraform_version ? `Terraform ${escapeHtml(plan.terraform_version)}` : "",
    `plan format ${escapeHtml(plan.format_version)}`,
    options.sha ? `${options.shaLabel ?? "commit"} ${escapeHtml(options.sha.slice(0, 12))}` : "",
    options.runUrl ? `[workflow run](${options.runUrl})` : "",
  ].filter(Boolean);
  return `<sub>${bits.join(" · ")}</sub>\n`;
}

function resourceItem(rc: ResourceChange, kind: ChangeKind): Item {
  const notes: string[] = [];
  if (rc.change.importing) notes.push(`imported${rc.change.importing.id ? ` from id ${code(rc.change.importing.id)}` : ""}`);
  if (rc.previous_address && rc.previous_address !== rc.address) notes.push(`moved from ${code(rc.previous_address)}`);
  if (rc.action_reason) notes.push(reason(rc.action_reason));
  if (kind === "replace") notes.push(rc.change.actions[0] === "create" ? "create before destroy" : "destroy before create");
  const note = notes.length ? ` — ${notes.join("; ")}` : "";
  const line = `- ${code(label(rc))}${note}\n`;
  if (kind === "delete" || kind === "forget" || kind === "read" && rc.change.after === undefined) return { line, detail: "" };

  const forces = new Set((rc.change.replace_paths ?? []).map((p) => pathString(p)));
  const rows = diffAttributes(rc.change.before, rc.change.after, rc.change.after_unknown, rc.change.before_sensitive, rc.change.after_sensitive,
    kind === "create" || kind === "read");
  if (rows.length === 0) return { line, detail: "" };
  return { line, detail: detailsBlock(`${code(label(rc))}${note}`, rows, forces, kind !== "create" && kind !== "read") };
}

function driftItem(rc: ResourceChange): Item {
  const what = kindOf(rc) === "delete" ? "deleted outside Terraform" : "changed outside Terraform";
  const line = `- ${code(label(rc))} — ${what}\n`;
  const rows = diffAttributes(rc.change.before, rc.change.after, undefined, rc.change.before_sensitive, rc.change.after_sensitive, false);
  return { line, detail: rows.length ? detailsBlock(`${code(label(rc))} — ${what}`, rows, new Set(), true) : "" };
}

function outputItems(plan: Plan): Item[] {
  const items: Item[] = [];
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    const a = oc.actions;
    if (a.length === 0 || (a.length === 1 && a[0] === "no-op")) continue;
    const action = a.includes("create") && a.includes("delete") ? "replace" : a.join(", ");
    const sensitive = outputIsSensitive(plan, name, oc);
    const show = (v: unknown, unknown: unknown) => (sensitive ? SENSITIVE : unknown === true ? UNKNOWN : v === undefined || v === null ? "—" : formatValue(v, false, unknown));
    const before = a.includes("create") && !a.includes("delete") ? "—" : show(oc.before, undefined);
    const after = a.includes("delete") && !a.includes("create") ? "—" : show(oc.after, oc.after_unknown);
    items.push({ line: `- ${code(name)} (${action}): ${cell(before)} → ${cell(after)}\n`, detail: "" });
  }
  return items;
}

/** Any sensitivity marker anywhere: the change's masks, planned/prior values, or the config. */
function outputIsSensitive(plan: Plan, name: string, oc: { before_sensitive?: unknown; after_sensitive?: unknown }): boolean {
  return anyTrue(oc.before_sensitive) || anyTrue(oc.after_sensitive)
    || plan.planned_values?.outputs?.[name]?.sensitive === true
    || plan.prior_state?.values?.outputs?.[name]?.sensitive === true
    || plan.configuration?.root_module?.outputs?.[name]?.sensitive === true;
}

function anyTrue(mask: unknown): boolean {
  if (mask === true) return true;
  if (mask && typeof mask === "object") return Object.values(mask as Record<string, unknown>).some(anyTrue);
  return false;
}

function reason(r: string): string {
  const text: Record<string, string> = {
    replace_because_cannot_update: "the provider cannot update it in place",
    replace_because_tainted: "it is tainted",
    replace_by_request: "replacement was requested (-replace)",
    replace_by_triggers: "a replace_triggered_by reference changed",
    delete_because_no_resource_config: "its configuration was removed",
    delete_because_no_module: "its module was removed",
    delete_because_wrong_repetition: "count/for_each changed how it repeats",
    delete_because_count_index: "its count index is out of range",
    delete_because_each_key: "its for_each key is gone",
    delete_because_no_move_target: "its moved target does not exist",
    read_because_config_unknown: "its configuration is known only after apply",
    read_because_dependency_pending: "a dependency has changes pending",
    read_because_check_nested: "a check block reads it",
  };
  return text[r] ?? escapeHtml(r);
}

interface Row {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/**
 * Attribute-level differences between before and after. Sensitive paths (either side's mask,
 * or a secret-looking attribute name) show a placeholder; values known only after apply say
 * so. For creates (`onlyAfter`) every set attribute is listed.
 */
export function diffAttributes(before: unknown, after: unknown, unknown: unknown, beforeSens: unknown, afterSens: unknown, onlyAfter: boolean): Row[] {
  const rows: Row[] = [];
  walk("", before, after, unknown, beforeSens, afterSens, false, onlyAfter, rows);
  return rows;
}

function walk(path: string, b: unknown, a: unknown, unk: unknown, bs: unknown, as: unknown, secretName: boolean,
  onlyAfter: boolean, rows: Row[]): void {
  if (rows.length > MAX_ROWS_PER_RESOURCE) return;
  const sensitive = secretName || bs === true || as === true;
  if (sensitive) {
    if (unk === true || !deepEqual(b, a)) {
      rows.push({ path, before: onlyAfter || b === undefined || b === null ? "" : SENSITIVE, after: unk === true ? UNKNOWN : a === undefined || a === null ? "" : SENSITIVE });
    }
    return;
  }
  if (unk === true) {
    rows.push({ path, before: onlyAfter ? "" : formatMasked(b, bs, undefined), after: UNKNOWN });
    return;
  }
  const bObj = isPlainObject(b), aObj = isPlainObject(a), bArr = Array.isArray(b), aArr = Array.isArray(a);
  const bothObj = (bObj || b == null) && (aObj || a == null) && (bObj || aObj);
  const bothArr = (bArr || b == null) && (aArr || a == null) && (bArr || aArr) && path !== "";
  if (bothObj || (path === "" && (bObj || aObj))) {
    const bo = (bObj ? b : {}) as Record<string, unknown>;
    const ao = (aObj ? a : {}) as Record<string, unknown>;
    const uo = isPlainObject(unk) ? (unk as Record<string, unknown>) : {};
    const keys = new Set([...Object.keys(bo), ...Object.keys(ao), ...Object.keys(uo)]);
    for (const k of keys) {
      walk(path ? `${path}.${k}` : k, bo[k], ao[k], uo[k], sub(bs, k), sub(as, k), SECRET_NAME.test(k), onlyAfter, rows);
    }
    return;
  }
  if (bothArr) {
    const ba = (bArr ? b : []) as unknown[];
    const aa = (aArr ? a : []) as unknown[];
    const ua = Array.isArray(unk) ? (unk as unknown[]) : [];
    const n = Math.max(ba.length, aa.length, ua.length);
    for (let i = 0; i < n; i++) walk(`${path}[${i}]`, ba[i], aa[i], ua[i], sub(bs, i), sub(as, i), false, onlyAfter, rows);
    return;
  }
  if (onlyAfter) {
    if (a !== undefined && a !== null) rows.push({ path, before: "", after: formatMasked(a, as, unk) });
    return;
  }
  if (deepEqual(b, a)) return;
  rows.push({ path, before: formatMasked(b, bs, undefined), after: formatMasked(a, as, unk) });
}

function sub(mask: unknown, key: string | number): unknown {
  if (mask === true) return true;
  if (mask && typeof mask === "object") return (mask as Record<string | number, unknown>)[key];
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (x === undefined || y === undefined || x === null || y === null) return (x ?? null) === (y ?? null);
  if (typeof x !== "object" || typeof y !== "object") return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x as object), ky = Object.keys(y as object);
  if (kx.length !== ky.length) return false;
  return kx.every((k) => deepEqual((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

/** A value with sensitive and unknown parts replaced by placeholders, shortened for a table cell. */
function formatMasked(v: unknown, sens: unknown, unk: unknown): string {
  if (v === undefined) return "";
  return formatValue(mask(v, sens, unk, false), true, undefined);
}

function mask(v: unknown, sens: unknown, unk: unknown, secretName: boolean): unknown {
  if (secretName || sens === true) return SENSITIVE;
  if (unk === true) return UNKNOWN;
  if (Array.isArray(v)) return v.map((x, i) => mask(x, sub(sens, i), sub(unk, i), false));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mask(x, sub(sens, k), sub(unk, k), SECRET_NAME.test(k));
    return out;
  }
  return v;
}

function formatValue(v: unknown, masked: boolean, unk: unknown): string {
  const value = masked ? v : mask(v, undefined, unk, false);
  const text = value === SENSITIVE || value === UNKNOWN ? String(value) : JSON.stringify(value) ?? "";
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function detailsBlock(summary: string, rows: Row[], forces: Set<string>, showBefore: boolean): string {
  const shown = rows.slice(0, MAX_ROWS_PER_RESOURCE);
  // Blank lines around the HTML block: CommonMark (and GitHub's cmark-gfm) ends an HTML block
  // such as `</details>` only at a blank line, so list items right after it would be
  // swallowed into it as raw text (231 of 300 entries vanished in a 300-create plan).
  const lines = [`\n<details><summary>${summary}</summary>\n\n`,
    showBefore ? "| attribute | before | after |\n| --- | --- | --- |\n" : "| attribute | value |\n| --- | --- |\n"];
  for (const r of shown) {
    const force = forces.has(r.path) ? " **forces replacement**" : "";
    lines.push(showBefore ? `| ${code(r.path)}${force} | ${cell(r.before)} | ${cell(r.after)} |\n` : `| ${code(r.path)} | ${cell(r.after)} |\n`);
  }
  if (rows.length > MAX_ROWS_PER_RESOURCE) lines.push(`\n…and more attributes (first ${MAX_ROWS_PER_RESOURCE} shown)\n`);
  lines.push("\n</details>\n\n");
  return lines.join("");
}

function pathString(p: ReadonlyArray<string | number>): string {
  return p.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "&#124;").replace(/\r?\n/g, "⏎");
}

/** Inline code that survives any content (HTML-escaped, so backticks and pipes are harmless). */
function code(s: string): string {
  return `<code>${escapeHtml(s)}</code>`;
}

function cell(s: string): string {
  return s === "" ? "" : code(s);
}

export interface FailureOptions {
  readonly stack: string;
  /** What failed, one line (e.g. the plan error). */
  readonly reason: string;
  /** The end of the plan's log, shown in a collapsed block (ANSI colours stripped). */
  readonly log?: string;
  readonly sha?: string;
  readonly shaLabel?: string;
  readonly runUrl?: string;
}

const MAX_LOG_LINES = 80;
const MAX_LOG_CHARS = 20_000;

/**
 * The comment for a plan that failed: it replaces the stack's previous comment, so nobody
 * reviews (or a merge gate trusts) a plan from an earlier commit as if it were current.
 */
export function renderFailure(options: FailureOptions): string {
  const parts = [`${markerFor(options.stack)}\n`, `## Terraform plan · \`${options.stack}\` · ❌ failed\n\n`,
    `> [!CAUTION]\n> **The plan failed**: ${escapeHtml(options.reason)}. There is no plan to review for this commit; `
    + "an earlier plan of this stack is no longer shown because it does not describe this change.\n\n"];
  // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
  const log = (options.log ?? "").replace(/\x1b\[[0-9;]*m/g, "").trimEnd();
  if (log) {
    let lines = log.split(/\r?\n/).slice(-MAX_LOG_LINES).join("\n");
    if (lines.length > MAX_LOG_CHARS) lines = lines.slice(-MAX_LOG_CHARS);
    parts.push(`<details><summary>Last ${Math.min(MAX_LOG_LINES, log.split(/\r?\n/).length)} lines of the log</summary>\n\n`
      + `<pre>${escapeHtml(lines).replace(/⏎/g, "\n")}</pre>\n\n</details>\n\n`);
  }
  parts.push(renderFooter({ format_version: "" } as Plan, { stack: options.stack, sha: options.sha, shaLabel: options.shaLabel, runUrl: options.runUrl }));
  return parts.join("");
}

/** Hidden mark of a comment whose stack the pull request no longer changes. */
export const STALE_MARKER = "<!-- terraform-plan-comment: stale -->";
const MARKER_RE = /<!-- terraform-plan-comment: stack=([A-Za-z0-9][A-Za-z0-9._-]{0,99}) -->/;

/** The stack a plan comment belongs to, from its hidden marker. */
export function stackOfComment(body: string): string | undefined {
  return MARKER_RE.exec(body)?.[1];
}

/**
 * A plan comment marked stale: a notice on top (the stack is no longer affected as of `sha`),
 * the old plan kept below, collapsed, for the record. Marking again only refreshes the notice.
 */
export function markStale(body: string, sha: string | undefined): string {
  const stack = stackOfComment(body);
  if (!stack) throw new Error("not a plan comment: it has no terraform-plan-comment marker");
  const old = body.includes(STALE_MARKER) ? body.slice(body.indexOf("<!-- stale-original -->\n") + "<!-- stale-original -->\n".length).replace(/\n<\/details>\n$/, "") : body;
  const inner = old.replace(MARKER_RE, "").replace(/^\n/, "");
  return `${markerFor(stack)}\n${STALE_MARKER}\n## Terraform plan · \`${stack}\` · stale\n\n`
    + `> [!NOTE]\n> **Stale:** this pull request no longer changes \`${stack}\`${sha ? ` as of commit ${escapeHtml(sha.slice(0, 12))}` : ""}, `
    + "so it was not planned again. The plan below is from an earlier commit; do not review it as current.\n\n"
    + `<details><summary>Earlier plan</summary>\n\n<!-- stale-original -->\n${inner}\n</details>\n`;
}
