import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlan } from "../../pipelines/lib/plan";
import { GITHUB_COMMENT_LIMIT, SENSITIVE, markerFor, renderPlan } from "../../pipelines/lib/render";
import { ALL_FIXTURES, MALFORMED, VALID, generatedPlan, independentCount, sensitiveStrings } from "./plan-fixtures";
import { PLANS, runAction } from "./run-action";

/** What a run shows for each fixture: outputs, summary and stdout. */
interface Shown { code: number | null; outputs: Record<string, string>; summary: string; stdout: string }
const runs = new Map<string, Shown>();
const tmp = mkdtempSync(join(tmpdir(), "plan-comment-test-"));
const big = join(tmp, "plan-5000.json");

/**
 * Fixtures run through the committed bundle as a child process (like a runner); the rest
 * through the same library in-process, which is what the bundle contains, to keep the suite
 * fast on 2 cores.
 */
const THROUGH_BUNDLE = new Set([...Object.keys(MALFORMED), "sensitive-values-opentofu.json", "aws-all-actions-replace-both-orders-tf0.13.json",
  "large-300-creates-local-tf1.13.json", "aws-mixed-drift-outputs-tf1.0.json", big]);

function inProcess(file: string): Shown {
  const { body, summary: s } = renderPlan(parsePlan(readFileSync(file, "utf8"), file), { stack: "production" });
  const outputs = { add: String(s.add), change: String(s.change), destroy: String(s.destroy), replace: String(s.replace),
    "has-changes": String(s.hasChanges), "has-destroy": String(s.destroy > 0) };
  return { code: 0, outputs, summary: `${body}\n`, stdout: `dry run (no github-token)\n${body}\n` };
}

beforeAll(async () => {
  writeFileSync(big, JSON.stringify(generatedPlan(5000)));
  const files = [...ALL_FIXTURES, big];
  for (const f of files.filter((f) => !THROUGH_BUNDLE.has(f))) runs.set(f, inProcess(join(PLANS, f)));
  await Promise.all(files.filter((f) => THROUGH_BUNDLE.has(f)).map(async (f) => {
    runs.set(f, await runAction("plan-comment", { "plan-json": f.startsWith("/") ? f : join(PLANS, f), stack: "production" }));
  }));
}, 30_000);

describe("plan-comment against every real plan fixture", () => {
  it.each(VALID)("%s: outputs equal an independent count of change.actions", (f) => {
    const run = runs.get(f)!;
    expect(run.code).toBe(0);
    const expected = independentCount(JSON.parse(readFileSync(join(PLANS, f), "utf8")));
    expect(run.outputs).toMatchObject({
      add: String(expected.add), change: String(expected.change), destroy: String(expected.destroy), replace: String(expected.replace),
      "has-destroy": String(expected.destroy > 0),
    });
    expect(run.outputs["comment-id"]).toBeUndefined();
  });

  it.each(VALID)("%s: dry run writes the marked comment to the summary and stdout, under the limit", (f) => {
    const run = runs.get(f)!;
    expect(run.stdout).toContain("dry run (no github-token)");
    expect(run.summary.startsWith(markerFor("production"))).toBe(true);
    expect(run.stdout).toContain(run.summary.trimEnd());
    expect(run.summary.trimEnd().length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  });

  it.each(VALID)("%s: no sensitive value appears anywhere in the output", (f) => {
    const run = runs.get(f)!;
    const secrets = sensitiveStrings(JSON.parse(readFileSync(join(PLANS, f), "utf8"))).filter((s) => s.length >= 4);
    for (const s of secrets) {
      expect(run.summary).not.toContain(s);
      expect(run.stdout).not.toContain(s);
    }
  });

  it("finds the sensitive values the fixtures are known to hold (so the check above is not vacuous)", () => {
    const withSecrets = VALID.filter((f) => sensitiveStrings(JSON.parse(readFileSync(join(PLANS, f), "utf8"))).some((s) => s.length >= 4));
    expect(withSecrets).toEqual(expect.arrayContaining(["sensitive-values-opentofu.json", "aws-nested-modules-sensitive-tf0.15.json", "extra/replace-delete-create-replace_paths-local-tf1.13.json"]));
    expect(runs.get("sensitive-values-opentofu.json")!.summary).toContain(SENSITIVE);
  });

  it.each(Object.entries(MALFORMED))("%s fails with a clear error", (f, message) => {
    const run = runs.get(f)!;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::/m);
    expect(run.stdout).toMatch(message);
    // The failure replaces the stack's comment (here: the dry-run body), never a stale plan.
    expect(run.outputs).toEqual({ "has-changes": "false", failed: "true" });
    expect(run.summary).toContain("## Terraform plan · `production` · ❌ failed");
  });

  it("warns loudly and lists every destroyed or replaced address", () => {
    const body = runs.get("aws-all-actions-replace-both-orders-tf0.13.json")!.summary;
    expect(body).toContain("**Plan: 3 to add, 1 to change, 3 to destroy.** 2 to replace");
    expect(body).toMatch(/\[!CAUTION\][\s\S]*destroys 1 and replaces 2 resources/);
    const warning = body.slice(body.indexOf("[!CAUTION]"), body.indexOf("### "));
    expect(warning).toContain("aws_iam_user_group_membership");
    expect(warning).toContain("aws_instance");
    expect(body).toContain("create before destroy");
    expect(body).toContain("destroy before create");
  });

  it("groups resources by action, with attribute changes in collapsed details", () => {
    const body = runs.get("aws-update-inplace-tf0.15.json")!.summary;
    expect(body).toContain("### ✏️ Update in place (1)");
    expect(body).toMatch(/<details><summary><code>aws_codebuild_project\.[^<]+<\/code><\/summary>\n\n\| attribute \| before \| after \|/);
    const replace = runs.get("extra/replace-delete-create-replace_paths-local-tf1.13.json")!.summary;
    expect(replace).toContain("**forces replacement**");
    expect(replace).toContain("the provider cannot update it in place");
  });

  it("reports drift, output changes, forgets and data reads", () => {
    const drift = runs.get("aws-mixed-drift-outputs-tf1.0.json")!.summary;
    // 15 drift entries, 9 of them with nothing changed (before equals after): only 6 are shown.
    expect(drift).toContain("**Drift:** 6 resources were changed outside Terraform");
    expect(drift).toContain("### ⚠️ Drift: 6 resources changed outside Terraform");
    expect(drift).toContain("### 📤 Output changes (1)");
    expect(drift).toContain("<code>lambda_function_arn</code> (update)");
    expect(drift).toContain("(known after apply)");
    const forget = runs.get("forget-action-removed-block-tf1.13.json")!;
    expect(forget.summary).toContain("0 to forget".replace("0", "1"));
    expect(forget.outputs["has-changes"]).toBe("true");
    expect(runs.get("extra/aws-modules-data-read-tf1.5.json")!.summary).toContain("### 📖 Read data sources during apply (4)");
  });

  it("says No changes for empty and no-op plans", () => {
    for (const f of ["no-changes-empty-tf1.13.json", "aws-noop-all-tf0.15.json", "extra/unusual-handmade-no-resource-changes-tf0.12.json"]) {
      expect(runs.get(f)!.summary).toContain("**No changes.**");
      expect(runs.get(f)!.outputs["has-changes"]).toBe("false");
    }
  });

  it("prints a sensitive output as a placeholder", () => {
    const body = runs.get("sensitive-values-opentofu.json")!.summary;
    expect(body).toContain(`<code>test</code> (create): <code>—</code> → <code>${SENSITIVE}</code>`);
  });

  it("keeps the 300-resource plan under the limit, truncating with a note", () => {
    const body = runs.get("large-300-creates-local-tf1.13.json")!.summary.trimEnd();
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain("**Truncated:**");
    expect(body).toContain("**Plan: 300 to add.**\n");
    expect(body).not.toMatch(/\b0 to /);
  });

  it("keeps a generated 5,000-resource plan under the limit with the summary and destroy list", () => {
    const run = runs.get(big)!;
    expect(run.code).toBe(0);
    const body = run.summary.trimEnd();
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const n = independentCount(generatedPlan(5000));
    expect(body).toContain(`**Plan: ${n.add} to add, ${n.change} to change, ${n.destroy} to destroy.** ${n.replace} to replace`);
    expect(body).toContain("[!CAUTION]");
    expect(body).toContain("…and ");
    expect(body).toContain("**Truncated:**");
    expect(body).not.toContain("hunter2");
  });

  it("fails clearly on a missing file, a state file and a bad stack name", async () => {
    const missing = await runAction("plan-comment", { "plan-json": join(tmp, "nope.json"), stack: "production" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/::error::plan-json .*nope\.json" cannot be read: ENOENT/);
    const state = join(tmp, "state.json");
    writeFileSync(state, JSON.stringify({ format_version: undefined, values: { root_module: {} } }));
    expect(() => parsePlan(readFileSync(state, "utf8"), "state.json")).toThrow(/no format_version.*looks like a state file/);
    expect(() => parsePlan("", "x")).toThrow(/x is empty/);
    expect(() => parsePlan('{"format_version":"2.0"}', "x")).toThrow(/format_version "2.0" is not supported/);
    expect(() => parsePlan("[1]", "x")).toThrow(/not an object/);
    expect(() => parsePlan('{"format_version":"1.0","resource_changes":[{}]}', "x")).toThrow(/resource_changes\[0\] has no address/);
    const bad = await runAction("plan-comment", { "plan-json": join(PLANS, "no-changes-empty-tf1.13.json"), stack: "prod;<script>" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/stack "prod;<script>" is invalid/);
  });
});

describe("rendering speed", () => {
  it("renders a 2,000-resource plan in at most 300 ms", () => {
    const text = JSON.stringify(generatedPlan(2000));
    renderPlan(parsePlan(text), { stack: "warmup" });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const { body } = renderPlan(parsePlan(text), { stack: "production" });
      times.push(performance.now() - start);
      expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    }
    const best = Math.min(...times);
    console.log(`plan-comment: parse + render of a 2,000-resource plan: best ${best.toFixed(1)} ms of ${times.map((t) => t.toFixed(1)).join(", ")}`);
    expect(best).toBeLessThanOrEqual(300);
  });
});
