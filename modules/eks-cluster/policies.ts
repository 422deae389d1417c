import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { PolicyStatement } from "../core/policy";
import type { ServiceAccountRef } from "../core/pod-identity";

/**
 * Trust policy for an IRSA role: web identity from the cluster's OIDC provider, only for one
 * service account and only with the STS audience. A policy-document data source, because the
 * condition keys are built from the issuer at plan time.
 */
export function irsaTrustPolicy(scope: Construct, id: string, providerArn: string, issuerHost: string, sa: ServiceAccountRef): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{
      sid: "EksIrsa",
      effect: "Allow",
      principals: [{ type: "Federated", identifiers: [providerArn] }],
      actions: ["sts:AssumeRoleWithWebIdentity"],
      condition: [
        { test: "StringEquals", variable: `${issuerHost}:sub`, values: [`system:serviceaccount:${sa.namespace}:${sa.name}`] },
        { test: "StringEquals", variable: `${issuerHost}:aud`, values: ["sts.amazonaws.com"] },
      ],
    }],
  }).json;
}

/** Use of a KMS key for EBS volumes created by a service on the caller's behalf (EBS CSI). */
export function ebsKeyUseStatements(keyArn: string): PolicyStatement[] {
  return [
    {
      Sid: "UseVolumeKey",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: keyArn,
    },
    {
      Sid: "GrantVolumeKeyToEbs",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: keyArn,
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
  ];
}

/**
 * Cluster Autoscaler: read-only discovery (no resource-level permissions exist for these
 * Describe calls, so `*` is what AWS requires), and scaling only of Auto Scaling groups that
 * EKS tagged as owned by this cluster (managed node groups carry
 * `k8s.io/cluster-autoscaler/<cluster>=owned`).
 */
export function clusterAutoscalerStatements(clusterName: string, nodegroupArnPattern: string): PolicyStatement[] {
  return [
    {
      Sid: "Discover",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: "*",
    },
    { Sid: "DescribeOwnNodegroups", Effect: "Allow", Action: "eks:DescribeNodegroup", Resource: nodegroupArnPattern },
    {
      Sid: "ScaleOwnGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
  ];
}

/**
 * AWS Load Balancer Controller (v2.x): what it calls to run NLBs/ALBs for Services and
 * Ingresses. Reads are account-wide (Describe calls have no resource-level permissions);
 * every create, modify and delete is limited to resources carrying the controller's
 * `elbv2.k8s.aws/cluster` tag, and resources are limited to this account and region.
 */
export function loadBalancerControllerStatements(partition: string, region: string, accountId: string): PolicyStatement[] {
  const elb = `arn:${partition}:elasticloadbalancing:${region}:${accountId}`;
  const sgArn = `arn:${partition}:ec2:${region}:${accountId}:security-group/*`;
  const tagged = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };
  const taggingRequest = { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } };
  return [
    {
      Sid: "ElbServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    {
      Sid: "Read",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeRouteTables",
        "ec2:DescribeCoipPools", "ec2:GetCoipPoolUsage", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
        "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeCapacityReservation",
        "acm:ListCertificates", "acm:DescribeCertificate",
        "iam:ListServerCertificates", "iam:GetServerCertificate",
        "cognito-idp:DescribeUserPoolClient",
        "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource",
        "shield:GetSubscriptionState", "shield:DescribeProtection",
      ],
      Resource: "*",
    },
    {
      Sid: "AttachWafAndShield",
      Effect: "Allow",
      Action: [
        "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
        "shield:CreateProtection", "shield:DeleteProtection",
      ],
      Resource: "*",
    },
    { Sid: "CreateSecurityGroups", Effect: "Allow", Action: "ec2:CreateSecurityGroup", Resource: "*" },
    {
      Sid: "TagSecurityGroupsOnCreate",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: sgArn,
      Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...taggingRequest },
    },
    {
      Sid: "RetagOwnSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: sgArn,
      Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
    },
    {
      // Node and backend security groups: the controller opens the load balancer's ports on them.
      Sid: "ManageIngressRules",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      Resource: sgArn,
    },
    { Sid: "DeleteOwnSecurityGroups", Effect: "Allow", Action: "ec2:DeleteSecurityGroup", Resource: sgArn, Condition: tagged },
    {
      Sid: "CreateTaggedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
      Condition: taggingRequest,
    },
    {
      Sid: "ManageListenersAndRules",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetWebAcl",
      ],
      Resource: [`${elb}:listener/*`, `${elb}:listener-rule/*`, `${elb}:loadbalancer/*`],
    },
    {
      Sid: "TagOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`],
      Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
    },
    {
      // Listeners and rules are tagged when created; they carry no cluster tag of their own.
      Sid: "TagListeners",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`],
    },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`],
      Condition: {
        StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
        ...taggingRequest,
      },
    },
    {
      Sid: "ManageOwnLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: "*",
      Condition: tagged,
    },
    {
      Sid: "RegisterTargets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: `${elb}:targetgroup/*/*`,
    },
  ];
}
