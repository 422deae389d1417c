import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { Testing } from "cdktf";
import { CiRunner, CiRunnerProps } from "../../modules/ci-runner";
import { BootstrapStack, bootstrap } from "../../environments/bootstrap";
import { ciRunner } from "../../environments/shared";
import { awsEnvironmentOrder } from "../../environments/registry";
import { appStacks, policy, resource, resources, synth, testStack, testNetwork } from "../helpers";

const network = testNetwork();
const base: Omit<CiRunnerProps, "naming"> = {
  network, repository: "acme/infra", connectionName: "acme-github", apiSecurityGroupIds: ["sg-cluster"], logRetentionDays: 365,
};
function build(overrides: Partial<CiRunnerProps> = {}) {
  const { stack, naming } = testStack("sandbox");
  const runner = new CiRunner(stack, "ci-runner", { naming, ...base, ...overrides });
  return { runner, json: synth(stack) };
}

const workflows = join(__dirname, "..", "..", ".github", "workflows");
const wf = (f: string) => parse(readFileSync(join(workflows, f), "utf8"));

describe("in-VPC CI runner (CodeBuild-hosted GitHub Actions runner)", () => {
  const { runner, json } = build();
  const project = resource(json, "aws_codebuild_project");

  it("runs in the private subnets with its own HTTPS-only security group, admitted to the cluster API on 443", () => {
    expect(project.vpc_config).toEqual({ vpc_id: network.vpcId, subnets: network.privateSubnetIds, security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\.ci-runner_sg_\w+\.id\}$/)] });
    const egress = resources(json, "aws_vpc_security_group_egress_rule");
    expect(egress.map((e) => [e.ip_protocol, e.from_port, e.to_port])).toEqual([["tcp", 443, 443]]);
    const ingress = resource(json, "aws_vpc_security_group_ingress_rule");
    expect(ingress).toMatchObject({ security_group_id: "sg-cluster", ip_protocol: "tcp", from_port: 443, to_port: 443 });
    expect(ingress.referenced_security_group_id).toContain("aws_security_group.ci-runner_sg");
  });

  it("starts a fresh runner per workflow job of the named workflows only, from this repository through the connection", () => {
    expect(project.source).toMatchObject({ type: "GITHUB", location: "https://github.com/acme/infra.git", auth: { type: "CODECONNECTIONS", resource: expect.stringMatching(/^\$\{data\.aws_codestarconnections_connection\.ci-runner_github_\w+\.arn\}$/) } });
    expect(resource(json, "aws_codebuild_webhook").filter_group).toEqual([{ filter: [
      { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
      { type: "WORKFLOW_NAME", pattern: "^(main|pull request|drift)$" },
    ] }]);
    expect(project.environment).toMatchObject({ privileged_mode: false, type: "LINUX_CONTAINER" });
  });

  it("encrypts logs and artifacts with its own key and outlasts the apply job", () => {
    expect(project.encryption_key).toContain("aws_kms_key.ci-runner_key");
    expect(project.logs_config.cloudwatch_logs.status).toBe("ENABLED");
    // Into our encrypted group: a name of its own would make CodeBuild create an unencrypted one kept forever.
    expect(project.logs_config.cloudwatch_logs.group_name).toMatch(/^\$\{aws_cloudwatch_log_group\.ci-runner_logs_\w+\.name\}$/);
    expect(resource(json, "aws_cloudwatch_log_group").kms_key_id).toContain("aws_kms_key.ci-runner_key");
    const applyTimeout = wf("apply-stack.yml").jobs.apply["timeout-minutes"];
    expect(project.build_timeout).toBeGreaterThan(applyTimeout);
  });

  it("has a least-privilege role: no Terraform rights, only logs, its key, its network interfaces and the connection", () => {
    const role = resource(json, "aws_iam_role");
    const trust = policy(role.assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "codebuild.amazonaws.com" });
    expect(trust.Condition.ArnLike["aws:SourceArn"]).toMatch(/:project\/openedx-sandbox-ci-runner$/);
    const statements = policy(resource(json, "aws_iam_role_policy").policy).Statement;
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => !/^(logs:(CreateLogStream|PutLogEvents)|kms:|ec2:(CreateNetworkInterface|CreateNetworkInterfacePermission|DeleteNetworkInterface|Describe\w+)|codeconnections:|codestar-connections:)/.test(a))).toEqual([]);
    expect(resources(json, "aws_iam_role_policy_attachment")).toEqual([]);
    const eni = statements.find((s: any) => s.Sid === "VpcInterfaces");
    expect(eni.Condition.StringEquals["ec2:AuthorizedService"]).toBe("codebuild.amazonaws.com");
    expect(eni.Condition.ArnEquals["ec2:Subnet"]).toEqual(network.privateSubnetIds.map((s) => expect.stringMatching(new RegExp(`:subnet/${s}$`))));
    expect(runner.projectName).toBe("openedx-sandbox-ci-runner");
  });

  it.each([
    ["a repository that is not owner/name", { repository: "infra" }, /repository = "infra" is invalid; must be owner\/name/],
    ["an unanchored workflow pattern", { workflowNamePattern: "main" }, /workflowNamePattern = "main" is invalid; must be anchored/],
    ["a build timeout shorter than the apply job", { buildTimeoutMinutes: 60 }, /buildTimeoutMinutes = 60 is invalid; must be an integer from 180 to 480/],
    ["no API security group", { apiSecurityGroupIds: [] }, /apiSecurityGroupIds = \[\] is invalid; must list the cluster security group/],
    ["a log retention CloudWatch Logs does not offer", { logRetentionDays: 100 }, /logRetentionDays = 100 is invalid; must be a CloudWatch Logs retention period/],
    ["a too-small compute type", { computeType: "BUILD_GENERAL1_SMALL" as any }, /computeType = "BUILD_GENERAL1_SMALL" is invalid; must be one of/],
  ])("refuses %s", (_what, overrides, message) => {
    expect(() => build(overrides as Partial<CiRunnerProps>)).toThrow(message);
  });
});

describe("the platform stacks' jobs run on their environment's in-VPC runner", () => {
  const app = appStacks();
  const main = wf("main.yml");
  // Self-hosted environments have no VPC: their platform jobs need a runner on the nodes' network (README).
  const envs = Object.keys(app).filter((s) => app[`${s}-platform`] && awsEnvironmentOrder.includes(s));

  it("every environment whose platform stack targets its EKS cluster has a runner, and main.yml sends the platform jobs to it", () => {
    expect(envs.sort()).toEqual([...awsEnvironmentOrder].sort());
    for (const env of envs) {
      const projects = resources(app[env]!, "aws_codebuild_project");
      expect([env, projects.map((p) => p.name)]).toEqual([env, [`openedx-${env}-ci-runner`]]);
      expect(main.jobs[`${env}-platform`].with.runner).toBe(`openedx-${env}-ci-runner`);
      // The AWS stack (which creates the runner) applies from GitHub-hosted runners, before the platform stack.
      expect(main.jobs[env].with.runner).toBeUndefined();
      expect(main.jobs[`${env}-platform`].needs).toBe(env);
    }
  });

  it("apply-stack runs both its Terraform jobs on the runner when one is given", () => {
    const apply = wf("apply-stack.yml");
    const label = "${{ inputs.runner != '' && format('codebuild-{0}-{1}-{2}', inputs.runner, github.run_id, github.run_attempt) || 'ubuntu-24.04' }}";
    expect(apply.jobs.plan["runs-on"]).toBe(label);
    expect(apply.jobs.apply["runs-on"]).toBe(label);
    expect(apply.on.workflow_call.inputs.runner).toMatchObject({ type: "string", default: "" });
  });

  it("PR and drift plans of platform stacks run on the runner too, and the webhook admits exactly those workflows", () => {
    const label = "${{ endsWith(matrix.stack, '-platform') && format('codebuild-openedx-{0}-ci-runner-{1}-{2}', matrix.environment, github.run_id, github.run_attempt) || 'ubuntu-24.04' }}";
    expect(wf("pull-request.yml").jobs.plan["runs-on"]).toBe(label);
    expect(wf("drift.yml").jobs.drift["runs-on"]).toBe(label);
    const pattern = new RegExp(resource(app.sandbox!, "aws_codebuild_webhook").filter_group[0].filter[1].pattern);
    for (const f of ["main.yml", "pull-request.yml", "drift.yml"]) expect([f, pattern.test(wf(f).name)]).toEqual([f, true]);
    for (const f of ["release.yml"]) expect([f, pattern.test(wf(f).name)]).toEqual([f, false]);
  });

  it("the bootstrap creates the GitHub connection the runners use, for the same repository", () => {
    const json = synth(new BootstrapStack(Testing.app(), bootstrap));
    expect(resource(json, "aws_codeconnections_connection")).toMatchObject({ name: ciRunner.connectionName, provider_type: "GitHub" });
    expect(`${bootstrap.github.owner}/${bootstrap.github.name}`).toBe(ciRunner.repository);
  });
});
