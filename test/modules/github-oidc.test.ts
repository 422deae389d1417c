import { GithubActionsRole, GithubOidcProvider, githubSubject } from "../../modules/github-oidc";
import { TerraformCiRoles } from "../../modules/github-oidc/terraform-roles";
import { policy, resource, resources, synth, testStack } from "../helpers";

const repo = { owner: "acme", name: "infra" };
const statements = [{ Effect: "Allow" as const, Action: "s3:ListAllMyBuckets", Resource: "*" }];

describe("github-oidc", () => {
  it("builds exact subjects and refuses bad owners or names", () => {
    expect(githubSubject(repo, "pull_request")).toBe("repo:acme/infra:pull_request");
    expect(githubSubject(repo, { environment: "production" })).toBe("repo:acme/infra:environment:production");
    expect(githubSubject(repo, { branch: "main" })).toBe("repo:acme/infra:ref:refs/heads/main");
    expect(() => githubSubject({ owner: "ac*me", name: "infra" }, "pull_request")).toThrow(/owner = "ac\*me" is invalid/);
    expect(() => githubSubject({ owner: "acme", name: "in fra" }, "pull_request")).toThrow(/name = "in fra" is invalid/);
  });

  it("reuses an existing provider and refuses an ARN of another issuer", () => {
    const { stack } = testStack();
    const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    expect(new GithubOidcProvider(stack, "p", { existingProviderArn: existing }).providerArn).toBe(existing);
    expect(resources(synth(stack), "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(() => new GithubOidcProvider(stack, "q", { existingProviderArn: "arn:aws:iam::123456789012:oidc-provider/example.com" }))
      .toThrow(/GithubOidcProvider q: existingProviderArn = .* is invalid; must be an IAM OIDC provider ARN/);
  });

  it("pins audience and a single subject with StringEquals", () => {
    const { stack } = testStack();
    const provider = new GithubOidcProvider(stack, "gh");
    new GithubActionsRole(stack, "r", { provider, roleName: "openedx-test-r", description: "d", subjects: ["repo:acme/infra:pull_request"], statements, managedPolicies: ["ReadOnlyAccess"] });
    const json = synth(stack);
    const t = policy(resource(json, "aws_iam_role", "r/role").assume_role_policy).Statement[0];
    expect(t.Condition.StringEquals).toEqual({ "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/infra:pull_request" });
    expect(resource(json, "aws_iam_role", "r/role").max_session_duration).toBe(3600);
    expect(resource(json, "aws_iam_role_policy_attachment", "r/").policy_arn).toContain(":iam::aws:policy/ReadOnlyAccess");
  });

  it.each<[string, object, RegExp]>([
    ["a wildcard subject", { subjects: ["repo:acme/*:pull_request"] }, /subjects = "repo:acme\/\*:pull_request" is invalid; must be an exact GitHub OIDC subject/],
    ["a branch wildcard", { subjects: ["repo:acme/infra:ref:refs/heads/*"] }, /is invalid; must be an exact GitHub OIDC subject/],
    ["no subjects", { subjects: [] }, /subjects = \[\] is invalid; must list at least 1/],
    ["a long role name", { roleName: "x".repeat(65) }, /roleName = "x{65}" is invalid; must be at most 64 characters/],
    ["no statements", { statements: [] }, /statements = \[\] is invalid; must grant what the job needs/],
    ["a short session", { maxSessionDurationSeconds: 600 }, /maxSessionDurationSeconds = 600 is invalid; must be an integer from 3600 to 43200/],
    ["a bad managed policy", { managedPolicies: ["Read Only"] }, /managedPolicies = "Read Only" is invalid/],
  ])("refuses %s", (_what, override, message) => {
    const { stack } = testStack();
    const provider = new GithubOidcProvider(stack, "gh");
    expect(() => new GithubActionsRole(stack, "r", {
      provider, roleName: "openedx-test-r", description: "d", subjects: ["repo:acme/infra:pull_request"], statements, ...override,
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
    const json = synth(stack);
    const apply = policy(resource(json, "aws_iam_role_policy", "ci/apply/").policy).Statement as any[];
    expect(apply.find((s) => s.Sid === "DenyOtherRegions").Condition.StringNotEquals["aws:RequestedRegion"]).toEqual(["eu-west-1", "us-east-1"]);
    expect(apply.find((s) => s.Sid === "DenyEcrChanges")).toBeUndefined();
    expect(roles.roleArnPattern).toMatch(/:role\/openedx-sandbox-github-\*$/);
    expect(() => new TerraformCiRoles(stack, "ci2", { ...base, stacks: [] })).toThrow(/stacks = \[\] is invalid/);
    expect(() => new TerraformCiRoles(stack, "ci3", { ...base, state: { ...base.state, keyPrefix: "/lp/" } })).toThrow(/state\.keyPrefix = "\/lp\/" is invalid/);
  });
});
