import { EPHEMERAL_PORTS, NetworkAcls, NetworkAclsProps } from "../../modules/network-acls";
import { resources, synth, testNetwork, testStack } from "../helpers";

const cidrs = {
  publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
  privateSubnetCidrs: ["10.0.64.0/20", "10.0.80.0/20", "10.0.96.0/20"],
  databaseSubnetCidrs: ["10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"],
};

function build(overrides: Partial<NetworkAclsProps> = {}) {
  const { stack, naming } = testStack();
  const acls = new NetworkAcls(stack, "nacl", { naming, network: testNetwork(), cidrs, ...overrides });
  return { acls, json: synth(stack) };
}

/** Ingress rules of one NACL as "protocol cidr from-to". */
const rulesOf = (json: ReturnType<typeof build>["json"], tier: string, egress: boolean) =>
  resources(json, "aws_network_acl_rule").filter((r) => r.network_acl_id.includes(`nacl_${tier}_`) && r.egress === egress)
    .map((r) => `${r.rule_number} ${r.protocol} ${r.cidr_block}${r.from_port === undefined ? "" : ` ${r.from_port}-${r.to_port}`}`);

describe("NetworkAcls", () => {
  const { json } = build({ publicIngressPorts: [443] });

  it("puts each tier's subnets behind its own NACL", () => {
    expect(Object.fromEntries(resources(json, "aws_network_acl").map((a) => [a.tags.Name, a.subnet_ids]))).toEqual({
      "openedx-test-public-nacl": ["pub-a", "pub-b", "pub-c"],
      "openedx-test-private-nacl": ["priv-a", "priv-b", "priv-c"],
      "openedx-test-database-nacl": ["db-a", "db-b", "db-c"],
    });
    expect(EPHEMERAL_PORTS).toEqual([1024, 65535]);
  });

  it("public tier: the VPC, the listener ports and return traffic in; anything out", () => {
    expect(rulesOf(json, "public", false)).toEqual(["100 -1 10.0.0.0/16", "200 tcp 0.0.0.0/0 443-443", "300 tcp 0.0.0.0/0 1024-65535", "310 udp 0.0.0.0/0 1024-65535"]);
    expect(rulesOf(json, "public", true)).toEqual(["100 -1 0.0.0.0/0"]);
  });

  it("private tier: the VPC and return traffic through NAT, no new connection from outside", () => {
    expect(rulesOf(json, "private", false)).toEqual(["100 -1 10.0.0.0/16", "300 tcp 0.0.0.0/0 1024-65535", "310 udp 0.0.0.0/0 1024-65535"]);
  });

  it("database tier: only the private and database tiers, both ways; never the public tier or the internet", () => {
    const inner = [...cidrs.privateSubnetCidrs, ...cidrs.databaseSubnetCidrs];
    const expected = inner.map((c, i) => `${100 + i * 10} -1 ${c}`);
    expect(rulesOf(json, "database", false)).toEqual(expected);
    expect(rulesOf(json, "database", true)).toEqual(expected);
    for (const r of [...rulesOf(json, "database", false), ...rulesOf(json, "database", true)]) {
      expect(r).not.toMatch(/0\.0\.0\.0\/0|10\.0\.[0-2]\.0\/24/);
    }
  });

  it("with a VPC origin, nothing in the public tier is open to the internet but return traffic", () => {
    const { json: vpcOrigin } = build({ publicIngressPorts: [] });
    expect(rulesOf(vpcOrigin, "public", false)).toEqual(["100 -1 10.0.0.0/16", "300 tcp 0.0.0.0/0 1024-65535", "310 udp 0.0.0.0/0 1024-65535"]);
  });

  it("admits direct-access networks to the listener ports in the public and private tiers", () => {
    const { json: direct } = build({ publicIngressPorts: [], directAccess: { cidrs: ["198.51.100.0/24"], ports: [443] } });
    expect(rulesOf(direct, "private", false)).toContain("400 tcp 198.51.100.0/24 443-443");
    expect(rulesOf(direct, "public", false)).toContain("400 tcp 198.51.100.0/24 443-443");
  });

  it.each<[string, Partial<NetworkAclsProps>, string]>([
    ["an ephemeral listener port", { publicIngressPorts: [8443] }, "publicIngressPorts[0] = 8443 is invalid; must be a well-known port from 1 to 1023"],
    ["a tier without subnets", { cidrs: { ...cidrs, databaseSubnetCidrs: [] } }, "cidrs.databaseSubnetCidrs = [] is invalid; must list the tier's subnet CIDRs"],
    ["a malformed CIDR", { cidrs: { ...cidrs, privateSubnetCidrs: ["10.0.64.0/33"] } }, 'cidrs.privateSubnetCidrs[0] = "10.0.64.0/33" is invalid'],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => build(overrides)).toThrow(`NetworkAcls nacl: ${message}`);
  });
});
