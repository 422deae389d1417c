import { Testing } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { BootstrapStack, bootstrap } from "../../environments/bootstrap";
import { s3State } from "../../environments/shared";
import { environmentOf } from "../../pipelines/lib/stacks";
import { policy, resource, synth } from "../helpers";

/**
 * Bootstrap is planned in pull requests and drift-checked (it holds every trust policy): its
 * state lives in the bucket it created (local only for the first deploy), and a read-only plan
 * role reads that state object and nothing else.
 */
const json = synth(new BootstrapStack(Testing.app()));
const statements = () => policy(resource(json, "aws_iam_role_policy", "bootstrap-plan/policy").policy).Statement as any[];

describe("bootstrap planned by CI", () => {
  it("keeps its state in the state bucket, next to the environments', unless told local for the first deploy", () => {
    if (s3State.backend !== "s3") throw new Error("environments must use S3 state");
    expect(json.terraform!.backend).toEqual({
      s3: { bucket: s3State.bucket, key: `${s3State.keyPrefix}/bootstrap.tfstate`, region: bootstrap.region, use_lockfile: true },
    });
    const first = synth(new BootstrapStack(Testing.app(), bootstrap, { state: { backend: "local" } }));
    expect(first.terraform!.backend.local.path).toMatch(/(^|\/)terraform\.bootstrap\.tfstate$/); // where: test/environments/state.test.ts
    // main.ts takes the same switch as every stack: CDKTF_STATE_BACKEND=local.
    expect(readFileSync(join(__dirname, "..", "..", "main.ts"), "utf8")).toMatch(/new BootstrapStack\(app, undefined, \{ state \}\)/);
  });

  it("has a PR plan role named as pull-request.yml assumes it, trusted only in the bootstrap-plan environment, and a drift plan role on main", () => {
    const pr = resource(json, "aws_iam_role", "bootstrap-pr-plan/role");
    // pull-request.yml assumes openedx-<environment>-github-pr-plan in <environment>-plan; for bootstrap the environment is "bootstrap".
    const wf = parse(readFileSync(join(__dirname, "..", "..", ".github", "workflows", "pull-request.yml"), "utf8"));
    const arn = wf.jobs.plan.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@")).with["role-to-assume"];
    expect(arn.replace(/^.*:role\//, "").replace("${{ matrix.environment }}", environmentOf("bootstrap"))).toBe(pr.name);
    expect(pr.name).toBe("openedx-bootstrap-github-pr-plan");
    expect(wf.jobs.plan.environment).toBe("${{ matrix.environment }}-plan");
    // Pull-request refs vary (refs/pull/<n>/merge), hence StringLike; trust.test.ts tries attacker tokens against it.
    expect(policy(pr.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:openedx-platform/learning-platform-infra:environment:bootstrap-plan:ref:refs/pull/*/merge:job_workflow_ref:openedx-platform/learning-platform-infra/.github/workflows/pull-request.yml@refs/pull/*/merge");
    const plan = resource(json, "aws_iam_role", "bootstrap-plan/role");
    expect(plan.name).toBe("openedx-bootstrap-github-plan");
    expect(JSON.stringify(policy(plan.assume_role_policy))).toContain("drift.yml@refs/heads/main");
    expect(JSON.stringify(policy(plan.assume_role_policy))).not.toContain("pull");
    expect(resource(json, "aws_iam_role_policy_attachment", "bootstrap-plan/").policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
  });

  it("lets the PR plan role write nothing at all, not even the lock", () => {
    const s = policy(resource(json, "aws_iam_role_policy", "bootstrap-pr-plan/").policy).Statement as any[];
    expect(s.find((x) => x.Sid === "StateLock")).toBeUndefined();
    expect(s.find((x) => x.Sid === "DenyObjectWrites")).toMatchObject({ Effect: "Deny", Resource: "*" });
    const writes = s.filter((x) => x.Effect === "Allow").flatMap((x) => [x.Action].flat()).filter((a: string) => /Put|Delete|Create|Update|Encrypt|GenerateDataKey/.test(a));
    expect(writes).toEqual([]);
  });

  it("reads its own state object only: no other stack's state, no object elsewhere, no secret value", () => {
    const s = statements();
    const key = s.find((x) => x.Sid === "StateObject");
    expect(key).toMatchObject({ Effect: "Allow", Action: "s3:GetObject" });
    expect(key.Resource).toMatch(/\/learning-platform\/bootstrap\.tfstate$/);
    expect(s.find((x) => x.Sid === "StateLock").Resource).toBe(`${key.Resource}.tflock`);
    const outside = s.find((x) => x.Sid === "DenyObjectsOutsideState");
    expect(outside).toMatchObject({ Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [key.Resource, `${key.Resource}.tflock`] });
    expect(s.find((x) => x.Sid === "DenySecretValues")).toEqual({ Sid: "DenySecretValues", Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" });
    expect(s.find((x) => x.Sid === "DenyDataPlaneReads").Action).toEqual(expect.arrayContaining(["dynamodb:GetItem", "logs:GetLogEvents", "lambda:InvokeFunction"]));
    // Nothing it may write but the lock file.
    const writes = s.filter((x) => x.Effect === "Allow").flatMap((x) => [x.Action].flat()).filter((a: string) => /Put|Delete|Create|Update|Encrypt/.test(a));
    expect(writes).toEqual(["s3:PutObject", "s3:DeleteObject"]);
  });
});
