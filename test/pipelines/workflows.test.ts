import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "./run-action";

const dir = join(ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => readFileSync(join(dir, f), "utf8");
const wf = Object.fromEntries(files.map((f) => [f, parse(text(f))]));
const steps = (f: string) => Object.values<any>(wf[f].jobs).flatMap((j) => j.steps ?? []);

describe("workflows", () => {
  it("exist for pull requests, main, the reusable apply, release and drift", () => {
    expect(files.sort()).toEqual(["apply-stack.yml", "drift.yml", "main.yml", "pull-request.yml", "release.yml"]);
  });

  it.each(files)("%s: every third-party uses: is pinned to a full commit SHA with a version comment", (f) => {
    const lines = text(f).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const ref = line.replace(/^\s*(-\s+)?uses:\s*/, "");
      if (ref.startsWith("./")) continue; // this repository's own actions and workflows
      expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("pins each action to one SHA everywhere", () => {
    const pins = new Map<string, Set<string>>();
    for (const f of files) {
      for (const m of text(f).matchAll(/uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g)) {
        if (!pins.has(m[1]!)) pins.set(m[1]!, new Set());
        pins.get(m[1]!)!.add(m[2]!);
      }
    }
    for (const [action, shas] of pins) expect([action, shas.size]).toEqual([action, 1]);
  });

  it.each(files)("%s: declares top-level permissions contents: read, and jobs only add to it", (f) => {
    expect(wf[f].permissions).toEqual({ contents: "read" });
    for (const job of Object.values<any>(wf[f].jobs)) {
      if (job.permissions) {
        expect(job.permissions.contents ?? "read").toBe("read");
        for (const [scope, level] of Object.entries(job.permissions)) {
          expect(["contents", "id-token", "pull-requests", "security-events", "issues"]).toContain(scope);
          expect(level).toMatch(/^(read|write)$/);
        }
      }
    }
  });

  it.each(files)("%s: no pull_request_target, no persisted checkout credentials, no template expansion in run:", (f) => {
    expect(Object.keys(wf[f].on)).not.toContain("pull_request_target");
    for (const step of steps(f)) {
      if (String(step.uses).startsWith("actions/checkout@")) expect(step.with?.["persist-credentials"]).toBe(false);
      if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
    }
  });

  it.each(files)("%s: AWS only through OIDC roles", (f) => {
    expect(text(f)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    for (const step of steps(f).filter((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"))) {
      expect(step.with["role-to-assume"]).toMatch(/^arn:aws:iam::\$\{\{ [\w.-]+ \}\}:role\//);
    }
  });

  it("plans pull requests with the read-only role and posts one comment per affected stack, skipping forks", () => {
    const pr = wf["pull-request.yml"];
    expect(pr.on).toEqual({ pull_request: { branches: ["main"] } });
    const plan = pr.jobs.plan;
    expect(plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(plan.strategy.matrix).toBe("${{ fromJSON(needs.build.outputs.matrix) }}");
    expect(plan.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(JSON.stringify(plan.steps)).toContain("-github-plan");
    expect(plan.steps.find((s: any) => s.uses?.startsWith("./pipelines/plan-comment")).with["github-token"]).toBe("${{ github.token }}");
    expect(plan.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform@")).with.terraform_wrapper).toBe(false);
    expect(pr.jobs["fork-notice"].if).toContain("!= github.repository");
    const build = pr.jobs.build.steps.map((s: any) => s.run ?? s.uses);
    for (const cmd of ["npm ci --no-audit --no-fund", "npm run lint", "npm run typecheck", "npm test", "npm run synth"]) expect(build).toContain(cmd);
    const gate = pr.jobs["trivy-config"].steps.find((s: any) => s.with?.["exit-code"] === "1");
    expect(gate.with).toMatchObject({ "scan-type": "config", severity: "HIGH,CRITICAL" });
    expect(pr.jobs["upload-sarif"].permissions["security-events"]).toBe("write");
  });

  it("applies on main in order sandbox → staging → production, platform stacks after their AWS stack", () => {
    const jobs = wf["main.yml"].jobs;
    const order = ["sandbox", "sandbox-platform", "staging", "staging-platform", "production", "production-platform"];
    order.forEach((stack, i) => {
      expect(jobs[stack].with).toEqual({ stack, environment: stack.replace(/-platform$/, "") });
      expect(jobs[stack].needs).toBe(i === 0 ? "build" : order[i - 1]);
    });
  });

  it("applies exactly the saved plan, in the stack's environment, one run per stack, never cancelling", () => {
    const jobs = wf["apply-stack.yml"].jobs;
    for (const job of [jobs.plan, jobs.apply]) expect(job.concurrency).toEqual({ group: "terraform-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(jobs.apply.environment).toBe("${{ inputs.environment }}");
    expect(jobs.plan.steps.find((s: any) => s.uses?.startsWith("actions/upload-artifact@")).with.path).toContain("tfplan.sha256");
    const run = jobs.apply.steps.map((s: any) => s.run ?? "").join("\n");
    expect(run).toContain("sha256sum --check tfplan.sha256");
    expect(run).toMatch(/terraform apply .* tfplan$/m);
    expect(JSON.stringify(jobs.apply.steps)).toContain("-github-apply");
  });

  it("release is reusable: scan fails on fixable HIGH/CRITICAL, push via OIDC, bump staging then production with approval", () => {
    const rel = wf["release.yml"];
    expect(Object.keys(rel.on)).toEqual(["workflow_call"]);
    const scan = rel.jobs.image.steps.find((s: any) => s.uses?.startsWith("aquasecurity/trivy-action@"));
    expect(scan.with).toMatchObject({ "scan-type": "image", severity: "HIGH,CRITICAL", "ignore-unfixed": true, "exit-code": "1" });
    expect(rel.jobs["bump-staging"].needs).toBe("image");
    expect(rel.jobs["bump-production"].environment).toBe("production");
    expect(rel.jobs["bump-production"].needs).toEqual(["image", "bump-staging"]);
    for (const job of ["bump-staging", "bump-production"]) {
      expect(rel.jobs[job].steps.some((s: any) => s.run === "node .pipelines/pipelines/image-bump/dist/index.js")).toBe(true);
    }
  });

  it("drift runs on a schedule and reports in an issue", () => {
    const drift = wf["drift.yml"];
    expect(drift.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(drift.jobs.drift.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    expect(drift.jobs.drift.steps.at(-1).run).toContain("gh issue create");
  });
});
