import { Construct } from "constructs";
import { Annotations } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { awsContext } from "../core/aws-context";
import { requireCidr } from "../core/cidr";
import { Naming } from "../core/naming";
import { SG_RULE_DESCRIPTION_RE } from "../core/security-group";
import { check, checkUniqueList } from "../core/validation";
import type { BucketRef } from "../core/refs";

/** CloudFront's origin-facing addresses (AWS-managed prefix list, global). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** Who may open connections to the origin load balancer's listeners. */
export type OriginSource =
  /**
   * CloudFront only, by its origin-facing managed prefix list. With a VPC origin the traffic
   * enters through CloudFront-managed interfaces in the private subnets; AWS's guidance is to
   * admit the prefix list (it exists before the first VPC origin does) and optionally narrow
   * to the service-managed `CloudFront-VPCOrigins-Service-SG` once it exists.
   */
  | { readonly kind: "cloudfront-prefix-list" }
  /** CloudFront's service-managed VPC-origin security group (id known after the first VPC origin was created). */
  | { readonly kind: "cloudfront-vpc-origin-sg"; readonly securityGroupId: string };

/** Operator access straight to the origin, bypassing CloudFront and its WAF (seed 000's "direct validation path"). */
export interface DirectOriginAccess {
  /** CIDRs (operator VPN, a validation host) admitted to the listeners. Never 0.0.0.0/0. */
  readonly cidrs: readonly string[];
  /** Why the WAF may be bypassed from there; printed in the synth warning. */
  readonly reason: string;
}

export interface OriginLoadBalancerProps {
  readonly naming: Naming;
  readonly network: { readonly vpcId: string; readonly vpcCidr: string; readonly privateSubnetIds: readonly string[]; readonly publicSubnetIds: readonly string[] };
  /**
   * `internal` (private subnets; CloudFront reaches it as a VPC origin) or `internet-facing`
   * (public subnets; only for a public origin that cannot be a VPC origin).
   * @default "internal"
   */
  readonly scheme?: "internal" | "internet-facing";
  /** Listener ports: 443, and 80 only while the origin protocol is http-only. */
  readonly ports: readonly number[];
  readonly source: OriginSource;
  /** The security group of the pods behind it (the EKS node group's: VPC CNI pods share it). */
  readonly targetSecurityGroupId: string;
  /** @default undefined: no direct access */
  readonly directAccess?: DirectOriginAccess;
  /** Bucket (SSE-S3) for the access logs, under `nlb/`. */
  readonly logsBucket: BucketRef;
}

/**
 * The ingress NLB, created by the AWS stack rather than by the AWS Load Balancer Controller.
 *
 * Why here: CloudFront lives in this stack, which is applied before the platform stack. A VPC
 * origin needs the load balancer's ARN at plan time, and the public-origin option needs its
 * security group; a controller-made NLB exists only after the platform stack's apply. So this
 * stack owns the NLB, its security group, listeners and IP target groups, and the platform
 * stack binds NGINX Gateway Fabric's data-plane pods to the target groups with
 * `TargetGroupBinding`s (the controller then only registers pod IPs); the data plane's Service
 * is a ClusterIP. Replacing the controller or recreating the Gateway no longer changes the
 * origin, its DNS name or CloudFront.
 *
 * Security: the NLB has a security group (which an NLB can only get at creation) that admits
 * the listener ports from CloudFront only (its origin-facing prefix list, or the VPC-origin
 * service security group), plus `directAccess` CIDRs when explicitly configured (with a synth
 * warning). The node group admits the target ports from this group only. TCP listeners with
 * PROXY protocol v2 to the pods keep TLS end to end (NGINX terminates with the cert-manager
 * certificate) and the connection's source address.
 */
export class OriginLoadBalancer extends Construct {
  public readonly arn: string;
  public readonly dnsName: string;
  public readonly zoneId: string;
  public readonly securityGroupId: string;
  /** Target group ARN per listener port; the platform stack binds the data plane to them. */
  public readonly targetGroupArns: Readonly<Record<number, string>>;
  public readonly scheme: "internal" | "internet-facing";

  constructor(scope: Construct, id: string, props: OriginLoadBalancerProps) {
    super(scope, id);
    const where = `OriginLoadBalancer ${id}`;
    const { naming, network } = props;
    this.scheme = props.scheme ?? "internal";
    check(props.ports.length > 0 && props.ports.every((p) => p === 443 || p === 80), where, "ports", props.ports, "must be 443 and optionally 80");
    if (props.source.kind === "cloudfront-vpc-origin-sg") {
      check(this.scheme === "internal", where, "source", props.source, "the VPC-origin security group only reaches an internal load balancer");
      check(/^sg-[0-9a-f]{8,17}$/.test(props.source.securityGroupId), where, "source.securityGroupId", props.source.securityGroupId,
        "must be the id (sg-...) of the CloudFront-VPCOrigins-Service-SG group in this VPC");
    }
    const direct = props.directAccess;
    if (direct) {
      checkUniqueList(where, "directAccess.cidrs", direct.cidrs);
      for (const cidr of direct.cidrs) {
        const block = requireCidr(where, "directAccess.cidrs", cidr);
        check(block.prefix >= 8, where, "directAccess.cidrs", cidr, "must be a narrow range (a /8 or smaller), never the internet");
      }
      check(direct.reason.trim().length >= 10, where, "directAccess.reason", direct.reason, "must say why the WAF may be bypassed (at least 10 characters)");
      // The reason goes into each rule's description after a 38-character prefix.
      check(direct.reason.length <= 200 && SG_RULE_DESCRIPTION_RE.test(direct.reason), where, "directAccess.reason", direct.reason,
        "must be at most 200 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (EC2 rule descriptions allow nothing else)");
      Annotations.of(this).addWarning(
        `${where}: directAccess is on: ${direct.cidrs.join(", ")} reach the origin load balancer directly, bypassing CloudFront, its WAF rules, rate limiting and Shield (${direct.reason}). ` +
        "Remove edge.directAccess once the validation is done.");
    }

    const sg = new SecurityGroup(this, "security-group", {
      name: naming.name("origin-lb", "securityGroup"),
      description: "Origin NLB: listener ports from CloudFront only",
      vpcId: network.vpcId,
      tags: { Name: naming.name("origin-lb") },
    });
    this.securityGroupId = sg.id;
    const prefixList = props.source.kind === "cloudfront-prefix-list"
      ? new DataAwsEc2ManagedPrefixList(this, "cloudfront-origin-facing", { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }).id
      : undefined;
    for (const port of props.ports) {
      new VpcSecurityGroupIngressRule(this, `from-cloudfront-${port}`, {
        securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port,
        ...(prefixList
          ? { prefixListId: prefixList, description: `${port} from CloudFront (origin-facing prefix list)` }
          : { referencedSecurityGroupId: (props.source as { securityGroupId: string }).securityGroupId, description: `${port} from CloudFront VPC origins` }),
      });
      direct?.cidrs.forEach((cidr, i) => new VpcSecurityGroupIngressRule(this, `direct-${port}-${i}`, {
        securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr,
        description: `${port} direct access (bypasses the WAF): ${direct.reason}`,
      }));
      // To the pods only (the node group's security group), on the listener's port.
      new VpcSecurityGroupEgressRule(this, `to-targets-${port}`, {
        securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: props.targetSecurityGroupId,
        description: `${port} to the ingress pods`,
      });
      new VpcSecurityGroupIngressRule(this, `targets-from-lb-${port}`, {
        securityGroupId: props.targetSecurityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: sg.id,
        description: `${port} from the origin NLB (ingress pods)`,
      });
    }

    const { accountId, partition } = awsContext(this);
    const internal = this.scheme === "internal";
    const lb = new Lb(this, "lb", {
      name: naming.name("origin", "loadBalancer"),
      loadBalancerType: "network",
      internal,
      subnets: [...(internal ? network.privateSubnetIds : network.publicSubnetIds)],
      securityGroups: [sg.id],
      ipAddressType: "ipv4",
      enableCrossZoneLoadBalancing: true,
      // On in every environment: deleting it takes the site down (CloudFront's VPC origin points
      // at this ARN). A throwaway environment turns it off by hand before `destroy` (README).
      enableDeletionProtection: true,
      // Only CloudFront reaches the listeners; PrivateLink is not used.
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "on",
      accessLogs: { bucket: props.logsBucket.bucketName, prefix: "nlb", enabled: true },
    });
    const fromThisAccount = { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:${partition}:logs:*:${accountId}:*` } };
    props.logsBucket.policy.addStatements({
      Sid: "OriginNlbAccessLogAclCheck",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: props.logsBucket.bucketArn,
      Condition: fromThisAccount,
    }, {
      Sid: "OriginNlbAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${props.logsBucket.bucketArn}/nlb/AWSLogs/${accountId}/*`,
      Condition: { StringEquals: { "aws:SourceAccount": accountId, "s3:x-amz-acl": "bucket-owner-full-control" }, ArnLike: { "aws:SourceArn": `arn:${partition}:logs:*:${accountId}:*` } },
    });
    this.arn = lb.arn;
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;

    const targetGroupArns: Record<number, string> = {};
    for (const port of props.ports) {
      const tg = new LbTargetGroup(this, `targets-${port}`, {
        name: naming.name(`origin-${port}`, "loadBalancer"),
        targetType: "ip",
        protocol: "TCP",
        port,
        vpcId: network.vpcId,
        // NGINX reads the client connection's address from the PROXY v2 header (trusted from the VPC only).
        proxyProtocolV2: true,
        deregistrationDelay: "30",
        healthCheck: { protocol: "TCP", healthyThreshold: 2, unhealthyThreshold: 2, interval: 10 },
      });
      targetGroupArns[port] = tg.arn;
      new LbListener(this, `listener-${port}`, {
        loadBalancerArn: lb.arn, port, protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: tg.arn }],
      });
    }
    this.targetGroupArns = targetGroupArns;
  }
}
