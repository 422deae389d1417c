import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, OriginLoadBalancer, OriginLoadBalancerProps } from "../../modules/origin-lb";
import { S3Buckets } from "../../modules/s3-buckets";
import { policy, resource, resources, synth, testStack, TfJson } from "../helpers";

const network = {
  vpcId: "vpc-0123", vpcCidr: "10.0.0.0/16",
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b"], publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
};
const NODES_SG = "sg-0aaaaaaaaaaaaaaa0";

function build(over: Partial<OriginLoadBalancerProps> = {}) {
  const { stack, naming } = testStack("production");
  const { logsBucket } = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
  const lb = new OriginLoadBalancer(stack, "origin-lb", {
    naming, network, ports: [443], source: { kind: "cloudfront-prefix-list" }, targetSecurityGroupId: NODES_SG, logsBucket, ...over,
  });
  return { stack, lb, json: synth(stack) };
}
/** Ingress rules on the NLB's own security group (not the node group's). */
const lbIngress = (json: TfJson) => resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id !== NODES_SG);

describe("OriginLoadBalancer", () => {
  describe("defaults: internal, CloudFront's prefix list, 443", () => {
    const { lb, json } = build();

    it("is an internal, deletion-protected NLB in the private subnets, logging to the logs bucket", () => {
      expect(lb.scheme).toBe("internal");
      expect(resource(json, "aws_lb")).toMatchObject({
        name: "openedx-production-origin", load_balancer_type: "network", internal: true, subnets: network.privateSubnetIds,
        enable_deletion_protection: true, enable_cross_zone_load_balancing: true, enforce_security_group_inbound_rules_on_private_link_traffic: "on",
        access_logs: { prefix: "nlb", enabled: true },
      });
    });

    it("admits 443 from CloudFront's origin-facing prefix list only, and reaches the pods only", () => {
      expect(Object.values(json.data!.aws_ec2_managed_prefix_list!)).toEqual([{ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }]);
      const rules = lbIngress(json);
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({ ip_protocol: "tcp", from_port: 443, to_port: 443, prefix_list_id: expect.stringContaining("data.aws_ec2_managed_prefix_list.origin-lb_cloudfront-origin-facing") });
      expect(rules[0]!.cidr_ipv4).toBeUndefined();
      const [egress] = resources(json, "aws_vpc_security_group_egress_rule");
      expect(egress).toMatchObject({ from_port: 443, to_port: 443, referenced_security_group_id: NODES_SG });
      const toNodes = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === NODES_SG);
      expect(toNodes).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, referenced_security_group_id: expect.stringContaining("aws_security_group.origin-lb_security-group") })]);
    });

    it("forwards TCP 443 to IP targets with PROXY protocol v2", () => {
      expect(resource(json, "aws_lb_target_group")).toMatchObject({
        name: "openedx-production-origin-443", target_type: "ip", protocol: "TCP", port: 443, vpc_id: "vpc-0123", proxy_protocol_v2: true,
        health_check: { protocol: "TCP" },
      });
      expect(resource(json, "aws_lb_listener")).toMatchObject({ port: 443, protocol: "TCP", default_action: [{ type: "forward" }] });
      expect(Object.keys(lb.targetGroupArns)).toEqual(["443"]);
    });

    it("lets only this account's log delivery write under nlb/ in the logs bucket", () => {
      const statements = policy(resource(json, "aws_s3_bucket_policy", "storage/logs").policy).Statement;
      const put = statements.find((s: any) => s.Sid === "OriginNlbAccessLogDelivery");
      expect(put).toMatchObject({ Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject" });
      expect(put.Resource).toMatch(/\/nlb\/AWSLogs\/\$\{data\.aws_caller_identity\.[^}]+\.account_id\}\/\*$/);
      expect(put.Condition.StringEquals["s3:x-amz-acl"]).toBe("bucket-owner-full-control");
      expect(statements.map((s: any) => s.Sid)).toContain("OriginNlbAccessLogAclCheck");
    });
  });

  it("with 80 and 443 has a listener, target group and rule pair per port", () => {
    const { lb, json } = build({ ports: [443, 80] });
    expect(resources(json, "aws_lb_listener").map((l) => l.port).sort((a, b) => a - b)).toEqual([80, 443]);
    expect(lbIngress(json).map((r) => r.from_port).sort((a, b) => a - b)).toEqual([80, 443]);
    expect(resources(json, "aws_vpc_security_group_egress_rule").map((r) => r.from_port).sort((a, b) => a - b)).toEqual([80, 443]);
    expect(Object.keys(lb.targetGroupArns).sort()).toEqual(["443", "80"]);
  });

  it("internet-facing sits in the public subnets", () => {
    const { lb, json } = build({ scheme: "internet-facing" });
    expect(lb.scheme).toBe("internet-facing");
    expect(resource(json, "aws_lb")).toMatchObject({ internal: false, subnets: network.publicSubnetIds });
  });

  it("narrowed to the VPC-origin security group, references it and reads no prefix list", () => {
    const { json } = build({ source: { kind: "cloudfront-vpc-origin-sg", securityGroupId: "sg-0123456789abcdef0" } });
    expect(json.data?.aws_ec2_managed_prefix_list).toBeUndefined();
    expect(lbIngress(json)).toEqual([expect.objectContaining({ from_port: 443, referenced_security_group_id: "sg-0123456789abcdef0" })]);
  });

  it("with direct access, admits exactly those CIDRs on each port and warns with the reason", () => {
    const { stack, json } = build({ ports: [443], directAccess: { cidrs: ["198.51.100.0/24", "203.0.113.8/32"], reason: "smoke tests from the operator VPN" } });
    const direct = lbIngress(json).filter((r) => r.cidr_ipv4);
    expect(direct.map((r) => [r.cidr_ipv4, r.from_port])).toEqual([["198.51.100.0/24", 443], ["203.0.113.8/32", 443]]);
    expect(direct[0]!.description).toBe("443 direct access (bypasses the WAF): smoke tests from the operator VPN");
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
    expect(warnings).toEqual([expect.stringMatching(/^OriginLoadBalancer origin-lb: directAccess is on: 198\.51\.100\.0\/24, 203\.0\.113\.8\/32 reach the origin load balancer directly.*\(smoke tests from the operator VPN\)/)]);
  });

  it.each<[string, Partial<OriginLoadBalancerProps>, string]>([
    ["no ports", { ports: [] }, "OriginLoadBalancer origin-lb: ports = [] is invalid; must be 443 and optionally 80"],
    ["a port other than 80 and 443", { ports: [443, 8443] }, "OriginLoadBalancer origin-lb: ports = [443,8443] is invalid; must be 443 and optionally 80"],
    ["the VPC-origin group on an internet-facing NLB", { scheme: "internet-facing", source: { kind: "cloudfront-vpc-origin-sg", securityGroupId: "sg-0123456789abcdef0" } },
      "OriginLoadBalancer origin-lb: source = {\"kind\":\"cloudfront-vpc-origin-sg\",\"securityGroupId\":\"sg-0123456789abcdef0\"} is invalid; the VPC-origin security group only reaches an internal load balancer"],
    ["a group name instead of its id", { source: { kind: "cloudfront-vpc-origin-sg", securityGroupId: "CloudFront-VPCOrigins-Service-SG" } },
      'OriginLoadBalancer origin-lb: source.securityGroupId = "CloudFront-VPCOrigins-Service-SG" is invalid; must be the id (sg-...)'],
    ["the internet as a direct-access CIDR", { directAccess: { cidrs: ["0.0.0.0/0"], reason: "validation from anywhere" } },
      'OriginLoadBalancer origin-lb: directAccess.cidrs = "0.0.0.0/0" is invalid; must be a narrow range (a /8 or smaller), never the internet'],
    ["a CIDR with host bits", { directAccess: { cidrs: ["198.51.100.1/24"], reason: "smoke tests from the VPN" } }, 'directAccess.cidrs = "198.51.100.1/24" is invalid'],
    ["a repeated CIDR", { directAccess: { cidrs: ["198.51.100.0/24", "198.51.100.0/24"], reason: "smoke tests from the VPN" } }, "directAccess.cidrs"],
    ["a reason EC2 refuses in a rule description", { directAccess: { cidrs: ["198.51.100.0/24"], reason: "the operator's VPN smoke tests" } },
      'OriginLoadBalancer origin-lb: directAccess.reason = "the operator\'s VPN smoke tests" is invalid; must be at most 200 characters'],
    ["a missing reason", { directAccess: { cidrs: ["198.51.100.0/24"], reason: "   " } }, 'OriginLoadBalancer origin-lb: directAccess.reason = "   " is invalid; must say why the WAF may be bypassed'],
  ])("rejects %s", (_, over, message) => {
    expect(() => build(over)).toThrow(message);
  });
});
