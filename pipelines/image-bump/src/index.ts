/**
 * image-bump: sets one image tag or digest in a YAML file of a local GitOps checkout, commits
 * it (old → new and the source commit in the message) and pushes. A rejected push (someone
 * else pushed first) is fetched, rebased and retried with jittered backoff, so concurrent
 * releases of different services all land.
 */
import { readFileSync, writeFileSync } from "fs";
import { isAbsolute, relative, resolve } from "path";
import { core, input, intInput, run, writeSummary } from "../../lib/action";
import { GitError, git, isRejectedPush } from "../../lib/git";
import { setScalar } from "../../lib/yaml-edit";

const DEFAULT_NAME = "github-actions[bot]";
const DEFAULT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com";

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
  if (token) core.setSecret(token);
  // A token goes in an http header for each call, never into .git/config.
  const auth = token ? [`http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`] : [];

  const dir = await git(resolve(repoInput), ["rev-parse", "--show-toplevel"]).then((s) => s.trim()).catch((err: GitError) => {
    throw new Error(`path ${JSON.stringify(repoInput)} is not a git checkout: ${err.stderr.trim()}`);
  });
  const target = resolve(dir, file);
  const rel = relative(dir, target);
  if (rel.startsWith("..") || isAbsolute(rel)) throw new Error(`file ${JSON.stringify(file)} is outside the repository at ${dir}`);
  // One call for both: is the checkout clean, and which branch is it on.
  const status = (await git(dir, ["status", "--porcelain=v2", "--branch"])).split("\n").filter(Boolean);
  if (status.some((l) => !l.startsWith("#"))) {
    throw new Error(`the checkout at ${dir} has uncommitted changes; image-bump needs a clean checkout (it resets to the remote on retries)`);
  }
  const head = status.find((l) => l.startsWith("# branch.head "))?.slice("# branch.head ".length);
  if (!branchInput && (!head || head === "(detached)")) throw new Error(`the checkout at ${dir} is on a detached HEAD; set the branch input`);
  const branch = branchInput || head!;
  if (branchInput) {
    // Continue an existing bump branch, or start it from the current commit.
    const exists = await git(dir, ["fetch", "--quiet", remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], { config: auth })
      .then(() => true, () => false);
    await git(dir, ["checkout", "--quiet", "-B", branch, ...(exists ? [`${remote}/${branch}`] : [])]);
  }

  const configured = await git(dir, ["config", "--get-regexp", "^user\\.(name|email)$"]).catch(() => "");
  const identity = [
    ...(/^user\.name /m.test(configured) ? [] : [`user.name=${DEFAULT_NAME}`]),
    ...(/^user\.email /m.test(configured) ? [] : [`user.email=${DEFAULT_EMAIL}`]),
  ];
  const source = process.env.GITHUB_SHA
    ? `${process.env.GITHUB_REPOSITORY ? `${process.env.GITHUB_REPOSITORY}@` : ""}${process.env.GITHUB_SHA}` : "";

  /** Applies the edit to the working tree; undefined when the file already has the value. */
  const apply = (): { previous: string; path: string } | { unchanged: string } => {
    let text: string;
    try {
      text = readFileSync(target, "utf8");
    } catch (err) {
      throw new Error(`file ${JSON.stringify(rel)} cannot be read in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const result = setScalar(text, key, value, rel);
    if (!result.changed) return { unchanged: result.previous };
    writeFileSync(target, result.text);
    return { previous: result.previous, path: result.path };
  };
  const commit = async (previous: string, path: string) => {
    const subject = customMessage || `Bump ${path} in ${rel}: ${previous} → ${value}`;
    const body = [`${path} in ${rel}: ${previous} → ${value}`, ...(source ? [`Source commit: ${source}`] : [])].join("\n");
    await git(dir, ["add", "--", rel]);
    await git(dir, ["commit", "--quiet", "-m", subject, "-m", body], { config: identity });
  };

  let edit = apply();
  if ("unchanged" in edit) return finish(false, edit.unchanged, "");
  await commit(edit.previous, edit.path);

  for (let attempt = 0; ; attempt++) {
    try {
      await git(dir, ["push", "--quiet", remote, `HEAD:refs/heads/${branch}`], { config: auth });
      break;
    } catch (err) {
      if (!isRejectedPush(err) || attempt >= retries) {
        throw new Error(isRejectedPush(err)
          ? `push to ${branch} was still rejected after ${retries} retries; the bump is committed locally only: ${(err as Error).message}`
          : `push to ${branch} failed: ${(err as Error).message}`);
      }
      core.info(`push rejected (attempt ${attempt + 1}); fetching ${remote}/${branch} and rebasing`);
      await sleep(backoff(attempt));
      await git(dir, ["fetch", "--quiet", remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], { config: auth });
      try {
        await git(dir, ["rebase", "--quiet", `${remote}/${branch}`], { config: identity });
      } catch {
        // Someone changed the same line: drop our commit, take theirs, and re-apply the edit.
        await git(dir, ["rebase", "--abort"]).catch(() => undefined);
        await git(dir, ["reset", "--quiet", "--hard", `${remote}/${branch}`]);
        edit = apply();
        if ("unchanged" in edit) return finish(false, edit.unchanged, "");
        await commit(edit.previous, edit.path);
      }
    }
  }
  const sha = (await git(dir, ["rev-parse", "HEAD"])).trim();
  return finish(true, edit.previous, sha);

  async function finish(changed: boolean, previous: string, sha: string): Promise<void> {
    core.setOutput("changed", changed);
    core.setOutput("previous", previous);
    core.setOutput("commit", sha);
    const line = changed
      ? `Bumped \`${key}\` in \`${rel}\` on \`${branch}\`: \`${previous}\` → \`${value}\` (commit ${sha.slice(0, 12)})`
      : `\`${key}\` in \`${rel}\` is already \`${value}\`; nothing committed`;
    core.info(line.replace(/`/g, ""));
    await writeSummary(`${line}\n`);
  }
});

function backoff(attempt: number): number {
  const cap = Math.min(2000, 100 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
