import { Construct } from "constructs";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodebuildWebhook } from "@cdktf/provider-aws/lib/codebuild-webhook";
import { DataAwsCodestarconnectionsConnection } from "@cdktf/provider-aws/lib/data-aws-codestarconnections-connection";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { awsContext } from "../core/aws-context";
import { encryptedLogGroup } from "../core/log-group";
import { Naming } from "../core/naming";
import { policyJson } from "../core/policy";
import { suppress } from "../core/suppress";
import { NetworkRef } from "../core/types";
import { check, checkInt, checkLogRetention, checkOneOf } from "../core/validation";
import { KmsKey } from "../kms-key";

/** CodeBuild compute sizes that can run Terraform with the Helm and Kubernetes providers. */
export const CI_RUNNER_COMPUTE = ["BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"] as const;

export interface CiRunnerProps {
  readonly naming: Naming;
  readonly network: NetworkRef;
  /** The infrastructure repository, `owner/name` (the runner serves its workflow jobs only). */
  readonly repository: string;
  /**
   * Name of the account's CodeConnections connection to GitHub (the bootstrap stack creates it;
   * a person completes its handshake once in the console).
   */
  readonly connectionName: string;
  /**
   * Security groups of what the runner must reach on 443 inside the VPC: the EKS cluster's, so
   * its private API endpoint accepts the runner.
   */
  readonly apiSecurityGroupIds: readonly string[];
  /**
   * Workflows (by `name:`) whose jobs may start a runner, as an anchored regular expression.
   * @default "^(main|pull request|drift)$" (apply, PR plans and drift plans of the platform stacks)
   */
  readonly workflowNamePattern?: string;
  /**
   * Longest job, in minutes: CodeBuild stops the runner after it. Outlasts the apply job's
   * `timeout-minutes` (180) so GitHub, not CodeBuild, ends an overlong job.
   * @default 240
   */
  readonly buildTimeoutMinutes?: number;
  /** @default "BUILD_GENERAL1_MEDIUM" */
  readonly computeType?: (typeof CI_RUNNER_COMPUTE)[number];
  readonly logRetentionDays: number;
}

/**
 * In-VPC executor for the `<env>-platform` stacks: a CodeBuild-hosted GitHub Actions runner in
 * the private subnets. The cluster API is private to the VPC (plus `publicAccessCidrs`, which
 * GitHub-hosted runners are not in), so the platform stack's plan and apply jobs run here:
 * their `runs-on` label `codebuild-<project>-<run_id>-<run_attempt>` makes GitHub send a
 * `workflow_job` webhook, CodeBuild starts a fresh, ephemeral runner for that one job, and the
 * job gets its AWS credentials exactly like on a GitHub-hosted runner (OIDC, the environment's
 * plan/apply role), so the trust policies do not change.
 *
 * Why CodeBuild and not self-hosted EC2 runners: nothing long-lived to patch, no runner
 * registration token to store (CodeBuild registers each runner through the account's GitHub
 * connection), one fresh container per job, and the project is plain Terraform created by the
 * environment's AWS stack, so the first apply works: the AWS stack (network, cluster, this
 * runner) applies from a GitHub-hosted runner, then the platform stack applies from here.
 *
 * Least privilege: the project's own role can only write its logs, manage its network
 * interfaces in these subnets and use the GitHub connection; everything Terraform does comes
 * from the job's OIDC role. Egress is HTTPS only (GitHub, the Terraform and Helm registries,
 * AWS APIs, the cluster endpoint); logs and artifacts are encrypted with its own key.
 * Residual risk, documented: a pull request can change the workflows named in
 * `workflowNamePattern` and so run code on this runner, i.e. with a network position in the
 * VPC (HTTPS only, no credentials of its own).
 */
export class CiRunner extends Construct {
  /** The CodeBuild project; a job selects it with `runs-on: codebuild-<projectName>-…`. */
  public readonly projectName: string;
  public readonly securityGroupId: string;
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: CiRunnerProps) {
    super(scope, id);
    const where = `CiRunner ${id}`;
    check(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository), where, "repository", props.repository, "must be owner/name of the GitHub repository");
    check(/^[A-Za-z0-9.@_-]{1,32}$/.test(props.connectionName), where, "connectionName", props.connectionName, "must be a CodeConnections name (1-32 letters, digits, '.', '@', '_', '-')");
    check(props.network.privateSubnetIds.length > 0, where, "network.privateSubnetIds", props.network.privateSubnetIds, "must list at least one private subnet (the runner needs NAT egress)");
    check(props.apiSecurityGroupIds.length > 0, where, "apiSecurityGroupIds", props.apiSecurityGroupIds, "must list the cluster security group (else the runner cannot reach the private endpoint)");
    const pattern = props.workflowNamePattern ?? "^(main|pull request|drift)$";
    check(/^\^.*\$$/.test(pattern), where, "workflowNamePattern", pattern, "must be anchored (^…$) so another workflow's name cannot match by substring");
    const timeout = props.buildTimeoutMinutes ?? 240;
    checkInt(where, "buildTimeoutMinutes", timeout, 180, 480);
    const computeType = props.computeType ?? "BUILD_GENERAL1_MEDIUM";
    checkOneOf(where, "computeType", computeType, CI_RUNNER_COMPUTE);
    checkLogRetention(where, "logRetentionDays", props.logRetentionDays);
    const { naming, network } = props;
    const { accountId, partition, region } = awsContext(this);
    const name = naming.name("ci-runner", "codebuildProject");

    const key = new KmsKey(this, "key", { naming, component: "ci-runner", description: `${name}: CodeBuild artifacts and logs`, allowCloudWatchLogs: true });
    const logs = encryptedLogGroup(this, "logs", {
      name: `/aws/codebuild/${name}`, retentionDays: props.logRetentionDays, kmsKeyArn: key.keyArn, retentionProp: "logRetentionDays",
    });
    const connection = new DataAwsCodestarconnectionsConnection(this, "github", { name: props.connectionName });

    const projectArn = `arn:${partition}:codebuild:${region}:${accountId}:project/${name}`;
    const role = new IamRole(this, "role", {
      name: naming.name("ci-runner", "iamRole"),
      description: "CodeBuild runner for the platform stack's GitHub jobs: logs, VPC interfaces, the GitHub connection; no Terraform rights",
      assumeRolePolicy: policyJson([{
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        // Only this project, in this account (confused deputy).
        Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": projectArn } },
      }]),
    });
    const subnetArns = network.privateSubnetIds.map((s) => `arn:${partition}:ec2:${region}:${accountId}:subnet/${s}`);
    new IamRolePolicy(this, "policy", {
      role: role.name,
      name: "runner",
      policy: policyJson([
        { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logs.arn, `${logs.arn}:*`] },
        { Sid: "Key", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"], Resource: key.keyArn },
        // CodeBuild describes the network and creates/deletes the runner's interfaces; these
        // calls do not support resource-level permissions.
        {
          Sid: "VpcDescribe", Effect: "Allow",
          Action: ["ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
          Resource: "*",
        },
        {
          Sid: "VpcInterfaces", Effect: "Allow", Action: "ec2:CreateNetworkInterfacePermission",
          Resource: `arn:${partition}:ec2:${region}:${accountId}:network-interface/*`,
          Condition: { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" }, ArnEquals: { "ec2:Subnet": subnetArns } },
        },
        { Sid: "GitHubConnection", Effect: "Allow", Action: ["codeconnections:UseConnection", "codeconnections:GetConnectionToken", "codestar-connections:UseConnection", "codestar-connections:GetConnectionToken"], Resource: connection.arn },
      ]),
    });

    const sg = new SecurityGroup(this, "sg", {
      namePrefix: `${naming.name("ci-runner", "securityGroup", 27)}-`,
      description: `${name}: HTTPS out only (GitHub, registries, AWS APIs, the cluster endpoint)`,
      vpcId: network.vpcId,
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
    });
    const egress = new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443,
      description: "HTTPS to GitHub, the Terraform/Helm registries, AWS APIs and the cluster endpoint",
    });
    suppress(egress, { id: "AVD-AWS-0104", reason: "The runner downloads from GitHub, registry.terraform.io, Helm chart repositories and calls AWS APIs, whose addresses are not fixed; HTTPS only, through NAT" });
    props.apiSecurityGroupIds.forEach((target, i) => {
      new VpcSecurityGroupIngressRule(this, `api-from-runner-${i}`, {
        securityGroupId: target, referencedSecurityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443,
        description: "Kubernetes API from the in-VPC CI runner",
      });
    });

    const project = new CodebuildProject(this, "project", {
      name,
      description: `GitHub Actions runner in ${network.vpcId} for ${props.repository}'s platform-stack jobs`,
      serviceRole: role.arn,
      encryptionKey: key.keyArn,
      buildTimeout: timeout,
      queuedTimeout: 60,
      // Jobs of one run share a label; two at once (plan of one stack while another applies) is enough.
      concurrentBuildLimit: 2,
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType,
        image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: false,
      },
      source: {
        type: "GITHUB",
        location: `https://github.com/${props.repository}.git`,
        gitCloneDepth: 1,
        auth: { type: "CODECONNECTIONS", resource: connection.arn },
      },
      vpcConfig: { vpcId: network.vpcId, subnets: [...network.privateSubnetIds], securityGroupIds: [sg.id] },
      logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logs.name }, s3Logs: { status: "DISABLED" } },
      dependsOn: [logs],
    });
    // GitHub sends workflow_job events; only jobs of these workflows (and of this repository,
    // whose webhook it is) start a runner.
    new CodebuildWebhook(this, "webhook", {
      projectName: project.name,
      buildType: "BUILD",
      filterGroup: [{
        filter: [
          { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
          { type: "WORKFLOW_NAME", pattern },
        ],
      }],
    });

    this.projectName = name;
    this.securityGroupId = sg.id;
    this.roleArn = role.arn;
  }
}
