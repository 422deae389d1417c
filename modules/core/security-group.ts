import { Construct } from "constructs";
import { Token } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Naming } from "./naming";
import { check, checkUniqueList } from "./validation";

/**
 * A client that may be allowed to connect to something: its security group, named (after
 * aws-cdk-lib's IConnectable). Stores accept their clients as Connectables, never as bare
 * CIDRs or id strings, so "who may connect" is a typed reference to another module's output
 * (e.g. the EKS cluster's `nodes`) and can never be a 0.0.0.0/0.
 */
export interface Connectable {
  /** The client's security group. */
  readonly securityGroupId: string;
  /** Who the client is, for rule descriptions (e.g. "EKS nodes"). */
  readonly description: string;
}

/**
 * What a store exposes about how it is reached: its one TCP port and its own security group.
 * The platform stack derives the app namespace's NetworkPolicy egress ports from these, so
 * a store added or moved to another port changes the policy with it.
 */
export interface StoreEndpoint extends Connectable {
  readonly port: number;
}

export interface StoreSecurityGroupProps {
  readonly naming: Naming;
  /** Component the group guards; the group is named `<prefix>-<component>`. */
  readonly component: string;
  readonly vpcId: string;
  /** The one TCP port clients use (seed 000's port matrix). */
  readonly port: number;
  /** Clients allowed to reach the port, e.g. the EKS cluster's nodes. */
  readonly allowFrom: readonly Connectable[];
  /** What the store is, for the group and rule descriptions. */
  readonly description: string;
}

/**
 * Characters EC2 accepts in a security group rule's description (up to 255 of them); anything
 * else (an apostrophe, a non-ASCII letter) is an API error at apply.
 */
export const SG_RULE_DESCRIPTION_RE = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

/** Checks a list of clients: at least one, each a security group (not a CIDR), no repeats. */
export function checkConnectables(where: string, prop: string, clients: readonly Connectable[]): void {
  check(clients.length >= 1, where, prop, clients.map((c) => c.description), "must list at least 1 client (a Connectable such as the EKS cluster's nodes)");
  clients.forEach((c, i) => check(Token.isUnresolved(c.securityGroupId) || /^sg-[0-9a-z]+$/.test(c.securityGroupId), where, `${prop}[${i}].securityGroupId`,
    c.securityGroupId, "must be a security group id (sg-...) or a reference to one; CIDRs are not accepted"));
  checkUniqueList(where, `${prop}[].securityGroupId`, clients.map((c) => c.securityGroupId), 1);
}

/**
 * The security group of one data store: ingress on its single port from each allowed
 * client's security group only (never a CIDR, so no 0.0.0.0/0 can appear), and no egress at
 * all — a managed data store only answers connections, and replies to them are allowed by
 * security-group statefulness. Rules are inline so the group's whole policy is one resource.
 */
export function storeSecurityGroup(scope: Construct, id: string, props: StoreSecurityGroupProps): SecurityGroup {
  checkConnectables(`${props.description} security group`, "allowFrom", props.allowFrom);
  const name = props.naming.name(props.component, "securityGroup");
  return new SecurityGroup(scope, id, {
    name,
    description: `${props.description}: port ${props.port} from the allowed client security groups only`,
    vpcId: props.vpcId,
    ingress: props.allowFrom.map((client) => ({
      description: `${props.description} clients: ${client.description}`,
      protocol: "tcp",
      fromPort: props.port,
      toPort: props.port,
      securityGroups: [client.securityGroupId],
      cidrBlocks: [],
      ipv6CidrBlocks: [],
      prefixListIds: [],
      selfAttribute: false,
    })),
    egress: [],
    tags: { Name: name },
  });
}
