import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Naming } from "./naming";
import { checkUniqueList } from "./validation";

export interface StoreSecurityGroupProps {
  readonly naming: Naming;
  /** Component the group guards; the group is named `<prefix>-<component>`. */
  readonly component: string;
  readonly vpcId: string;
  /** The one TCP port clients use (seed 000's port matrix). */
  readonly port: number;
  /** Security groups allowed to reach the port, e.g. the EKS node group's. */
  readonly allowedSecurityGroupIds: readonly string[];
  /** What the store is, for the group and rule descriptions. */
  readonly description: string;
}

/**
 * The security group of one data store: ingress on its single port from each allowed
 * security group only (never a CIDR, so no 0.0.0.0/0 can appear), and no egress at all —
 * a managed data store only answers connections, and replies to them are allowed by
 * security-group statefulness. Rules are inline so the group's whole policy is one resource.
 */
export function storeSecurityGroup(scope: Construct, id: string, props: StoreSecurityGroupProps): SecurityGroup {
  checkUniqueList(`${props.description} security group`, "allowedSecurityGroupIds", props.allowedSecurityGroupIds, 1);
  const name = props.naming.name(props.component, "securityGroup");
  return new SecurityGroup(scope, id, {
    name,
    description: `${props.description}: port ${props.port} from the allowed client security groups only`,
    vpcId: props.vpcId,
    ingress: props.allowedSecurityGroupIds.map((sg) => ({
      description: `${props.description} clients`,
      protocol: "tcp",
      fromPort: props.port,
      toPort: props.port,
      securityGroups: [sg],
      cidrBlocks: [],
      ipv6CidrBlocks: [],
      prefixListIds: [],
      selfAttribute: false,
    })),
    egress: [],
    tags: { Name: name },
  });
}
