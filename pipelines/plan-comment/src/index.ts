/**
 * plan-comment: renders a stack's `terraform show -json` output as one sticky PR comment.
 * With a token and a pull request it creates or updates the comment; otherwise it writes the
 * body to the job summary and stdout and says it did a dry run.
 *
 * A failed plan (plan-outcome other than success, or plan JSON that cannot be read) replaces
 * the stack's comment with the failure, so an earlier plan is never left looking current.
 * With current-stacks it instead marks the comments of every other stack stale: the pull
 * request no longer changes them, so their plans are from an earlier commit.
 */
import { existsSync, readFileSync, writeFileSync } from "fs";
import { core, input, run, writeSummary } from "../../lib/action";
import { pullRequestContext, pullRequestHeadSha, rewriteComments, runUrl as runPage, upsertComment } from "../../lib/github";
import { PlanError, parsePlan } from "../../lib/plan";
import { digestMarker, planDigest } from "../../lib/plan-digest";
import { GITHUB_COMMENT_LIMIT, markStale, markerFor, renderFailure, renderPlan, stackOfComment } from "../../lib/render";

const OUTCOMES = ["success", "failure", "skipped", "cancelled"] as const;

run(async () => {
  const token = input("github-token");
  const author = input("comment-author", { fallback: "github-actions[bot]" });
  const bodyFile = input("body-file");
  const currentStacks = input("current-stacks");
  if (token) core.setSecret(token);
  const pr = pullRequestContext();
  // On a pull request GITHUB_SHA is GitHub's merge commit; reviewers know the head commit.
  const prHead = pullRequestHeadSha();
  const sha = input("head-sha") || prHead || process.env.GITHUB_SHA;
  const shaLabel = input("head-sha") || prHead ? "head" : "commit";
  const runUrl = runPage();

  if (currentStacks) {
    const keep = parseStacks(currentStacks);
    if (!token || !pr) {
      core.info(`dry run (${!token ? "no github-token" : "no pull request in this event"}): no comment was marked stale`);
      return;
    }
    const marked = await rewriteComments(token, pr, author, (body) => {
      const stack = stackOfComment(body);
      return stack && !keep.has(stack) ? { key: stack, body: markStale(body, sha) } : undefined;
    });
    core.setOutput("stale", JSON.stringify(marked.map((m) => m.key)));
    core.info(marked.length ? `marked stale: ${marked.map((m) => m.key).join(", ")}` : "no plan comment of an unaffected stack to mark stale");
    return;
  }

  const stack = input("stack", { required: true });
  markerFor(stack); // validates the name before anything is read
  const outcome = input("plan-outcome", { fallback: "success" });
  if (!(OUTCOMES as readonly string[]).includes(outcome)) {
    throw new Error(`input "plan-outcome" = ${JSON.stringify(outcome)} is invalid; must be one of ${OUTCOMES.join(", ")} (a step's outcome)`);
  }
  const planPath = input("plan-json");
  const logPath = input("plan-log");

  let body: string;
  let failure: string | undefined;
  if (outcome !== "success") {
    failure = outcome === "failure" ? "terraform plan failed (see the log below and the workflow run)"
      : `the plan step was ${outcome}: an earlier step failed (credentials, init), see the workflow run`;
  } else if (!planPath) {
    throw new Error('input "plan-json" is required when plan-outcome is success (set INPUT_PLAN-JSON)');
  }
  let parsed;
  if (!failure) {
    try {
      parsed = parsePlan(readFileSync(planPath, "utf8"), `plan-json ${planPath}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      failure = err instanceof PlanError ? err.message : `plan-json ${JSON.stringify(planPath)} cannot be read: ${code ?? (err as Error).message}`;
    }
  }
  if (failure || !parsed) {
    const log = logPath && existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
    body = renderFailure({ stack, reason: failure ?? "no plan", log, sha, shaLabel, runUrl });
    core.setOutput("has-changes", false);
    core.setOutput("failed", true);
  } else {
    // The reviewed plan's digest, hidden in the comment with the PR head it was made for: main
    // applies only a plan with this digest (apply-gate). A failure comment carries none, so the
    // gate refuses a stack whose last PR plan failed.
    const { digest } = planDigest(parsed);
    const digestLine = prHead ? `${digestMarker(stack, digest, prHead)}\n` : "";
    const rendered = renderPlan(parsed, { stack, sha, shaLabel, runUrl, limit: GITHUB_COMMENT_LIMIT - digestLine.length });
    const { summary, truncated } = rendered;
    body = `${digestLine}${rendered.body}`;
    core.setOutput("digest", digest);
    core.setOutput("add", summary.add);
    core.setOutput("change", summary.change);
    core.setOutput("destroy", summary.destroy);
    core.setOutput("replace", summary.replace);
    core.setOutput("has-changes", summary.hasChanges);
    core.setOutput("has-destroy", summary.destroy > 0);
    core.setOutput("failed", false);
    core.info(`${stack}: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy (${summary.replace} replaced)`
      + `${truncated ? `; comment truncated to ${body.length} characters` : ""}`);
  }
  if (bodyFile) writeFileSync(bodyFile, body);

  if (token && pr) {
    const result = await upsertComment(token, pr, markerFor(stack), body, author);
    core.setOutput("comment-id", result.id);
    core.info(`${result.action} comment ${result.id} on ${pr.owner}/${pr.repo}#${pr.number}${result.url ? ` (${result.url})` : ""}`);
    await writeSummary(body);
  } else {
    const why = !token ? "no github-token" : "no pull request in this event";
    core.info(`dry run (${why}): the comment was not posted; its body follows and is in the job summary.`);
    process.stdout.write(`${body}\n`);
    await writeSummary(body);
  }
  // The plan step already failed the job; a plan this action could not read fails it here.
  if (failure && outcome === "success") throw new Error(failure);
});

/** A JSON list of stack names (affected-stacks' `stacks` output) or a comma/space separated list. */
function parseStacks(raw: string): Set<string> {
  let list: unknown;
  try {
    list = raw.trim().startsWith("[") ? JSON.parse(raw) : raw.split(/[\s,]+/).filter(Boolean);
  } catch (err) {
    throw new Error(`input "current-stacks" is not a JSON list: ${(err as Error).message}`);
  }
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
    throw new Error(`input "current-stacks" = ${JSON.stringify(raw)} is invalid; write a JSON list of stack names (affected-stacks' stacks output)`);
  }
  for (const s of list as string[]) markerFor(s);
  return new Set(list as string[]);
}
