import { Construct, IConstruct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";
import { makeUniqueId } from "cdktf/lib/private/unique";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Naming } from "../core/naming";
import { PolicyStatement } from "../core/policy";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { podIdentityRole } from "../core/pod-identity-role";

/** Where the controller roles come from, so their state moves instead of being destroyed. */
export interface ControllerRolesProps {
  readonly naming: Naming;
  /** The cluster name as written in config: trust policies and node-group ARNs pin it. */
  readonly clusterName: string;
  /** The cluster resource's `name` reference, so associations are created after the cluster. */
  readonly clusterRef: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * The construct that held these roles before (the EksCluster, which created them as
   * `<id>-role`, `<id>-inline` and `<id>-association`): each resource gets a `moved` block from
   * its former address, so Terraform moves the state instead of recreating the roles.
   * @default no moved blocks (a new environment)
   */
  readonly movedFrom?: IConstruct;
}

export interface ControllerRoles {
  readonly clusterAutoscalerRole: IamRole;
  readonly loadBalancerControllerRole: IamRole;
}

/**
 * The Cluster Autoscaler's and AWS Load Balancer Controller's Pod Identity roles and
 * associations: platform charts' roles, so they live with the platform prerequisites. The
 * associations may exist before the platform stack creates the service accounts.
 */
export function addControllerRoles(scope: Construct, props: ControllerRolesProps): ControllerRoles {
  const { naming, clusterName, partition, region, accountId } = props;
  const clusterAutoscalerRole = podIdentityRole(scope, "cluster-autoscaler", {
    naming, component: "eks-cluster-autoscaler", clusterName, serviceAccount: PLATFORM_SERVICE_ACCOUNTS.clusterAutoscaler,
    statements: clusterAutoscalerStatements(clusterName, `arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`),
    associationClusterName: props.clusterRef, constructIds: { inlinePolicy: "cluster-autoscaler-inline" },
  });
  const loadBalancerControllerRole = podIdentityRole(scope, "lb-controller", {
    naming, component: "eks-lb-controller", clusterName, serviceAccount: PLATFORM_SERVICE_ACCOUNTS.loadBalancerController,
    statements: loadBalancerControllerStatements(partition, region, accountId),
    associationClusterName: props.clusterRef, constructIds: { inlinePolicy: "lb-controller-inline" },
  });
  if (props.movedFrom) {
    const former = props.movedFrom;
    for (const id of ["cluster-autoscaler", "lb-controller"]) {
      for (const suffix of ["role", "inline", "association"]) {
        const resource = scope.node.findChild(`${id}-${suffix}`) as TerraformResource;
        resource.moveFromId(`${resource.terraformResourceType}.${formerLogicalId(former, `${id}-${suffix}`)}`);
      }
    }
  }
  return { clusterAutoscalerRole, loadBalancerControllerRole };
}

/**
 * The logical id a resource with construct id `id` directly under `parent` had (cdktf's own
 * rule: the path below the stack, made unique), for `moved` blocks from a construct that no
 * longer creates it.
 */
export function formerLogicalId(parent: IConstruct, id: string): string {
  const stack = TerraformStack.of(parent);
  const scopes = parent.node.scopes;
  return makeUniqueId([...scopes.slice(scopes.indexOf(stack) + 1).map((c) => c.node.id), id]);
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
