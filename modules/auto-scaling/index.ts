import { Construct } from "constructs";
import { Fn } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { awsContext } from "../core/aws-context";
import { ec2Type } from "../core/aws-catalogue";
import { Naming } from "../core/naming";
import { serviceTrustPolicy } from "../core/policy";
import { suppress } from "../core/suppress";
import { check, checkInt } from "../core/validation";
import { KmsKey } from "../kms-key";

/** Sizing of the legacy service: the part of the props an environment's config provides. */
export interface LegacyServiceSettings {
  /** AMI the legacy service is baked into (its "AMI-based deploy", seed 002), `ami-...`. */
  readonly amiId: string;
  /** EC2 instance type from the catalogue (modules/core/aws-catalogue.ts), e.g. `m5.xlarge`. */
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Instances at creation; target tracking changes it at run time (not reset by Terraform). */
  readonly desiredCapacity: number;
  /** Port the legacy app serves HTTP on, behind the load balancer. @default 80 */
  readonly port?: number;
  /** Health-check path of the legacy app. @default "/heartbeat" (Open edX's) */
  readonly healthCheckPath?: string;
  /** Average CPU the target tracking policy keeps. @default 50 */
  readonly targetCpuPercent?: number;
  /** Root volume size (GiB, gp3). @default 30 */
  readonly rootVolumeGiB?: number;
}

export interface LegacyServiceProps extends LegacyServiceSettings {
  readonly naming: Naming;
  /** Private subnets the instances run in (egress through NAT, no public address). */
  readonly subnetIds: readonly string[];
  /** The instances' security group (modules/security-groups), admitting the load balancer only. */
  readonly securityGroupId: string;
  /** Target groups the group registers its instances in (the migration load balancer's legacy group). */
  readonly targetGroupArns: readonly string[];
}

/** Defaults of the legacy app's listener, shared with the load balancer that health-checks it. */
export const DEFAULT_LEGACY_PORT = 80;
export const DEFAULT_LEGACY_HEALTH_CHECK_PATH = "/heartbeat";

const AMI_RE = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
const PATH_RE = /^\/[A-Za-z0-9._~\-/]*$/;

/**
 * Seed 002's `auto-scaling/`: the legacy EC2 service that keeps serving its share of traffic
 * while the platform moves to EKS (modules/load-balancer splits the traffic by weight).
 *
 * - Launch template: IMDSv2 required (hop limit 1: no container on the host reaches the
 *   instance role), encrypted gp3 root volume under its own CMK (the Auto Scaling
 *   service-linked role may use it, or launches fail), no public address, no key pair:
 *   operators connect with SSM Session Manager (AmazonSSMManagedInstanceCore on the role).
 * - The group spreads over the private subnets, uses the load balancer's health checks
 *   (ELB), replaces instances by rolling instance refresh (90 % healthy) when the template
 *   changes (a new AMI is a config change), and scales by target tracking on average CPU.
 * - `desired_capacity` is ignored after creation: the scaling policy owns it.
 */
export class LegacyService extends Construct {
  public readonly autoScalingGroupName: string;
  public readonly roleName: string;
  public readonly port: number;
  public readonly healthCheckPath: string;

  constructor(scope: Construct, id: string, props: LegacyServiceProps) {
    super(scope, id);
    const where = `LegacyService ${id}`;
    this.port = props.port ?? DEFAULT_LEGACY_PORT;
    this.healthCheckPath = props.healthCheckPath ?? DEFAULT_LEGACY_HEALTH_CHECK_PATH;
    const cpu = props.targetCpuPercent ?? 50;
    const rootGiB = props.rootVolumeGiB ?? 30;
    check(AMI_RE.test(props.amiId), where, "amiId", props.amiId, "must be an AMI id (ami- and 8 or 17 hex digits)");
    check(ec2Type(props.instanceType) !== undefined, where, "instanceType", props.instanceType, "must be an EC2 type listed in modules/core/aws-catalogue.ts (e.g. m5.xlarge)");
    checkInt(where, "minSize", props.minSize, 1, 100);
    checkInt(where, "maxSize", props.maxSize, props.minSize, 100);
    checkInt(where, "desiredCapacity", props.desiredCapacity, props.minSize, props.maxSize);
    checkInt(where, "port", this.port, 1, 65535);
    check(PATH_RE.test(this.healthCheckPath), where, "healthCheckPath", this.healthCheckPath, "must be an absolute URL path (/ then letters, digits and ._~-/)");
    checkInt(where, "targetCpuPercent", cpu, 10, 90);
    checkInt(where, "rootVolumeGiB", rootGiB, 8, 1024);
    check(props.subnetIds.length >= 1, where, "subnetIds", props.subnetIds, "must list at least 1 private subnet");

    const { naming } = props;
    const { accountId, partition } = awsContext(this);
    const key = new KmsKey(this, "volume-key", { naming, component: "legacy-volumes", description: `${naming.name("legacy")} instance volumes` });
    key.allowAwsPrincipal(
      `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      "AutoScalingServiceLinkedRole", { allowGrantsForAwsResources: true },
    );
    const role = new IamRole(this, "role", {
      name: naming.name("legacy-instance", "iamRole"),
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com", { StringEquals: { "aws:SourceAccount": accountId } }),
    });
    this.roleName = role.name;
    new IamRolePolicyAttachment(this, "ssm", { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` });
    const profile = new IamInstanceProfile(this, "profile", { name: naming.name("legacy-instance", "iamRole"), role: role.name });

    const template = new LaunchTemplate(this, "template", {
      name: naming.name("legacy", "launchTemplate"),
      description: "Legacy service (EC2 -> EKS migration): IMDSv2, encrypted gp3, SSM access, no key pair",
      imageId: props.amiId,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: profile.arn },
      networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [props.securityGroupId] }],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [{
        deviceName: "/dev/xvda",
        ebs: { volumeSize: rootGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: key.keyArn, deleteOnTermination: "true" },
      }],
      monitoring: { enabled: true },
      tagSpecifications: [{ resourceType: "instance", tags: { Name: naming.name("legacy") } }, { resourceType: "volume", tags: { Name: naming.name("legacy") } }],
    });
    suppress(template, { id: "AVD-AWS-0130",
      reason: "False positive: Trivy does not read nested blocks in Terraform JSON; metadata_options sets http_tokens = required (IMDSv2 only; Checkov CKV_AWS_79 verifies it)" });

    const group = new AutoscalingGroup(this, "group", {
      name: naming.name("legacy"),
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity,
      vpcZoneIdentifier: [...props.subnetIds],
      launchTemplate: { id: template.id, version: Fn.tostring(template.latestVersion) },
      targetGroupArns: [...props.targetGroupArns],
      healthCheckType: "ELB",
      healthCheckGracePeriod: 300,
      defaultInstanceWarmup: 120,
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90, instanceWarmup: "120" } },
      enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupPendingInstances", "GroupTerminatingInstances"],
      // The provider's default tags do not reach instances an ASG launches; the group propagates its own.
      tag: [{ key: "Name", value: naming.name("legacy"), propagateAtLaunch: true }],
      lifecycle: { ignoreChanges: ["desired_capacity"] },
    });
    this.autoScalingGroupName = group.name;
    new AutoscalingPolicy(this, "cpu", {
      name: naming.name("legacy-cpu"),
      autoscalingGroupName: group.name,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: { predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" }, targetValue: cpu },
    });
  }
}
