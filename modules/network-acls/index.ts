import { Construct } from "constructs";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { NetworkRef } from "../core/types";
import { Naming } from "../core/naming";
import { suppress } from "../core/suppress";
import { check } from "../core/validation";
import { requireCidr } from "../core/cidr";

/** The subnet tiers' address ranges (environment `network` config). */
export interface TierCidrs {
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly databaseSubnetCidrs: readonly string[];
}

export interface NetworkAclsProps {
  readonly naming: Naming;
  readonly network: NetworkRef;
  readonly cidrs: TierCidrs;
  /**
   * Ports the public tier accepts from the internet (internet-facing load balancers).
   * @default [443]
   */
  readonly publicIngressPorts?: readonly number[];
  /**
   * Networks outside the VPC (operator VPN, a validation host) admitted to the load balancers'
   * ports in the public and private tiers (edge.directAccess).
   * @default none
   */
  readonly directAccess?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
}

/** One rule of a tier's NACL, as the tests and the scanner see it. */
export interface AclRule {
  readonly rule: number;
  readonly egress: boolean;
  readonly protocol: "tcp" | "udp" | "-1";
  readonly cidr: string;
  readonly from?: number;
  readonly to?: number;
}

/** Where stateless return traffic arrives: the ephemeral ports AWS recommends NACLs open (Linux, NAT gateway, ELB). */
export const EPHEMERAL_PORTS = [1024, 65535] as const;
const ANYWHERE = "0.0.0.0/0";

/**
 * A network ACL per subnet tier (seeds 001/004): a stateless second fence under the security
 * groups, so a security-group mistake cannot expose a tier the NACL keeps closed.
 * - public: the load balancers' listener ports and return traffic from the internet, anything
 *   from inside the VPC (the NAT gateways forward the private tier's traffic).
 * - private (workloads): anything from inside the VPC, return traffic from the internet (through
 *   NAT), nothing else from outside.
 * - database: only the private and database tiers, in both directions: no internet route and no
 *   path from the public tier even if a security group allowed one.
 * Security groups still decide ports between tiers; the NACLs decide which tiers may talk at all.
 */
export class NetworkAcls extends Construct {
  public readonly acls: Readonly<Record<"public" | "private" | "database", NetworkAcl>>;
  /** Every rule, by tier (for tests and reviews). */
  public readonly rules: Readonly<Record<"public" | "private" | "database", readonly AclRule[]>>;

  constructor(scope: Construct, id: string, props: NetworkAclsProps) {
    super(scope, id);
    const where = `NetworkAcls ${id}`;
    const ports = props.publicIngressPorts ?? [443];
    ports.forEach((p, i) => check(Number.isInteger(p) && p >= 1 && p < EPHEMERAL_PORTS[0], where, `publicIngressPorts[${i}]`, p,
      `must be a well-known port from 1 to ${EPHEMERAL_PORTS[0] - 1} (the ephemeral range is open for return traffic already)`));
    const { cidrs, network } = props;
    for (const key of ["publicSubnetCidrs", "privateSubnetCidrs", "databaseSubnetCidrs"] as const) {
      check(cidrs[key].length > 0, where, `cidrs.${key}`, cidrs[key], "must list the tier's subnet CIDRs");
      cidrs[key].forEach((c, i) => requireCidr(where, `cidrs.${key}[${i}]`, c));
    }
    const [lo, hi] = EPHEMERAL_PORTS;
    const vpc = network.vpcCidr;
    const returns = (start: number, egress: boolean): AclRule[] => [
      { rule: start, egress, protocol: "tcp", cidr: ANYWHERE, from: lo, to: hi },
      { rule: start + 10, egress, protocol: "udp", cidr: ANYWHERE, from: lo, to: hi },
    ];
    const direct = props.directAccess;
    (direct?.cidrs ?? []).forEach((c, i) => requireCidr(where, `directAccess.cidrs[${i}]`, c));
    const directRules = (direct?.cidrs ?? []).flatMap((cidr, i) => direct!.ports.map((p, j): AclRule =>
      ({ rule: 400 + (i * direct!.ports.length + j) * 10, egress: false, protocol: "tcp", cidr, from: p, to: p })));
    const inner = [...cidrs.privateSubnetCidrs, ...cidrs.databaseSubnetCidrs];
    const rules = {
      public: [
        { rule: 100, egress: false, protocol: "-1", cidr: vpc },
        ...ports.map((p, i): AclRule => ({ rule: 200 + i * 10, egress: false, protocol: "tcp", cidr: ANYWHERE, from: p, to: p })),
        ...returns(300, false),
        ...directRules,
        { rule: 100, egress: true, protocol: "-1", cidr: ANYWHERE },
      ],
      private: [
        { rule: 100, egress: false, protocol: "-1", cidr: vpc },
        ...returns(300, false),
        ...directRules,
        { rule: 100, egress: true, protocol: "-1", cidr: ANYWHERE },
      ],
      database: [
        ...inner.map((c, i): AclRule => ({ rule: 100 + i * 10, egress: false, protocol: "-1", cidr: c })),
        ...inner.map((c, i): AclRule => ({ rule: 100 + i * 10, egress: true, protocol: "-1", cidr: c })),
      ],
    } satisfies Record<string, AclRule[]>;
    this.rules = rules;

    const subnets = { public: network.publicSubnetIds, private: network.privateSubnetIds, database: network.databaseSubnetIds };
    const acls: Partial<Record<keyof typeof rules, NetworkAcl>> = {};
    for (const tier of ["public", "private", "database"] as const) {
      const acl = new NetworkAcl(this, tier, { vpcId: network.vpcId, subnetIds: [...subnets[tier]], tags: { Name: props.naming.name(`${tier}-nacl`) } });
      acls[tier] = acl;
      for (const r of rules[tier]) {
        const resource = new NetworkAclRule(this, `${tier}-${r.egress ? "out" : "in"}-${r.rule}`, {
          networkAclId: acl.id,
          ruleNumber: r.rule,
          egress: r.egress,
          protocol: r.protocol,
          ruleAction: "allow",
          cidrBlock: r.cidr,
          fromPort: r.from,
          toPort: r.to,
        });
        if (!r.egress && r.cidr === ANYWHERE && r.from === lo) {
          suppress(resource, { id: "CKV_AWS_231", reason: "NACLs are stateless: replies to outbound connections arrive on ephemeral ports 1024-65535, which include 3389; no security group admits RDP and nothing listens on it" });
          if (r.protocol === "tcp") {
            suppress(resource, { id: "AWS-0105", reason: "Return traffic of outbound connections (through NAT) comes from any internet address on ephemeral ports; security groups admit no new connection from outside" });
          }
        }
        if (!r.egress && r.cidr === ANYWHERE && r.from !== lo) {
          suppress(resource, { id: "AWS-0105", reason: "The public tier hosts internet-facing load balancers: their listener port is open to clients by design (CloudFront prefix list and security groups narrow it)" });
        }
        if (r.protocol === "-1" && !r.egress) {
          suppress(resource, { id: "CKV_AWS_352", reason: "All ports from the VPC's own tiers (never the internet): security groups decide the ports; this NACL decides which tiers may talk at all" });
        }
        if (r.protocol === "-1") {
          suppress(resource, { id: "AWS-0102", reason: r.egress && r.cidr === ANYWHERE
            ? "Outbound is open at the NACL on purpose: replies to clients leave on their ephemeral ports and egress is filtered per workload by security groups and NetworkPolicies"
            : "All protocols between the VPC's own tiers: security groups decide the ports; this NACL decides which tiers may talk at all" });
        }
      }
    }
    this.acls = acls as Record<keyof typeof rules, NetworkAcl>;
  }
}
