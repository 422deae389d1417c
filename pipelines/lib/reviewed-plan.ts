/**
 * Finding the plan a pull request's reviewers saw for a stack: the merged pull request of a
 * commit on main, and the digest line in the plan comment the workflow posted on it. Through
 * Octokit; `GITHUB_API_URL` picks the API (a local stand-in in tests).
 */
import { RepositoryRef } from "./git";
import { client as github, upsertComment } from "./github";
import { parseDigestMarker, refusalMarker, ReviewedDigest } from "./plan-digest";

export type Repo = RepositoryRef;

export interface MergedPull {
  readonly number: number;
  readonly headSha: string;
  readonly url?: string;
}

export interface Reviewed {
  readonly pull: MergedPull;
  /** The digest line of the stack's plan comment, when there is one. */
  readonly marker?: ReviewedDigest;
}

const client = (token: string) => github(token, "learning-platform-apply-gate");

export { repoFromEnv } from "./github";

/**
 * The pull request merged as `sha` on `branch`: the one whose merge commit is `sha` (merge,
 * squash and rebase merges all record it), else the only merged one into `branch` the API
 * associates with the commit.
 */
export async function mergedPullFor(token: string, r: Repo, sha: string, branch: string): Promise<MergedPull | undefined> {
  const octokit = client(token);
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: r.owner, repo: r.repo, commit_sha: sha, per_page: 100 });
  const merged = data.filter((p) => p.merged_at && p.base.ref === branch);
  const pull = merged.find((p) => p.merge_commit_sha === sha) ?? (merged.length === 1 ? merged[0] : undefined);
  return pull ? { number: pull.number, headSha: pull.head.sha, url: pull.html_url } : undefined;
}

/** The stack's digest line in the pull request's comments written by `author` (the newest one wins). */
export async function reviewedDigest(token: string, r: Repo, pull: MergedPull, stack: string, author: string): Promise<Reviewed> {
  const octokit = client(token);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: r.owner, repo: r.repo, issue_number: pull.number, per_page: 100 });
  const found = comments
    .filter((c) => c.user?.login === author)
    .map((c) => ({ at: c.updated_at ?? c.created_at ?? "", marker: parseDigestMarker(c.body ?? "", stack) }))
    .filter((c) => c.marker)
    .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  return { pull, marker: found.at(-1)?.marker };
}

/** Posts (or updates, by its hidden marker, only a comment by `author`) the refusal on the pull request. */
export async function postRefusal(token: string, r: Repo, number: number, stack: string, body: string, author: string): Promise<number> {
  const marker = refusalMarker(stack);
  return (await upsertComment(token, { ...r, number }, marker, `${marker}\n${body}`, author, "learning-platform-apply-gate")).id;
}
