import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "./run-action";
import { environmentOrder, environmentStacks, getEnvironment } from "../../environments/registry";
import { isSelfHosted } from "../../environments/selfhosted-config";

const dir = join(ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => readFileSync(join(dir, f), "utf8");
const wf = Object.fromEntries(files.map((f) => [f, parse(text(f))]));
const steps = (f: string) => Object.values<any>(wf[f].jobs).flatMap((j) => j.steps ?? []);

describe("workflows", () => {
  it("exist for pull requests, main, the reusable apply, release, drift and the restore drill", () => {
    expect(files.sort()).toEqual(["apply-stack.yml", "drift.yml", "main.yml", "pull-request.yml", "release.yml", "restore-drill.yml"]);
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
          expect(["contents", "id-token", "pull-requests", "security-events", "issues", "actions"]).toContain(scope);
          if (scope === "actions") expect(level).toBe("read");
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
    // PR code only reaches AWS through the PR plan role, in the `<env>-plan` environment (production-plan has reviewers).
    expect(plan.environment).toBe("${{ matrix.environment }}-plan");
    expect(JSON.stringify(plan.steps)).toContain("-github-pr-plan");
    expect(JSON.stringify(plan.steps)).toContain("-lock=false");
    expect(plan.steps.find((s: any) => s.uses?.startsWith("./pipelines/plan-comment")).with["github-token"]).toBe("${{ github.token }}");
    expect(plan.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform@")).with.terraform_wrapper).toBe(false);
    expect(pr.jobs["fork-notice"].if).toContain("!= github.repository");
    const build = pr.jobs.build.steps.map((s: any) => s.run ?? s.uses);
    for (const cmd of ["npm ci --no-audit --no-fund", "npm run lint", "npm run typecheck", "npm test", "npm run synth"]) expect(build).toContain(cmd);
    expect(plan.if).toContain("github.event.pull_request.user.login != 'dependabot[bot]'");
    expect(pr.jobs["fork-notice"].if).toContain("github.event.pull_request.user.login == 'dependabot[bot]'");
    // A PR plan is speculative: it never takes the state lock an apply on main needs.
    expect(plan.steps.find((s: any) => s.name === "terraform plan").run).toMatch(/terraform plan .*-lock=false .*-out=tfplan/);
    // The security gate is .ci/run's own script (see pr-drift-workflows.test.ts).
    expect(pr.jobs.scan.steps.map((s: any) => s.run).filter(Boolean)).toEqual(["npm run scan", "npm run scan:selftest"]);
  });

  it("install with npm ci like .ci/run, on a lock that lists every platform's optional binaries", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
    // A lock made on one platform only lists that platform's binaries; npm ci elsewhere then
    // refuses it ("Missing: @swc/core-darwin-arm64 from lock file").
    for (const p of ["darwin-arm64", "darwin-x64", "linux-x64-gnu", "linux-arm64-gnu", "win32-x64-msvc"]) {
      expect(lock.packages).toHaveProperty([`node_modules/@swc/core-${p}`]);
    }
    const installs = files.flatMap((f) => steps(f).filter((s) => /^npm (ci|install)\b/.test(s.run ?? "")).map((s) => s.run));
    expect(installs.length).toBe(3);
    expect(readFileSync(join(ROOT, ".ci", "run"), "utf8")).toMatch(/^npm ci --no-audit --no-fund$/m);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toMatch(/^npm ci && npm run synth/m);
    for (const cmd of installs) expect(cmd).toBe("npm ci --no-audit --no-fund");
  });

  it("applies on main in the registry's order (sandbox → staging → production), platform stacks after their AWS stack", () => {
    const jobs = wf["main.yml"].jobs;
    const order = environmentOrder.flatMap((e) => environmentStacks(e));
    order.forEach((stack, i) => {
      const environment = stack.replace(/-platform$/, "");
      expect(jobs[stack].with).toEqual({
        stack, environment,
        // Destroys in a production-tier environment need the reviewers of <env>-destroy too (the tier decides, not the name).
        "destroy-approval": getEnvironment(environment).protection === "production",
        "approved-digests": "${{ inputs.approved-digests }}",
        // Platform stacks: the environment's in-VPC runner (test/modules/ci-runner.test.ts).
        // (Self-hosted environments have no VPC runner: docs/own-nodes.md.)
        ...(stack.endsWith("-platform") && !isSelfHosted(getEnvironment(environment)) ? { runner: `openedx-${environment}-ci-runner` } : {}),
      });
      expect(jobs[stack].needs).toBe(i === 0 ? "build" : order[i - 1]);
      expect(jobs[stack].permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write", actions: "read" });
    });
    expect(wf["main.yml"].on.workflow_dispatch.inputs["approved-digests"]).toMatchObject({ type: "string", default: "" });
  });

  it("applies exactly the reviewed plan: gate in both jobs, re-plan and apply in one job, in the stack's environment, one run per stack", () => {
    const jobs = wf["apply-stack.yml"].jobs;
    for (const job of [jobs.plan, jobs.apply]) expect(job.concurrency).toEqual({ group: "terraform-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(jobs.apply.environment).toBe("${{ inputs.environment }}");
    expect(jobs.apply.needs).toEqual(["plan", "approve-destroy"]);
    // The plan job: tip of main and the digest reviewed on the merged PR (or approved by hand).
    const planGate = jobs.plan.steps.find((s: any) => s.uses === "./pipelines/apply-gate");
    expect(planGate.with).toMatchObject({ "tip-of-branch": "main", "require-review": "true", "approved-digests": "${{ inputs.approved-digests }}", "github-token": "${{ github.token }}" });
    expect(jobs.plan.outputs).toMatchObject({
      digest: "${{ steps.gate.outputs.digest }}", "inputs-digest": "${{ steps.gate.outputs.inputs-digest }}",
      "has-changes": "${{ steps.gate.outputs.has-changes }}", "has-destroy": "${{ steps.gate.outputs.has-destroy }}",
    });
    expect(jobs.plan.permissions["pull-requests"]).toBe("write");
    // The apply job: plans again, gates on the plan job's digests (job outputs), applies that saved plan.
    const steps = jobs.apply.steps;
    const planAt = steps.findIndex((s: any) => /terraform plan .*-out=tfplan/.test(s.run ?? ""));
    const gateAt = steps.findIndex((s: any) => s.uses === "./pipelines/apply-gate");
    const applyAt = steps.findIndex((s: any) => /terraform apply /.test(s.run ?? ""));
    expect([planAt >= 0, planAt < gateAt, gateAt < applyAt]).toEqual([true, true, true]);
    expect(steps[gateAt].with).toMatchObject({
      "expected-digest": "${{ needs.plan.outputs.digest }}",
      "expected-inputs-digest": "${{ needs.plan.outputs.inputs-digest }}",
      "tip-of-branch": "main",
      "plan-json": "cdktf.out/stacks/${{ inputs.stack }}/plan.json",
    });
    expect(steps[applyAt].run).toMatch(/^terraform apply -input=false -no-color -lock-timeout=\d+m tfplan$/);
    expect(steps[planAt]["working-directory"]).toBe(steps[applyAt]["working-directory"]);
    // The apply runs only after the plan succeeded with changes, and destroys only after approval.
    expect(jobs.apply.if).toContain("needs.plan.result == 'success'");
    expect(jobs.apply.if).toContain("needs.plan.outputs.has-changes == 'true'");
    expect(jobs.apply.if).toContain("(needs.approve-destroy.result == 'success' || needs.plan.outputs.has-destroy != 'true' || !inputs.destroy-approval)");
    // The same Terraform version makes the plan and applies it.
    const tf = (job: any) => job.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform@")).with;
    expect(tf(jobs.plan)).toEqual(tf(jobs.apply));
    expect(tf(jobs.apply)).toEqual({ terraform_version: "${{ inputs.terraform-version }}", terraform_wrapper: false });
    expect(JSON.stringify(jobs.apply.steps)).toContain("-github-apply");
    expect(JSON.stringify(jobs.plan.steps)).toContain("-github-plan");
  });

  it("asks the <environment>-destroy reviewers before a destroy, and fails if that environment has none", () => {
    const { inputs } = wf["apply-stack.yml"].on.workflow_call;
    expect(inputs["destroy-approval"]).toEqual(expect.objectContaining({ type: "boolean", default: true }));
    const job = wf["apply-stack.yml"].jobs["approve-destroy"];
    expect(job.needs).toBe("plan");
    expect(job.if).toBe("inputs.destroy-approval && needs.plan.outputs.has-destroy == 'true'");
    expect(job.environment).toBe("${{ inputs.environment }}-destroy");
    expect(job.permissions).toEqual({ actions: "read" });
    const check = job.steps[0];
    expect(check.env.ENVIRONMENT).toBe("${{ inputs.environment }}-destroy");
    expect(check.run).toContain('select(.type == "required_reviewers")');
    expect(check.run).toMatch(/if \[ "\$reviewers" = "0" \]; then\n.*::error::.*\n\s*exit 1/);
  });

  it("never uploads a Terraform plan file, and passes digests as job outputs", () => {
    for (const f of files) {
      for (const [name, job] of Object.entries<any>(wf[f].jobs)) {
        for (const s of job.steps ?? []) {
          if (!s.uses?.startsWith("actions/upload-artifact@") && !s.uses?.startsWith("actions/cache")) continue;
          const paths = String(s.with?.path ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
          // A plan file under any name: tfplan, *.tfplan, *.plan; and no whole stack directory after a plan.
          for (const p of paths) expect([f, name, p, /tfplan|\.plan$|\.terraform\/?$/.test(p)]).toEqual([f, name, p, false]);
          const planned = (job.steps ?? []).some((x: any) => /terraform plan/.test(x.run ?? ""));
          if (planned) expect([f, name, paths]).toEqual([f, name, []]);
        }
      }
    }
    // The apply job gets the synth output, never a plan artifact.
    const downloads = wf["apply-stack.yml"].jobs.apply.steps.filter((s: any) => s.uses?.startsWith("actions/download-artifact@"));
    expect(downloads.map((s: any) => s.with)).toEqual([{ name: "synth", path: "cdktf.out" }]);
  });

  it("main runs one pipeline at a time, never cancelling one in progress; drift never queues in an apply's group", () => {
    expect(wf["main.yml"].concurrency).toEqual({ group: "main-apply", "cancel-in-progress": false });
    expect(wf["drift.yml"].jobs.drift.concurrency).toBeUndefined();
    expect(text("drift.yml")).not.toContain("group: terraform-");
  });

  it("runs every Terraform job on a synthesized app: synth in the same run, the output downloaded before terraform", () => {
    const synthJobs = { "pull-request.yml": "build", "main.yml": "build", "drift.yml": "stacks" } as Record<string, string>;
    for (const [f, job] of Object.entries(synthJobs)) {
      const synthStep = wf[f].jobs[job].steps.findIndex((s: any) => s.run === "npm run synth");
      const upload = wf[f].jobs[job].steps.findIndex((s: any) => s.uses?.startsWith("actions/upload-artifact@") && s.with.name === "synth");
      expect([f, synthStep >= 0, upload > synthStep]).toEqual([f, true, true]);
    }
    for (const f of files) {
      for (const [name, job] of Object.entries<any>(wf[f].jobs)) {
        const tfAt = (job.steps ?? []).findIndex((s: any) => /terraform (init|plan)/.test(s.run ?? ""));
        if (tfAt < 0) continue;
        // The synth output of this run (the apply job plans again from it; no plan artifact exists).
        const got = job.steps.findIndex((s: any) => s.uses?.startsWith("actions/download-artifact@")
          && s.with.name === "synth" && s.with.path === "cdktf.out");
        expect([f, name, got >= 0 && got < tfAt]).toEqual([f, name, true]);
        expect([f, name, job.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform@")).with.terraform_wrapper]).toEqual([f, name, false]);
      }
    }
  });

  it("uses one Terraform version everywhere", () => {
    const versions = new Set([
      wf["pull-request.yml"].env.TF_VERSION,
      wf["apply-stack.yml"].on.workflow_call.inputs["terraform-version"].default,
      wf["drift.yml"].jobs.drift.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform@")).with.terraform_version,
    ]);
    expect([...versions]).toEqual(["1.15.9"]);
  });

  it("passes this repository's actions only inputs their action.yml declares, and every required one", () => {
    const inputsOf = (action: string) => parse(readFileSync(join(ROOT, action, "action.yml"), "utf8")).inputs as Record<string, any>;
    let checked = 0;
    for (const f of files) {
      for (const step of steps(f)) {
        // ./pipelines/<action>, or (release.yml, run from service repositories) this repository's action pinned by SHA.
        const local = /^(?:\.|openedx-platform\/learning-platform-infra)\/(pipelines\/[\w-]+)(?:@[0-9a-f]{40})?$/.exec(String(step.uses))?.[1];
        // The release workflow runs image-bump's bundle with INPUT_* variables (another repository's checkout).
        const bundled = /^node \.pipelines\/(pipelines\/[\w-]+)\/dist\/index\.js$/.exec(String(step.run))?.[1];
        if (!local && !bundled) continue;
        const declared = inputsOf((local ?? bundled)!);
        const given = local ? Object.keys(step.with ?? {})
          : Object.keys(step.env ?? {}).filter((k) => k.startsWith("INPUT_")).map((k) => k.slice(6).toLowerCase());
        for (const k of given) expect([f, step.name ?? step.uses, k, k in declared]).toEqual([f, step.name ?? step.uses, k, true]);
        for (const [k, spec] of Object.entries(declared)) if (spec.required) expect([f, k, given.includes(k)]).toEqual([f, k, true]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it("release is reusable: scan fails on fixable HIGH/CRITICAL, push via OIDC, bump staging then production with approval", () => {
    const rel = wf["release.yml"];
    expect(Object.keys(rel.on)).toEqual(["workflow_call"]);
    const scan = rel.jobs.image.steps.find((s: any) => s.uses?.startsWith("aquasecurity/trivy-action@"));
    expect(scan.with).toMatchObject({ "scan-type": "image", severity: "HIGH,CRITICAL", "ignore-unfixed": true, "exit-code": "1" });
    // OIDC for the ECR push: the image job asks for id-token, and the usage example grants it (a caller that does not cannot run it).
    expect(rel.jobs.image.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(text("release.yml")).toMatch(/^#\s+permissions: \{ contents: read, id-token: write \}/m);
    expect(rel.on.workflow_call.secrets["gitops-token"].required).toBe(true);
    expect(rel.jobs["bump-staging"].needs).toBe("image");
    expect(rel.jobs["bump-production"].environment).toBe("production");
    expect(rel.jobs["bump-production"].needs).toEqual(["image", "bump-staging"]);
    for (const job of ["bump-staging", "bump-production"]) {
      expect(rel.jobs[job].steps.some((s: any) => /^openedx-platform\/learning-platform-infra\/pipelines\/image-bump@[0-9a-f]{40}$/.test(s.uses))).toBe(true);
    }
  });

  it("drift runs on a schedule and reports in an issue", () => {
    const drift = wf["drift.yml"];
    expect(drift.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(drift.jobs.drift.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    expect(drift.jobs.drift.steps.at(-1).run).toContain("gh issue create");
  });
});
