import { execFileSync } from "child_process";
import { AddressInfo } from "net";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlan } from "../../pipelines/lib/plan";
import { digestMarker, parseDigestMarker, planDigest, refusalMarker } from "../../pipelines/lib/plan-digest";
import { PLANS, runAction } from "./run-action";
import { fakeGitHub as fakeGitHubServer } from "./fake-github";


const MERGE = "1".repeat(40);
const HEAD = "2".repeat(40);
const OLD_HEAD = "3".repeat(40);

/** The GitHub endpoints apply-gate calls: the merge commit's pull requests and PR #7's comments. */
const fakeGitHub = () => fakeGitHubServer({
  issue: 7,
  firstId: 500,
  pullsByCommit: {
    [MERGE]: [
      { number: 6, merged_at: null, merge_commit_sha: "9".repeat(40), base: { ref: "main" }, head: { sha: "8".repeat(40) }, html_url: "http://example.invalid/6" },
      { number: 7, merged_at: "2026-12-01T10:00:00Z", merge_commit_sha: MERGE, base: { ref: "main" }, head: { sha: HEAD }, html_url: "http://example.invalid/7" },
    ],
  },
});

/** A stack directory as the apply job has it: plan.json, cdk.tf.json, .terraform.lock.hcl. */
function stackDir(planDoc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "gate-stack-"));
  writeFileSync(join(dir, "plan.json"), JSON.stringify(planDoc));
  writeFileSync(join(dir, "cdk.tf.json"), '{"terraform":{}}');
  writeFileSync(join(dir, ".terraform.lock.hcl"), "# lock\n");
  return dir;
}

const fixture = (f: string) => JSON.parse(readFileSync(join(PLANS, f), "utf8"));
const REVIEWED = fixture("aws-update-inplace-tf0.15.json");
const REVIEWED_DIGEST = planDigest(parsePlan(JSON.stringify(REVIEWED))).digest;
/** The reviewed plan with one attribute different. */
function changedPlan() {
  const p = structuredClone(REVIEWED);
  p.resource_changes.find((r: any) => r.change.actions[0] === "update").change.after.description = "not what was reviewed";
  return p;
}

describe("apply-gate", () => {
  const gh = fakeGitHub();
  let env: Record<string, string>;

  beforeAll(async () => {
    await new Promise<void>((r) => gh.server.listen(0, "127.0.0.1", r));
    env = {
      GITHUB_API_URL: `http://127.0.0.1:${(gh.server.address() as AddressInfo).port}`,
      GITHUB_REPOSITORY: "acme/infra",
      GITHUB_SHA: MERGE,
      GITHUB_RUN_ID: "77",
      GITHUB_SERVER_URL: "https://github.example",
    };
  });
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));
  beforeEach(() => {
    gh.comments.length = 0;
    gh.requests.length = 0;
  });
  const reviewedComment = (digest = REVIEWED_DIGEST, head = HEAD, login = "github-actions[bot]", stack = "sandbox") =>
    gh.comments.push({ id: gh.comments.length + 1, body: `${digestMarker(stack, digest, head)}\n<!-- terraform-plan:${stack} -->\n## Terraform plan`, user: { login }, updated_at: "2026-12-01T09:00:00Z" });
  const gate = (planDoc: unknown, extra: Record<string, string> = {}, extraEnv: Record<string, string> = {}) =>
    runAction("apply-gate", { "plan-json": join(stackDir(planDoc), "plan.json"), stack: "sandbox", "require-review": "true", "github-token": "test-token", ...extra }, { ...env, ...extraEnv });

  it("passes the plan reviewed on the merged pull request and outputs the digests", async () => {
    reviewedComment();
    const r = await gate(REVIEWED);
    expect(r.stdout).not.toContain("::error::");
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ digest: REVIEWED_DIGEST, "has-changes": "true", "has-destroy": "false" });
    expect(r.outputs["inputs-digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.summary).toContain("same plan as reviewed on #7");
    expect(gh.requests).not.toContain("POST /repos/acme/infra/issues/7/comments");
    // The token and the basic-auth header git sends for the tip check are both masked.
    expect(r.stdout).toContain("::add-mask::test-token");
    expect(r.stdout).toContain(`::add-mask::${Buffer.from("x-access-token:test-token").toString("base64")}`);
  });

  it("refuses a plan with one changed attribute, says why and what to do, and comments on the pull request", async () => {
    reviewedComment();
    const changed = changedPlan();
    const digest = planDigest(parsePlan(JSON.stringify(changed))).digest;
    const r = await gate(changed);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error::Refusing to apply sandbox: the plan made on main at ${MERGE} (${digest}) differs from the plan reviewed on #7 (${REVIEWED_DIGEST})`);
    expect(r.stdout).toContain(`approved-digests: sandbox=${digest}`);
    expect(r.summary).toContain("**Refused.**");
    const posted = gh.comments.find((c) => c.body.includes(refusalMarker("sandbox")));
    expect(posted?.body).toContain("### Apply of `sandbox` refused");
    expect(posted?.body).toContain(`| reviewed here | \`${REVIEWED_DIGEST}\` |`);
    expect(posted?.body).toContain("https://github.example/acme/infra/actions/runs/77");
    // A second refusal updates the same comment.
    await gate(changed);
    expect(gh.comments.filter((c) => c.body.includes(refusalMarker("sandbox")))).toHaveLength(1);
  });

  it("refuses when the comment was made for an older head, or only someone else wrote the digest", async () => {
    reviewedComment(REVIEWED_DIGEST, OLD_HEAD);
    const old = await gate(REVIEWED);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain(`was made for ${OLD_HEAD}, but the merged head is ${HEAD}`);
    gh.comments.length = 0;
    reviewedComment(REVIEWED_DIGEST, HEAD, "mallory");
    const forged = await gate(REVIEWED);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain("pull request #7 has no plan comment for sandbox");
  });

  it("refuses a commit that came without a pull request, and without a token (dry run)", async () => {
    const direct = await gate(REVIEWED, {}, { GITHUB_SHA: "4".repeat(40) });
    expect(direct.code).toBe(1);
    expect(direct.stdout).toContain(`commit ${"4".repeat(40)} came to main without a merged pull request`);
    const dry = await gate(REVIEWED, { "github-token": "" });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain("there is no github-token to find the plan reviewed in the merged pull request (dry run: nothing looked up, nothing posted)");
    expect(gh.requests).not.toContain("POST /repos/acme/infra/issues/7/comments");
  });

  it("accepts a digest approved by hand (manual run) only when it is this plan's", async () => {
    const ok = await gate(changedPlan(), { "approved-digests": `sandbox=${planDigest(parsePlan(JSON.stringify(changedPlan()))).digest}`, "github-token": "" });
    expect(ok.code).toBe(0);
    expect(ok.summary).toContain("approved by hand");
    const no = await gate(changedPlan(), { "approved-digests": `sandbox=${REVIEWED_DIGEST}`, "github-token": "" });
    expect(no.code).toBe(1);
    expect(no.stdout).toContain(`approved-digests approves ${REVIEWED_DIGEST}, but the plan now is`);
  });

  it("flags destroys (a delete alone or in a replace) for the production-destroy approval", async () => {
    for (const [f, destroy] of [["aws-delete-all-tf0.15.json", "true"], ["extra/replace-delete-create-replace_paths-local-tf1.13.json", "true"], ["aws-create-55-tf0.12.json", "false"]]) {
      const r = await runAction("apply-gate", { "plan-json": join(stackDir(fixture(f!)), "plan.json"), stack: "sandbox" }, env);
      expect([f, r.code, r.outputs["has-destroy"]]).toEqual([f, 0, destroy]);
    }
  });

  it("lets a plan without changes through without a review", async () => {
    const r = await gate(fixture("no-changes-empty-tf1.13.json"), { "github-token": "" });
    expect(r.code).toBe(0);
    expect(r.outputs["has-changes"]).toBe("false");
  });

  it("refuses when the apply job's plan or files differ from the plan job's", async () => {
    const dir = stackDir(REVIEWED);
    const first = await runAction("apply-gate", { "plan-json": join(dir, "plan.json"), stack: "sandbox" }, env);
    expect(first.code).toBe(0);
    const same = await runAction("apply-gate", { "plan-json": join(dir, "plan.json"), stack: "sandbox", "expected-digest": first.outputs.digest!, "expected-inputs-digest": first.outputs["inputs-digest"]! }, env);
    expect(same.code).toBe(0);
    const other = await runAction("apply-gate", { "plan-json": join(stackDir(changedPlan()), "plan.json"), stack: "sandbox", "expected-digest": first.outputs.digest! }, env);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain("differs from the plan the plan job showed and the approvers saw");
    writeFileSync(join(dir, ".terraform.lock.hcl"), "# another provider version\n");
    const lock = await runAction("apply-gate", { "plan-json": join(dir, "plan.json"), stack: "sandbox", "expected-inputs-digest": first.outputs["inputs-digest"]! }, env);
    expect(lock.code).toBe(1);
    expect(lock.stdout).toContain("cdk.tf.json or .terraform.lock.hcl here");
  });

  it("refuses to apply a commit that is not the tip of main (bare repository)", async () => {
    const root = mkdtempSync(join(tmpdir(), "gate-tip-"));
    const origin = join(root, "origin.git");
    const work = join(root, "work");
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" };
    const g = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", env: gitEnv, stdio: ["ignore", "pipe", "pipe"] }).trim();
    g("init", "--quiet", "--bare", "--initial-branch=main", origin);
    g("init", "--quiet", "--initial-branch=main", work);
    g("-C", work, "remote", "add", "origin", origin);
    g("-C", work, "commit", "--quiet", "--allow-empty", "-m", "one");
    const one = g("-C", work, "rev-parse", "HEAD");
    g("-C", work, "push", "--quiet", "origin", "main");
    const dir = stackDir(REVIEWED);
    const tipRun = await runAction("apply-gate", { "plan-json": join(dir, "plan.json"), stack: "sandbox", "tip-of-branch": "main", "repository-dir": work }, { ...env, GITHUB_SHA: one });
    expect(tipRun.code).toBe(0);
    expect(tipRun.summary).toContain(`${one} is the tip of \`main\``);
    g("-C", work, "commit", "--quiet", "--allow-empty", "-m", "two");
    g("-C", work, "push", "--quiet", "origin", "main");
    const old = await runAction("apply-gate", { "plan-json": join(dir, "plan.json"), stack: "sandbox", "tip-of-branch": "main", "repository-dir": work }, { ...env, GITHUB_SHA: one });
    expect(old.code).toBe(1);
    expect(old.stdout).toContain(`::error::Refusing to apply: this run's commit ${one} is not the tip of main.`);
  });

  it("reads back the digest plan-comment hides in the PR comment (same plan, same digest end to end)", async () => {
    const evDir = mkdtempSync(join(tmpdir(), "gate-event-"));
    writeFileSync(join(evDir, "event.json"), JSON.stringify({ number: 7, pull_request: { number: 7, head: { sha: HEAD } } }));
    // The PR run: plan-comment in a dry run prints the body it would post.
    const pr = await runAction("plan-comment", { "plan-json": join(PLANS, "aws-update-inplace-tf0.15.json"), stack: "sandbox" },
      { GITHUB_REPOSITORY: "acme/infra", GITHUB_EVENT_PATH: join(evDir, "event.json"), GITHUB_SHA: "5".repeat(40) });
    expect(pr.code).toBe(0);
    const marker = parseDigestMarker(pr.stdout, "sandbox");
    expect(marker).toEqual({ stack: "sandbox", head: HEAD, digest: REVIEWED_DIGEST });
    expect(pr.outputs.digest).toBe(REVIEWED_DIGEST);
    // Main: the same plan, written by another run with its keys in another order.
    gh.comments.push({ id: 1, body: pr.stdout, user: { login: "github-actions[bot]" }, updated_at: "2026-12-01T09:00:00Z" });
    const reverseKeys = (v: any): any => Array.isArray(v) ? v.map(reverseKeys)
      : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys(v[k])])) : v;
    const reordered = reverseKeys(REVIEWED);
    const main = await gate({ ...reordered, resource_changes: [...REVIEWED.resource_changes].reverse(), timestamp: "2026-12-02T10:00:00Z" });
    expect(main.code).toBe(0);
    expect(main.summary).toContain("same plan as reviewed on #7");
  });

  it("names a bad input", async () => {
    const r = await gate(REVIEWED, { "require-review": "yes" });
    expect(r.stdout).toContain('input "require-review" = "yes" is invalid; must be true or false');
    const d = await gate(REVIEWED, { "expected-digest": "abc" });
    expect(d.stdout).toContain('input "expected-digest" = "abc" is not a plan digest');
  });
});
