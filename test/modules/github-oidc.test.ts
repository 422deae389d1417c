import { GithubActionsRole, GithubOidcProvider, SUB_CLAIM_KEYS, githubSubject } from "../../modules/github-oidc";
import { TerraformCiRoles } from "../../modules/github-oidc/terraform-roles";
import { policy, resource, resources, synth, testStack } from "../helpers";

const repo = { owner: "acme", name: "infra" };
const SUB = "repo:acme/infra:environment:e:ref:refs/heads/main:job_workflow_ref:acme/infra/.github/workflows/a.yml@refs/heads/main";
const statements = [{ Effect: "Allow" as const, Action: "s3:ListAllMyBuckets", Resource: "*" }];

describe("github-oidc", () => {
  it("builds customized subjects (repo, context, ref, job_workflow_ref) and refuses bad parts", () => {
    const main = { branch: "main" };
    expect(SUB_CLAIM_KEYS).toEqual(["repo", "context", "ref", "job_workflow_ref"]);
    expect(githubSubject({ repository: repo, on: main, environment: "production", workflow: { path: ".github/workflows/apply-stack.yml" } }))
      .toBe("repo:acme/infra:environment:production:ref:refs/heads/main:job_workflow_ref:acme/infra/.github/workflows/apply-stack.yml@refs/heads/main");
    expect(githubSubject({ repository: repo, on: main, workflow: { path: ".github/workflows/drift.yml" } }))
      .toBe("repo:acme/infra:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:acme/infra/.github/workflows/drift.yml@refs/heads/main");
    expect(githubSubject({ repository: repo, on: "pull_request", workflow: { path: ".github/workflows/pr.yml" } }))
      .toBe("repo:acme/infra:pull_request:ref:refs/pull/*/merge:job_workflow_ref:acme/infra/.github/workflows/pr.yml@refs/pull/*/merge");
    expect(githubSubject({ repository: { owner: "acme", name: "web" }, on: main, workflow: { repository: repo, path: ".github/workflows/release.yml", ref: "refs/tags/v1" } }))
      .toBe("repo:acme/web:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:acme/infra/.github/workflows/release.yml@refs/tags/v1");
    const job = { repository: repo, on: main, workflow: { path: ".github/workflows/a.yml" } };
    expect(() => githubSubject({ ...job, repository: { owner: "ac*me", name: "infra" } })).toThrow(/repository\.owner = "ac\*me" is invalid/);
    expect(() => githubSubject({ ...job, repository: { owner: "acme", name: "in fra" } })).toThrow(/repository\.name = "in fra" is invalid/);
    expect(() => githubSubject({ ...job, on: { branch: "release/*" } })).toThrow(/on\.branch = "release\/\*" is invalid; must be one branch name/);
    expect(() => githubSubject({ ...job, environment: "prod:x" })).toThrow(/environment = "prod:x" is invalid/);
    expect(() => githubSubject({ ...job, workflow: { path: "ci.yml" } })).toThrow(/workflow\.path = "ci\.yml" is invalid; must be a workflow file/);
    expect(() => githubSubject({ ...job, workflow: { path: ".github/workflows/a.yml", ref: "0123abc" } })).toThrow(/workflow\.ref = "0123abc" is invalid; must be a branch or tag ref/);
  });

  it("reuses an existing provider and refuses an ARN of another issuer", () => {
    const { stack } = testStack();
    const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    expect(new GithubOidcProvider(stack, "p", { existingProviderArn: existing }).providerArn).toBe(existing);
    expect(resources(synth(stack), "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(() => new GithubOidcProvider(stack, "q", { existingProviderArn: "arn:aws:iam::123456789012:oidc-provider/example.com" }))
      .toThrow(/GithubOidcProvider q: existingProviderArn = .* is invalid; must be an IAM OIDC provider ARN/);
  });

  it("pins audience and a single subject with StringEquals, PR subjects with StringLike in a statement of their own", () => {
    const { stack } = testStack();
    const provider = new GithubOidcProvider(stack, "gh");
    const pr = "repo:acme/infra:environment:e-plan:ref:refs/pull/*/merge:job_workflow_ref:acme/infra/.github/workflows/pr.yml@refs/pull/*/merge";
    new GithubActionsRole(stack, "r", { provider, roleName: "openedx-test-r", description: "d", subjects: [SUB], statements, managedPolicies: ["ReadOnlyAccess"] });
    new GithubActionsRole(stack, "both", { provider, roleName: "openedx-test-both", description: "d", subjects: [SUB, pr], statements });
    const json = synth(stack);
    const t = policy(resource(json, "aws_iam_role", "r/role").assume_role_policy).Statement;
    expect(t).toHaveLength(1);
    expect(t[0].Condition).toEqual({ StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": SUB } });
    const both = policy(resource(json, "aws_iam_role", "both/role").assume_role_policy).Statement;
    expect(both.map((x: any) => x.Condition)).toEqual([
      { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": SUB } },
      { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": pr } },
    ]);
    expect(resource(json, "aws_iam_role", "r/role").max_session_duration).toBe(3600);
    expect(resource(json, "aws_iam_role_policy_attachment", "r/").policy_arn).toContain(":iam::aws:policy/ReadOnlyAccess");
  });

  it.each<[string, object, RegExp]>([
    ["a default-format subject", { subjects: ["repo:acme/infra:environment:production"] }, /subjects = "repo:acme\/infra:environment:production" is invalid; must be a customized GitHub OIDC subject/],
    ["a repository wildcard", { subjects: [SUB.replace("acme/infra:", "acme/*:")] }, /is invalid; must be a customized GitHub OIDC subject/],
    ["a branch wildcard", { subjects: [SUB.replace(":ref:refs/heads/main:", ":ref:refs/heads/*:")] }, /is invalid; must be a customized GitHub OIDC subject/],
    ["a workflow wildcard", { subjects: [SUB.replace("a.yml", "*.yml")] }, /is invalid; must be a customized GitHub OIDC subject/],
    ["no subjects", { subjects: [] }, /subjects = \[\] is invalid; must list at least 1/],
    ["a long role name", { roleName: "x".repeat(65) }, /roleName = "x{65}" is invalid; must be at most 64 characters/],
    ["no statements", { statements: [] }, /statements = \[\] is invalid; must grant what the job needs/],
    ["a short session", { maxSessionDurationSeconds: 600 }, /maxSessionDurationSeconds = 600 is invalid; must be an integer from 3600 to 43200/],
    ["a bad managed policy", { managedPolicies: ["Read Only"] }, /managedPolicies = "Read Only" is invalid/],
  ])("refuses %s", (_what, override, message) => {
    const { stack } = testStack();
    const provider = new GithubOidcProvider(stack, "gh");
    expect(() => new GithubActionsRole(stack, "r", {
      provider, roleName: "openedx-test-r", description: "d", subjects: [SUB], statements, ...override,
    })).toThrow(message);
  });

  it("TerraformCiRoles validates its stacks and key prefix", () => {
    const { stack, naming } = testStack("sandbox");
    const provider = new GithubOidcProvider(stack, "gh");
    const base = {
      provider, naming, repository: repo, githubEnvironment: "sandbox", stacks: ["sandbox"], region: "eu-west-1",
      state: { bucketArn: "arn:aws:s3:::state", keyPrefix: "lp", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x" },
      protect: { bucketArns: ["arn:aws:s3:::state"], kmsKeyArns: ["k"], ecrRepositoryArns: [] },
    };
    const roles = new TerraformCiRoles(stack, "ci", base);
    expect(roles.trustedJobs.prPlan[0]).toMatchObject({ on: "pull_request", environment: "sandbox-plan" });
    const json = synth(stack);
    const apply = policy(resource(json, "aws_iam_role_policy", "ci/apply/").policy).Statement as any[];
    expect(apply.find((s) => s.Sid === "DenyOtherRegions").Condition.StringNotEquals["aws:RequestedRegion"]).toEqual(["eu-west-1", "us-east-1"]);
    expect(apply.find((s) => s.Sid === "DenyEcrChanges")).toBeUndefined();
    expect(roles.roleArnPattern).toMatch(/:role\/openedx-sandbox-github-\*$/);
    expect(() => new TerraformCiRoles(stack, "ci2", { ...base, stacks: [] })).toThrow(/stacks = \[\] is invalid/);
    expect(() => new TerraformCiRoles(stack, "ci3", { ...base, state: { ...base.state, keyPrefix: "/lp/" } })).toThrow(/state\.keyPrefix = "\/lp\/" is invalid/);
    expect(() => new TerraformCiRoles(stack, "ci4", { ...base, pullRequestPlanEnvironment: "sandbox" }))
      .toThrow(/pullRequestPlanEnvironment = "sandbox" is invalid; must differ from githubEnvironment/);
  });
});
