import { SecurityGroupRuleSet, SecurityGroupRuleSetProps } from "../../modules/security-groups";
import { suppressionsOf } from "../../modules/core/suppress";
import { resource, resources, synth, testStack } from "../helpers";

function build(overrides: Partial<SecurityGroupRuleSetProps> = {}) {
  const { stack, naming } = testStack("production");
  const set = new SecurityGroupRuleSet(stack, "app", {
    naming, component: "app", vpcId: "vpc-0123", description: "App servers",
    ingress: [{ port: 8080, peer: { kind: "group", group: { securityGroupId: "sg-0aaa", description: "load balancer" } } }],
    egress: [{ port: 443, peer: { kind: "prefix-list", prefixListId: "pl-0123", description: "S3" } }],
    ...overrides,
  });
  return { set, json: synth(stack) };
}

describe("security-groups", () => {
  const { set, json } = build();

  it("creates one group with no inline rules (no implicit allow-all egress)", () => {
    expect(resource(json, "aws_security_group")).toMatchObject({ name: "openedx-production-app", description: "App servers", vpc_id: "vpc-0123", ingress: [], egress: [] });
    expect(set.description).toBe("App servers");
  });

  it("writes each typed rule as its own resource, referencing groups and prefix lists rather than CIDRs", () => {
    expect(resource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: 8080, to_port: 8080, ip_protocol: "tcp", referenced_security_group_id: "sg-0aaa", description: "8080 from load balancer" });
    const egress = resource(json, "aws_vpc_security_group_egress_rule");
    expect(egress).toMatchObject({ from_port: 443, prefix_list_id: "pl-0123", description: "443 to S3" });
    expect(egress.cidr_ipv4).toBeUndefined();
  });

  it("adds rules later (e.g. towards a group created afterwards) and carries a rule's accepted findings on that rule only", () => {
    const { stack, naming } = testStack("production");
    const a = new SecurityGroupRuleSet(stack, "a", { naming, component: "a", vpcId: "vpc-0123", description: "A" });
    const b = new SecurityGroupRuleSet(stack, "b", { naming, component: "b", vpcId: "vpc-0123", description: "B", ingress: [{ port: 80, peer: { kind: "group", group: a } }] });
    a.allowEgress({ port: 80, peer: { kind: "group", group: b } });
    a.allowEgress({ port: 443, peer: { kind: "cidr", cidr: "0.0.0.0/0", description: "HTTPS via NAT", reason: "public AWS endpoints through NAT" },
      suppressions: [{ id: "AWS-0104", reason: "egress 443 through NAT only" }] });
    const out = synth(stack);
    expect(resources(out, "aws_vpc_security_group_egress_rule").map((r) => r.description)).toEqual(["80 to B", "443 to HTTPS via NAT"]);
    expect(suppressionsOf(a.node.findChild("egress-1") as any).map((x) => x.id)).toEqual(["AWS-0104"]);
    expect(suppressionsOf(a.node.findChild("egress-0") as any)).toEqual([]);
  });

  describe("validation", () => {
    it.each<[string, Partial<SecurityGroupRuleSetProps>, RegExp]>([
      ["the internet inbound", { ingress: [{ port: 443, peer: { kind: "cidr", cidr: "0.0.0.0/0", description: "anyone", reason: "because we want it" } }] },
        /SecurityGroupRuleSet app: ingress\[0\]\.peer\.cidr = "0\.0\.0\.0\/0" is invalid; must not admit the whole internet/],
      ["a CIDR without a reason", { egress: [{ port: 443, peer: { kind: "cidr", cidr: "10.0.0.0/8", description: "vpc", reason: "" } }] },
        /egress\[0\]\.peer\.reason = "" is invalid; must say why a group or prefix list cannot be used/],
      ["a port out of range", { ingress: [{ port: 70000, peer: { kind: "prefix-list", prefixListId: "pl-1", description: "x" } }] }, /ingress\[0\]\.port = 70000 is invalid; must be an integer from 1 to 65535/],
      ["a reversed range", { ingress: [{ port: 100, toPort: 90, peer: { kind: "prefix-list", prefixListId: "pl-1", description: "x" } }] }, /ingress\[0\]\.toPort = 90 is invalid; must be an integer from 100 to 65535/],
      ["a CIDR disguised as a group", { ingress: [{ port: 80, peer: { kind: "group", group: { securityGroupId: "10.0.0.0/8", description: "x" } } }] },
        /ingress\[0\]\.peer\.group\.securityGroupId = "10\.0\.0\.0\/8" is invalid; must be a security group id/],
      ["a description EC2 refuses", { ingress: [{ port: 80, peer: { kind: "prefix-list", prefixListId: "pl-1", description: "l'équipe" } }] },
        /ingress\[0\]\.peer\.description = "l'équipe" is invalid; must be characters EC2 accepts/],
      ["a malformed CIDR", { egress: [{ port: 80, peer: { kind: "cidr", cidr: "10.0.0.0/33", description: "x", reason: "a valid reason here" } }] }, /egress\[0\]\.peer\.cidr = "10\.0\.0\.0\/33" is invalid/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
