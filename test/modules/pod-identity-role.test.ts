import { podIdentityRole } from "../../modules/core/pod-identity-role";
import { appStacks, policy, resource, resources, synth, testStack } from "../helpers";

describe("podIdentityRole", () => {
  it("pins the trust to the cluster, namespace and service account, and binds the role with an association", () => {
    const { stack, naming } = testStack();
    podIdentityRole(stack, "loki", {
      naming, component: "loki", clusterName: "openedx-eks", serviceAccount: { namespace: "observability", name: "loki" },
      statements: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }],
    });
    const json = synth(stack);
    const role = resource(json, "aws_iam_role", "loki-role");
    expect(role.name).toBe("openedx-test-loki");
    const trust = policy(role.assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Condition.StringEquals).toMatchObject({
      "aws:RequestTag/eks-cluster-name": "openedx-eks",
      "aws:RequestTag/kubernetes-namespace": "observability",
      "aws:RequestTag/kubernetes-service-account": "loki",
    });
    expect(policy(resource(json, "aws_iam_role_policy", "loki-policy").policy).Statement[0].Sid).toBe("Read");
    expect(resource(json, "aws_eks_pod_identity_association", "loki-association")).toMatchObject({
      cluster_name: "openedx-eks", namespace: "observability", service_account: "loki",
    });
  });

  it("makes no inline policy when there are no statements, and no association when an add-on binds the role", () => {
    const { stack, naming } = testStack();
    podIdentityRole(stack, "efs-csi", {
      naming, component: "eks-efs-csi", clusterName: "c", serviceAccount: { namespace: "kube-system", name: "efs-csi-controller-sa" },
      managedPolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy", associate: false, constructIds: { managedPolicy: "efs-csi-policy" },
    });
    const json = synth(stack);
    expect(resources(json, "aws_iam_role_policy")).toHaveLength(0);
    expect(resources(json, "aws_eks_pod_identity_association")).toHaveLength(0);
    expect(resource(json, "aws_iam_role_policy_attachment", "efs-csi-policy").policy_arn).toMatch(/AmazonEFSCSIDriverPolicy$/);
  });
});

describe("Terraform addresses of the split eks-cluster and the shared Pod Identity roles", () => {
  // Logical ids are the Terraform addresses: a construct-path change would destroy and recreate
  // these resources, so refactors of modules/eks-cluster and platform-prereqs must keep them.
  it("keeps production's role, policy, association, access-entry, node-group and add-on addresses", () => {
    const prod = appStacks()["production"]!.resource ?? {};
    const ids = (type: string) => Object.keys(prod[type] ?? {}).filter((k) => /^(cluster|platform-prereqs)_/.test(k)).sort();
    expect(ids("aws_iam_role")).toEqual([
      "cluster_cluster-role_BB943DD8", "cluster_ebs-csi-role_4FA8E68A", "cluster_efs-csi-role_ADFE46CC",
      "cluster_node-role_681EE9FE", "cluster_vpc-cni-role_614313B2",
      "platform-prereqs_alertmanager-role_9EFE2108", "platform-prereqs_app-role_E0C4C229", "platform-prereqs_cert-manager-dns01-role_A326BAFA",
      "platform-prereqs_cluster-autoscaler-role_E648D77B", "platform-prereqs_external-secrets-role_E635BB56", "platform-prereqs_lb-controller-role_546F3AE7",
      "platform-prereqs_loki-role_98C34E11", "platform-prereqs_velero-role_ED41D2F4",
    ]);
    expect(ids("aws_iam_role_policy")).toEqual([
      "cluster_cluster-kms_0ABA908B", "cluster_ebs-csi-inline_0B61F618",
      "platform-prereqs_alertmanager-policy_E06C210C", "platform-prereqs_app-data-stores-policy_EB50FA21", "platform-prereqs_app-policy_12DF24BC",
      "platform-prereqs_cert-manager-dns01-policy_3121F2D3", "platform-prereqs_cluster-autoscaler-inline_3DED3A39", "platform-prereqs_external-secrets-policy_50EE7947",
      "platform-prereqs_lb-controller-inline_A31E523D", "platform-prereqs_loki-policy_326BC403",
      "platform-prereqs_velero-policy_F41411AA",
    ]);
    expect(ids("aws_iam_role_policy_attachment")).toEqual([
      "cluster_cluster-policy_005EE7EB", "cluster_ebs-csi-policy_C76114F8", "cluster_efs-csi-policy_B72327FE",
      "cluster_node-AmazonEC2ContainerRegistryPullOnly_59078B73", "cluster_node-AmazonEKSWorkerNodePolicy_41D163AB", "cluster_vpc-cni-policy_DAF8E1C3",
    ]);
    expect(ids("aws_eks_pod_identity_association")).toEqual([
      "platform-prereqs_alertmanager-association_A23153ED", "platform-prereqs_app-association_0052CFD8", "platform-prereqs_cert-manager-dns01-association_60B320AB",
      "platform-prereqs_cluster-autoscaler-association_921AB3D7", "platform-prereqs_external-secrets-association_34B4E20A",
      "platform-prereqs_lb-controller-association_CDC310CF", "platform-prereqs_loki-association_9FDE0724", "platform-prereqs_velero-association_590009B1",
    ]);
    // The controllers' resources moved from the cluster to platform-prereqs: a moved block per
    // resource, from the address production's state holds, so nothing is destroyed.
    expect((appStacks()["production"] as any).moved).toEqual([
      { from: "aws_iam_role.cluster_cluster-autoscaler-role_CD22396D", to: "aws_iam_role.platform-prereqs_cluster-autoscaler-role_E648D77B" },
      { from: "aws_iam_role_policy.cluster_cluster-autoscaler-inline_28C7A1E3", to: "aws_iam_role_policy.platform-prereqs_cluster-autoscaler-inline_3DED3A39" },
      { from: "aws_eks_pod_identity_association.cluster_cluster-autoscaler-association_41A057CD", to: "aws_eks_pod_identity_association.platform-prereqs_cluster-autoscaler-association_921AB3D7" },
      { from: "aws_iam_role.cluster_lb-controller-role_B5F3671D", to: "aws_iam_role.platform-prereqs_lb-controller-role_546F3AE7" },
      { from: "aws_iam_role_policy.cluster_lb-controller-inline_1D6E8CFB", to: "aws_iam_role_policy.platform-prereqs_lb-controller-inline_A31E523D" },
      { from: "aws_eks_pod_identity_association.cluster_lb-controller-association_A308CB88", to: "aws_eks_pod_identity_association.platform-prereqs_lb-controller-association_CDC310CF" },
    ]);
    expect(ids("aws_eks_access_entry")).toEqual(["cluster_admin-0_54D09F97", "cluster_admin-1_BEBC2AB2", "cluster_plan-reader-0_07044118", "cluster_plan-reader-1_DAEC504F", "cluster_viewer-0_FCA8E902"]);
    expect(ids("aws_eks_node_group")).toEqual(["cluster_ng-compute_94D19936", "cluster_ng-general_5B18890F", "cluster_ng-memory_7F5CE2F5"]);
    expect(ids("aws_launch_template")).toEqual(["cluster_lt-100gib_CE4E2B17"]);
    expect(ids("aws_eks_addon")).toEqual([
      "cluster_addon-aws-ebs-csi-driver_76B30587", "cluster_addon-aws-efs-csi-driver_418238EC", "cluster_addon-coredns_5F7923A8",
      "cluster_addon-eks-pod-identity-agent_67BF0824", "cluster_addon-kube-proxy_8163EE13", "cluster_addon-vpc-cni_8A806FD6",
    ]);
  });
});
