import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { awsContext } from "./aws-context";
import { Naming } from "./naming";
import { PolicyStatement, policyJson } from "./policy";
import { podIdentityTrustPolicy, ServiceAccountRef } from "./pod-identity";

export interface PodIdentityRoleProps {
  readonly naming: Naming;
  /** Component the role is for; the role is named `naming.name(component)` and its inline policy `component`. */
  readonly component: string;
  /**
   * Name of the cluster whose Pod Identity may assume the role; the trust policy pins it (session
   * tag `eks-cluster-name`), so a static name keeps the trust policy readable in the plan.
   */
  readonly clusterName: string;
  /** The only service account (and namespace) whose pods may assume the role (session tags). */
  readonly serviceAccount: ServiceAccountRef;
  /**
   * The role's inline policy; none when empty.
   * @default []
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * An AWS-managed policy to attach (the EKS CSI drivers' documented policies).
   * @default none
   */
  readonly managedPolicyArn?: string;
  /** @default none */
  readonly description?: string;
  /** @default IAM's default (3600) without setting the attribute */
  readonly maxSessionDuration?: number;
  /**
   * Create the Pod Identity association binding the role to the service account. False when
   * an EKS add-on binds it itself (`aws_eks_addon.pod_identity_association`).
   * @default true
   */
  readonly associate?: boolean;
  /**
   * The cluster name the association is created in; pass the cluster resource's `name`
   * reference so Terraform creates the association after the cluster.
   * @default clusterName
   */
  readonly associationClusterName?: string;
  /**
   * Construct ids of the attached policies, for roles whose resources already exist under
   * other ids (changing an id changes the Terraform address: destroy and recreate).
   * @default `<id>-policy` for the inline policy, `<id>-managed-policy` for the attachment
   */
  readonly constructIds?: { readonly inlinePolicy?: string; readonly managedPolicy?: string };
}

/**
 * An IAM role for pods through EKS Pod Identity: the role, trusting only `pods.eks.amazonaws.com`
 * in this account for one cluster, namespace and service account (the session tags Pod
 * Identity sets); its inline and managed policies; and the association.
 *
 * A function adding resources to `scope` (ids `<id>-role`, `<id>-policy`, `<id>-association`),
 * not a construct of its own: existing roles keep their Terraform addresses, which a new
 * level in the construct path would change (destroy and recreate every role).
 */
export function podIdentityRole(scope: Construct, id: string, props: PodIdentityRoleProps): IamRole {
  const sa = props.serviceAccount;
  const { accountId } = awsContext(scope);
  const role = new IamRole(scope, `${id}-role`, {
    name: props.naming.name(props.component, "iamRole"),
    description: props.description,
    assumeRolePolicy: podIdentityTrustPolicy(accountId, { clusterName: props.clusterName, serviceAccount: sa }),
    maxSessionDuration: props.maxSessionDuration,
  });
  if (props.managedPolicyArn) {
    new IamRolePolicyAttachment(scope, props.constructIds?.managedPolicy ?? `${id}-managed-policy`, { role: role.name, policyArn: props.managedPolicyArn });
  }
  const statements = props.statements ?? [];
  if (statements.length > 0) {
    new IamRolePolicy(scope, props.constructIds?.inlinePolicy ?? `${id}-policy`, { role: role.id, name: props.component, policy: policyJson([...statements]) });
  }
  if (props.associate ?? true) {
    new EksPodIdentityAssociation(scope, `${id}-association`, {
      clusterName: props.associationClusterName ?? props.clusterName, namespace: sa.namespace, serviceAccount: sa.name, roleArn: role.arn,
    });
  }
  return role;
}
