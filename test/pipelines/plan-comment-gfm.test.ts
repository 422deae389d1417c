import { AddressInfo } from "net";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { kindOf, label, parsePlan } from "../../pipelines/lib/plan";
import { STALE_MARKER, markStale, markerFor, renderFailure, renderPlan } from "../../pipelines/lib/render";
import { fakeGitHub } from "./fake-github";
import { renderGfm } from "./gfm";
import { VALID, generatedPlan } from "./plan-fixtures";
import { PLANS, runAction } from "./run-action";

/**
 * The comment as GitHub shows it: rendered by a CommonMark/GFM renderer (micromark with the
 * GFM extensions; raw HTML passed through as GitHub does before sanitizing), then checked for
 * every entry. The bug this guards: `</details>` opens an HTML block that only a blank line
 * ends, so list items right after it became raw text inside it (231 of 300 creates vanished).
 */
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "&#124;");

/** Addresses shown as rendered elements: a list item or a details summary starting with the address. */
function shownAddresses(html: string): Set<string> {
  const shown = new Set<string>();
  // Text in a list item is markdown, so the renderer writes `"` as &quot;; raw HTML keeps it.
  for (const m of html.matchAll(/<(?:li|summary)><code>([^<]*)<\/code>/g)) shown.add(m[1]!.replace(/&quot;/g, '"'));
  return shown;
}

/** Markdown list syntax that ended up as text: the symptom of a swallowed list item. */
function leakedListItems(html: string): string[] {
  return html.split("\n").filter((l) => /^[-*] <code>/.test(l));
}

const tmp = mkdtempSync(join(tmpdir(), "plan-comment-gfm-"));
const fixtures = [...VALID.map((f) => ({ name: f, text: readFileSync(join(PLANS, f), "utf8") })),
  { name: "generated-5000", text: JSON.stringify(generatedPlan(5000)) }];
const rendered = fixtures.map((f) => {
  const plan = parsePlan(f.text, f.name);
  const entries = (plan.resource_changes ?? []).filter((rc) => kindOf(rc) !== "no-op").map((rc) => escape(label(rc)));
  return { ...f, plan, entries, body: renderPlan(plan, { stack: "production" }).body };
});
const html = renderGfm(rendered.map((r) => r.body));

describe("plan comment rendered as GitHub renders it (CommonMark + GFM)", () => {
  it("the check is not vacuous: list items right after </details> without a blank line vanish", () => {
    const [broken, fixed] = renderGfm([
      "<details><summary><code>a</code></summary>\n\n| x | y |\n| --- | --- |\n| 1 | 2 |\n\n</details>\n- <code>b</code>\n- <code>c</code>\n",
      "<details><summary><code>a</code></summary>\n\n| x | y |\n| --- | --- |\n| 1 | 2 |\n\n</details>\n\n- <code>b</code>\n- <code>c</code>\n",
    ]);
    expect([...shownAddresses(broken!)]).toEqual(["a"]);
    expect(leakedListItems(broken!)).toEqual(["- <code>b</code>", "- <code>c</code>"]);
    expect([...shownAddresses(fixed!)].sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps all 300 entries of the 300-create plan visible (details for some, list items for the rest)", () => {
    const i = rendered.findIndex((r) => r.name === "large-300-creates-local-tf1.13.json");
    expect(rendered[i]!.entries).toHaveLength(300);
    const shown = shownAddresses(html[i]!);
    expect(rendered[i]!.entries.filter((a) => !shown.has(a))).toEqual([]);
    expect(leakedListItems(html[i]!)).toEqual([]);
    expect((html[i]!.match(/<details>/g) ?? []).length).toBeGreaterThan(0); // both kinds are mixed
    expect((html[i]!.match(/<li><code>/g) ?? []).length).toBeGreaterThan(0);
  });

  it.each(rendered.map((r, i) => [r.name, i] as const))("%s: every listed entry survives rendering, tables render", (_name, i) => {
    const r = rendered[i]!;
    const out = html[i]!;
    expect(leakedListItems(out)).toEqual([]);
    // Entries the markdown lists (all, or the first N when the comment had to be cut).
    const listed = r.entries.filter((a) => r.body.includes(`<code>${a}</code>`));
    const shown = shownAddresses(out);
    expect(listed.filter((a) => !shown.has(a))).toEqual([]);
    if (!r.body.includes("**Truncated:** Only the first")) expect(listed.length).toBe(r.entries.length);
    expect((out.match(/<details>/g) ?? []).length).toBe((out.match(/<\/details>/g) ?? []).length);
    if (r.body.includes("| attribute |")) expect(out).toContain("<table>");
    expect(out).not.toContain("| attribute |");
  });

  it("renders the failure and stale comments as intended", () => {
    const failure = renderFailure({ stack: "staging", reason: "terraform plan failed", log: "\x1b[31mError:\x1b[0m <bad> | thing\nline 2", sha: "a".repeat(40), shaLabel: "head" });
    const stale = markStale(rendered.find((r) => r.name === "aws-update-inplace-tf0.15.json")!.body, "b".repeat(40));
    const [f, s] = renderGfm([failure, stale]);
    expect(failure.startsWith(markerFor("staging"))).toBe(true);
    expect(f).toContain("<pre>Error: &lt;bad&gt; &#124; thing\nline 2</pre>");
    expect(f).toContain("head aaaaaaaaaaaa");
    expect(s).toContain("<strong>Stale:</strong> this pull request no longer changes <code>production</code> as of commit bbbbbbbbbbbb");
    expect(s).toMatch(/<details><summary>Earlier plan<\/summary>[\s\S]*<table>[\s\S]*<\/details>[\s\S]*<\/details>\s*$/);
    // Marking again only refreshes the notice; the earlier plan is kept once.
    const again = markStale(stale, "c".repeat(40));
    expect(again).toBe(markStale(markStale(rendered.find((r) => r.name === "aws-update-inplace-tf0.15.json")!.body, "x".repeat(40)), "c".repeat(40)));
    expect(again.split(STALE_MARKER)).toHaveLength(2);
    expect(again.split("Earlier plan")).toHaveLength(2);
  });
});

describe("plan-comment lifecycle on a pull request (local GitHub API)", () => {
  const gh = fakeGitHub();
  const HEAD = "1234567890abcdef1234567890abcdef12345678";
  let env: Record<string, string>;
  beforeAll(async () => {
    await new Promise<void>((r) => gh.server.listen(0, "127.0.0.1", r));
    const event = join(tmp, "event.json");
    writeFileSync(event, JSON.stringify({ number: 42, pull_request: { number: 42, head: { sha: HEAD } } }));
    env = {
      GITHUB_API_URL: `http://127.0.0.1:${(gh.server.address() as AddressInfo).port}`, GITHUB_REPOSITORY: "acme/infra", GITHUB_EVENT_PATH: event,
      GITHUB_SHA: "ffffffffffffffffffffffffffffffffffffffff", GITHUB_RUN_ID: "7",
    };
  });
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));
  const comment = (inputs: Record<string, string>) => runAction("plan-comment", { "github-token": "test-token", ...inputs }, env);
  const bodyOf = (stack: string) => gh.comments.find((c) => c.body.includes(markerFor(stack)))!.body;

  it("shows the pull request's head commit, not GitHub's merge commit", async () => {
    const run = await comment({ "plan-json": join(PLANS, "aws-update-inplace-tf0.15.json"), stack: "staging" });
    expect(run.code).toBe(0);
    expect(bodyOf("staging")).toContain("head 1234567890ab");
    expect(bodyOf("staging")).not.toContain("ffffffffffff");
  });

  it("a failed plan replaces the stack's comment with the failure and the end of the log", async () => {
    const log = join(tmp, "plan.log");
    writeFileSync(log, `${Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n")}\nError: creating EC2 VPC: UnauthorizedOperation\n`);
    const before = gh.comments.find((c) => c.body.includes(markerFor("staging")))!.id;
    const run = await comment({ stack: "staging", "plan-outcome": "failure", "plan-log": log });
    expect(run.code).toBe(0); // the plan step already failed the job
    expect(run.outputs).toMatchObject({ failed: "true", "comment-id": String(before) });
    const body = bodyOf("staging");
    expect(body).toContain("· ❌ failed");
    expect(body).toContain("Error: creating EC2 VPC: UnauthorizedOperation");
    expect(body).not.toContain("line 100\n"); // only the end of the log
    expect(body).not.toContain("Update in place"); // the earlier plan is gone
    expect(gh.comments.filter((c) => c.body.includes(markerFor("staging")))).toHaveLength(1);
  });

  it("a plan it cannot read is reported in the comment too, and fails the step", async () => {
    const run = await comment({ "plan-json": join(PLANS, "malformed-setup-terraform-wrapper-noise.json"), stack: "staging" });
    expect(run.code).toBe(1);
    expect(bodyOf("staging")).toContain("GitHub Actions wrapper lines");
    const skipped = await comment({ stack: "sandbox", "plan-outcome": "skipped" });
    expect(bodyOf("sandbox")).toContain("the plan step was skipped: an earlier step failed");
    expect(skipped.code).toBe(0);
    const bad = await comment({ stack: "sandbox", "plan-outcome": "maybe" });
    expect(bad.stdout).toMatch(/input "plan-outcome" = "maybe" is invalid; must be one of success, failure, skipped, cancelled/);
  });

  it("marks the comments of stacks no longer affected stale, once, and leaves others' comments alone", async () => {
    gh.comments.push({ id: 5, body: `quoted ${markerFor("sandbox")}`, user: { login: "mallory" } });
    await comment({ "plan-json": join(PLANS, "no-changes-empty-tf1.13.json"), stack: "production" });
    const run = await comment({ "current-stacks": '["production"]' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.stale!).sort()).toEqual(["sandbox", "staging"]);
    expect(bodyOf("staging")).toContain(STALE_MARKER);
    expect(bodyOf("staging")).toContain("no longer changes `staging` as of commit 1234567890ab");
    expect(bodyOf("production")).not.toContain(STALE_MARKER);
    expect(gh.comments.find((c) => c.id === 5)!.body).toBe(`quoted ${markerFor("sandbox")}`);
    const patches = gh.requests.filter((r) => r.startsWith("PATCH")).length;
    const again = await comment({ "current-stacks": '["production"]' });
    expect(JSON.parse(again.outputs.stale!)).toEqual([]);
    expect(gh.requests.filter((r) => r.startsWith("PATCH")).length).toBe(patches);
    // Planned again later: the fresh plan replaces the stale comment.
    await comment({ "plan-json": join(PLANS, "aws-update-inplace-tf0.15.json"), stack: "staging" });
    expect(bodyOf("staging")).not.toContain(STALE_MARKER);
    const none = await comment({ "current-stacks": "[]" });
    expect(JSON.parse(none.outputs.stale!).sort()).toEqual(["production", "staging"]);
  }, 20_000);
});
