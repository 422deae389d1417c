import { Construct } from "constructs";
import { Token } from "cdktf";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { checkKubernetesGroup, PLATFORM_GROUPS } from "../core/rbac";
import { check } from "../core/validation";
import { DNS_LABEL_RE } from "../core/dns";

export interface K8sRbacProps {
  /** Namespace developers may change (the Open edX app namespace). */
  readonly appNamespace: string;
  /**
   * Group with read-only access to every namespace (`view`: no Secrets, no exec) and to the
   * cluster-scoped objects on-call needs to read (nodes, storage, ingress classes).
   * @default "platform-viewers" (what the eks-cluster module's `viewerRoles` map to)
   */
  readonly viewerGroup?: string;
  /**
   * Group with `edit` in `appNamespace` only (workloads, config, Secrets, exec; never RBAC,
   * quotas or the namespace itself).
   * @default "platform-developers" (what the eks-cluster module's `developerRoles` map to)
   */
  readonly developerGroup?: string;
}


/** Cluster-scoped kinds `view` leaves out that read-only operators need. */
const CLUSTER_READ_RULES = [
  { apiGroups: [""], resources: ["nodes", "persistentvolumes"] },
  { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"] },
  { apiGroups: ["metrics.k8s.io"], resources: ["nodes", "pods"] },
] as const;

/**
 * Kubernetes RBAC for humans (seed 001: least privilege, namespace isolation). IAM roles
 * reach the cluster through EKS access entries that only name a Kubernetes group; what a
 * group may do is decided here, with Kubernetes' built-in aggregated roles:
 * - viewers: `view` in every namespace plus get/list/watch on a few cluster-scoped kinds.
 *   `view` excludes Secrets and exec, so read-only really is read-only.
 * - developers: `edit` in the app namespace only (a RoleBinding, not a ClusterRoleBinding),
 *   which excludes Roles/RoleBindings, so nobody can widen their own access. `edit` does
 *   include NetworkPolicies; a developer who deletes the default-deny shows up as drift in
 *   the next platform plan, and production maps no developer roles at all (Argo CD deploys).
 * Admins come from the cluster-admin access policy (eks-cluster). Workloads get a service
 * account each from their own charts; no human group is bound to a service account.
 *
 * Built-in roles rather than custom ones: they track new resource kinds on every upgrade
 * (aggregation), and every Kubernetes engineer knows what they allow.
 */
export class K8sRbac extends Construct {
  public readonly viewerGroup: string;
  public readonly developerGroup: string;

  constructor(scope: Construct, id: string, props: K8sRbacProps) {
    super(scope, id);
    const where = `K8sRbac ${id}`;
    const viewers = props.viewerGroup ?? PLATFORM_GROUPS.viewers;
    const developers = props.developerGroup ?? PLATFORM_GROUPS.developers;
    // A reference to the namespace resource is checked where the namespace is made.
    const ns = props.appNamespace;
    check(Token.isUnresolved(ns) || (DNS_LABEL_RE.test(ns) && !ns.startsWith("kube-")), where, "appNamespace", ns,
      "must be the app namespace (a DNS label, not a kube-* system namespace)");
    checkKubernetesGroup(where, "viewerGroup", viewers);
    checkKubernetesGroup(where, "developerGroup", developers);
    check(viewers !== developers, where, "developerGroup", developers, "must differ from viewerGroup (developers get edit in the app namespace, viewers read-only everywhere)");
    this.viewerGroup = viewers;
    this.developerGroup = developers;
    const labels = { "app.kubernetes.io/managed-by": "cdktf" };
    const group = (name: string) => [{ kind: "Group", name, apiGroup: "rbac.authorization.k8s.io" }];

    new ClusterRoleBindingV1(this, "viewers-view", {
      metadata: { name: `${viewers}-view`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subject: group(viewers),
    });
    const reader = new ClusterRoleV1(this, "cluster-reader", {
      metadata: { name: "platform-cluster-reader", labels },
      rule: CLUSTER_READ_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: ["get", "list", "watch"] })),
    });
    new ClusterRoleBindingV1(this, "viewers-cluster-reader", {
      metadata: { name: `${viewers}-cluster-reader`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: reader.metadata.name },
      subject: group(viewers),
    });
    new RoleBindingV1(this, "developers-edit", {
      metadata: { name: `${developers}-edit`, namespace: ns, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subject: group(developers),
    });
  }
}
