/**
 * plan-comment: renders a stack's `terraform show -json` output as one sticky PR comment.
 * With a token and a pull request it creates or updates the comment; otherwise it writes the
 * body to the job summary and stdout and says it did a dry run.
 */
import { readFileSync, writeFileSync } from "fs";
import { core, input, run, writeSummary } from "../../lib/action";
import { pullRequestContext, pullRequestHeadSha, upsertComment } from "../../lib/github";
import { parsePlan } from "../../lib/plan";
import { digestMarker, planDigest } from "../../lib/plan-digest";
import { GITHUB_COMMENT_LIMIT, markerFor, renderPlan } from "../../lib/render";

run(async () => {
  const planPath = input("plan-json", { required: true });
  const stack = input("stack", { required: true });
  const token = input("github-token");
  const author = input("comment-author", { fallback: "github-actions[bot]" });
  const bodyFile = input("body-file");
  if (token) core.setSecret(token);
  const marker = markerFor(stack);

  let text: string;
  try {
    text = readFileSync(planPath, "utf8");
  } catch (err) {
    throw new Error(`plan-json ${JSON.stringify(planPath)} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const serverUrl = process.env.GITHUB_SERVER_URL || "https://github.com";
  const runUrl = process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID
    ? `${serverUrl}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
  const plan = parsePlan(text, `plan-json ${planPath}`);
  // The reviewed plan's digest, hidden in the comment: main applies only a plan with this digest.
  const { digest } = planDigest(plan);
  const head = pullRequestHeadSha();
  const digestLine = head ? `${digestMarker(stack, digest, head)}\n` : "";
  const rendered = renderPlan(plan, { stack, sha: process.env.GITHUB_SHA, runUrl, limit: GITHUB_COMMENT_LIMIT - digestLine.length });
  const { summary, truncated } = rendered;
  const body = `${digestLine}${rendered.body}`;
  core.setOutput("digest", digest);

  if (bodyFile) writeFileSync(bodyFile, body);
  core.setOutput("add", summary.add);
  core.setOutput("change", summary.change);
  core.setOutput("destroy", summary.destroy);
  core.setOutput("replace", summary.replace);
  core.setOutput("has-changes", summary.hasChanges);
  core.setOutput("has-destroy", summary.destroy > 0);
  core.info(`${stack}: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy (${summary.replace} replaced)`
    + `${truncated ? `; comment truncated to ${body.length} characters` : ""}`);

  const pr = pullRequestContext();
  if (token && pr) {
    const result = await upsertComment(token, pr, marker, body, author);
    core.setOutput("comment-id", result.id);
    core.info(`${result.action} comment ${result.id} on ${pr.owner}/${pr.repo}#${pr.number}${result.url ? ` (${result.url})` : ""}`);
    await writeSummary(body);
    return;
  }
  const why = !token ? "no github-token" : "no pull request in this event";
  core.info(`dry run (${why}): the comment was not posted; its body follows and is in the job summary.`);
  process.stdout.write(`${body}\n`);
  await writeSummary(body);
});
