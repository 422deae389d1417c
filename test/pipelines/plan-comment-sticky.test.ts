import { AddressInfo } from "net";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { markerFor } from "../../pipelines/lib/render";
import { PLANS, runAction } from "./run-action";
import { fakeGitHub } from "./fake-github";

describe("plan-comment sticky comment through the GitHub API", () => {
  const gh = fakeGitHub();
  let env: Record<string, string>;

  beforeAll(async () => {
    await new Promise<void>((r) => gh.server.listen(0, "127.0.0.1", r));
    const dir = mkdtempSync(join(tmpdir(), "gh-event-"));
    const event = join(dir, "event.json");
    writeFileSync(event, JSON.stringify({ action: "synchronize", number: 42, pull_request: { number: 42 } }));
    env = {
      GITHUB_API_URL: `http://127.0.0.1:${(gh.server.address() as AddressInfo).port}`,
      GITHUB_REPOSITORY: "acme/infra",
      GITHUB_EVENT_PATH: event,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_RUN_ID: "99",
    };
    // Someone else's comment that quotes the marker must never be edited.
    gh.comments.push({ id: 1, body: `copied: ${markerFor("production")}`, user: { login: "mallory" } });
  });
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));

  it("creates the comment on the first run and updates the same one on the second", async () => {
    const first = await runAction("plan-comment", { "plan-json": join(PLANS, "aws-delete-all-tf0.15.json"), stack: "production", "github-token": "test-token" }, env);
    expect(first.stdout).not.toContain("::error::");
    expect(first.code).toBe(0);
    const id = first.outputs["comment-id"];
    expect(id).toBe("1000");
    expect(first.stdout).toContain("created comment 1000 on acme/infra#42");
    expect(first.stdout).not.toContain("dry run");

    const second = await runAction("plan-comment", { "plan-json": join(PLANS, "aws-update-inplace-tf0.15.json"), stack: "production", "github-token": "test-token" }, env);
    expect(second.code).toBe(0);
    expect(second.outputs["comment-id"]).toBe(id);
    expect(second.stdout).toContain("updated comment 1000");

    const ours = gh.comments.filter((c) => c.user.login === "github-actions[bot]");
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain("1 to change");
    expect(ours[0]!.body).toContain("commit 0123456789ab");
    expect(ours[0]!.body).toContain("/acme/infra/actions/runs/99");
    expect(gh.comments.find((c) => c.id === 1)!.body).toBe(`copied: ${markerFor("production")}`);
    expect(gh.requests.filter((r) => r.startsWith("PATCH"))).toEqual(["PATCH /repos/acme/infra/issues/comments/1000"]);
    expect(second.summary).toContain("1 to change");
  });

  it("keeps one comment per stack", async () => {
    const other = await runAction("plan-comment", { "plan-json": join(PLANS, "no-changes-empty-tf1.13.json"), stack: "staging", "github-token": "test-token" }, env);
    expect(other.outputs["comment-id"]).toBe("1001");
    expect(gh.comments.filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(2);
  });

  it("fails with the API's message when the token is refused", async () => {
    const run = await runAction("plan-comment", { "plan-json": join(PLANS, "no-changes-empty-tf1.13.json"), stack: "production", "github-token": "wrong" }, env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::.*Bad credentials/);
  });

  it("does a dry run with a token but no pull request in the event", async () => {
    const run = await runAction("plan-comment", { "plan-json": join(PLANS, "no-changes-empty-tf1.13.json"), stack: "production", "github-token": "test-token" },
      { ...env, GITHUB_EVENT_PATH: join(PLANS, "SOURCES.md") });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("dry run (no pull request in this event)");
  });
});
