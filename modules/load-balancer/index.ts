import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsNetworkInterface } from "@cdktf/provider-aws/lib/data-aws-network-interface";
import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { AlarmTarget } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { CertificateDns } from "../core/types";
import type { BucketRef } from "../core/refs";
import { check, checkInt } from "../core/validation";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, OriginSource } from "../origin-lb";
import { RulePeer, SecurityGroupRuleSet } from "../security-groups";
import { activeWeights, TrafficShiftSettings } from "./phases";
import { rollbackAlarms, RollbackAlarmThresholds } from "./alarms";

export { MIGRATION_TARGETS, SEED_002_PHASES } from "./phases";
export type { MigrationPhase, MigrationTarget, TrafficShiftSettings } from "./phases";
export type { RollbackAlarmThresholds } from "./alarms";

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with hybrid post-quantum key exchange (AWS's recommended policy since 2025-09). */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** What the ALB needs of the access-log bucket (SSE-S3: ALB access logs support no other encryption). */
export type AccessLogsBucket = Pick<BucketRef, "bucketName" | "bucketArn" | "policy">;

/** The EKS side: the origin NLB (modules/origin-lb) in front of the Gateway's data plane. */
export interface EksOriginTarget {
  /** `net/<name>/<id>` of the origin NLB: its network interfaces are found by it. */
  readonly loadBalancerArnSuffix: string;
  /** The NLB's security group, which gets 443 from this load balancer. */
  readonly securityGroupId: string;
  /** The private subnets the NLB has an interface in (one target per subnet). */
  readonly subnetIds: readonly string[];
}

/** The migration's config beyond the phases. */
export interface MigrationLoadBalancerSettings extends TrafficShiftSettings {
  /**
   * Keep a browser on the side that served its first request for this long (seconds, 1-604800),
   * so a session is not bounced between legacy and EKS mid-flow; 0 turns stickiness off.
   * @default 3600
   */
  readonly stickinessSeconds?: number;
  /** @default the RollbackAlarmThresholds defaults */
  readonly rollbackAlarms?: RollbackAlarmThresholds;
}

export interface MigrationLoadBalancerProps extends MigrationLoadBalancerSettings {
  readonly naming: Naming;
  readonly network: { readonly vpcId: string; readonly privateSubnetIds: readonly string[] };
  /** Name CloudFront connects to; the listener's certificate names it. */
  readonly hostname: string;
  /** Zone that validates the certificate. */
  readonly dns: CertificateDns;
  /** Who may connect: CloudFront only (as for the origin NLB). */
  readonly source: OriginSource;
  readonly eks: EksOriginTarget;
  /** Port and health check of the legacy instances. */
  readonly legacy: { readonly port: number; readonly healthCheckPath: string };
  readonly logsBucket: AccessLogsBucket;
  readonly alarms: AlarmTarget;
  /** @default true */
  readonly deletionProtection?: boolean;
}

/**
 * Seed 002's `load-balancer/`: the internal ALB that carries the EC2 → EKS migration behind
 * CloudFront and its WAF, so every share of traffic (the legacy one included) is filtered.
 *
 * Route 53 → CloudFront (WAF) → this ALB (a VPC origin) → listener forwarding by weight to
 * - `legacy`: the legacy Auto Scaling group's instances (modules/auto-scaling), HTTP, and
 * - `eks`: the origin NLB's interfaces (IP targets), HTTPS. The Gateway's listeners expect
 *   PROXY protocol v2, which only the NLB adds, so the ALB reaches the pods through the NLB
 *   rather than registering pod IPs itself; NGINX sees the ALB's address as the client and the
 *   real one in X-Forwarded-For (CloudFront's and the ALB's) while the migration lasts.
 *
 * The weights come from the phase in effect (`phase`, one of `phases`): a phase change is a
 * one-line config change whose plan shows the listener's two weights changing. Stickiness
 * (on by default) keeps a browser on one side. Rollback: alarms on the EKS target group's 5xx
 * share and p99 latency (README runbook: alarm → set `phase` back → plan → apply).
 *
 * The ALB drops invalid header fields, logs access to the logs bucket under `alb/`, is
 * deletion-protected unless the caller turns it off (throwaway environments), and uses
 * ALB_TLS_POLICY with an ACM certificate for `hostname`.
 */
export class MigrationLoadBalancer extends Construct {
  public readonly arn: string;
  public readonly dnsName: string;
  public readonly securityGroup: SecurityGroupRuleSet;
  /** The legacy instances' security group: the load balancer's port only. */
  public readonly legacySecurityGroup: SecurityGroupRuleSet;
  public readonly legacyTargetGroupArn: string;
  public readonly eksTargetGroupArn: string;
  /** Weights of the phase in effect. */
  public readonly weights: Readonly<Record<"legacy" | "eks", number>>;

  constructor(scope: Construct, id: string, props: MigrationLoadBalancerProps) {
    super(scope, id);
    const where = `MigrationLoadBalancer ${id}`;
    const { naming, network } = props;
    this.weights = activeWeights(where, "migration", props);
    const stickiness = props.stickinessSeconds ?? 3600;
    checkInt(where, "stickinessSeconds", stickiness, 0, 604800);
    checkInt(where, "legacy.port", props.legacy.port, 1, 65535);
    check(props.eks.subnetIds.length >= 1, where, "eks.subnetIds", props.eks.subnetIds, "must list the origin NLB's subnets");

    const cloudFront: RulePeer = props.source.kind === "cloudfront-prefix-list"
      ? { kind: "prefix-list", prefixListId: new DataAwsEc2ManagedPrefixList(this, "cloudfront-origin-facing", { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }).id, description: "CloudFront (origin-facing prefix list)" }
      : { kind: "group", group: { securityGroupId: props.source.securityGroupId, description: "CloudFront VPC origins" } };
    this.securityGroup = new SecurityGroupRuleSet(this, "sg", {
      naming, component: "migration-alb", vpcId: network.vpcId, description: "Migration ALB: 443 from CloudFront only",
      ingress: [{ port: 443, peer: cloudFront }],
    });
    this.legacySecurityGroup = new SecurityGroupRuleSet(this, "legacy-sg", {
      naming, component: "legacy", vpcId: network.vpcId, description: "Legacy instances: app port from the migration ALB only",
      ingress: [{
        port: props.legacy.port, peer: { kind: "group", group: this.securityGroup },
        suppressions: [{ id: "CKV_AWS_260", reason: "False positive: the rule's source is the migration ALB's security group (referenced_security_group_id), not 0.0.0.0/0; Checkov reads the missing cidr_ipv4 as open" }],
      }],
      // SSM Session Manager, package mirrors and AWS APIs through the NAT gateways.
      egress: [{
        port: 443, peer: { kind: "cidr", cidr: "0.0.0.0/0", description: "HTTPS via NAT (SSM, AWS APIs, OS updates)", reason: "SSM and AWS API endpoints are public addresses reached through NAT; no VPC endpoints exist for them here" },
        suppressions: [{ id: "AWS-0104", reason: "Egress 443 only, through NAT from private subnets: SSM Session Manager, AWS APIs and OS updates have public addresses" }],
      }],
    });
    const lbGroup = { kind: "group", group: this.securityGroup } as const;
    this.securityGroup.allowEgress({ port: props.legacy.port, peer: { kind: "group", group: this.legacySecurityGroup } });
    this.securityGroup.allowEgress({ port: 443, peer: { kind: "group", group: { securityGroupId: props.eks.securityGroupId, description: "origin NLB" } } });
    new VpcSecurityGroupIngressRule(this, "nlb-from-alb", {
      securityGroupId: props.eks.securityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: lbGroup.group.securityGroupId,
      description: "443 from the migration ALB (EKS share)",
    });

    const { accountId, partition } = awsContext(this);
    const deletionProtection = props.deletionProtection ?? true;
    const lb = new Lb(this, "lb", {
      name: naming.name("migration", "loadBalancer"),
      loadBalancerType: "application",
      internal: true,
      subnets: [...network.privateSubnetIds],
      securityGroups: [this.securityGroup.securityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: deletionProtection,
      accessLogs: { bucket: props.logsBucket.bucketName, prefix: "alb", enabled: true },
    });
    props.logsBucket.policy.addStatements({
      Sid: "MigrationAlbAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${props.logsBucket.bucketArn}/alb/AWSLogs/${accountId}/*`,
      Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:${partition}:elasticloadbalancing:*:${accountId}:loadbalancer/*` } },
    });
    this.arn = lb.arn;
    this.dnsName = lb.dnsName;

    const legacy = new LbTargetGroup(this, "legacy", {
      name: naming.name("legacy", "loadBalancer"),
      targetType: "instance", protocol: "HTTP", port: props.legacy.port, vpcId: network.vpcId,
      deregistrationDelay: "30",
      healthCheck: { protocol: "HTTP", path: props.legacy.healthCheckPath, matcher: "200-399", healthyThreshold: 2, unhealthyThreshold: 3, interval: 15 },
    });
    const eks = new LbTargetGroup(this, "eks", {
      name: naming.name("eks", "loadBalancer"),
      targetType: "ip", protocol: "HTTPS", port: 443, vpcId: network.vpcId,
      deregistrationDelay: "30",
      // NGINX answers an unknown Host with 404: any answer below 500 proves the data plane is up.
      healthCheck: { protocol: "HTTPS", path: "/", matcher: "200-499", healthyThreshold: 2, unhealthyThreshold: 3, interval: 15 },
    });
    this.legacyTargetGroupArn = legacy.arn;
    this.eksTargetGroupArn = eks.arn;
    props.eks.subnetIds.forEach((subnetId, i) => {
      // The NLB's interface in this subnet (read at apply time when the NLB is new).
      const eni = new DataAwsNetworkInterface(this, `nlb-eni-${i}`, {
        filter: [{ name: "description", values: [`ELB ${props.eks.loadBalancerArnSuffix}`] }, { name: "subnet-id", values: [subnetId] }],
      });
      new LbTargetGroupAttachment(this, `eks-target-${i}`, { targetGroupArn: eks.arn, targetId: eni.privateIp, port: 443 });
    });

    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.hostname, validationMethod: "DNS", keyAlgorithm: "RSA_2048", lifecycle: { createBeforeDestroy: true },
    });
    const records = props.dns.addCertificateValidation(certificate);
    const validation = new AcmCertificateValidation(this, "certificate-validation", {
      certificateArn: certificate.arn, validationRecordFqdns: records.fqdns, dependsOn: [...records.records],
    });
    new LbListener(this, "https", {
      loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", sslPolicy: ALB_TLS_POLICY, certificateArn: validation.certificateArn,
      defaultAction: [{
        type: "forward",
        forward: {
          targetGroup: [{ arn: legacy.arn, weight: this.weights.legacy }, { arn: eks.arn, weight: this.weights.eks }],
          stickiness: { enabled: stickiness > 0, duration: Math.max(stickiness, 1) },
        },
      }],
    });
    rollbackAlarms(this, {
      naming, alarms: props.alarms, loadBalancerArnSuffix: lb.arnSuffix, targetGroupArnSuffix: eks.arnSuffix,
      thresholds: props.rollbackAlarms, phase: props.phase, previousPhase: previousPhase(props),
    });
  }
}

/** The phase before the one in effect (what the runbook sets back to), or undefined for the first. */
function previousPhase(shift: TrafficShiftSettings): string | undefined {
  const i = shift.phases.findIndex((p) => p.name === shift.phase);
  return i > 0 ? shift.phases[i - 1]!.name : undefined;
}
