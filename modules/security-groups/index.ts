import { Construct } from "constructs";
import { Token } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { requireCidr } from "../core/cidr";
import { Naming } from "../core/naming";
import { Connectable, SG_RULE_DESCRIPTION_RE } from "../core/security-group";
import { suppress, Suppression } from "../core/suppress";
import { check, checkInt } from "../core/validation";

/**
 * The other side of a rule, most specific first: another security group (a typed reference
 * to a module's output), an AWS-managed prefix list (e.g. CloudFront's origin-facing ranges),
 * or a CIDR, which needs a reason because a group or prefix list is almost always possible.
 */
export type RulePeer =
  | { readonly kind: "group"; readonly group: Connectable }
  | { readonly kind: "prefix-list"; readonly prefixListId: string; readonly description: string }
  | { readonly kind: "cidr"; readonly cidr: string; readonly description: string; readonly reason: string };

/** One TCP rule: a port (or range) and the peer. */
export interface SecurityRule {
  readonly port: number;
  /** Last port of a range. @default port */
  readonly toPort?: number;
  readonly peer: RulePeer;
  /**
   * Scanner findings this rule causes and accepts (e.g. Trivy AWS-0104 for egress to the
   * internet through NAT), each with its reason; written on this rule's resource only.
   * @default []
   */
  readonly suppressions?: readonly Suppression[];
}

export interface SecurityGroupRuleSetProps {
  readonly naming: Naming;
  /** The group is named `<prefix>-<component>`. */
  readonly component: string;
  readonly vpcId: string;
  /** What the group guards, for its description and as the Connectable's description. */
  readonly description: string;
  /** @default [] (nothing may connect) */
  readonly ingress?: readonly SecurityRule[];
  /** @default [] (no egress at all; a stateful reply is still allowed) */
  readonly egress?: readonly SecurityRule[];
}

/**
 * Seed 002's `security-groups/` module: one security group whose whole policy is a typed list
 * of rules, each its own `aws_vpc_security_group_*_rule` resource (so two groups can reference
 * each other without a cycle, and rules can be added later with `allowIngress`/`allowEgress`).
 *
 * - Peers are references first: a Connectable (another module's security group), then a
 *   managed prefix list; a CIDR must carry a reason and may never be 0.0.0.0/0 for ingress.
 * - No default egress: AWS's implicit allow-all egress is not created (rules are explicit).
 * - Rule descriptions are checked against EC2's character set at synth.
 *
 * It implements Connectable, so a group made here is what other modules' `allowFrom` takes.
 */
export class SecurityGroupRuleSet extends Construct implements Connectable {
  public readonly securityGroupId: string;
  public readonly description: string;
  private readonly where: string;
  private readonly counts = { ingress: 0, egress: 0 };

  constructor(scope: Construct, id: string, props: SecurityGroupRuleSetProps) {
    super(scope, id);
    this.where = `SecurityGroupRuleSet ${id}`;
    check(SG_RULE_DESCRIPTION_RE.test(props.description) && props.description.length <= 200, this.where, "description", props.description,
      "must be at most 200 characters EC2 accepts in a description (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)");
    const name = props.naming.name(props.component, "securityGroup");
    const sg = new SecurityGroup(this, "group", {
      name,
      description: props.description,
      vpcId: props.vpcId,
      // Inline rules stay empty: every rule is its own resource (see the class doc).
      ingress: [],
      egress: [],
      tags: { Name: name },
    });
    this.securityGroupId = sg.id;
    this.description = props.description;
    (props.ingress ?? []).forEach((r) => this.allowIngress(r));
    (props.egress ?? []).forEach((r) => this.allowEgress(r));
  }

  /** Adds an ingress rule (e.g. from a group created after this one). */
  public allowIngress(rule: SecurityRule): void {
    this.rule("ingress", rule);
  }

  /** Adds an egress rule. */
  public allowEgress(rule: SecurityRule): void {
    this.rule("egress", rule);
  }

  private rule(direction: "ingress" | "egress", rule: SecurityRule): void {
    const i = this.counts[direction]++;
    const prop = `${direction}[${i}]`;
    const toPort = rule.toPort ?? rule.port;
    checkInt(this.where, `${prop}.port`, rule.port, 1, 65535);
    checkInt(this.where, `${prop}.toPort`, toPort, rule.port, 65535);
    const peer = rule.peer;
    let target: { referencedSecurityGroupId?: string; prefixListId?: string; cidrIpv4?: string };
    let who: string;
    if (peer.kind === "group") {
      check(Token.isUnresolved(peer.group.securityGroupId) || /^sg-[0-9a-z]+$/.test(peer.group.securityGroupId), this.where, `${prop}.peer.group.securityGroupId`,
        peer.group.securityGroupId, "must be a security group id (sg-...) or a reference to one");
      target = { referencedSecurityGroupId: peer.group.securityGroupId };
      who = peer.group.description;
    } else if (peer.kind === "prefix-list") {
      target = { prefixListId: peer.prefixListId };
      who = peer.description;
    } else {
      const block = requireCidr(this.where, `${prop}.peer.cidr`, peer.cidr);
      check(direction === "egress" || block.prefix > 0, this.where, `${prop}.peer.cidr`, peer.cidr, "must not admit the whole internet (0.0.0.0/0) inbound; use a prefix list or a group");
      check(peer.reason.trim().length >= 10, this.where, `${prop}.peer.reason`, peer.reason, "must say why a group or prefix list cannot be used (at least 10 characters)");
      target = { cidrIpv4: peer.cidr };
      who = peer.description;
    }
    const ports = toPort === rule.port ? `${rule.port}` : `${rule.port}-${toPort}`;
    const description = `${ports} ${direction === "ingress" ? "from" : "to"} ${who}`;
    check(description.length <= 255 && SG_RULE_DESCRIPTION_RE.test(description), this.where, `${prop}.peer.description`, who,
      "must be characters EC2 accepts in a rule description (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)");
    const args = { securityGroupId: this.securityGroupId, ipProtocol: "tcp", fromPort: rule.port, toPort, description, ...target };
    const resource = direction === "ingress"
      ? new VpcSecurityGroupIngressRule(this, `ingress-${i}`, args)
      : new VpcSecurityGroupEgressRule(this, `egress-${i}`, args);
    if (rule.suppressions?.length) suppress(resource, ...rule.suppressions);
  }
}
