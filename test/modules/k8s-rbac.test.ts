import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { K8sRbac, K8sRbacProps } from "../../modules/k8s-rbac";
import { EksCluster, EksClusterProps } from "../../modules/eks-cluster";
import { environments } from "../../environments";
import { resource, resources, synth, testStack } from "../helpers";

function k8sStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "k8s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  return stack;
}

describe("K8sRbac", () => {
  const stack = k8sStack();
  const rbac = new K8sRbac(stack, "rbac", { appNamespace: "openedx-staging", viewerGroup: "oncall", developerGroup: "course-team" });
  const json = synth(stack);

  it("binds the configured groups: view + cluster reader everywhere, edit in the app namespace", () => {
    expect(rbac.viewerGroup).toBe("oncall");
    const crb = resources(json, "kubernetes_cluster_role_binding_v1");
    expect(crb.map((b) => [b.metadata.name, b.subject[0].name]).sort()).toEqual([["oncall-cluster-reader", "oncall"], ["oncall-view", "oncall"]]);
    expect(resource(json, "kubernetes_role_binding_v1").metadata).toMatchObject({ name: "course-team-edit", namespace: "openedx-staging" });
    const resourcesRead = resource(json, "kubernetes_cluster_role_v1").rule.flatMap((r: any) => r.resources);
    expect(resourcesRead).toEqual(expect.arrayContaining(["nodes", "persistentvolumes", "storageclasses", "ingressclasses"]));
  });

  it.each<[string, Partial<K8sRbacProps>, string]>([
    ["a reserved group prefix", { viewerGroup: "system:masters" }, 'K8sRbac r: viewerGroup = "system:masters" is invalid; must be a group name'],
    ["an eks: group", { developerGroup: "eks:admins" }, 'developerGroup = "eks:admins" is invalid'],
    ["an empty group", { developerGroup: "" }, 'developerGroup = "" is invalid'],
    ["one group for both", { viewerGroup: "team", developerGroup: "team" }, 'developerGroup = "team" is invalid; must differ from viewerGroup'],
    ["a system namespace", { appNamespace: "kube-system" }, 'appNamespace = "kube-system" is invalid; must be the app namespace'],
    ["a malformed namespace", { appNamespace: "Open edX" }, 'appNamespace = "Open edX" is invalid'],
  ])("rejects %s", (_, props, message) => {
    expect(() => new K8sRbac(k8sStack(), "r", { appNamespace: "openedx-prod", ...props })).toThrow(message);
  });
});

describe("eks-cluster viewer and developer access entries", () => {
  const base: Omit<EksClusterProps, "naming"> = {
    ...environments.sandbox.cluster,
    clusterName: "test-eks",
    network: { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", azs: ["us-east-1a", "us-east-1b"], publicSubnetIds: [], privateSubnetIds: ["a", "b"], databaseSubnetIds: [] },
  };
  const make = (over: Partial<EksClusterProps>) => () => {
    const { stack, naming } = testStack();
    new EksCluster(stack, "cluster", { naming, ...base, ...over });
    return synth(stack);
  };

  it("puts each role in its Kubernetes group, with no EKS access policy", () => {
    const json = make({ viewerRoles: ["auditor", "arn:aws:iam::111122223333:role/oncall"], developerRoles: ["course-dev"] })();
    const grouped = resources(json, "aws_eks_access_entry").filter((e) => e.kubernetes_groups);
    const byRole = Object.fromEntries(grouped.map((e) => [e.principal_arn.split("/").pop(), e]));
    expect(byRole.auditor.principal_arn).toMatch(/:iam::\$\{data\.aws_caller_identity\.[^}]+\}:role\/auditor$/);
    expect(byRole.oncall.principal_arn).toBe("arn:aws:iam::111122223333:role/oncall");
    expect([byRole.auditor.kubernetes_groups, byRole.oncall.kubernetes_groups, byRole["course-dev"].kubernetes_groups])
      .toEqual([["platform-viewers"], ["platform-viewers"], ["platform-developers"]]);
    expect(grouped.every((e) => e.type === "STANDARD")).toBe(true);
    expect(resources(json, "aws_eks_access_policy_association")).toHaveLength(1); // the admin's only
  });

  it("maps no one by default", () => {
    const json = make({ viewerRoles: undefined, developerRoles: undefined })();
    expect(resources(json, "aws_eks_access_entry").filter((e) => e.kubernetes_groups)).toHaveLength(0);
  });

  it.each<[string, Partial<EksClusterProps>, string]>([
    ["a user ARN as viewer", { viewerRoles: ["arn:aws:iam::111122223333:user/bob"] }, 'viewerRoles = "arn:aws:iam::111122223333:user/bob" is invalid; must be IAM role ARNs'],
    ["a repeated developer", { developerRoles: ["dev", "dev"] }, 'developerRoles = ["dev","dev"] is invalid; must not repeat values'],
    ["an admin who is also a viewer", { viewerRoles: ["platform-admin"] },
      'EksCluster cluster: viewerRoles = "platform-admin" is invalid; must not repeat a role of adminRoles (EKS allows one access entry per IAM principal'],
    ["a viewer who is also a developer", { viewerRoles: ["x"], developerRoles: ["x"] }, 'developerRoles = "x" is invalid; must not repeat a role of viewerRoles'],
  ])("rejects %s", (_, over, message) => {
    expect(make(over)).toThrow(message);
  });
});
