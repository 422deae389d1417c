/**
 * image-bump: sets one image tag or digest in a YAML file of a local GitOps checkout, commits
 * it (old → new and the source commit in the message) and pushes, directly or to a promotion
 * branch with a pull request.
 *
 * Never backwards: before every commit the value in the branch is compared with the new one
 * (semver when both are versions, else by the ancestry of their source commits in a checkout
 * of the source repository); an older release leaves a newer value alone and says so
 * ("superseded"). A value that cannot be ordered is refused unless `order: any` (a deliberate
 * rollback).
 *
 * Races: a rejected push is never rebased (a rebase would replay the older edit over the newer
 * one, which is how an older release used to win). The action fetches the branch again,
 * resets to it, re-reads the file, decides again, and retries with jittered backoff.
 *
 * Pull-request mode: one promotion branch per target file (`image-bump/<file>`), rebuilt from
 * the base on each newer release (pushed with a lease, so a concurrent newer push is never
 * overwritten) and one open pull request for it, created or updated: a re-run finds and
 * updates the pull request it opened before instead of losing it.
 */
import { readFileSync, writeFileSync } from "fs";
import { isAbsolute, relative, resolve } from "path";
import { core, input, intInput, run, writeSummary } from "../../lib/action";
import { GitError, RepositoryRef, authConfig, basicCredential, git, isRejectedPush, parseRepository } from "../../lib/git";
import { upsertPullRequest } from "../../lib/github";
import { COMMIT_RE, Relation, compareVersions, recordedSource, relationByAncestry } from "../../lib/version-order";
import { setScalar } from "../../lib/yaml-edit";

const DEFAULT_NAME = "github-actions[bot]";
const DEFAULT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com";
const ORDERS = ["newer", "any"] as const;

type Outcome = "bumped" | "unchanged" | "superseded" | "reused";

run(async () => {
  const repoInput = input("path", { required: true });
  const file = input("file", { required: true });
  const key = input("key", { required: true });
  const value = input("value", { required: true });
  const customMessage = input("message");
  const branchInput = input("branch");
  const retries = intInput("retries", 5, 50);
  const remote = input("remote", { fallback: "origin" });
  const token = input("token");
  const order = input("order", { fallback: "newer" });
  const sourcePathInput = input("source-path");
  const sourceCommit = input("source-commit", { fallback: process.env.GITHUB_SHA ?? "" }) || (COMMIT_RE.test(value) ? value : "");
  const pullRequest = boolInput("pull-request");
  const baseInput = input("base");
  const repositoryInput = input("repository");
  if (!(ORDERS as readonly string[]).includes(order)) {
    throw new Error(`input "order" = ${JSON.stringify(order)} is invalid; must be one of ${ORDERS.join(", ")} ("any" allows moving a tag backwards, e.g. a deliberate rollback)`);
  }
  if (sourceCommit && !COMMIT_RE.test(sourceCommit)) throw new Error(`input "source-commit" = ${JSON.stringify(sourceCommit)} is invalid; must be a full 40-character commit SHA`);
  // A token goes in an http header for each call, never into .git/config. Both the token and
  // the header's base64 form are masked: the header is what git would echo in a trace.
  if (token) {
    core.setSecret(token);
    core.setSecret(basicCredential(token));
  }
  const auth = authConfig(token);

  const dir = await git(resolve(repoInput), ["rev-parse", "--show-toplevel"]).then((s) => s.trim()).catch((err: GitError) => {
    throw new Error(`path ${JSON.stringify(repoInput)} is not a git checkout: ${err.stderr.trim()}`);
  });
  const target = resolve(dir, file);
  const rel = relative(dir, target);
  if (rel.startsWith("..") || isAbsolute(rel)) throw new Error(`file ${JSON.stringify(file)} is outside the repository at ${dir}`);
  const sourcePath = sourcePathInput ? resolve(sourcePathInput) : "";
  // One call for both: is the checkout clean, and which branch is it on.
  const status = (await git(dir, ["status", "--porcelain=v2", "--branch"])).split("\n").filter(Boolean);
  if (status.some((l) => !l.startsWith("#"))) {
    throw new Error(`the checkout at ${dir} has uncommitted changes; image-bump needs a clean checkout (it resets to the remote on retries)`);
  }
  const head = status.find((l) => l.startsWith("# branch.head "))?.slice("# branch.head ".length);
  const current = head && head !== "(detached)" ? head : "";
  const start = (await git(dir, ["rev-parse", "HEAD"])).trim();

  const configured = await git(dir, ["config", "--get-regexp", "^user\\.(name|email)$"]).catch(() => "");
  const identity = [
    ...(/^user\.name /m.test(configured) ? [] : [`user.name=${DEFAULT_NAME}`]),
    ...(/^user\.email /m.test(configured) ? [] : [`user.email=${DEFAULT_EMAIL}`]),
  ];
  const source = sourceCommit ? `${process.env.GITHUB_REPOSITORY ? `${process.env.GITHUB_REPOSITORY}@` : ""}${sourceCommit}` : "";

  const fetchRef = async (branch: string): Promise<string> => {
    const ok = await git(dir, ["fetch", "--quiet", remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], { config: auth })
      .then(() => true, (err: GitError) => {
        if (/couldn't find remote ref|not found/i.test(err.stderr)) return false;
        throw new Error(`fetch of ${branch} from ${remote} failed: ${err.stderr.trim()}`);
      });
    return ok ? (await git(dir, ["rev-parse", `refs/remotes/${remote}/${branch}`])).trim() : "";
  };
  const readAt = async (commit: string): Promise<string> => {
    try {
      return await git(dir, ["show", `${commit}:${rel}`]);
    } catch (err) {
      throw new Error(`file ${JSON.stringify(rel)} cannot be read in ${dir} at ${commit.slice(0, 12)}: ${(err as GitError).stderr?.trim() || (err as Error).message}`);
    }
  };
  /** The value at `commit` and the canonical path; `changed` false when it already is `value`. */
  const valueAt = async (commit: string) => {
    const r = setScalar(await readAt(commit), key, value, rel);
    return { previous: r.previous, path: r.path, changed: r.changed };
  };

  /** Is `value` newer than `currentValue` (as found at `commit` of the GitOps repository)? */
  const relation = async (currentValue: string, path: string, commit: string): Promise<{ relation: Relation; how: string }> => {
    if (currentValue === value) return { relation: "same", how: "equal" };
    if (order === "any") return { relation: "newer", how: "order: any (not checked)" };
    const byVersion = compareVersions(currentValue, value);
    if (byVersion) return { relation: byVersion, how: "semver" };
    let currentCommit = COMMIT_RE.test(currentValue) ? currentValue : undefined;
    if (!currentCommit) {
      const log = await git(dir, ["log", "--format=%B%x00", "-n", "500", commit, "--", rel]);
      currentCommit = recordedSource(log.split("\0"), path, rel, currentValue);
    }
    const why = (what: string) => `cannot tell whether ${value} is newer than ${currentValue} (${what}); `
      + "refusing to bump so a tag never moves backwards. Set order: any to bump anyway (e.g. a deliberate rollback)";
    if (!currentCommit) return { relation: "unordered", how: why(`not both versions, and no source commit is known for ${currentValue}`) };
    if (!sourceCommit) return { relation: "unordered", how: why("not both versions, and no source-commit (or GITHUB_SHA) for the new value") };
    if (!sourcePath) return { relation: "unordered", how: why("not both versions; set source-path to a full-history checkout of the source repository to order them by commit") };
    for (const c of [currentCommit, sourceCommit]) {
      await git(sourcePath, ["cat-file", "-e", `${c}^{commit}`]).catch(() => {
        throw new Error(`commit ${c} is not in the source checkout at ${sourcePath}; check it out with full history (actions/checkout fetch-depth: 0)`);
      });
    }
    const isAncestor = (a: string, b: string) => git(sourcePath, ["merge-base", "--is-ancestor", a, b]).then(() => true, (err: GitError) => {
      if (err.code === 1) return false;
      throw new Error(`git merge-base --is-ancestor ${a} ${b} failed in ${sourcePath}: ${err.stderr.trim()}`);
    });
    const r = relationByAncestry(currentCommit, sourceCommit, await isAncestor(currentCommit, sourceCommit), await isAncestor(sourceCommit, currentCommit));
    return r === "unordered"
      ? { relation: r, how: why(`source commits ${currentCommit.slice(0, 12)} and ${sourceCommit.slice(0, 12)} are on diverged histories`) }
      : { relation: r, how: `source commit ancestry (${currentCommit.slice(0, 12)} → ${sourceCommit.slice(0, 12)})` };
  };

  /** Writes the edit on top of `tip` (checked out as `branch`) and commits it. */
  const commitOn = async (branch: string, tip: string, previous: string, path: string) => {
    await git(dir, ["checkout", "--quiet", "--force", "-B", branch, tip]);
    const result = setScalar(readFileSync(target, "utf8"), key, value, rel);
    writeFileSync(target, result.text);
    const subject = customMessage || `Bump ${path} in ${rel}: ${previous} → ${value}`;
    const body = [`${path} in ${rel}: ${previous} → ${value}`, ...(source ? [`Source commit: ${source}`] : [])].join("\n");
    await git(dir, ["add", "--", rel]);
    await git(dir, ["commit", "--quiet", "-m", subject, "-m", body], { config: identity });
    return (await git(dir, ["rev-parse", "HEAD"])).trim();
  };

  if (!pullRequest) {
    if (!branchInput && !current) throw new Error(`the checkout at ${dir} is on a detached HEAD; set the branch input`);
    const branch = branchInput || current;
    for (let attempt = 0; ; attempt++) {
      // Always decide against the branch as it is now on the remote (a new branch starts here).
      const tip = (await fetchRef(branch)) || start;
      const now = await valueAt(tip);
      if (!now.changed) return finish("unchanged", now.previous, "", branch);
      const rel0 = await relation(now.previous, now.path, tip);
      if (rel0.relation === "older" || rel0.relation === "same") return finish("superseded", now.previous, "", branch, rel0.how);
      if (rel0.relation === "unordered") throw new Error(rel0.how);
      const sha = await commitOn(branch, tip, now.previous, now.path);
      try {
        await git(dir, ["push", "--quiet", remote, `HEAD:refs/heads/${branch}`], { config: auth });
        return finish("bumped", now.previous, sha, branch, rel0.how);
      } catch (err) {
        await retryOrThrow(err, attempt, branch);
      }
    }
  }

  // Pull-request mode.
  const base = baseInput || current;
  if (!base) throw new Error(`the checkout at ${dir} is on a detached HEAD; set the base input (the branch the pull request merges into)`);
  const branch = branchInput || `image-bump/${rel.split(/[\\/]/).map((s) => s.replace(/[^\w.-]/g, "-").replace(/^\.+/, "_").replace(/\.lock$/, "_lock")).join("/")}`;
  if (branch === base) throw new Error(`branch ${JSON.stringify(branch)} is the base branch; a pull request needs its own branch`);
  const repository = resolveRepository(repositoryInput, await git(dir, ["remote", "get-url", remote]).then((s) => s.trim(), () => ""));
  for (let attempt = 0; ; attempt++) {
    const baseTip = await fetchRef(base);
    if (!baseTip) throw new Error(`base branch ${JSON.stringify(base)} does not exist on ${remote}`);
    const headTip = await fetchRef(branch);
    const inBase = await valueAt(baseTip);
    if (!inBase.changed) return finish("unchanged", inBase.previous, "", branch, `${base} already has it`);
    const vsBase = await relation(inBase.previous, inBase.path, baseTip);
    if (vsBase.relation === "older" || vsBase.relation === "same") return finish("superseded", inBase.previous, "", branch, `${base} has ${inBase.previous}; ${vsBase.how}`);
    if (vsBase.relation === "unordered") throw new Error(vsBase.how);
    if (headTip) {
      const inHead = await valueAt(headTip);
      const upToDate = await git(dir, ["merge-base", "--is-ancestor", baseTip, headTip]).then(() => true, () => false);
      if (!inHead.changed && upToDate) {
        // A re-run: the branch already carries this value on the current base; keep it and
        // make sure its pull request is open and says so.
        return finish("reused", inBase.previous, headTip, branch, "the promotion branch already has it", await promote(inBase.previous, inBase.path));
      }
      if (inHead.changed && inHead.previous !== inBase.previous) {
        const vsHead = await relation(inHead.previous, inHead.path, headTip);
        if (vsHead.relation === "older" || vsHead.relation === "same") {
          return finish("superseded", inHead.previous, "", branch, `the pending promotion on ${branch} has ${inHead.previous}; ${vsHead.how}`);
        }
        if (vsHead.relation === "unordered") throw new Error(vsHead.how);
      }
    }
    const sha = await commitOn(branch, baseTip, inBase.previous, inBase.path);
    try {
      // The lease: replace the branch only if it is still what was just read (or still absent).
      await git(dir, ["push", "--quiet", `--force-with-lease=refs/heads/${branch}:${headTip}`, remote, `HEAD:refs/heads/${branch}`], { config: auth });
      return finish("bumped", inBase.previous, sha, branch, vsBase.how, await promote(inBase.previous, inBase.path));
    } catch (err) {
      await retryOrThrow(err, attempt, branch);
    }
  }

  async function promote(previous: string, path: string): Promise<{ number: number; url?: string; action: string } | undefined> {
    const title = customMessage || `Promote ${value} to ${rel}`;
    const body = [
      `Bumps \`${path}\` in \`${rel}\` from \`${previous}\` to \`${value}\`${source ? ` (source commit ${source})` : ""}.`,
      "",
      "Opened and kept up to date by image-bump: a newer release replaces this branch's commit and updates this pull request; "
        + "an older one never does. Merging it promotes the image.",
    ].join("\n");
    if (!token || !repository) {
      core.info(`dry run (${!token ? "no token" : "no repository: set the repository input"}): the pull request ${branch} → ${base} was not opened or updated`);
      return undefined;
    }
    const pr = await upsertPullRequest(token, repository, branch, base, title, body);
    core.info(`${pr.action} pull request #${pr.number}${pr.url ? ` (${pr.url})` : ""}`);
    return pr;
  }

  async function retryOrThrow(err: unknown, attempt: number, branch: string): Promise<void> {
    if (!isRejectedPush(err) || attempt >= retries) {
      throw new Error(isRejectedPush(err)
        ? `push to ${branch} was still rejected after ${retries} retries; nothing was pushed: ${(err as Error).message}`
        : `push to ${branch} failed: ${(err as Error).message}`);
    }
    core.info(`push rejected (attempt ${attempt + 1}): someone pushed first; fetching ${remote}/${branch} and deciding again on what is there now`);
    await sleep(backoff(attempt));
  }

  async function finish(outcome: Outcome, previous: string, sha: string, branch: string, how = "", pr?: { number: number; url?: string }): Promise<void> {
    core.setOutput("changed", outcome === "bumped");
    core.setOutput("result", outcome);
    core.setOutput("previous", previous);
    core.setOutput("commit", outcome === "bumped" ? sha : "");
    core.setOutput("pull-request", pr ? String(pr.number) : "");
    core.setOutput("pull-request-url", pr?.url ?? "");
    const prText = pr ? `; pull request #${pr.number}` : "";
    const line = {
      bumped: `Bumped \`${key}\` in \`${rel}\` on \`${branch}\`: \`${previous}\` → \`${value}\` (commit ${sha.slice(0, 12)}, ordered by ${how})${prText}`,
      unchanged: `\`${key}\` in \`${rel}\` is already \`${value}\`${how ? ` (${how})` : ""}; nothing committed`,
      superseded: `Not bumped: \`${key}\` in \`${rel}\` has \`${previous}\`, which is not older than \`${value}\` (${how}); a newer release got there first`,
      reused: `\`${key}\` in \`${rel}\`: \`${previous}\` → \`${value}\` is already on \`${branch}\` (${how})${prText}`,
    }[outcome];
    if (outcome === "superseded") core.warning(line.replace(/`/g, ""));
    else core.info(line.replace(/`/g, ""));
    await writeSummary(`${line}\n`);
  }
});

function boolInput(name: string): boolean {
  const raw = input(name, { fallback: "false" });
  if (raw !== "true" && raw !== "false") throw new Error(`input "${name}" = ${JSON.stringify(raw)} is invalid; must be true or false`);
  return raw === "true";
}

function resolveRepository(given: string, remoteUrl: string): RepositoryRef | undefined {
  if (given) {
    const r = parseRepository(given);
    if (!r || given.includes(":")) throw new Error(`input "repository" = ${JSON.stringify(given)} is invalid; write owner/name`);
    return r;
  }
  return /github/i.test(remoteUrl) ? parseRepository(remoteUrl) : undefined;
}

function backoff(attempt: number): number {
  const cap = Math.min(2000, 100 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
