import { readFileSync } from "fs";
import { join } from "path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { BootstrapStack, bootstrap } from "../../environments/bootstrap";
import { resources, synth } from "../helpers";
import { ROOT } from "./run-action";

/**
 * The longest apply we expect: a first apply of an environment creates EKS (~15 min plus node
 * groups and add-ons), RDS Multi-AZ (40-60 min), OpenSearch Multi-AZ (up to an hour or more),
 * DocumentDB and a CloudFront distribution, partly in sequence.
 */
const LONGEST_APPLY_MINUTES = 120;
/** init, the re-plan and the gate before the apply starts. */
const MARGIN_MINUTES = 15;

const wf = parse(readFileSync(join(ROOT, ".github", "workflows", "apply-stack.yml"), "utf8"));
const runs = (job: any): string[] => (job.steps ?? []).map((s: any) => s.run ?? "").filter(Boolean);
const lockMinutes = (cmd: string): number | undefined => {
  const m = /-lock-timeout=(\d+)m\b/.exec(cmd);
  return m ? Number(m[1]) : undefined;
};

describe("apply timeouts, lock timeouts and credentials agree", () => {
  const apply = wf.jobs.apply;
  const tfCommands = runs(apply).flatMap((r) => r.split("\n")).filter((l) => /^\s*terraform (plan|apply)\b/.test(l));
  const lock = Math.max(...tfCommands.map((c) => lockMinutes(c) ?? 0));

  it("every locking Terraform command in the apply job waits for the lock a bounded time", () => {
    expect(tfCommands.length).toBeGreaterThanOrEqual(2);
    for (const c of tfCommands) expect([c, lockMinutes(c) !== undefined && lockMinutes(c)! > 0]).toEqual([c, true]);
    // The plan job does not lock at all (the apply job plans again under the lock).
    for (const c of runs(wf.jobs.plan).flatMap((r) => r.split("\n")).filter((l) => /^\s*terraform plan\b/.test(l))) expect(c).toContain("-lock=false");
  });

  it("the apply job outlasts the longest apply plus the lock wait (a killed apply leaves a stale lock)", () => {
    expect(apply["timeout-minutes"]).toBeGreaterThanOrEqual(LONGEST_APPLY_MINUTES + lock + MARGIN_MINUTES);
    // GitHub-hosted runners end any job at 6 hours.
    expect(apply["timeout-minutes"]).toBeLessThanOrEqual(360);
    expect(apply["timeout-minutes"]).toBe(180);
  });

  it("the apply role's session lasts as long as the job, and the role allows that session", () => {
    const creds = apply.steps.find((s: any) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")).with;
    expect(creds["role-duration-seconds"]).toBeGreaterThanOrEqual(apply["timeout-minutes"] * 60);
    const json = synth(new BootstrapStack(Testing.app(), bootstrap));
    const applyRoles = resources(json, "aws_iam_role").filter((r) => /-github-apply$/.test(r.name));
    expect(applyRoles.length).toBeGreaterThan(0);
    for (const role of applyRoles) expect([role.name, role.max_session_duration >= creds["role-duration-seconds"]]).toEqual([role.name, true]);
  });

  it("the pipelines doc says how to recover a stale lock", () => {
    const readme = readFileSync(join(ROOT, "docs", "pipelines.md"), "utf8");
    expect(readme).toContain("terraform force-unlock");
    expect(readme).toMatch(/\.tfstate\.tflock/);
    expect(readme).toContain(`timeout-minutes: ${apply["timeout-minutes"]}`);
  });
});
