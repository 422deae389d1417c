/**
 * The GitHub REST calls the actions make, through Octokit. `GITHUB_API_URL` picks the API
 * (GitHub Enterprise, or a local stand-in in tests), exactly as on a runner.
 */
import { readFileSync } from "fs";
import { Octokit } from "@octokit/rest";
import { FULL_SHA, RepositoryRef } from "./git";

/** An Octokit for `token` against `GITHUB_API_URL` (github.com when unset). */
export function client(token: string, userAgent: string): Octokit {
  return new Octokit({ auth: token, baseUrl: process.env.GITHUB_API_URL || "https://api.github.com", userAgent });
}

/** This workflow run's page, from `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and `GITHUB_RUN_ID`; undefined outside a run. */
export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
}

export interface PullRequestContext {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/** `owner/repo` from `GITHUB_REPOSITORY`. */
export function repoFromEnv(env: NodeJS.ProcessEnv = process.env): RepositoryRef | undefined {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  return owner && repo ? { owner, repo } : undefined;
}

/** The pull request the workflow runs for, from `GITHUB_REPOSITORY` and the event payload. */
export function pullRequestContext(env: NodeJS.ProcessEnv = process.env): PullRequestContext | undefined {
  const r = repoFromEnv(env);
  if (!r || !env.GITHUB_EVENT_PATH) return undefined;
  let event: { pull_request?: { number?: number }; issue?: { number?: number; pull_request?: unknown }; number?: number };
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  } catch {
    return undefined;
  }
  const number = event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
  return typeof number === "number" ? { ...r, number } : undefined;
}

/** The pull request's head commit (what a reviewer saw), from the event payload; undefined outside pull requests. */
export function pullRequestHeadSha(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const sha = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"))?.pull_request?.head?.sha;
    return typeof sha === "string" && FULL_SHA.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

export interface UpsertResult {
  readonly id: number;
  readonly action: "created" | "updated";
  readonly url?: string;
}

/**
 * Updates the pull request's comment that carries `marker` (written by `author`, when given,
 * so nobody can get their own comment overwritten by pasting the marker), or creates one.
 */
export async function upsertComment(token: string, ctx: PullRequestContext, marker: string, body: string, author: string,
  userAgent = "learning-platform-plan-comment"): Promise<UpsertResult> {
  const octokit = client(token, userAgent);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: ctx.owner, repo: ctx.repo, issue_number: ctx.number, per_page: 100 });
  const existing = comments.find((c) => (c.body ?? "").includes(marker) && (!author || c.user?.login === author));
  if (existing) {
    const res = await octokit.rest.issues.updateComment({ owner: ctx.owner, repo: ctx.repo, comment_id: existing.id, body });
    return { id: res.data.id, action: "updated", url: res.data.html_url };
  }
  const res = await octokit.rest.issues.createComment({ owner: ctx.owner, repo: ctx.repo, issue_number: ctx.number, body });
  return { id: res.data.id, action: "created", url: res.data.html_url };
}


export interface PullRequestResult {
  readonly number: number;
  readonly url?: string;
  readonly action: "created" | "updated";
}

/**
 * The open pull request from `head` into `base`, with this title and body: updated when one is
 * open (a re-run, or a newer release on the same promotion branch), created otherwise.
 */
export async function upsertPullRequest(token: string, target: RepositoryRef, head: string, base: string, title: string, body: string): Promise<PullRequestResult> {
  const octokit = client(token, "learning-platform-image-bump");
  const open = await octokit.rest.pulls.list({ owner: target.owner, repo: target.repo, state: "open", head: `${target.owner}:${head}`, base, per_page: 10 });
  const existing = open.data.find((p) => p.head.ref === head && p.base.ref === base);
  if (existing) {
    const res = await octokit.rest.pulls.update({ owner: target.owner, repo: target.repo, pull_number: existing.number, title, body });
    return { number: res.data.number, url: res.data.html_url, action: "updated" };
  }
  const res = await octokit.rest.pulls.create({ owner: target.owner, repo: target.repo, head, base, title, body });
  return { number: res.data.number, url: res.data.html_url, action: "created" };
}

export interface RewriteResult {
  readonly id: number;
  readonly key: string;
}

/**
 * Rewrites the pull request's comments written by `author` (when given) for which `rewrite`
 * returns a new body (undefined: leave it): e.g. marking plan comments of stacks the pull
 * request no longer changes as stale. Unchanged bodies are not sent.
 */
export async function rewriteComments(token: string, ctx: PullRequestContext, author: string,
  rewrite: (body: string) => { key: string; body: string } | undefined): Promise<RewriteResult[]> {
  const octokit = client(token, "learning-platform-plan-comment");
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: ctx.owner, repo: ctx.repo, issue_number: ctx.number, per_page: 100 });
  const done: RewriteResult[] = [];
  for (const c of comments) {
    if (author && c.user?.login !== author) continue;
    const next = rewrite(c.body ?? "");
    if (!next || next.body === c.body) continue;
    await octokit.rest.issues.updateComment({ owner: ctx.owner, repo: ctx.repo, comment_id: c.id, body: next.body });
    done.push({ id: c.id, key: next.key });
  }
  return done;
}
