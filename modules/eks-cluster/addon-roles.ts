import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Naming } from "../core/naming";
import { PLATFORM_SERVICE_ACCOUNTS, ServiceAccountRef } from "../core/pod-identity";
import { podIdentityRole } from "../core/pod-identity-role";
import { ebsKeyUseStatements, irsaTrustPolicy } from "./policies";

/**
 * Kubernetes service accounts the add-on roles are bound to: the EKS add-ons' own, and the
 * platform charts' from `PLATFORM_SERVICE_ACCOUNTS` (their roles are in platform-prereqs).
 */
export const SERVICE_ACCOUNTS = {
  vpcCni: { namespace: "kube-system", name: "aws-node" },
  ebsCsi: { namespace: "kube-system", name: "ebs-csi-controller-sa" },
  efsCsi: { namespace: "kube-system", name: "efs-csi-controller-sa" },
  clusterAutoscaler: PLATFORM_SERVICE_ACCOUNTS.clusterAutoscaler,
  loadBalancerController: PLATFORM_SERVICE_ACCOUNTS.loadBalancerController,
} as const satisfies Record<string, ServiceAccountRef>;

export interface AddonRolesProps {
  readonly naming: Naming;
  /** The cluster name as written in config: Pod Identity trust policies pin it. */
  readonly clusterName: string;
  /** The cluster resource's `name` reference, so associations are created after the cluster. */
  readonly clusterRef: string;
  readonly partition: string;
  /** IRSA (vpc-cni only): the cluster's OIDC provider and its issuer without `https://`. */
  readonly oidcProviderArn: string;
  readonly issuerHost: string;
  /** CMK of node and persistent volumes, which the EBS CSI driver must use. */
  readonly volumeKeyArn: string;
}

export interface AddonRoles {
  readonly vpcCniRole: IamRole;
  /** The CNI's managed policy: the vpc-cni add-on waits for it. */
  readonly vpcCniPolicy: IamRolePolicyAttachment;
  /** Bound by the aws-ebs-csi-driver add-on's own Pod Identity association. */
  readonly ebsCsiRole: IamRole;
  /** Bound by the aws-efs-csi-driver add-on's own Pod Identity association. */
  readonly efsCsiRole: IamRole;
}

/**
 * The add-ons' AWS roles. vpc-cni: IRSA, not Pod Identity, because aws-node starts before the
 * Pod Identity agent can serve it. The others: Pod Identity roles (modules/core/pod-identity-role.ts),
 * each trusting one service account of this cluster.
 *
 * The Cluster Autoscaler's and Load Balancer Controller's roles are platform charts' roles:
 * they live in platform-prereqs (controller-roles.ts), which moves their former state here
 * with `moved` blocks.
 *
 * Adds to `scope` (the EksCluster) so the roles keep their Terraform addresses.
 */
export function addAddonRoles(scope: Construct, props: AddonRolesProps): AddonRoles {
  const { naming, clusterName, partition } = props;
  const managed = (policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;

  const vpcCniRole = new IamRole(scope, "vpc-cni-role", {
    name: naming.name("eks-vpc-cni", "iamRole"),
    assumeRolePolicy: irsaTrustPolicy(scope, "vpc-cni-trust", props.oidcProviderArn, props.issuerHost, SERVICE_ACCOUNTS.vpcCni),
  });
  const vpcCniPolicy = new IamRolePolicyAttachment(scope, "vpc-cni-policy", { role: vpcCniRole.name, policyArn: managed("AmazonEKS_CNI_Policy") });

  // The CSI add-ons bind their roles themselves (aws_eks_addon.pod_identity_association).
  // Construct ids as before the shared helper: `<key>-policy` is the managed attachment, `<key>-inline` the inline policy.
  const ebsCsiRole = podIdentityRole(scope, "ebs-csi", {
    naming, component: "eks-ebs-csi", clusterName, serviceAccount: SERVICE_ACCOUNTS.ebsCsi,
    managedPolicyArn: managed("service-role/AmazonEBSCSIDriverPolicy"), statements: ebsKeyUseStatements(props.volumeKeyArn),
    associate: false, constructIds: { managedPolicy: "ebs-csi-policy", inlinePolicy: "ebs-csi-inline" },
  });
  const efsCsiRole = podIdentityRole(scope, "efs-csi", {
    naming, component: "eks-efs-csi", clusterName, serviceAccount: SERVICE_ACCOUNTS.efsCsi,
    managedPolicyArn: managed("service-role/AmazonEFSCSIDriverPolicy"),
    associate: false, constructIds: { managedPolicy: "efs-csi-policy" },
  });
  return { vpcCniRole, vpcCniPolicy, ebsCsiRole, efsCsiRole };
}
