import { Construct } from "constructs";
import { Fn, ITerraformDependable } from "cdktf";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { awsContext } from "../core/aws-context";
import { Connectable } from "../core/security-group";
import { policyJson, serviceTrustPolicy } from "../core/policy";
import { encryptedLogGroup } from "../core/log-group";
import { suppress } from "../core/suppress";
import { ClusterRef } from "../core/types";
import { checkLogRetention } from "../core/validation";
import { checkVersionLifecycle } from "../core/lifecycle";
import { KmsKey } from "../kms-key";
import { addAccessEntries } from "./access-entries";
import { addAddonRoles, SERVICE_ACCOUNTS } from "./addon-roles";
import { ClusterAddons } from "./addons";
import { addNodeGroups } from "./node-groups";
import { addClusterSecurityGroups } from "./security-groups";
import { validateCluster } from "./validate";
import type { EksClusterProps } from "./props";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/log-group";

export type { UpgradeSupportType, EksClusterProps } from "./props";
export { ADDON_NAMES, MIN_KUBERNETES_MINOR } from "./validate";
export type { AddonName, AddonVersions } from "./addons";
export type { NodeGroupSpec, NodeTaint } from "./node-groups";
export { SERVICE_ACCOUNTS } from "./addon-roles";

/** Newest EKS minor in Checkov's CKV_AWS_339 list (checkov 3.3.30, scripts/scan.js). */
const CHECKOV_NEWEST_EKS_MINOR = 35;

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/**
 * An EKS cluster with everything production needs around it.
 *
 * - Control plane: private endpoint always, public endpoint only for an allowlist; secrets
 *   envelope-encrypted with a CMK; all five log types to a CMK-encrypted log group; access
 *   entries only (authentication mode API, no implicit creator admin); explicit upgrade
 *   policy; EKS deletion protection.
 * - Nodes: managed node groups from config, each with a launch template (IMDSv2 only, hop
 *   limit 1, CMK-encrypted gp3 root, no SSH key, our node security group), node auto-repair,
 *   and a node role with only AmazonEKSWorkerNodePolicy + AmazonEC2ContainerRegistryPullOnly.
 *   The CNI's permissions are not on the node role: vpc-cni gets its own IRSA role (IRSA, not
 *   Pod Identity, because aws-node starts before the Pod Identity agent can serve it).
 * - Add-ons: the most recent version EKS publishes for the cluster's Kubernetes version,
 *   resolved at plan time by `aws_eks_addon_version` (so the plan shows it), unless pinned; vpc-cni, kube-proxy and the Pod Identity agent are installed
 *   before nodes join (EKS's self-managed defaults are not bootstrapped), CoreDNS and the CSI
 *   drivers after, since they need nodes to become healthy.
 * - Pod Identity roles for EBS CSI, EFS CSI, Cluster Autoscaler and the AWS Load Balancer
 *   Controller, each trusting only its service account in this cluster; the OIDC provider
 *   exists for tools that still need IRSA.
 * - Security groups: ours replace the EKS-created one on nodes so the rules are exactly
 *   those EKS needs (API 443 from nodes; kubelet and webhook ports from the control plane;
 *   node-to-node for pod traffic). Data stores allow `nodes` (this group) only.
 * - Pods reach the data stores through the node security group, not EKS security groups for
 *   pods: SG-for-pods needs the VPC CNI's `ENABLE_POD_ENI`, trunk ENIs on Nitro nodes (fewer
 *   pods per node, branch-ENI limits per instance type), a SecurityGroupPolicy per workload,
 *   and the VPC CNI's NetworkPolicy agent does not enforce policies on branch-ENI pods, which
 *   would drop the per-namespace egress policies the platform relies on. Per-pod narrowing is
 *   done with NetworkPolicies instead: only the app namespace may egress to the stores' ports.
 *
 * Layout: this class composes security-groups.ts, access-entries.ts, addon-roles.ts (with
 * modules/core/pod-identity-role.ts), addons.ts and node-groups.ts. Those are functions adding
 * to this construct, not child constructs: a child would add a level to every resource's
 * construct path, so its Terraform address, and Terraform would destroy and recreate them.
 *
 * Prerequisite: the account's EC2 Auto Scaling service-linked role must exist, because the
 * node volume key's policy names it. It is account-level, so the bootstrap stack creates it
 * (`serviceLinkedRoles`), never the environment.
 */
export class EksCluster extends Construct implements ClusterRef {
  /**
   * The cluster name as a Terraform reference, so resources given it (Pod Identity
   * associations, access entries) are created after the cluster.
   */
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthority: string;
  public readonly oidcIssuerUrl: string;
  public readonly oidcProviderArn: string;
  public readonly nodeSecurityGroupId: string;
  /** The nodes (and so their pods) as a client of data stores: pass to a store's `allowFrom`. */
  public readonly nodes: Connectable;
  /** The security group EKS creates for the control plane (and any Fargate pods). */
  public readonly clusterSecurityGroupId: string;
  /** Our control-plane security group (API access from nodes). */
  public readonly controlPlaneSecurityGroupId: string;
  public readonly kubernetesVersion: string;
  public readonly clusterRoleArn: string;
  public readonly nodeRoleArn: string;
  public readonly vpcCniRoleArn: string;
  public readonly ebsCsiRoleArn: string;
  public readonly efsCsiRoleArn: string;
  /** CMK for node root volumes; EBS CSI may use it for persistent volumes too. */
  public readonly volumeKeyArn: string;
  public readonly secretsKeyArn: string;
  public readonly controlPlaneLogGroupName: string;
  /** Node group resource names by config name. */
  public readonly nodeGroupNames: Readonly<Record<string, string>>;
  /** Depend on this to wait until nodes and every add-on are up. */
  public readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const where = `EksCluster ${id}`;
    validateCluster(where, props);
    checkVersionLifecycle(this, {
      where, prop: "kubernetesVersion", product: "eks", version: props.kubernetesVersion,
      protectedEnvironment: props.requireStandardSupport ?? true, extendedSupport: props.extendedSupport,
    });
    const retention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    checkLogRetention(where, "logRetentionDays", retention);

    const { naming, clusterName } = props;
    const { accountId, partition } = awsContext(this);
    const managed = (policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;
    this.kubernetesVersion = props.kubernetesVersion;

    // Keys: secrets + control-plane logs; a separate key for volumes, because EC2 Auto
    // Scaling and the EBS CSI driver must be granted that one and should not get the other.
    const secretsKey = props.secretsKey ?? new KmsKey(this, "secrets-key", {
      naming, component: "eks", description: `${clusterName} secrets and control-plane logs`, allowCloudWatchLogs: true,
    });
    const volumeKey = new KmsKey(this, "volume-key", { naming, component: "eks-volumes", description: `${clusterName} node and persistent volumes` });
    volumeKey.allowAwsPrincipal(
      `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      "AutoScalingServiceLinkedRole", { allowGrantsForAwsResources: true },
    );
    this.secretsKeyArn = secretsKey.keyArn;
    this.volumeKeyArn = volumeKey.keyArn;
    const volumeKeyArn = volumeKey.keyArn;

    // --- Cluster role: the one managed policy EKS needs, plus use of the secrets key.
    // No source-account condition: EKS does not document sending one when it assumes the
    // cluster role, and iam:PassRole already keeps other accounts from using it.
    const clusterRole = new IamRole(this, "cluster-role", {
      name: naming.name("eks-cluster", "iamRole"),
      assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", { role: clusterRole.name, policyArn: managed("AmazonEKSClusterPolicy") });
    const clusterKms = new IamRolePolicy(this, "cluster-kms", {
      role: clusterRole.id,
      name: "secrets-encryption",
      policy: policyJson([{
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: secretsKey.keyArn,
      }]),
    });
    this.clusterRoleArn = clusterRole.arn;

    // --- Security groups: ours, so node and control-plane rules are exactly those EKS needs.
    const { nodeSgId, controlPlaneSgId } = addClusterSecurityGroups(this, { naming, clusterName, vpcId: props.network.vpcId });
    this.nodeSecurityGroupId = nodeSgId;
    this.nodes = { securityGroupId: nodeSgId, description: `EKS nodes of ${clusterName}` };
    this.controlPlaneSecurityGroupId = controlPlaneSgId;

    // --- Control-plane logs: created first so EKS does not create an unencrypted one.
    const logGroup = encryptedLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${clusterName}/cluster`, retentionDays: retention, kmsKeyArn: secretsKey.keyArn, retentionProp: "logRetentionDays",
    });
    this.controlPlaneLogGroupName = logGroup.name;

    const publicAccess = props.endpointPublicAccess;
    const cluster = new EksClusterResource(this, "cluster", {
      name: clusterName,
      version: props.kubernetesVersion,
      roleArn: clusterRole.arn,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      vpcConfig: {
        subnetIds: [...props.network.privateSubnetIds],
        securityGroupIds: [controlPlaneSgId],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        publicAccessCidrs: publicAccess ? [...props.publicAccessCidrs!] : undefined,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.keyArn } },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      upgradePolicy: { supportType: props.upgradeSupportType ?? "STANDARD" },
      // Managed add-ons below replace EKS's unmanaged defaults, so versions are ours.
      bootstrapSelfManagedAddons: false,
      deletionProtection: props.deletionProtection ?? true,
      dependsOn: [clusterPolicy, clusterKms, logGroup],
    });
    suppress(cluster, { id: "AVD-AWS-0039",
      reason: "False positive: Trivy does not read nested blocks in Terraform JSON; encryption_config encrypts secrets with a customer-managed key (Checkov CKV_AWS_58 verifies it)" });
    if (publicAccess) {
      const why = "Seed 000 keeps the public endpoint for operators and CI, restricted to publicAccessCidrs (synth rejects 0.0.0.0/0 and an empty list); "
        + "the private endpoint is always on, and every caller still needs an access entry";
      suppress(cluster, { id: "AVD-AWS-0040", reason: why }, { id: "CKV_AWS_39", reason: why });
    }
    // Checkov's CKV_AWS_339 carries a fixed list of EKS versions (1.29-1.35 in 3.3.30, its newest
    // release); newer versions are checked against the EKS calendar by checkVersionLifecycle above.
    if (Number(props.kubernetesVersion.split(".")[1]) > CHECKOV_NEWEST_EKS_MINOR) {
      suppress(cluster, { id: "CKV_AWS_339",
        reason: `Checkov 3.3.30 lists EKS versions up to 1.${CHECKOV_NEWEST_EKS_MINOR}; ${props.kubernetesVersion} is in EKS standard support, checked at synth against the EKS release calendar (modules/core/lifecycle.ts)` });
    }
    const clusterRef = cluster.name;
    this.clusterName = clusterRef; // the name, as a reference that orders dependants after the cluster
    this.clusterArn = cluster.arn;
    this.clusterEndpoint = cluster.endpoint;
    this.clusterCertificateAuthority = cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.oidcIssuerUrl = cluster.identity.get(0).oidc.get(0).issuer;

    // --- Access entries: cluster-admin for the admin roles; viewers, developers and CI's plan role.
    addAccessEntries(this, {
      clusterName: clusterRef, partition, accountId, adminRoles: props.adminRoles,
      viewerRoles: props.viewerRoles, developerRoles: props.developerRoles, planReaderRoles: props.planReaderRoles,
    });

    // --- IRSA: the OIDC provider (thumbprint is managed by IAM for EKS issuers).
    const oidc = new IamOpenidConnectProvider(this, "oidc", { url: this.oidcIssuerUrl, clientIdList: ["sts.amazonaws.com"] });
    this.oidcProviderArn = oidc.arn;

    // --- The add-ons' roles: IRSA for vpc-cni, Pod Identity for the rest.
    const roles = addAddonRoles(this, {
      naming, clusterName, clusterRef, partition,
      oidcProviderArn: oidc.arn, issuerHost: Fn.replace(this.oidcIssuerUrl, "https://", ""),
      volumeKeyArn: volumeKey.keyArn,
    });
    this.vpcCniRoleArn = roles.vpcCniRole.arn;
    this.ebsCsiRoleArn = roles.ebsCsiRole.arn;
    this.efsCsiRoleArn = roles.efsCsiRole.arn;

    // --- Add-ons that must run before nodes can become Ready.
    const addons = new ClusterAddons(this, { clusterName: clusterRef, kubernetesVersion: props.kubernetesVersion, addonVersions: props.addonVersions });
    const preNode = [
      addons.add("vpc-cni", {
        serviceAccountRoleArn: roles.vpcCniRole.arn,
        // Network policy enforcement by the CNI, so namespaces can be isolated.
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
        dependsOn: [roles.vpcCniPolicy],
      }),
      addons.add("kube-proxy"),
      addons.add("eks-pod-identity-agent"),
    ];
    const podIdentityAgent = preNode[2]!;

    // --- Nodes.
    const nodes = addNodeGroups(this, {
      naming, clusterName, clusterRef, partition, kubernetesVersion: props.kubernetesVersion,
      subnetIds: props.network.privateSubnetIds, nodeSecurityGroupId: nodeSgId, volumeKeyArn,
      metadataHopLimit: props.metadataHopLimit ?? 1, groups: props.nodeGroups, dependsOn: preNode,
    });
    this.nodeRoleArn = nodes.nodeRoleArn;
    this.nodeGroupNames = nodes.nodeGroupNames;
    const nodeGroups = nodes.nodeGroups;

    // --- Add-ons whose pods need nodes to become healthy.
    const postNode = [
      addons.add("coredns", { dependsOn: nodeGroups }),
      addons.add("aws-ebs-csi-driver", {
        podIdentityAssociation: [{ roleArn: roles.ebsCsiRole.arn, serviceAccount: SERVICE_ACCOUNTS.ebsCsi.name }],
        dependsOn: [...nodeGroups, podIdentityAgent],
      }),
      addons.add("aws-efs-csi-driver", {
        podIdentityAssociation: [{ roleArn: roles.efsCsiRole.arn, serviceAccount: SERVICE_ACCOUNTS.efsCsi.name }],
        dependsOn: [...nodeGroups, podIdentityAgent],
      }),
    ];
    this.ready = [...nodeGroups, ...preNode, ...postNode];
  }
}
