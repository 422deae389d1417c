/**
 * apply-gate: the checks main runs before Terraform may change an environment.
 *
 * 1. `tip-of-branch`: the run's commit must be the tip of that branch on origin (re-running an
 *    old run of main would roll environments back).
 * 2. The digest of this plan's changes (and of the files it was made from: `cdk.tf.json`,
 *    `.terraform.lock.hcl`) must equal `expected-digest` / `expected-inputs-digest` when given
 *    (the apply job re-plans and must get the plan the plan job showed the approvers).
 * 3. `require-review`: a plan that changes anything must be the one reviewed, i.e. its digest
 *    must equal the digest in the merged pull request's plan comment for this stack, made for
 *    the head commit that was merged, or a digest approved by hand in `approved-digests`
 *    (a manual run). When they differ it refuses, says why and what to do, and comments on the
 *    pull request (dry run without a token).
 * Outputs the digests for the next job (job outputs, never an artifact).
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { core, input, run, writeSummary } from "../../lib/action";
import { parsePlan, summarize } from "../../lib/plan";
import { checkDigest, filesDigest, parseApprovedDigests, planDigest } from "../../lib/plan-digest";
import { mergedPullFor, postRefusal, repoFromEnv, reviewedDigest } from "../../lib/reviewed-plan";
import { basicCredential } from "../../lib/git";
import { runUrl } from "../../lib/github";
import { checkTip } from "../../lib/tip";

class Refusal extends Error {}

run(async () => {
  const planPath = input("plan-json", { required: true });
  const stack = input("stack", { required: true });
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(stack)) throw new Error(`input "stack" = ${JSON.stringify(stack)} is invalid; use 1-100 letters, digits, '.', '_' or '-'`);
  const token = input("github-token");
  if (token) {
    // git sends the token base64-encoded in a header (the tip check) and echoes it in a trace.
    core.setSecret(token);
    core.setSecret(basicCredential(token));
  }
  const author = input("comment-author", { fallback: "github-actions[bot]" });
  const branch = input("tip-of-branch");
  const requireReview = bool("require-review", input("require-review", { fallback: "false" }));
  const expected = input("expected-digest");
  const expectedInputs = input("expected-inputs-digest");
  const approved = parseApprovedDigests(input("approved-digests"));
  const stackDir = dirname(planPath);
  const inputFiles = (input("plan-inputs") || "cdk.tf.json\n.terraform.lock.hcl").split("\n").map((l) => l.trim()).filter(Boolean).map((f) => join(stackDir, f));
  const sha = process.env.GITHUB_SHA ?? "";
  const lines: string[] = [`### Apply gate · \`${stack}\``, ""];

  let text: string;
  try {
    text = readFileSync(planPath, "utf8");
  } catch (err) {
    throw new Error(`plan-json ${JSON.stringify(planPath)} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const plan = parsePlan(text, `plan-json ${planPath}`);
  const summary = summarize(plan);
  const d = planDigest(plan);
  const inputsDigest = filesDigest(inputFiles);
  core.setOutput("digest", d.digest);
  core.setOutput("inputs-digest", inputsDigest);
  core.setOutput("has-changes", summary.hasChanges);
  core.setOutput("has-destroy", d.deletes.length > 0);
  lines.push(`- plan digest: \`${d.digest}\` (${d.changes} resource change(s))`, `- inputs digest (${inputFiles.map((f) => f.slice(stackDir.length + 1)).join(", ")}): \`${inputsDigest}\``);
  if (d.deletes.length > 0) lines.push(`- destroys: ${d.deletes.map((a) => `\`${a}\``).join(", ")}`);
  core.info(`${stack}: plan digest ${d.digest}, inputs digest ${inputsDigest}, ${d.changes} change(s), ${d.deletes.length} destroy(s)`);

  try {
    if (branch) {
      const tip = await checkTip(input("repository-dir", { fallback: "." }), sha, branch, token);
      if (!tip.ok) throw new Refusal(tip.message);
      lines.push(`- ${sha} is the tip of \`${branch}\``);
    }
    if (expected) {
      checkDigest("input \"expected-digest\"", expected);
      if (expected !== d.digest) {
        throw new Refusal(`Refusing to apply ${stack}: this job's plan (${d.digest}) differs from the plan the plan job showed and the approvers saw (${expected}). `
          + "Something changed between the two jobs (the state, or an object outside Terraform); nothing was applied. Start a new run to plan and review again.");
      }
      lines.push("- same plan as the plan job's");
    }
    if (expectedInputs) {
      checkDigest("input \"expected-inputs-digest\"", expectedInputs);
      if (expectedInputs !== inputsDigest) {
        throw new Refusal(`Refusing to apply ${stack}: cdk.tf.json or .terraform.lock.hcl here (${inputsDigest}) differ from the ones the plan job planned (${expectedInputs}): `
          + "a different synth output or provider selection would be applied. Start a new run.");
      }
      lines.push("- same cdk.tf.json and .terraform.lock.hcl as the plan job's");
    }
    if (requireReview && summary.hasChanges) await compareWithReviewed(stack, d.digest, d.changes, approved, token, author, sha, branch || "main", lines);
    else if (requireReview) lines.push("- no changes: nothing to compare with a review");
  } catch (err) {
    if (err instanceof Refusal) {
      lines.push("", `**Refused.** ${err.message}`);
      await writeSummary(`${lines.join("\n")}\n`);
    }
    throw err;
  }
  await writeSummary(`${lines.join("\n")}\n`);
});

async function compareWithReviewed(stack: string, digest: string, changes: number, approved: Map<string, string>, token: string, author: string, sha: string, branch: string, lines: string[]): Promise<void> {
  const byHand = approved.get(stack);
  if (byHand !== undefined) {
    if (byHand !== digest) {
      throw new Refusal(`Refusing to apply ${stack}: approved-digests approves ${byHand}, but the plan now is ${digest}. `
        + "Read this run's plan summary and, if it is what you mean to apply, run again with that digest.");
    }
    lines.push(`- digest approved by hand in approved-digests (run by ${process.env.GITHUB_ACTOR ?? "unknown"})`);
    return;
  }
  const repo = repoFromEnv();
  const manual = `To apply it anyway, read this run's plan summary for ${stack} and run the workflow by hand (workflow_dispatch on ${branch}) with approved-digests: ${stack}=${digest}`;
  if (!token || !repo) {
    throw new Refusal(`Refusing to apply ${stack}: the plan changes ${changes} resource(s) (${digest}) and there is no github-token${repo ? "" : " or GITHUB_REPOSITORY"} `
      + `to find the plan reviewed in the merged pull request (dry run: nothing looked up, nothing posted). ${manual}.`);
  }
  const pull = await mergedPullFor(token, repo, sha, branch);
  if (!pull) {
    throw new Refusal(`Refusing to apply ${stack}: commit ${sha} came to ${branch} without a merged pull request, so nobody reviewed its plan (${changes} change(s), ${digest}). ${manual}.`);
  }
  const reviewed = await reviewedDigest(token, repo, pull, stack, author);
  let why = "";
  if (!reviewed.marker) {
    why = `pull request #${pull.number} has no plan comment for ${stack} (the change did not touch this stack, so these changes come from elsewhere: drift, an earlier failed apply, or outputs of a stack applied before it)`;
  } else if (reviewed.marker.head !== pull.headSha) {
    why = `the plan comment for ${stack} on #${pull.number} was made for ${reviewed.marker.head}, but the merged head is ${pull.headSha} (the plan of the last push failed or did not run)`;
  } else if (reviewed.marker.digest !== digest) {
    why = `the plan made on ${branch} at ${sha} (${digest}) differs from the plan reviewed on #${pull.number} (${reviewed.marker.digest}): the state changed since the review, or the merge brought in other changes`;
  } else {
    lines.push(`- same plan as reviewed on #${pull.number} (head ${pull.headSha})`);
    return;
  }
  const message = `Refusing to apply ${stack}: ${why}. Nothing was applied. ${manual}, or push a change to plan and review it again.`;
  const body = `### Apply of \`${stack}\` refused\n\n${message}\n\n`
    + `| | digest |\n|---|---|\n| reviewed here | \`${reviewed.marker?.digest ?? "none"}\` |\n| planned on ${branch} (${sha.slice(0, 12)}) | \`${digest}\` |\n`
    + (runUrl() ? `\n[The run and its plan](${runUrl()})\n` : "");
  const id = await postRefusal(token, repo, pull.number, stack, body, author);
  core.info(`posted the refusal on #${pull.number} (comment ${id})`);
  throw new Refusal(message);
}

function bool(name: string, raw: string): boolean {
  if (raw !== "true" && raw !== "false") throw new Error(`input "${name}" = ${JSON.stringify(raw)} is invalid; must be true or false`);
  return raw === "true";
}
