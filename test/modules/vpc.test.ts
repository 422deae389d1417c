import { Vpc, VpcProps } from "../../modules/vpc";
import { policy, resource, resources, synth, testStack } from "../helpers";

const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
const base = {
  cidr: "10.0.0.0/16",
  azs,
  publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
  privateSubnetCidrs: ["10.0.100.0/24", "10.0.101.0/24", "10.0.102.0/24"],
  databaseSubnetCidrs: ["10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"],
};

function build(overrides: Partial<VpcProps> = {}) {
  const { stack, naming } = testStack();
  const vpc = new Vpc(stack, "network", { naming, ...base, ...overrides });
  return { vpc, json: synth(stack) };
}

describe("vpc", () => {
  const { vpc, json } = build({ clusterNames: ["openedx-eks"] });

  it("creates three tiers keyed by AZ name", () => {
    const subnets = resources(json, "aws_subnet");
    expect(subnets).toHaveLength(9);
    for (const tier of ["public", "private", "database"]) {
      for (const az of azs) {
        const s = resource(json, "aws_subnet", `network/${tier}-${az}`);
        expect(s.availability_zone).toBe(az);
        expect(s.map_public_ip_on_launch).toBe(false);
      }
    }
    expect(resource(json, "aws_subnet", "public-us-east-1b").cidr_block).toBe("10.0.1.0/24");
    expect(resource(json, "aws_subnet", "private-us-east-1c").cidr_block).toBe("10.0.102.0/24");
    expect(vpc.privateSubnetIds).toHaveLength(3);
  });

  it("tags subnets for EKS load balancers", () => {
    const pub = resource(json, "aws_subnet", "public-us-east-1a");
    const priv = resource(json, "aws_subnet", "private-us-east-1a");
    const db = resource(json, "aws_subnet", "database-us-east-1a");
    expect(pub.tags["kubernetes.io/role/elb"]).toBe("1");
    expect(priv.tags["kubernetes.io/role/internal-elb"]).toBe("1");
    expect(pub.tags["kubernetes.io/cluster/openedx-eks"]).toBe("shared");
    expect(db.tags["kubernetes.io/role/elb"]).toBeUndefined();
  });

  it("puts one NAT gateway in each AZ by default, each private AZ routing to its own", () => {
    const nats = resources(json, "aws_nat_gateway");
    expect(nats).toHaveLength(3);
    for (const az of azs) {
      const route = resource(json, "aws_route", `private-default-${az}`);
      expect(route.nat_gateway_id).toMatch(new RegExp(`nat-${az}`.replace(/-/g, "[-_]?")));
    }
  });

  it("routes the public tier to the internet gateway and gives the database tier no internet route", () => {
    expect(resource(json, "aws_route", "public-default").gateway_id).toContain("aws_internet_gateway");
    const dbRt = resource(json, "aws_route_table", "database-rt");
    expect(dbRt.route).toBeUndefined();
    const routes = resources(json, "aws_route");
    expect(routes.filter((r) => r.route_table_id.includes("database"))).toHaveLength(0);
    expect(resources(json, "aws_route_table_association").filter((a) => a._id.includes("database-rta"))).toHaveLength(3);
  });

  it("locks the default security group", () => {
    const sg = resource(json, "aws_default_security_group");
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toEqual([]);
  });

  it("logs ALL traffic to a KMS-encrypted log group with retention", () => {
    const log = resource(json, "aws_flow_log");
    expect(log.traffic_type).toBe("ALL");
    expect(log.log_destination_type).toBe("cloud-watch-logs");
    const group = resource(json, "aws_cloudwatch_log_group", "flow-logs");
    expect(group.retention_in_days).toBe(365);
    expect(group.kms_key_id).toContain("aws_kms_key");
    const key = resource(json, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    const logs = policy(key.policy).Statement.find((s) => s.Sid === "CloudWatchLogs");
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toContain(":log-group:*");
    const role = resource(json, "aws_iam_role", "flow-logs-role");
    expect(policy(role.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"]).toBeDefined();
    const [write, find] = policy(resource(json, "aws_iam_role_policy").policy).Statement;
    expect(write.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(write.Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}$/), expect.stringMatching(/\.arn\}:\*$/)]);
    expect(find).toMatchObject({ Action: "logs:DescribeLogGroups" });
    expect(find.Resource).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:logs:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:log-group:\*$/);
  });

  it("adds an S3 gateway endpoint on the private route tables", () => {
    const ep = resource(json, "aws_vpc_endpoint", "s3-endpoint");
    expect(ep.vpc_endpoint_type).toBe("Gateway");
    expect(ep.service_name).toMatch(/^com\.amazonaws\..*\.s3$/);
    expect(ep.route_table_ids).toHaveLength(3);
    expect(ep.route_table_ids.join()).toContain("private-rt");
  });

  it("uses a single NAT gateway shared by every private route table when asked", () => {
    const single = build({ natGateways: "single" }).json;
    expect(resources(single, "aws_nat_gateway")).toHaveLength(1);
    const targets = new Set(resources(single, "aws_route").filter((r) => r._id.includes("private-default")).map((r) => r.nat_gateway_id));
    expect(targets.size).toBe(1);
    expect(resources(single, "aws_route_table").filter((r) => r._id.includes("private-rt"))).toHaveLength(3);
  });

  it("keeps construct ids stable when an AZ is added (no NAT replacement)", () => {
    const two = build({
      azs: azs.slice(0, 2),
      publicSubnetCidrs: base.publicSubnetCidrs.slice(0, 2),
      privateSubnetCidrs: base.privateSubnetCidrs.slice(0, 2),
      databaseSubnetCidrs: base.databaseSubnetCidrs.slice(0, 2),
    }).json;
    const key = (j: typeof json) => Object.keys(j.resource!.aws_nat_gateway!);
    expect(key(json)).toEqual(expect.arrayContaining(key(two)));
  });

  describe("validation", () => {
    const cases: Array<[string, Partial<VpcProps>, RegExp]> = [
      ["invalid VPC CIDR", { cidr: "10.0.0.0/33" }, /cidr = "10.0.0.0\/33" is invalid; must be an IPv4 network/],
      ["host bits set", { cidr: "10.0.1.0/16" }, /cidr = "10.0.1.0\/16" is invalid; must be an IPv4 network in CIDR notation with no host bits/],
      ["VPC too large", { cidr: "10.0.0.0/8" }, /cidr = "10.0.0.0\/8" is invalid; must have a prefix length from \/16 to \/24/],
      ["subnet count not matching AZs", { privateSubnetCidrs: ["10.0.100.0/24"] }, /privateSubnetCidrs = \["10.0.100.0\/24"\] is invalid; must have exactly one CIDR per AZ \(3/],
      ["overlapping subnets", { databaseSubnetCidrs: ["10.0.200.0/24", "10.0.201.0/24", "10.0.100.0/25"] },
        /privateSubnetCidrs\[0\] = "10.0.100.0\/24" is invalid; must not overlap databaseSubnetCidrs\[2\] \(10.0.100.0\/25\)/],
      ["subnet outside the VPC", { publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.1.2.0/24"] }, /publicSubnetCidrs\[2\] = "10.1.2.0\/24" is invalid; must lie inside the VPC cidr 10.0.0.0\/16/],
      ["malformed subnet", { publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0", "10.0.2.0/24"] }, /publicSubnetCidrs\[1\] = "10.0.1.0" is invalid/],
      ["duplicate AZs", { azs: ["us-east-1a", "us-east-1a", "us-east-1c"] }, /azs .* must not repeat values \(repeated: us-east-1a\)/],
      ["unknown NAT mode", { natGateways: "two" as never }, /natGateways = "two" is invalid; must be one of "per-az", "single"/],
      ["bad log retention", { flowLogRetentionDays: 100 }, /flowLogRetentionDays = 100 is invalid; must be a CloudWatch Logs retention period/],
    ];
    it.each(cases)("rejects %s", (_name, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
