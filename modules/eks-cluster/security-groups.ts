import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Naming } from "../core/naming";
import { suppress } from "../core/suppress";

/** Ports the control plane opens on nodes: kubelet, and admission webhooks / aggregated APIs. */
const CONTROL_PLANE_TO_NODE_PORTS = [443, 4443, 6443, 8443, 9443, 10250] as const;

export interface ClusterSecurityGroupsProps {
  readonly naming: Naming;
  readonly clusterName: string;
  readonly vpcId: string;
}

/**
 * The control-plane and node security groups and their rules: API 443 from nodes; kubelet
 * and webhook ports from the control plane; node-to-node for pod traffic; node egress.
 *
 * Adds to `scope` (the EksCluster), not to a construct of its own, so the groups and rules
 * keep their Terraform addresses.
 */
export function addClusterSecurityGroups(scope: Construct, props: ClusterSecurityGroupsProps): { nodeSgId: string; controlPlaneSgId: string } {
  const { naming, clusterName, vpcId } = props;
  // Replaced create-before-destroy (nodes and the cluster keep a group while it is swapped),
  // so the name is a prefix: a fixed name would collide with the group being replaced.
  const controlPlaneSg = new SecurityGroup(scope, "control-plane-sg", {
    namePrefix: `${naming.name("eks-control-plane", "securityGroup", 27)}-`,
    description: `EKS ${clusterName} control plane: API from nodes`,
    vpcId,
    tags: { Name: naming.name("eks-control-plane") },
    lifecycle: { createBeforeDestroy: true },
  });
  const nodeSg = new SecurityGroup(scope, "node-sg", {
    namePrefix: `${naming.name("eks-node", "securityGroup", 27)}-`,
    description: `EKS ${clusterName} nodes`,
    vpcId,
    // The load balancer controller finds the node group to open ports on by this tag.
    tags: { Name: naming.name("eks-node"), [`kubernetes.io/cluster/${clusterName}`]: "owned" },
    lifecycle: { createBeforeDestroy: true },
  });
  // Token attributes are read once: every read creates a new token (and a stack trace).
  const nodeSgId = nodeSg.id;
  const controlPlaneSgId = controlPlaneSg.id;
  new VpcSecurityGroupIngressRule(scope, "api-from-nodes", {
    securityGroupId: controlPlaneSgId, referencedSecurityGroupId: nodeSgId,
    ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "Kubernetes API from nodes",
  });
  for (const port of CONTROL_PLANE_TO_NODE_PORTS) {
    new VpcSecurityGroupIngressRule(scope, `node-from-control-plane-${port}`, {
      securityGroupId: nodeSgId, referencedSecurityGroupId: controlPlaneSgId,
      ipProtocol: "tcp", fromPort: port, toPort: port,
      description: port === 10250 ? "kubelet from control plane" : `webhooks / aggregated APIs on ${port} from control plane`,
    });
  }
  new VpcSecurityGroupIngressRule(scope, "node-to-node", {
    securityGroupId: nodeSgId, referencedSecurityGroupId: nodeSgId, ipProtocol: "-1",
    description: "Node and pod traffic within the cluster (Kubernetes networking model; NetworkPolicies segment it)",
  });
  const nodeEgress = new VpcSecurityGroupEgressRule(scope, "node-egress", {
    securityGroupId: nodeSgId, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1",
    description: "Nodes reach the control plane, AWS APIs, registries and data stores (through NAT for the internet)",
  });
  suppress(nodeEgress, { id: "AVD-AWS-0104",
    reason: "Nodes must reach ECR, STS, EKS and other AWS APIs, public registries and external SaaS through NAT; pod egress is narrowed with NetworkPolicies, which SGs cannot express per pod" });
  return { nodeSgId, controlPlaneSgId };
}
