import { createServer, IncomingMessage, Server, ServerResponse } from "http";
import { AddressInfo } from "net";
import { writeFileSync } from "fs";
import { join } from "path";
import { compareVersions, parseVersion, recordedSource, relationByAncestry } from "../../pipelines/lib/version-order";
import { parseRepository } from "../../pipelines/lib/git";
import { bareRemote, git } from "./git-fixture";
import { runAction } from "./run-action";

/**
 * image-bump never moves a tag backwards: semver, source-commit ancestry, races between
 * releases of the same key against a real bare repository, and the promotion pull request
 * (created once, re-used by a re-run, updated by a newer release) through a local GitHub API.
 */
const FILES: Record<string, string> = {
  "apps/race/values.yaml": "image:\n  tag: v1.0.0 # semver race\n",
  "apps/sha/values.yaml": "image:\n  tag: PLACEHOLDER # commit-SHA tags\n",
  "apps/digest/values.yaml": "image:\n  tag: sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
  "apps/odd/values.yaml": "image:\n  tag: latest\n",
  "apps/web/production/values.yaml": "image:\n  tag: v3.0.0 # production\n",
};
const { root, remote, clone, remoteFile } = bareRemote("image-bump-order-", FILES);
const source = join(root, "service");
const tagIn = (path: string, ref = "main") => /tag: "?([^"\s#]+)"?/.exec(remoteFile(path, ref))![1];
const noGlobalConfig = join(root, "empty-gitconfig");
writeFileSync(noGlobalConfig, "");
const bump = (dir: string, inputs: Record<string, string>, extra: Record<string, string> = {}) =>
  runAction("image-bump", { path: dir, key: "image.tag", ...inputs },
    { GITHUB_SHA: "feedfacefeedfacefeedfacefeedfacefeedface", GITHUB_REPOSITORY: "acme/web", GIT_CONFIG_GLOBAL: noGlobalConfig, GIT_CONFIG_NOSYSTEM: "1", ...extra });

/** The service repository's history: c[0] → c[1] → … → c[4] on main, and x on a side branch off c[1]. */
const c: string[] = [];
let sideCommit = "";

beforeAll(() => {
  git(root, "init", "--quiet", "--initial-branch=main", source);
  for (let i = 0; i < 5; i++) {
    git(source, "commit", "--quiet", "--allow-empty", "-m", `service change ${i}`);
    c.push(git(source, "rev-parse", "HEAD").trim());
  }
  git(source, "checkout", "--quiet", "-b", "side", c[1]!);
  git(source, "commit", "--quiet", "--allow-empty", "-m", "side branch");
  sideCommit = git(source, "rev-parse", "HEAD").trim();
  // The SHA-tag file starts at c[1], as a previous release left it.
  const seed2 = clone();
  writeFileSync(join(seed2, "apps/sha/values.yaml"), `image:\n  tag: ${c[1]} # commit-SHA tags\n`);
  git(seed2, "commit", "--quiet", "-am", "release c1");
  git(seed2, "push", "--quiet", "origin", "main");
});

describe("version ordering (pure)", () => {
  it.each([
    ["v1.2.3", "v1.2.4", "newer"], ["v1.2.4", "v1.2.3", "older"], ["1.9", "1.10", "newer"], ["v1.10.0", "v1.9.9", "older"],
    ["2.0.0-rc.1", "2.0.0", "newer"], ["2.0.0", "2.0.0-rc.1", "older"], ["2.0.0-rc.2", "2.0.0-rc.10", "newer"],
    ["1.0.0-alpha", "1.0.0-alpha.1", "newer"], ["1.0.0-1", "1.0.0-alpha", "newer"], ["v1.2", "1.2.0", "same"], ["1.0.0+build.1", "1.0.0+build.2", "same"],
  ])("%s → %s is %s", (current, next, relation) => {
    expect(compareVersions(current, next)).toBe(relation);
  });

  it("does not read commit SHAs, digests or words as versions", () => {
    expect(parseVersion("1234567890123456789012345678901234567890")).toBeUndefined();
    expect(compareVersions("sha256:aa", "v1.0.0")).toBeUndefined();
    expect(compareVersions("latest", "v1.0.0")).toBeUndefined();
  });

  it("orders by ancestry, and calls diverged histories unordered", () => {
    expect(relationByAncestry("a", "b", true, false)).toBe("newer");
    expect(relationByAncestry("a", "b", false, true)).toBe("older");
    expect(relationByAncestry("a", "b", false, false)).toBe("unordered");
    expect(relationByAncestry("a", "a", true, true)).toBe("same");
  });

  it("finds the source commit a GitOps commit recorded for a value", () => {
    const sha = "ab".repeat(20);
    const msgs = ["Bump\n\nimage.tag in f.yaml: x → sha256:b\nSource commit: acme/web@" + "cd".repeat(20), `Bump\n\nimage.tag in f.yaml: y → sha256:a\nSource commit: acme/web@${sha}`];
    expect(recordedSource(msgs, "image.tag", "f.yaml", "sha256:a")).toBe(sha);
    expect(recordedSource(msgs, "image.tag", "other.yaml", "sha256:a")).toBeUndefined();
    expect(parseRepository("https://github.com/acme/gitops.git")).toEqual({ owner: "acme", repo: "gitops" });
    expect(parseRepository("git@github.com:acme/gitops")).toEqual({ owner: "acme", repo: "gitops" });
  });
});

describe("image-bump never moves a tag backwards (real bare repository)", () => {
  it("an older release after a newer one is skipped as superseded, and leaves the newer tag", async () => {
    const newer = await bump(clone(), { file: "apps/race/values.yaml", value: "v1.0.5" });
    expect(newer.outputs).toMatchObject({ changed: "true", result: "bumped" });
    const before = git(remote, "rev-parse", "main");
    const older = await bump(clone(), { file: "apps/race/values.yaml", value: "v1.0.3" });
    expect(older.code).toBe(0);
    expect(older.outputs).toMatchObject({ changed: "false", result: "superseded", previous: "v1.0.5", commit: "" });
    expect(older.stdout).toMatch(/::warning::Not bumped: image\.tag in apps\/race\/values\.yaml has v1\.0\.5, which is not older than v1\.0\.3 \(semver\)/);
    expect(git(remote, "rev-parse", "main")).toBe(before);
    expect(tagIn("apps/race/values.yaml")).toBe("v1.0.5");
  });

  it("concurrent releases of the same key, older and newer in every order: the newest always wins, nothing is rebased over it", async () => {
    // Three rounds with the versions started in different orders, each bump from its own
    // stale clone (all made before any of them pushes), as racing release jobs would be.
    const rounds = [["v2.0.3", "v2.0.1", "v2.0.6", "v2.0.2", "v2.0.5", "v2.0.4"], ["v3.1.0", "v3.0.9", "v3.0.1", "v3.0.10"], ["v4.0.0-rc.1", "v4.0.0", "v3.9.9"]];
    for (const values of rounds) {
      const dirs = values.map(() => clone());
      const runs = await Promise.all(values.map((value, i) => bump(dirs[i]!, { file: "apps/race/values.yaml", value, retries: "20" })));
      for (const run of runs) {
        expect(run.stdout).not.toContain("::error::");
        expect(["bumped", "superseded"]).toContain(run.outputs.result);
      }
      const newest = [...values].sort((a, b) => (compareVersions(a, b) === "newer" ? -1 : 1)).at(-1)!;
      expect(tagIn("apps/race/values.yaml")).toBe(newest);
      // History only ever moves forward: every pushed commit's value is newer than its parent's.
      const log = git(remote, "log", "--format=%B%x00", "main", "--", "apps/race/values.yaml").split("\0");
      for (const m of log) {
        const step = /image\.tag in apps\/race\/values\.yaml: (\S+) → (\S+)/.exec(m);
        if (step) expect([step[1], step[2], compareVersions(step[1]!, step[2]!)]).toEqual([step[1], step[2], "newer"]);
      }
      expect(runs.find((r) => r.outputs.commit && git(remote, "rev-parse", "main").trim() === r.outputs.commit)).toBeDefined();
    }
  }, 60_000);

  it("orders commit-SHA tags by the source repository's history, also when they race", async () => {
    const run = (commit: string, dir = clone()) =>
      bump(dir, { file: "apps/sha/values.yaml", value: commit, "source-path": source }, { GITHUB_SHA: commit });
    const forward = await run(c[3]!);
    expect(forward.outputs).toMatchObject({ result: "bumped", previous: c[1] });
    expect(forward.stdout).toContain("source commit ancestry");
    const back = await run(c[2]!);
    expect(back.outputs).toMatchObject({ result: "superseded", previous: c[3] });
    const dirs = [c[2]!, c[4]!, c[0]!, c[3]!].map((sha) => [sha, clone()] as const);
    const races = await Promise.all(dirs.map(([sha, dir]) => run(sha, dir)));
    for (const r of races) expect(r.stdout).not.toContain("::error::");
    expect(tagIn("apps/sha/values.yaml")).toBe(c[4]);
    // A commit on a diverged branch cannot be ordered: refused loudly, nothing pushed.
    const before = git(remote, "rev-parse", "main");
    const side = await run(sideCommit);
    expect(side.code).toBe(1);
    expect(side.stdout).toMatch(/::error::cannot tell whether .* is newer .*diverged histories.*Set order: any/);
    // Without the source checkout there is nothing to order SHAs by: refused too.
    const blind = await bump(clone(), { file: "apps/sha/values.yaml", value: c[3]! }, { GITHUB_SHA: c[3]! });
    expect(blind.code).toBe(1);
    expect(blind.stdout).toMatch(/set source-path/);
    expect(git(remote, "rev-parse", "main")).toBe(before);
  }, 30_000);

  it("orders digests by the source commit recorded when they were pushed", async () => {
    const digest = (n: string) => `sha256:${n.repeat(64)}`;
    const run = (value: string, commit: string) =>
      bump(clone(), { file: "apps/digest/values.yaml", value, "source-path": source, "order": "any" }, { GITHUB_SHA: commit });
    // The seeded digest has no recorded source: the first bump says so unless order: any.
    const unknown = await bump(clone(), { file: "apps/digest/values.yaml", value: digest("a"), "source-path": source }, { GITHUB_SHA: c[2]! });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/no source commit is known for sha256:0+/);
    expect((await run(digest("a"), c[2]!)).outputs.result).toBe("bumped");
    const ordered = (value: string, commit: string) =>
      bump(clone(), { file: "apps/digest/values.yaml", value, "source-path": source }, { GITHUB_SHA: commit });
    expect((await ordered(digest("b"), c[1]!)).outputs).toMatchObject({ result: "superseded", previous: digest("a") });
    expect((await ordered(digest("c"), c[4]!)).outputs).toMatchObject({ result: "bumped", previous: digest("a") });
    expect(remoteFile("apps/digest/values.yaml")).toContain(digest("c"));
  }, 30_000);

  it("refuses values it cannot order, and order: any allows a deliberate rollback", async () => {
    const odd = await bump(clone(), { file: "apps/odd/values.yaml", value: "v1.0.0" });
    expect(odd.code).toBe(1);
    expect(odd.stdout).toMatch(/cannot tell whether v1\.0\.0 is newer than latest/);
    const rollback = await bump(clone(), { file: "apps/race/values.yaml", value: "v1.0.0", order: "any" });
    expect(rollback.outputs).toMatchObject({ result: "bumped" });
    expect(tagIn("apps/race/values.yaml")).toBe("v1.0.0");
    const bad = await bump(clone(), { file: "apps/race/values.yaml", value: "v9", order: "backwards" });
    expect(bad.stdout).toMatch(/input "order" = "backwards" is invalid; must be one of newer, any/);
  }, 20_000);

  it("masks the token and the basic-auth header built from it", async () => {
    const token = "ghs_exampleTokenValue123";
    const run = await bump(clone(), { file: "apps/race/values.yaml", value: "v9.9.9", token });
    const header = Buffer.from(`x-access-token:${token}`).toString("base64");
    expect(run.stdout).toContain(`::add-mask::${token}`);
    expect(run.stdout).toContain(`::add-mask::${header}`);
    expect(run.outputs.result).toBe("bumped");
  });
});

interface Pull { number: number; head: { ref: string }; base: { ref: string }; title: string; body: string; state: string; html_url: string }

describe("image-bump promotion pull request (local GitHub API)", () => {
  const pulls: Pull[] = [];
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== "token gitops-token") return send(401, { message: "Bad credentials" });
      if (url.pathname === "/repos/acme/gitops/pulls" && req.method === "GET") {
        const head = url.searchParams.get("head");
        return send(200, pulls.filter((p) => p.state === "open" && (!head || `acme:${p.head.ref}` === head)));
      }
      if (url.pathname === "/repos/acme/gitops/pulls" && req.method === "POST") {
        const b = JSON.parse(raw);
        if (pulls.some((p) => p.state === "open" && p.head.ref === b.head)) return send(422, { message: "A pull request already exists" });
        const p = { number: pulls.length + 1, head: { ref: b.head }, base: { ref: b.base }, title: b.title, body: b.body, state: "open", html_url: `http://example.invalid/pull/${pulls.length + 1}` };
        pulls.push(p);
        return send(201, p);
      }
      const one = /^\/repos\/acme\/gitops\/pulls\/(\d+)$/.exec(url.pathname);
      if (one && req.method === "PATCH") {
        const p = pulls.find((x) => x.number === Number(one[1]));
        if (!p) return send(404, { message: "Not Found" });
        Object.assign(p, JSON.parse(raw));
        return send(200, p);
      }
      return send(404, { message: "Not Found" });
    });
  });
  let api = "";
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const promote = (value: string) => bump(clone(), {
    file: "apps/web/production/values.yaml", value, "pull-request": "true", repository: "acme/gitops", token: "gitops-token",
  }, { GITHUB_API_URL: api });
  const BRANCH = "image-bump/apps/web/production/values.yaml";

  it("opens one pull request, re-uses it on a re-run, updates it for a newer release, ignores an older one", async () => {
    const first = await promote("v3.1.0");
    expect(first.stdout).not.toContain("::error::");
    expect(first.outputs).toMatchObject({ result: "bumped", changed: "true", "pull-request": "1" });
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: { ref: BRANCH }, base: { ref: "main" }, title: "Promote v3.1.0 to apps/web/production/values.yaml" });
    expect(tagIn("apps/web/production/values.yaml", BRANCH)).toBe("v3.1.0");
    expect(tagIn("apps/web/production/values.yaml")).toBe("v3.0.0"); // main waits for the merge

    // A re-run of the same release (say the job failed after the push): same branch, same pull request.
    pulls[0]!.body = "edited by hand";
    const again = await promote("v3.1.0");
    expect(again.outputs).toMatchObject({ result: "reused", changed: "false", "pull-request": "1" });
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain("from `v3.0.0` to `v3.1.0`");

    // A newer release rebuilds the branch from main and updates the same pull request.
    const newer = await promote("v3.2.0");
    expect(newer.outputs).toMatchObject({ result: "bumped", "pull-request": "1" });
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.title).toBe("Promote v3.2.0 to apps/web/production/values.yaml");
    expect(tagIn("apps/web/production/values.yaml", BRANCH)).toBe("v3.2.0");
    expect(git(remote, "rev-list", "--count", `main..${BRANCH}`).trim()).toBe("1");

    // An older release that finishes late leaves the pending newer promotion alone.
    const requestsBefore = requests.length;
    const older = await promote("v3.1.5");
    expect(older.outputs).toMatchObject({ result: "superseded", previous: "v3.2.0", "pull-request": "" });
    expect(tagIn("apps/web/production/values.yaml", BRANCH)).toBe("v3.2.0");
    expect(requests.length).toBe(requestsBefore);

    // The pull request was closed unmerged: the next run opens a new one for the branch.
    pulls[0]!.state = "closed";
    const reopened = await promote("v3.2.0");
    expect(reopened.outputs).toMatchObject({ result: "reused", "pull-request": "2" });
    expect(requests.filter((r) => r.startsWith("POST")).length).toBe(2);
  }, 30_000);

  it("without a token it pushes the branch and says the pull request is a dry run", async () => {
    const run = await bump(clone(), { file: "apps/web/production/values.yaml", value: "v3.3.0", "pull-request": "true", repository: "acme/gitops" });
    expect(run.outputs).toMatchObject({ result: "bumped", "pull-request": "" });
    expect(run.stdout).toContain("dry run (no token)");
  });
});
