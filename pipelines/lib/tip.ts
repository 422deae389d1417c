/**
 * Is this run's commit the tip of the branch it applies? Re-running an old run of main (or a
 * manual run on an old commit) would otherwise apply old code over newer infrastructure.
 * The truth is the remote, not the checkout: `git ls-remote origin refs/heads/<branch>`.
 */
import { FULL_SHA, authConfig, git } from "./git";

export interface TipCheck {
  readonly ok: boolean;
  /** The branch's tip on the remote. */
  readonly tip: string;
  /** `tip`: the run's commit is the tip; `behind`: the tip descends from it (a newer run applies it); `elsewhere`: not an ancestor of the tip (or unknown). */
  readonly relation: "tip" | "behind" | "elsewhere";
  /** What to tell the person reading the log; empty when ok. */
  readonly message: string;
}

export async function checkTip(dir: string, sha: string, branch: string, token = ""): Promise<TipCheck> {
  if (!FULL_SHA.test(sha)) throw new Error(`commit ${JSON.stringify(sha)} is not a full commit SHA; GITHUB_SHA must be set to the run's commit`);
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(branch) || branch.includes("..")) throw new Error(`tip-of-branch ${JSON.stringify(branch)} is not a branch name`);
  const config = authConfig(token);
  const out = (await git(dir, ["ls-remote", "origin", `refs/heads/${branch}`], { config })).trim();
  const tip = out.split(/\s+/)[0] ?? "";
  if (!FULL_SHA.test(tip)) {
    return { ok: false, tip: "", relation: "elsewhere", message: `Refusing to apply: branch ${branch} does not exist on origin, so commit ${sha} cannot be its tip.` };
  }
  if (tip === sha) return { ok: true, tip, relation: "tip", message: "" };
  // Fetch just the tip (the checkout is shallow) to say whether this run is merely behind.
  let relation: TipCheck["relation"] = "elsewhere";
  try {
    await git(dir, ["fetch", "--no-tags", "--quiet", "origin", tip], { config });
    await git(dir, ["merge-base", "--is-ancestor", sha, tip]);
    relation = "behind";
  } catch {
    relation = "elsewhere";
  }
  const why = relation === "behind"
    ? `${branch} has moved on to ${tip}, which contains this commit: applying ${sha} now would roll the environment back to older code. The run for ${tip} applies this change too (its run waits for this one).`
    : `${sha} is not an ancestor of ${branch}'s tip ${tip} (an old run re-run, or a run of another branch): applying it could roll the environment back or apply unmerged code.`;
  return { ok: false, tip, relation, message: `Refusing to apply: this run's commit ${sha} is not the tip of ${branch}. ${why} Start a new run from the tip of ${branch} instead of re-running this one.` };
}
