import { Construct } from "constructs";
import { Vpc as VpcResource } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { awsContext } from "../core/aws-context";
import { checkNoOverlap, contains, requireCidr } from "../core/cidr";
import { Naming } from "../core/naming";
import { policyJson, serviceTrustPolicy } from "../core/policy";
import { encryptedLogGroup } from "../core/log-group";
import { NetworkRef } from "../core/types";
import { check, checkLogRetention, checkOneOf, checkUniqueList } from "../core/validation";
import { KmsKey } from "../kms-key";
import type { KeyRef } from "../core/refs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/log-group";

export const NAT_GATEWAY_MODES = ["per-az", "single"] as const;
export type NatGatewayMode = (typeof NAT_GATEWAY_MODES)[number];

export interface VpcProps {
  readonly naming: Naming;
  /** VPC address range, /16 to /24. */
  readonly cidr: string;
  /** Availability zones, e.g. `["us-east-1a", "us-east-1b", "us-east-1c"]`. */
  readonly azs: readonly string[];
  /** One public subnet CIDR per AZ, in `azs` order (load balancers, NAT gateways). */
  readonly publicSubnetCidrs: readonly string[];
  /** One private subnet CIDR per AZ (nodes, pods, mount targets). */
  readonly privateSubnetCidrs: readonly string[];
  /** One database subnet CIDR per AZ (no internet route). */
  readonly databaseSubnetCidrs: readonly string[];
  /**
   * `per-az` keeps each AZ's egress up when another AZ fails; `single` saves the cost of
   * two gateways where that resilience is not needed.
   * @default "per-az"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Days flow logs are kept; one of CloudWatch Logs' retention periods.
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
  /**
   * EKS cluster names that will use these subnets; each adds the
   * `kubernetes.io/cluster/<name>: shared` tag so load balancer controllers find them.
   * @default []
   */
  readonly clusterNames?: readonly string[];
  /**
   * Key for the flow-log group.
   * @default a new customer-managed key for this VPC's logs
   */
  readonly logsKey?: KeyRef;
}

interface Tier {
  readonly name: "public" | "private" | "database";
  readonly cidrs: readonly string[];
  readonly tags: Record<string, string>;
}

/**
 * A three-tier VPC. Subnets, NAT gateways and route tables are keyed by AZ name (construct
 * ids like `private-us-east-1a`), so adding or removing an AZ never shifts the others and
 * never replaces a NAT gateway, which a list index would.
 *
 * No subnet assigns public IPs on launch, the public tier included: only NAT gateways (with
 * Elastic IPs) and load balancers live there, and neither needs it. The default security
 * group is taken over with no rules so nothing can fall back to it.
 */
export class Vpc extends Construct implements NetworkRef {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly azs: readonly string[];
  public readonly publicSubnetIds: string[] = [];
  public readonly privateSubnetIds: string[] = [];
  public readonly databaseSubnetIds: string[] = [];
  /** Private route table id per AZ (one per AZ even with a single NAT). */
  public readonly privateRouteTableIds: Record<string, string> = {};
  public readonly natGatewayCount: number;
  public readonly flowLogGroupName: string;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    const where = `Vpc ${id}`;
    const natMode = props.natGateways ?? "per-az";
    const retention = props.flowLogRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    validate(where, props, natMode, retention);

    const { naming } = props;
    const name = naming.name("vpc");
    this.azs = [...props.azs];
    this.vpcCidr = props.cidr;

    const vpc = new VpcResource(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    });
    this.vpcId = vpc.id;

    new DefaultSecurityGroup(this, "default-sg", {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${name}-default-locked` },
    });

    const clusterTags = Object.fromEntries((props.clusterNames ?? []).map((c) => [`kubernetes.io/cluster/${c}`, "shared"]));
    const tiers: Tier[] = [
      { name: "public", cidrs: props.publicSubnetCidrs, tags: { "kubernetes.io/role/elb": "1", ...clusterTags } },
      { name: "private", cidrs: props.privateSubnetCidrs, tags: { "kubernetes.io/role/internal-elb": "1", ...clusterTags } },
      { name: "database", cidrs: props.databaseSubnetCidrs, tags: {} },
    ];
    const subnets: Record<Tier["name"], Record<string, Subnet>> = { public: {}, private: {}, database: {} };
    for (const tier of tiers) {
      props.azs.forEach((az, i) => {
        const subnet = new Subnet(this, `${tier.name}-${az}`, {
          vpcId: vpc.id,
          availabilityZone: az,
          cidrBlock: tier.cidrs[i]!,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-${tier.name}-${az}`, Tier: tier.name, ...tier.tags },
        });
        subnets[tier.name][az] = subnet;
        this[`${tier.name}SubnetIds`].push(subnet.id);
      });
    }

    // Public tier: one route table, default route to the internet gateway.
    const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: { Name: name } });
    const publicRt = new RouteTable(this, "public-rt", { vpcId: vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, "public-default", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    // NAT gateways: per AZ, or one in the first AZ that every private route table uses.
    const natAzs = natMode === "per-az" ? props.azs : props.azs.slice(0, 1);
    const nats: Record<string, NatGateway> = {};
    for (const az of natAzs) {
      const eip = new Eip(this, `nat-eip-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } });
      nats[az] = new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: subnets.public[az]!.id,
        connectivityType: "public",
        tags: { Name: `${name}-${az}` },
        dependsOn: [igw],
      });
    }
    this.natGatewayCount = natAzs.length;

    // Database tier: one route table with only the implicit local route.
    const databaseRt = new RouteTable(this, "database-rt", { vpcId: vpc.id, tags: { Name: `${name}-database` } });

    for (const az of props.azs) {
      new RouteTableAssociation(this, `public-rta-${az}`, { subnetId: subnets.public[az]!.id, routeTableId: publicRt.id });
      const rt = new RouteTable(this, `private-rt-${az}`, { vpcId: vpc.id, tags: { Name: `${name}-private-${az}` } });
      new Route(this, `private-default-${az}`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: (nats[az] ?? nats[natAzs[0]!]!).id,
      });
      new RouteTableAssociation(this, `private-rta-${az}`, { subnetId: subnets.private[az]!.id, routeTableId: rt.id });
      new RouteTableAssociation(this, `database-rta-${az}`, { subnetId: subnets.database[az]!.id, routeTableId: databaseRt.id });
      this.privateRouteTableIds[az] = rt.id;
    }

    // S3 traffic from the private tier stays on the AWS network and skips NAT charges.
    const { region, accountId, partition } = awsContext(this);
    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: Object.values(this.privateRouteTableIds),
      tags: { Name: `${name}-s3` },
    });

    // Flow logs: all traffic, one-minute aggregation, to a CMK-encrypted log group.
    const key = props.logsKey ?? new KmsKey(this, "logs-key", {
      naming, component: "vpc-logs", description: `${name} flow logs`, allowCloudWatchLogs: true,
    });
    const logGroup = encryptedLogGroup(this, "flow-logs", {
      name: `/aws/vpc/${name}/flow-logs`, retentionDays: retention, kmsKeyArn: key.keyArn, retentionProp: "flowLogRetentionDays",
    });
    this.flowLogGroupName = logGroup.name;
    const role = new IamRole(this, "flow-logs-role", {
      name: naming.name("vpc-flow-logs", "iamRole"),
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
      }),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: role.id,
      name: "write-flow-logs",
      policy: policyJson([
        {
          Sid: "WriteFlowLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        },
        {
          // The delivery service looks the group up before writing (AWS's documented flow-log
          // role includes it); a list call, so it can only be scoped to this account's groups.
          Sid: "FindFlowLogGroup",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${name}-flow-log` },
    });
  }
}

function validate(where: string, props: VpcProps, natMode: NatGatewayMode, retention: number): void {
  checkUniqueList(where, "azs", props.azs, 1);
  checkOneOf(where, "natGateways", natMode, NAT_GATEWAY_MODES);
  checkLogRetention(where, "flowLogRetentionDays", retention);
  const vpcBlock = requireCidr(where, "cidr", props.cidr, 16, 24);
  const blocks: { prop: string; block: ReturnType<typeof requireCidr> }[] = [];
  for (const prop of ["publicSubnetCidrs", "privateSubnetCidrs", "databaseSubnetCidrs"] as const) {
    const cidrs = props[prop];
    check(cidrs.length === props.azs.length, where, prop, cidrs,
      `must have exactly one CIDR per AZ (${props.azs.length}: ${props.azs.join(", ")}), got ${cidrs.length}`);
    cidrs.forEach((c, i) => {
      const p = `${prop}[${i}]`;
      const block = requireCidr(where, p, c, 16, 28);
      check(contains(vpcBlock, block), where, p, c, `must lie inside the VPC cidr ${props.cidr}`);
      blocks.push({ prop: p, block });
    });
  }
  checkNoOverlap(where, blocks);
}
