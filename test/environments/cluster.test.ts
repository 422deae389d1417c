import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack, environments, environmentOrder } from "../../environments";
import { ciRoleNames } from "../../modules/github-oidc/terraform-roles";
import { policy, resource, resources, synth, TfJson } from "../helpers";

function build(config: EnvironmentConfig): { stack: EnvironmentStack; json: TfJson } {
  const stack = new EnvironmentStack(Testing.app(), config);
  return { stack, json: synth(stack) };
}

const groupsOf = (json: TfJson): Record<string, any> => Object.fromEntries(resources(json, "aws_eks_node_group").map((g) => [g.labels["node-group"], g]));
const nodeCount = (json: TfJson, size: "min_size" | "desired_size" | "max_size") =>
  resources(json, "aws_eks_node_group").reduce((n, g) => n + g.scaling_config[size], 0);

describe("environment clusters", () => {
  const built = Object.fromEntries(Object.values(environments).map((c) => [c.name, build(c)])) as Record<string, ReturnType<typeof build>>;
  const prod = built.production!.json;
  const staging = built.staging!.json;
  const sandbox = built.sandbox!.json;

  describe("production", () => {
    const eks = resource(prod, "aws_eks_cluster");

    it("is seed 000's openedx-eks, encrypted, logged, access-entry only and protected", () => {
      expect(eks).toMatchObject({
        name: "openedx-eks", version: "1.36", deletion_protection: true,
        access_config: { authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false },
        upgrade_policy: { support_type: "STANDARD" },
      });
      expect(eks.encryption_config.resources).toEqual(["secrets"]);
      expect(eks.encryption_config.provider.key_arn).toMatch(/aws_kms_key\.cluster_secrets-key/);
      expect(eks.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
      const logs = resource(prod, "aws_cloudwatch_log_group", "control-plane-logs");
      expect(logs).toMatchObject({ name: "/aws/eks/openedx-eks/cluster", retention_in_days: 365 });
      expect(logs.kms_key_id).toMatch(/aws_kms_key/);
    });

    it("has private endpoint access and a public endpoint restricted to the CIDR allowlist", () => {
      expect(eks.vpc_config.endpoint_private_access).toBe(true);
      expect(eks.vpc_config.endpoint_public_access).toBe(true);
      expect(eks.vpc_config.public_access_cidrs).toEqual(environments.production.cluster.publicAccessCidrs);
      expect(eks.vpc_config.public_access_cidrs).not.toContain("0.0.0.0/0");
      expect(eks.vpc_config.subnet_ids).toHaveLength(3);
      expect(eks.vpc_config.subnet_ids.every((s: string) => s.includes("network_private-us-east-1"))).toBe(true);
    });

    it("runs seed 002's three node groups with its instance types and sizes, on demand", () => {
      const groups = groupsOf(prod);
      expect(Object.keys(groups).sort()).toEqual(["compute", "general", "memory"]);
      const shape = (name: string) => ({ types: groups[name]!.instance_types, desired: groups[name]!.scaling_config.desired_size });
      expect(shape("general")).toEqual({ types: ["m5.2xlarge"], desired: 20 });
      expect(shape("compute")).toEqual({ types: ["c5.4xlarge"], desired: 10 });
      expect(shape("memory")).toEqual({ types: ["r5.2xlarge"], desired: 10 });
      for (const g of Object.values(groups)) {
        expect(g.capacity_type).toBe("ON_DEMAND");
        expect(g.scaling_config.min_size).toBeLessThanOrEqual(g.scaling_config.desired_size);
        expect(g.scaling_config.max_size).toBeGreaterThan(g.scaling_config.desired_size);
        expect(g.subnet_ids).toHaveLength(3);
      }
      expect(groups.compute!.taint).toEqual([{ key: "workload", value: "compute", effect: "NO_SCHEDULE" }]);
      expect(groups.general!.taint).toBeUndefined();
    });

    it("requires IMDSv2 on every launch template, with encrypted gp3 roots and no SSH", () => {
      const lts = resources(prod, "aws_launch_template");
      expect(lts.length).toBeGreaterThan(0);
      for (const lt of lts) {
        expect(lt.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
        expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_type: "gp3", encrypted: "true", volume_size: 100 });
        expect(lt.key_name).toBeUndefined();
      }
      for (const g of resources(prod, "aws_eks_node_group")) {
        expect(g.launch_template.id).toMatch(/aws_launch_template/);
        expect(g.remote_access).toBeUndefined();
      }
    });

    it("installs the managed add-ons at the most recent version EKS offers for the cluster's version (resolved at plan time)", () => {
      expect(environments.production.cluster.addonVersions).toBeUndefined();
      const lookups = Object.values(prod.data?.aws_eks_addon_version ?? {}) as any[];
      expect(lookups).toHaveLength(6);
      for (const l of lookups) expect(l).toMatchObject({ kubernetes_version: "1.36", most_recent: true });
      for (const a of resources(prod, "aws_eks_addon")) expect(a.addon_version).toMatch(/^\$\{data\.aws_eks_addon_version\./);
      // Node groups run the cluster's version, so EKS picks the AL2023 AMI release built for it.
      for (const g of resources(prod, "aws_eks_node_group")) expect(g).toMatchObject({ version: "1.36", ami_type: "AL2023_x86_64_STANDARD" });
    });

    it("scopes the Pod Identity and IRSA roles to their service accounts", () => {
      const roles = resources(prod, "aws_iam_role");
      const podRoles = roles.filter((r) => r.name.startsWith("openedx-production-eks-") && r.assume_role_policy.includes("pods.eks.amazonaws.com"));
      const bound = podRoles.map((r) => policy(r.assume_role_policy).Statement[0].Condition.StringEquals)
        .map((c) => `${c["aws:RequestTag/eks-cluster-name"]}:${c["aws:RequestTag/kubernetes-namespace"]}/${c["aws:RequestTag/kubernetes-service-account"]}`);
      expect(bound.sort()).toEqual([
        "openedx-eks:kube-system/aws-load-balancer-controller", "openedx-eks:kube-system/cluster-autoscaler",
        "openedx-eks:kube-system/ebs-csi-controller-sa", "openedx-eks:kube-system/efs-csi-controller-sa",
      ]);
      const associations = [
        // The platform controllers' associations are platform-prereqs' (moved there from the cluster).
        ...resources(prod, "aws_eks_pod_identity_association").filter((a) => /^platform-prereqs\/(cluster-autoscaler|lb-controller)-/.test(a._id)).map((a) => a.service_account),
        ...resources(prod, "aws_eks_addon").flatMap((a) => (a.pod_identity_association ?? []).map((p: any) => p.service_account)),
      ];
      expect(associations.sort()).toEqual(["aws-load-balancer-controller", "cluster-autoscaler", "ebs-csi-controller-sa", "efs-csi-controller-sa"]);
      expect(resource(prod, "aws_iam_openid_connect_provider").client_id_list).toEqual(["sts.amazonaws.com"]);
      expect(resource(prod, "aws_eks_addon", "addon-vpc-cni").service_account_role_arn).toMatch(/vpc-cni-role/);
    });

    it("gives cluster-admin only to the configured admin role and CI's apply role; CI's plan roles (main and PR) may only read", () => {
      const access = (name: string) => [[
        resource(prod, "aws_eks_access_entry", `cluster/${name}`).principal_arn.split("/").pop(),
        resource(prod, "aws_eks_access_policy_association", `cluster/${name}-policy`).policy_arn.split("/").pop(),
      ]];
      // Entries without a Kubernetes group are the ones with EKS access policies.
      expect(resources(prod, "aws_eks_access_entry").filter((e) => !e.kubernetes_groups).map((e) => e.principal_arn.split("/").pop()))
        .toEqual(["platform-admin", "openedx-production-github-apply", "openedx-production-github-plan", "openedx-production-github-pr-plan"]);
      expect(resources(prod, "aws_eks_access_policy_association")).toHaveLength(4);
      expect([...access("admin-0"), ...access("admin-1"), ...access("plan-reader-0"), ...access("plan-reader-1")]).toEqual([
        ["platform-admin", "AmazonEKSClusterAdminPolicy"],
        ["openedx-production-github-apply", "AmazonEKSClusterAdminPolicy"],
        ["openedx-production-github-plan", "AmazonEKSAdminViewPolicy"],
        ["openedx-production-github-pr-plan", "AmazonEKSAdminViewPolicy"],
      ]);
      // The names are the bootstrap stack's CI roles, which the workflows assume.
      expect(ciRoleNames(built.production!.stack.naming)).toEqual({
        plan: "openedx-production-github-plan", prPlan: "openedx-production-github-pr-plan", apply: "openedx-production-github-apply",
      });
    });

    it("creates no Secrets Manager secret itself: the stores' secrets are service-managed (RDS, DocumentDB) or not needed (IAM)", () => {
      // Were one added, CI's plan role could refresh it only under the `openedx-production-` prefix.
      expect(resources(prod, "aws_secretsmanager_secret").map((s) => s.name)).toEqual([]);
    });

    it("keeps media on CMK-encrypted EFS with mount targets in all three AZs, NFS open only to nodes, backed up", () => {
      const efs = resource(prod, "aws_efs_file_system");
      expect(efs.encrypted).toBe(true);
      expect(efs.kms_key_id).toMatch(/aws_kms_key\.media-storage_key/);
      const targets = resources(prod, "aws_efs_mount_target");
      expect(targets.map((t) => t._id.match(/us-east-1[a-c]/)![0]).sort()).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
      expect(targets.every((t) => t.subnet_id.includes("network_private-us-east-1"))).toBe(true);
      const nfs = resources(prod, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id.includes("media-storage"));
      expect(nfs).toHaveLength(1);
      expect(nfs[0]).toMatchObject({ from_port: 2049, to_port: 2049, ip_protocol: "tcp" });
      expect(nfs[0]!.referenced_security_group_id).toMatch(/aws_security_group\.cluster_node-sg/);
      expect(resource(prod, "aws_efs_access_point").root_directory.path).toBe("/openedx/media");
      expect(resource(prod, "aws_efs_backup_policy").backup_policy.status).toBe("ENABLED");
    });

    it("exposes the cluster and media storage on the stack", () => {
      const stack = built.production!.stack;
      expect(stack.cluster.clusterName).toMatch(/\$\{TfToken/);
      expect(stack.mediaStorage.accessPointIds).toHaveProperty("media");
    });
  });

  it("staging sits between sandbox and production", () => {
    const groups = groupsOf(staging);
    expect(Object.keys(groups).sort()).toEqual(["compute", "general", "memory"]);
    expect(nodeCount(staging, "desired_size")).toBeLessThan(nodeCount(prod, "desired_size"));
    expect(nodeCount(staging, "desired_size")).toBeGreaterThan(nodeCount(sandbox, "desired_size"));
    expect(nodeCount(staging, "max_size")).toBeLessThan(nodeCount(prod, "min_size"));
    expect(resources(staging, "aws_eks_node_group").every((g) => g.capacity_type === "ON_DEMAND")).toBe(true);
    expect(resource(staging, "aws_eks_cluster").deletion_protection).toBe(true);
    expect(resource(staging, "aws_efs_backup_policy").backup_policy.status).toBe("ENABLED");
  });

  it("sandbox is cheap: one small spot group, no deletion protection, no EFS backups", () => {
    const groups = resources(sandbox, "aws_eks_node_group");
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ capacity_type: "SPOT", scaling_config: { min_size: 1, desired_size: 2, max_size: 3 } });
    expect(groups[0]!.instance_types.every((t: string) => /\.large$/.test(t))).toBe(true);
    expect(groups[0]!.instance_types.length).toBeGreaterThan(1);
    expect(resource(sandbox, "aws_eks_cluster").deletion_protection).toBe(false);
    expect(resource(sandbox, "aws_efs_backup_policy").backup_policy.status).toBe("DISABLED");
    expect(resources(sandbox, "aws_efs_mount_target")).toHaveLength(2);
    expect(resource(sandbox, "aws_cloudwatch_log_group", "control-plane-logs").retention_in_days).toBe(30);
  });

  it.each(environmentOrder)("%s names its cluster as configured and tags subnets for it", (name) => {
    const json = built[name]!.json;
    const clusterName = environments[name as keyof typeof environments].clusterName;
    expect(resource(json, "aws_eks_cluster").name).toBe(clusterName);
    expect(resource(json, "aws_security_group", "node-sg").tags[`kubernetes.io/cluster/${clusterName}`]).toBe("owned");
  });

  it("rejects a production endpoint open to 0.0.0.0/0", () => {
    const open = { ...environments.production, cluster: { ...environments.production.cluster, publicAccessCidrs: ["0.0.0.0/0"] } };
    expect(() => new EnvironmentStack(Testing.app(), open)).toThrow(/publicAccessCidrs\[0\] = "0.0.0.0\/0" is invalid; must not be 0.0.0.0\/0/);
  });

  it("rejects production media storage without backups", () => {
    const noBackups = { ...environments.production, mediaStorage: { ...environments.production.mediaStorage, backups: false } };
    expect(() => new EnvironmentStack(Testing.app(), noBackups)).toThrow(/environment production: mediaStorage.backups = false is invalid; must be true for protection "production"/);
  });
});
