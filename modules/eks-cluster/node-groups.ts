import { Construct } from "constructs";
import { Fn, ITerraformDependable } from "cdktf";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Naming } from "../core/naming";
import { serviceTrustPolicy } from "../core/policy";
import { suppress } from "../core/suppress";
import { AMI_TYPES } from "./validate";

/** What Terraform appends to a name prefix: "-" (ours) plus a 26-character unique id. */
const NODE_GROUP_SUFFIX = "-" + "0".repeat(26);

export interface NodeTaint {
  readonly key: string;
  /** @default none (a key-only taint) */
  readonly value?: string;
  readonly effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";
}

/** One managed node group. Sizes are node counts. */
export interface NodeGroupSpec {
  /** Instance types; several of the same size spread spot capacity over more pools. */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  /** Initial size; afterwards the cluster autoscaler owns it (Terraform ignores drift). */
  readonly desiredSize: number;
  readonly maxSize: number;
  /**
   * `SPOT` only where interruptions are acceptable (sandbox, batch).
   * @default "ON_DEMAND"
   */
  readonly capacityType?: "ON_DEMAND" | "SPOT";
  /**
   * EKS-optimized AMI family; its instance types must match its architecture.
   * @default "AL2023_x86_64_STANDARD"
   */
  readonly amiType?: (typeof AMI_TYPES)[number];
  /**
   * Kubernetes labels on every node of the group.
   * @default { "node-group": <name> }
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Taints that keep pods without a matching toleration off the group.
   * @default []
   */
  readonly taints?: readonly NodeTaint[];
  /**
   * Root volume size (encrypted gp3).
   * @default 50
   */
  readonly diskSizeGiB?: number;
  /**
   * Share of nodes replaced at once during a node group update.
   * @default 25
   */
  readonly maxUnavailablePercentage?: number;
}

export interface NodeGroupsProps {
  readonly naming: Naming;
  /** The cluster name as written in config (descriptions and tags). */
  readonly clusterName: string;
  /** The cluster resource's `name` reference, so node groups are created after the cluster. */
  readonly clusterRef: string;
  readonly partition: string;
  readonly kubernetesVersion: string;
  readonly subnetIds: readonly string[];
  readonly nodeSecurityGroupId: string;
  /** CMK of the root volumes. */
  readonly volumeKeyArn: string;
  readonly metadataHopLimit: number;
  readonly groups: Readonly<Record<string, NodeGroupSpec>>;
  /** What must exist before nodes join (the add-ons nodes need to become Ready). */
  readonly dependsOn: readonly ITerraformDependable[];
}

export interface NodeGroupsResult {
  readonly nodeRoleArn: string;
  readonly nodeGroups: EksNodeGroup[];
  /** Node group resource names by config name. */
  readonly nodeGroupNames: Record<string, string>;
}

/**
 * The node role (AmazonEKSWorkerNodePolicy and AmazonEC2ContainerRegistryPullOnly only), one
 * launch template per root-volume shape (IMDSv2 only, CMK-encrypted gp3, no SSH key, the node
 * security group) and the managed node groups.
 *
 * Adds to `scope` (the EksCluster), not to a construct of its own, so these resources keep
 * their Terraform addresses (`node-role`, `lt-<shape>`, `ng-<name>`).
 */
export function addNodeGroups(scope: Construct, props: NodeGroupsProps): NodeGroupsResult {
  const { naming, clusterName } = props;
  const nodeRole = new IamRole(scope, "node-role", {
    name: naming.name("eks-node", "iamRole"),
    assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
  });
  const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map((p) =>
    new IamRolePolicyAttachment(scope, `node-${p}`, { role: nodeRole.name, policyArn: `arn:${props.partition}:iam::aws:policy/${p}` }));

  // One launch template per distinct root-volume shape, shared by the groups that have it
  // (production's three groups share one): fewer resources, and one change rolls them together.
  const launchTemplates = new Map<string, LaunchTemplate>();
  const launchTemplateFor = (spec: NodeGroupSpec): LaunchTemplate => {
    const bottlerocket = (spec.amiType ?? "").startsWith("BOTTLEROCKET");
    const size = spec.diskSizeGiB ?? 50;
    const key = `${bottlerocket ? "bottlerocket-" : ""}${size}gib`;
    const existing = launchTemplates.get(key);
    if (existing) return existing;
    const lt = new LaunchTemplate(scope, `lt-${key}`, {
      name: naming.name(`eks-nodes-${key}`, "launchTemplate"),
      description: `EKS ${clusterName} nodes, ${size} GiB encrypted gp3 root`,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: [props.nodeSecurityGroupId],
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: props.metadataHopLimit,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [{
        // Bottlerocket keeps its OS on xvda and containers on the data volume xvdb.
        deviceName: bottlerocket ? "/dev/xvdb" : "/dev/xvda",
        ebs: {
          volumeSize: size,
          volumeType: "gp3",
          iops: 3000,
          throughput: 125,
          encrypted: "true",
          kmsKeyId: props.volumeKeyArn,
          deleteOnTermination: "true",
        },
      }],
      monitoring: { enabled: true },
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType, tags: { Name: `${clusterName}-node` },
      })),
    });
    suppress(lt, { id: "AVD-AWS-0130",
      reason: "False positive: Trivy does not read nested blocks in Terraform JSON; metadata_options sets http_tokens = required (IMDSv2 only; Checkov CKV_AWS_79 verifies it)" });
    launchTemplates.set(key, lt);
    return lt;
  };

  const nodeGroupNames: Record<string, string> = {};
  const nodeGroups: EksNodeGroup[] = [];
  for (const [groupName, spec] of Object.entries(props.groups)) {
    const lt = launchTemplateFor(spec);
    const ng = new EksNodeGroup(scope, `ng-${groupName}`, {
      clusterName: props.clusterRef,
      // A generated name (prefix + Terraform's 26-character unique suffix) with create-before-
      // destroy: a change EKS cannot make in place (instance types, capacity type, AMI type,
      // subnets) brings the replacement group up first; deleting the old one then cordons and
      // drains its nodes (EKS honours PodDisruptionBudgets), so the pool never drops to zero.
      // A fixed name would force destroy-then-create: the whole pool down during the swap.
      nodeGroupNamePrefix: `${naming.name(`eks-${groupName}`, "eksNodeGroup", NODE_GROUP_SUFFIX.length)}-`,
      nodeRoleArn: nodeRole.arn,
      subnetIds: [...props.subnetIds],
      version: props.kubernetesVersion,
      amiType: spec.amiType ?? "AL2023_x86_64_STANDARD",
      capacityType: spec.capacityType ?? "ON_DEMAND",
      instanceTypes: [...spec.instanceTypes],
      labels: { "node-group": groupName, ...spec.labels },
      taint: spec.taints?.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      scalingConfig: { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize },
      updateConfig: { maxUnavailablePercentage: spec.maxUnavailablePercentage ?? 25 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: lt.id, version: Fn.tostring(lt.latestVersion) },
      // The cluster autoscaler changes desired size at run time; Terraform must not undo it.
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"], createBeforeDestroy: true },
      dependsOn: [...nodePolicies, ...props.dependsOn],
    });
    nodeGroupNames[groupName] = ng.nodeGroupName;
    nodeGroups.push(ng);
  }
  return { nodeRoleArn: nodeRole.arn, nodeGroups, nodeGroupNames };
}
