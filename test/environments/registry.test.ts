import { Testing } from "cdktf";
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { BootstrapStack, awsEnvironmentOrder, bootstrap, environmentOrder, environments, environmentStacks } from "../../environments";
import { SUB_CLAIM_KEYS } from "../../modules/github-oidc";
import { environmentOf } from "../../pipelines/lib/stacks";
import { appStacks, policy, resources } from "../helpers";
import { canAssumeWithWebIdentity, resolveTokens } from "../iam-eval";

/**
 * One registry (environments/registry.ts) drives everything that lists environments. The
 * workflows are checked against it, not generated from it: GitHub runs the YAML committed in
 * the repository, reviewers read that YAML in PRs, and a generator would still need this check
 * to catch a hand edit; a failing test that prints the expected chain is the cheaper way to keep
 * them in step. main.ts and the bootstrap stack read the registry directly.
 */

const ROOT = join(__dirname, "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const workflow = (file: string) => parse(readFileSync(join(WORKFLOWS, file), "utf8"));
const APPLY_STACK = "./.github/workflows/apply-stack.yml";
const chain = environmentOrder.flatMap((e) => environmentStacks(e));

describe("the environment registry drives the stacks, the bootstrap roles and the main workflow", () => {
  it("lists every environment once, in apply order, keyed by its name", () => {
    expect(environmentOrder).toEqual(Object.keys(environments));
    for (const [name, config] of Object.entries(environments)) expect(config.name).toBe(name);
    expect(chain).toEqual(environmentOrder.flatMap((e) => [e, `${e}-platform`]));
  });

  it("the README's stack and environment tables list the registry's environments, in order, with their tiers", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
    const cell = (row: string | undefined) => row?.split("|")[1]?.trim();
    const row = (what: string) => readme.find((l) => l.startsWith("| `") && l.includes(what));
    expect(cell(row("VPC, S3, EKS"))).toBe(awsEnvironmentOrder.map((e) => `\`${e}\``).join(", "));
    expect(cell(row("DNS only"))).toBe(environmentOrder.filter((e) => !awsEnvironmentOrder.includes(e)).map((e) => `\`${e}\``).join(", "));
    expect(cell(row("namespaces, ingress"))).toBe(environmentOrder.map((e) => `\`${e}-platform\``).join(", "));
    const start = readme.findIndex((l) => l.startsWith("| environment | protection |"));
    const tiers = readme.slice(start + 2).filter((_, i, rows) => rows.slice(0, i + 1).every((l) => l.startsWith("|")))
      .map((l) => l.split("|").slice(1, 3).map((c) => c.trim().replace(/`/g, "")));
    expect(tiers).toEqual(environmentOrder.map((e) => [e, environments[e].protection]));
  });

  it("main.ts synthesizes exactly the registry's stacks (plus bootstrap)", () => {
    expect(Object.keys(appStacks()).sort()).toEqual([...chain, "bootstrap"].sort());
  });

  it("the pipelines map every stack to its registry environment", () => {
    for (const env of environmentOrder) for (const stack of environmentStacks(env)) expect(environmentOf(stack)).toBe(env);
  });

  it("main.yml applies the registry's stacks as one chain, in registry order, each in its environment", () => {
    const jobs: Record<string, any> = workflow("main.yml").jobs;
    const applyJobs = Object.entries(jobs).filter(([, j]) => j.uses === APPLY_STACK).map(([id]) => id);
    const needs = (id: string) => [jobs[id].needs ?? []].flat() as string[];
    // Walk the chain the way GitHub schedules it: each apply job after the apply job it needs.
    const walked: string[] = [];
    let next = applyJobs.filter((id) => !needs(id).some((n) => applyJobs.includes(n)));
    while (next.length === 1) {
      walked.push(next[0]!);
      next = applyJobs.filter((id) => needs(id).filter((n) => applyJobs.includes(n)).join() === walked[walked.length - 1]);
    }
    const expected = chain.map((stack, i) => `${stack}: stack ${stack}, environment ${environmentOf(stack)}, needs ${i ? chain[i - 1] : "(no apply job)"}`);
    const actual = walked.map((id, i) => `${id}: stack ${jobs[id].with?.stack}, environment ${jobs[id].with?.environment}, needs ${i ? needs(id).filter((n) => applyJobs.includes(n)).join() : "(no apply job)"}`);
    expect({ chain: actual, strays: applyJobs.filter((id) => !walked.includes(id)) }).toEqual({ chain: expected, strays: [] });
  });

  it("the bootstrap stack has one set of CI roles per registry environment, in registry order, each in that environment's region", () => {
    expect(bootstrap.environments).toEqual(environmentOrder);
    const json = appStacks().bootstrap!;
    const roleNames = resources(json, "aws_iam_role").map((r) => String(r.name)).filter((n) => !n.includes("-bootstrap-"));
    expect(roleNames.sort()).toEqual(environmentOrder.flatMap((e) => ["plan", "pr-plan", "apply"].map((k) => `openedx-${e}-github-${k}`)).sort());
    const stack = new BootstrapStack(Testing.app());
    expect(Object.keys(stack.ciRoles)).toEqual([...environmentOrder]);
    const applyPolicy = (env: string) => resources(json, "aws_iam_role_policy").find((p) => String(p.role).includes(`ci-${env}_apply_role`))!;
    for (const env of environmentOrder) {
      const deny = policy(applyPolicy(env).policy).Statement.find((s: any) => s.Sid === "DenyOtherRegions");
      expect(deny.Condition.StringNotEquals["aws:RequestedRegion"]).toContain(environments[env].region);
    }
  });
});

/**
 * Every configure-aws-credentials step of every workflow, checked against the synthesized trust
 * policies: the token the job would get (its workflow file, ref, event and environment, as
 * GitHub builds the customized subject) must be able to assume the role the step names, for every
 * registry environment. A workflow that starts assuming a role (or moves a job to another file
 * or environment) without the bootstrap trusting it fails here, not at 3 a.m. on main.
 */
describe("every role a workflow assumes trusts that workflow's jobs", () => {
  const json = appStacks().bootstrap!;
  const INFRA = `${bootstrap.github.owner}/${bootstrap.github.name}`;
  const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
  const trustOf = (name: string) => {
    const r = resources(json, "aws_iam_role").find((x) => x.name === name);
    return r && policy(resolveTokens(r.assume_role_policy, json));
  };
  const sub = (repo: string, context: string, ref: string, jobWorkflowRef: string) => {
    const parts = { repo: `repo:${repo}`, context, ref: `ref:${ref}`, job_workflow_ref: `job_workflow_ref:${jobWorkflowRef}` };
    return SUB_CLAIM_KEYS.map((k) => parts[k]).join(":");
  };
  const canAssume = (role: string, s: string) => {
    const t = trustOf(role);
    return t !== undefined && canAssumeWithWebIdentity(t, { providerArn: PROVIDER, claims: { aud: "sts.amazonaws.com", sub: s } });
  };

  /** How each infrastructure workflow file runs: the ref and event its jobs get tokens on. */
  const runs: Record<string, { ref: string; event: "pull_request" | "push" | "workflow_dispatch" }> = {
    "pull-request.yml": { ref: "refs/pull/7/merge", event: "pull_request" },
    "apply-stack.yml": { ref: "refs/heads/main", event: "push" },
    "drift.yml": { ref: "refs/heads/main", event: "push" },
    "restore-drill.yml": { ref: "refs/heads/main", event: "workflow_dispatch" },
  };

  const steps: { file: string; job: string; role: string; environment?: string }[] = [];
  for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))) {
    for (const [id, job] of Object.entries<any>(workflow(file).jobs)) {
      for (const step of job.steps ?? []) {
        if (!String(step.uses).startsWith("aws-actions/configure-aws-credentials@")) continue;
        steps.push({ file, job: id, role: String(step.with["role-to-assume"]), environment: job.environment });
      }
    }
  }

  it("finds the steps (PR plans, main plan and apply, drift, release push), and knows how every file that assumes a role runs", () => {
    expect(steps.map((s) => `${s.file}:${s.job}`)).toEqual(expect.arrayContaining(["apply-stack.yml:apply", "apply-stack.yml:plan", "drift.yml:drift", "pull-request.yml:plan", "release.yml:image"]));
    // A new workflow that assumes a role must say here how it runs (ref, event), so its trust is checked below.
    expect(steps.filter((x) => !(x.file in runs) && x.file !== "release.yml").map((x) => `${x.file}:${x.job}`)).toEqual([]);
  });

  it.each(environmentOrder)("%s: every infrastructure workflow's job can assume the role it names, in its environment", (env) => {
    for (const s of steps.filter((x) => x.file in runs)) {
      const fill = (v: string) => v.replace(/\$\{\{ (matrix|inputs)\.environment \}\}/g, env);
      const role = fill(s.role).replace(/^.*:role\//, "");
      const environment = s.environment === undefined ? undefined : fill(String(s.environment));
      const { ref, event } = runs[s.file]!;
      const context = environment !== undefined ? `environment:${environment}` : event === "pull_request" ? "pull_request" : `ref:${ref}`;
      const token = sub(INFRA, context, ref, `${INFRA}/.github/workflows/${s.file}@${ref}`);
      expect([s.file, s.job, role, canAssume(role, token)]).toEqual([s.file, s.job, role, true]);
    }
  });

  it("release.yml: a service's release on main can assume the push role of each ECR repository it builds", () => {
    const step = workflow("release.yml").jobs.image.steps.find((x: any) => x.id === "role");
    expect(steps.find((x) => x.file === "release.yml")!.role).toMatch(/role\/\$\{\{ steps\.role\.outputs\.name \}\}$/);
    for (const [name, source] of Object.entries(bootstrap.ecr.repositories)) {
      // The step's own shell, run as the runner would, derives the role name from the repository input.
      const out = join(mkdtempSync(join(tmpdir(), "release-role-")), "output");
      execFileSync("bash", ["-e", "-c", step.run], { env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, ROLE: "", REPOSITORY: `${bootstrap.project}/${name}` } });
      const role = readFileSync(out, "utf8").trim().replace(/^name=/, "");
      const token = sub(source, "ref:refs/heads/main", "refs/heads/main", `${INFRA}/.github/workflows/release.yml@refs/heads/main`);
      expect([name, role, canAssume(role, token)]).toEqual([name, role, true]);
    }
  });
});
