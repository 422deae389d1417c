import { TerraformElement } from "cdktf";
import { suppressionsOf } from "../../modules/core/suppress";
import { ADDON_NAMES, EksCluster, EksClusterProps, NodeGroupSpec } from "../../modules/eks-cluster";
import { policy, resource, resources, synth, testStack, TfJson, testNetwork } from "../helpers";

const network = testNetwork(2);

const general: NodeGroupSpec = { instanceTypes: ["m5.large"], minSize: 1, desiredSize: 2, maxSize: 3 };
const base: Omit<EksClusterProps, "naming"> = {
  clusterName: "test-eks",
  network,
  kubernetesVersion: "1.36",
  endpointPublicAccess: true,
  publicAccessCidrs: ["203.0.113.0/24"],
  adminRoles: ["platform-admin", "arn:aws:iam::111122223333:role/ci-deploy"],
  nodeGroups: {
    general,
    batch: {
      instanceTypes: ["c5.large", "c5a.large"], minSize: 0, desiredSize: 0, maxSize: 5, capacityType: "SPOT", diskSizeGiB: 80,
      labels: { workload: "batch" }, taints: [{ key: "workload", value: "batch", effect: "NO_SCHEDULE" }],
    },
  },
};
/** A config that pins two add-ons (the rest resolve at plan time). */
const pins = { "vpc-cni": "v1.21.1-eksbuild.3", "kube-proxy": "v1.36.2-eksbuild.1" } as const;

const addonLookups = (json: TfJson): any[] => Object.values(json.data?.aws_eks_addon_version ?? {});

function build(overrides: Partial<EksClusterProps> = {}) {
  const { stack, naming } = testStack();
  const cluster = new EksCluster(stack, "cluster", { naming, ...base, ...overrides });
  return { cluster, json: synth(stack) };
}

/** Builds with overrides and returns the validation error message. */
function error(overrides: Partial<EksClusterProps>): string {
  const { stack, naming } = testStack();
  try {
    new EksCluster(stack, "cluster", { naming, ...base, ...overrides });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("eks-cluster", () => {
  const { cluster, json } = build();
  const eks = resource(json, "aws_eks_cluster");
  const roleByName = (suffix: string) => resources(json, "aws_iam_role").find((r) => r.name === `openedx-test-${suffix}`)!;

  it("pins the version, upgrade policy, and turns on deletion protection", () => {
    expect(eks).toMatchObject({
      name: "test-eks", version: "1.36", upgrade_policy: { support_type: "STANDARD" },
      deletion_protection: true, bootstrap_self_managed_addons: false,
    });
    expect(eks.vpc_config.subnet_ids).toEqual(["priv-a", "priv-b"]);
  });

  it("keeps the private endpoint on and limits the public one to the allowlist", () => {
    expect(eks.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] });
    const priv = build({ endpointPublicAccess: false, publicAccessCidrs: [] }).json;
    const c = resource(priv, "aws_eks_cluster");
    expect(c.vpc_config.endpoint_public_access).toBe(false);
    expect(c.vpc_config.public_access_cidrs).toBeUndefined();
  });

  it("envelope-encrypts secrets with a rotating CMK the cluster role may use", () => {
    expect(eks.encryption_config.resources).toEqual(["secrets"]);
    expect(eks.encryption_config.provider.key_arn).toMatch(/aws_kms_key\.cluster_secrets-key_\w+\.arn/);
    expect(resources(json, "aws_kms_key").every((k) => k.enable_key_rotation === true)).toBe(true);
    const kms = policy(resource(json, "aws_iam_role_policy", "cluster-kms").policy).Statement[0];
    expect(kms.Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
    expect(kms.Resource).toMatch(/secrets-key/);
  });

  it("sends all five control-plane log types to a CMK-encrypted log group created first", () => {
    expect(eks.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const group = resource(json, "aws_cloudwatch_log_group", "control-plane-logs");
    expect(group).toMatchObject({ name: "/aws/eks/test-eks/cluster", retention_in_days: 365 });
    expect(group.kms_key_id).toMatch(/secrets-key/);
    expect(eks.depends_on.some((d: string) => d.includes("control-plane-logs"))).toBe(true);
  });

  it("uses access entries only, with no implicit creator admin, and admin policy for configured roles", () => {
    expect(eks.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
    const entries = resources(json, "aws_eks_access_entry");
    expect(entries).toHaveLength(2);
    expect(entries[0]!.principal_arn).toMatch(/^arn:\$\{data\.aws_partition\.[\w-]+\.partition\}:iam::\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:role\/platform-admin$/);
    expect(entries[1]!.principal_arn).toBe("arn:aws:iam::111122223333:role/ci-deploy");
    const assocs = resources(json, "aws_eks_access_policy_association");
    expect(assocs).toHaveLength(2);
    for (const a of assocs) {
      expect(a.policy_arn).toMatch(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
      expect(a.access_scope).toEqual({ type: "cluster" });
    }
  });

  it("gives the cluster and node roles only the managed policies EKS documents", () => {
    const attached = (role: string) => resources(json, "aws_iam_role_policy_attachment")
      .filter((a) => a.role.includes(role)).map((a) => a.policy_arn.split("/").pop()).sort();
    expect(attached("cluster-role")).toEqual(["AmazonEKSClusterPolicy"]);
    expect(attached("node-role")).toEqual(["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]);
    expect(policy(roleByName("eks-node").assume_role_policy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    expect(policy(roleByName("eks-cluster").assume_role_policy).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
  });

  it("builds managed node groups from config with labels, taints, capacity type and update config", () => {
    const groups = resources(json, "aws_eks_node_group");
    expect(groups.map((g) => g.node_group_name).sort()).toEqual(["openedx-test-eks-batch", "openedx-test-eks-general"]);
    const batch = resource(json, "aws_eks_node_group", "ng-batch");
    expect(batch).toMatchObject({
      capacity_type: "SPOT", instance_types: ["c5.large", "c5a.large"], ami_type: "AL2023_x86_64_STANDARD", version: "1.36",
      scaling_config: { min_size: 0, desired_size: 0, max_size: 5 }, update_config: { max_unavailable_percentage: 25 },
      labels: { "node-group": "batch", workload: "batch" }, taint: [{ key: "workload", value: "batch", effect: "NO_SCHEDULE" }],
      node_repair_config: { enabled: true }, subnet_ids: ["priv-a", "priv-b"],
    });
    expect(batch.lifecycle.ignore_changes).toEqual(["scaling_config[0].desired_size"]);
    expect(batch.remote_access).toBeUndefined();
    expect(resource(json, "aws_eks_node_group", "ng-general").capacity_type).toBe("ON_DEMAND");
    expect(cluster.nodeGroupNames).toHaveProperty("batch");
  });

  it("launch templates require IMDSv2 (hop limit 1), encrypt gp3 roots with the volume CMK and set no SSH key", () => {
    const lts = resources(json, "aws_launch_template");
    expect(lts.map((l) => l.name).sort()).toEqual(["openedx-test-eks-nodes-50gib", "openedx-test-eks-nodes-80gib"]);
    for (const lt of lts) {
      expect(lt.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" });
      expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_type: "gp3", encrypted: "true", delete_on_termination: "true" });
      expect(lt.block_device_mappings[0].ebs.kms_key_id).toMatch(/volume-key/);
      expect(lt.key_name).toBeUndefined();
      expect(lt.vpc_security_group_ids[0]).toMatch(/aws_security_group\.cluster_node-sg/);
    }
    expect(resource(json, "aws_launch_template", "lt-80gib").block_device_mappings[0].ebs.volume_size).toBe(80);
    const twoHops = build({ metadataHopLimit: 2 }).json;
    expect(resources(twoHops, "aws_launch_template")[0]!.metadata_options.http_put_response_hop_limit).toBe(2);
  });

  it("lets the Auto Scaling service-linked role use the volume key, grants only for AWS resources", () => {
    const key = resources(json, "aws_kms_key").find((k) => k._id.includes("volume-key"))!;
    const statements = policy(key.policy).Statement;
    const use = statements.find((s) => s.Sid === "AutoScalingServiceLinkedRole");
    expect(use.Principal.AWS).toMatch(/role\/aws-service-role\/autoscaling.amazonaws.com\/AWSServiceRoleForAutoScaling$/);
    const grants = statements.find((s) => s.Sid === "AutoScalingServiceLinkedRoleGrants");
    expect(grants).toMatchObject({ Action: "kms:CreateGrant", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } });
  });

  it("installs the six add-ons at the most recent version for the cluster's Kubernetes version, resolved at plan time", () => {
    const lookups = addonLookups(json);
    expect(lookups.map((l) => l.addon_name).sort()).toEqual([...ADDON_NAMES].sort());
    for (const l of lookups) expect(l).toMatchObject({ kubernetes_version: "1.36", most_recent: true });
    for (const a of resources(json, "aws_eks_addon")) {
      expect(a.addon_version).toMatch(new RegExp(`^\\$\\{data\\.aws_eks_addon_version\\.cluster_addon-version-${a.addon_name}_\\w+\\.version\\}$`));
    }
  });

  it("uses a pinned add-on version as given and looks up only the others", () => {
    const pinned = build({ addonVersions: pins }).json;
    const versions = Object.fromEntries(resources(pinned, "aws_eks_addon").map((a) => [a.addon_name, a.addon_version]));
    expect(versions).toMatchObject(pins);
    expect(versions.coredns).toMatch(/aws_eks_addon_version\.cluster_addon-version-coredns/);
    expect(addonLookups(pinned).map((l) => l.addon_name).sort())
      .toEqual(["aws-ebs-csi-driver", "aws-efs-csi-driver", "coredns", "eks-pod-identity-agent"]);
  });

  it("installs the networking add-ons before nodes and the others after", () => {
    const addons = resources(json, "aws_eks_addon");
    for (const a of addons) expect(a).toMatchObject({ resolve_conflicts_on_create: "OVERWRITE", resolve_conflicts_on_update: "OVERWRITE" });
    const groups = resources(json, "aws_eks_node_group");
    for (const pre of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
      for (const g of groups) expect(g.depends_on.some((d: string) => d.includes(`addon-${pre}`))).toBe(true);
    }
    for (const post of ["coredns", "aws-ebs-csi-driver", "aws-efs-csi-driver"]) {
      expect(resource(json, "aws_eks_addon", `addon-${post}`).depends_on.some((d: string) => d.includes("aws_eks_node_group"))).toBe(true);
    }
    const cni = resource(json, "aws_eks_addon", "addon-vpc-cni");
    expect(cni.service_account_role_arn).toMatch(/vpc-cni-role/);
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: "true" });
  });

  it("scopes each Pod Identity role to its service account in this cluster", () => {
    const expected: Record<string, string> = {
      "eks-ebs-csi": "ebs-csi-controller-sa",
      "eks-efs-csi": "efs-csi-controller-sa",
    };
    for (const [role, sa] of Object.entries(expected)) {
      const trust = policy(roleByName(role).assume_role_policy).Statement[0];
      expect(trust.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
      expect(trust.Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
      expect(trust.Condition.StringEquals).toMatchObject({
        "aws:RequestTag/eks-cluster-name": "test-eks", "aws:RequestTag/kubernetes-namespace": "kube-system", "aws:RequestTag/kubernetes-service-account": sa,
      });
    }
    const ebs = resource(json, "aws_eks_addon", "addon-aws-ebs-csi-driver").pod_identity_association[0];
    expect(ebs.service_account).toBe("ebs-csi-controller-sa");
    expect(ebs.role_arn).toMatch(/ebs-csi-role/);
    // The CSI add-ons bind their roles themselves; the platform controllers' roles are platform-prereqs'.
    expect(resources(json, "aws_eks_pod_identity_association")).toHaveLength(0);
    expect(resources(json, "aws_iam_role").map((r) => r.name)).not.toContain("openedx-test-eks-lb-controller");
  });

  it("creates the IRSA OIDC provider and binds vpc-cni to aws-node through it", () => {
    const oidc = resource(json, "aws_iam_openid_connect_provider");
    expect(oidc.client_id_list).toEqual(["sts.amazonaws.com"]);
    expect(oidc.url).toMatch(/aws_eks_cluster\.cluster_\w+\.identity\[0\]\.oidc\[0\]\.issuer/);
    expect(roleByName("eks-vpc-cni").assume_role_policy).toMatch(/data\.aws_iam_policy_document\.cluster_vpc-cni-trust_\w+\.json/);
    const trust = json.data!.aws_iam_policy_document!;
    const statement = (Object.values(trust)[0] as any).statement[0];
    expect(statement.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(statement.principals[0]).toEqual({ type: "Federated", identifiers: [expect.stringMatching(/aws_iam_openid_connect_provider/)] });
    expect(statement.condition.map((c: any) => [c.variable.replace(/^.*:/, ""), c.values[0]])).toEqual([
      ["sub", "system:serviceaccount:kube-system:aws-node"], ["aud", "sts.amazonaws.com"],
    ]);
  });

  it("limits the EBS CSI driver to AWS-resource grants", () => {
    const ebs = policy(resource(json, "aws_iam_role_policy", "ebs-csi-inline").policy).Statement;
    expect(ebs.find((s) => s.Sid === "GrantVolumeKeyToEbs").Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": true } });
  });

  it("opens only the ports EKS needs between control plane and nodes", () => {
    const rules = resources(json, "aws_vpc_security_group_ingress_rule");
    const toNodes = rules.filter((r) => r.security_group_id.includes("node-sg") && r.referenced_security_group_id?.includes("control-plane-sg"));
    expect(toNodes.map((r) => r.from_port).sort((a, b) => a - b)).toEqual([443, 4443, 6443, 8443, 9443, 10250]);
    const toApi = rules.filter((r) => r.security_group_id.includes("control-plane-sg"));
    expect(toApi).toHaveLength(1);
    expect(toApi[0]).toMatchObject({ ip_protocol: "tcp", from_port: 443, to_port: 443 });
    expect(rules.every((r) => r.cidr_ipv4 === undefined)).toBe(true);
    const sg = resource(json, "aws_security_group", "node-sg");
    expect(sg.tags["kubernetes.io/cluster/test-eks"]).toBe("owned");
    expect(sg.ingress).toBeUndefined();
    // Replaced create-before-destroy: a fixed name would collide with the group being replaced.
    for (const g of [sg, resource(json, "aws_security_group", "control-plane-sg")]) {
      expect(g.lifecycle).toEqual({ create_before_destroy: true });
      expect(g.name).toBeUndefined();
      expect(g.name_prefix).toMatch(/-eks-(node|control-plane)-$/);
    }
  });

  it("exposes the typed outputs other stacks use", () => {
    for (const value of [cluster.clusterEndpoint, cluster.clusterCertificateAuthority, cluster.oidcIssuerUrl, cluster.oidcProviderArn,
      cluster.nodeSecurityGroupId, cluster.clusterSecurityGroupId, cluster.nodeRoleArn, cluster.ebsCsiRoleArn, cluster.efsCsiRoleArn,
      cluster.vpcCniRoleArn, cluster.volumeKeyArn, cluster.clusterRoleArn]) {
      expect(value).toMatch(/\$\{TfToken/);
    }
    expect(cluster.clusterName).toMatch(/\$\{TfToken/); // a reference, so dependants wait for the cluster
    expect(cluster.ready.length).toBeGreaterThan(0);
  });
});

describe("eks-cluster validation", () => {
  it.each<[string, Partial<EksClusterProps>, RegExp]>([
    ["a single AZ", { network: { ...network, azs: ["us-east-1a"], privateSubnetIds: ["priv-a"] } },
      /network\.privateSubnetIds = 1 is invalid; must be at least 2 subnets in at least 2 AZs/],
    ["two subnets in one AZ", { network: { ...network, azs: ["us-east-1a", "us-east-1a"] } }, /got 1 AZ\(s\)/],
    ["an old Kubernetes version", { kubernetesVersion: "1.27" }, /kubernetesVersion = "1.27" is invalid; must be a Kubernetes minor version/],
    ["a malformed version", { kubernetesVersion: "latest" }, /kubernetesVersion = "latest" is invalid/],
    ["an unknown support type", { upgradeSupportType: "LTS" as never }, /upgradeSupportType = "LTS" is invalid; must be one of "STANDARD", "EXTENDED"/],
    ["a public endpoint open to the world", { publicAccessCidrs: ["0.0.0.0/0"] }, /publicAccessCidrs\[0\] = "0.0.0.0\/0" is invalid; must not be 0.0.0.0\/0/],
    ["a public endpoint without CIDRs", { publicAccessCidrs: [] }, /publicAccessCidrs = \[\] is invalid; must list at least 1/],
    ["a malformed CIDR", { publicAccessCidrs: ["203.0.113.7/24"] }, /publicAccessCidrs\[0\] = "203.0.113.7\/24" is invalid; must be an IPv4 network/],
    ["CIDRs with a private endpoint", { endpointPublicAccess: false }, /publicAccessCidrs = \["203.0.113.0\/24"\] is invalid; must be empty when endpointPublicAccess is false/],
    ["no admin role", { adminRoles: [] }, /adminRoles = \[\] is invalid; must list at least 1/],
    ["a malformed admin ARN", { adminRoles: ["arn:aws:iam::123:user/bob"] }, /adminRoles = "arn:aws:iam::123:user\/bob" is invalid; must be IAM role ARNs/],
    ["a malformed plan-reader ARN", { planReaderRoles: ["arn:aws:iam::123:user/bob"] }, /planReaderRoles = "arn:aws:iam::123:user\/bob" is invalid/],
    ["a plan reader that is also an admin", { planReaderRoles: ["platform-admin"] }, /planReaderRoles = "platform-admin" is invalid; must not repeat a role of adminRoles/],
    ["a repeated plan reader", { planReaderRoles: ["ci-plan", "ci-plan"] }, /planReaderRoles = \["ci-plan","ci-plan"\] is invalid; must not repeat values/],
    ["a floating add-on version", { addonVersions: { ...pins, coredns: "latest" } }, /addonVersions\["coredns"\] = "latest" is invalid; must be a pinned EKS add-on version/],
    ["kube-proxy for another Kubernetes version", { addonVersions: { ...pins, "kube-proxy": "v1.32.0-eksbuild.2" } },
      /addonVersions\["kube-proxy"\] = "v1.32.0-eksbuild.2" is invalid; must match the cluster's Kubernetes minor version 1.36/],
    ["an add-on the module does not install", { addonVersions: { "metrics-server": "v0.8.0-eksbuild.1" } as never },
      /addonVersions = "metrics-server" is invalid; must name EKS add-ons the module installs/],
    ["a version EKS no longer runs", { kubernetesVersion: "1.31" }, /kubernetesVersion = "1.31" is invalid; must be a Kubernetes minor version such as "1.36", at least 1.32/],
    ["a version past end of standard support on a protected cluster", { kubernetesVersion: "1.33" },
      /kubernetesVersion = "1.33" is invalid; reached the end of Amazon EKS Kubernetes standard support on 2026-07-29 .*use a supported version \(1.36, 1.35\), or set extendedSupport/],
    ["a version the lifecycle table does not know", { kubernetesVersion: "1.40" },
      /kubernetesVersion = "1.40" is invalid; must be a Amazon EKS Kubernetes version listed in modules\/core\/lifecycle.ts \(1.36, 1.35, 1.34, 1.33, 1.32\)/],
    ["extended support accepted without a reason", { kubernetesVersion: "1.33", upgradeSupportType: "EXTENDED", extendedSupport: { reason: " " } },
      /extendedSupport.reason = " " is invalid; must say why/],
    ["extended support accepted with the STANDARD upgrade policy", { kubernetesVersion: "1.33", extendedSupport: { reason: "OPS-1" } },
      /upgradeSupportType = "STANDARD" is invalid; must be "EXTENDED" when extendedSupport is set/],
    ["no node groups", { nodeGroups: {} }, /nodeGroups = \[\] is invalid; must define at least one node group/],
    ["min above desired", { nodeGroups: { general: { ...general, minSize: 3, desiredSize: 2, maxSize: 3 } } },
      /nodeGroups.general: desiredSize = 2 is invalid; must be an integer with minSize <= desiredSize <= maxSize \(3 <= \? <= 3\)/],
    ["desired above max", { nodeGroups: { general: { ...general, desiredSize: 4 } } }, /desiredSize = 4 is invalid/],
    ["min above max", { nodeGroups: { general: { ...general, minSize: 5 } } }, /nodeGroups.general: minSize = 5 is invalid; must be an integer from 0 to 3/],
    ["max over the EKS limit", { nodeGroups: { general: { ...general, maxSize: 500 } } }, /maxSize = 500 is invalid; must be an integer from 1 to 450/],
    ["no instance types", { nodeGroups: { general: { ...general, instanceTypes: [] } } }, /nodeGroups.general: instanceTypes = \[\] is invalid; must list at least 1/],
    ["a malformed instance type", { nodeGroups: { general: { ...general, instanceTypes: ["large"] } } }, /instanceTypes = "large" is invalid; must be EC2 instance types/],
    ["a bad capacity type", { nodeGroups: { general: { ...general, capacityType: "RESERVED" as never } } }, /capacityType = "RESERVED" is invalid/],
    ["a bad AMI type", { nodeGroups: { general: { ...general, amiType: "AL2_x86_64" as never } } }, /amiType = "AL2_x86_64" is invalid/],
    ["a tiny disk", { nodeGroups: { general: { ...general, diskSizeGiB: 8 } } }, /diskSizeGiB = 8 is invalid; must be an integer from 20 to 16384/],
    ["a bad update percentage", { nodeGroups: { general: { ...general, maxUnavailablePercentage: 0 } } }, /maxUnavailablePercentage = 0 is invalid/],
    ["an overlong group name", { nodeGroups: { "a-very-long-node-group-name": general } }, /name = "a-very-long-node-group-name" is invalid; must be 1-20/],
    ["a bad label key", { nodeGroups: { general: { ...general, labels: { "bad key": "x" } } } }, /labels = "bad key" is invalid/],
    ["a bad taint key", { nodeGroups: { general: { ...general, taints: [{ key: "-x", effect: "NO_SCHEDULE" }] } } }, /taints.key = "-x" is invalid/],
    ["a bad taint effect", { nodeGroups: { general: { ...general, taints: [{ key: "x", effect: "NoSchedule" as never }] } } }, /taints.effect = "NoSchedule" is invalid/],
    ["a bad cluster name", { clusterName: "-eks" }, /clusterName = "-eks" is invalid; must be 1-100 letters/],
    ["an overlong cluster name", { clusterName: "e".repeat(101) }, /clusterName = .* is invalid; must be 1-100/],
    ["a bad hop limit", { metadataHopLimit: 3 as never }, /metadataHopLimit = 3 is invalid; must be an integer from 1 to 2/],
    ["an invalid log retention", { logRetentionDays: 45 }, /logRetentionDays = 45 is invalid; must be a CloudWatch Logs retention period/],
  ])("rejects %s", (_, overrides, message) => {
    expect(error(overrides)).toMatch(message);
  });
});

describe("eks-cluster lifecycle", () => {
  const warnings = (c: EksCluster) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
  afterEach(() => { delete process.env.LIFECYCLE_TODAY; });

  it("runs a version past standard support where extended support is accepted with a reason, and says so", () => {
    const { cluster, json } = build({ kubernetesVersion: "1.33", upgradeSupportType: "EXTENDED", extendedSupport: { reason: "OPS-42: CRD migration, until 2027-01" } });
    expect(resource(json, "aws_eks_cluster")).toMatchObject({ version: "1.33", upgrade_policy: { support_type: "EXTENDED" } });
    expect(warnings(cluster)).toEqual([expect.stringMatching(/kubernetesVersion 1.33 is past the end of .* standard support \(2026-07-29\).*accepted: OPS-42.*move to 1.36/)]);
  });

  it("tells Checkov (whose EKS list ends at 1.35) that 1.36 is supported, and only for versions past its list", () => {
    const ids = (c: EksCluster) => suppressionsOf(c.node.findChild("cluster") as TerraformElement).map((x) => x.id);
    expect(ids(build().cluster)).toContain("CKV_AWS_339");
    expect(ids(build({ kubernetesVersion: "1.35" }).cluster)).not.toContain("CKV_AWS_339");
  });

  it("only warns past standard support when the caller does not require it (a disposable environment)", () => {
    expect(() => build({ kubernetesVersion: "1.33", deletionProtection: false })).toThrow(/kubernetesVersion = "1.33" is invalid; reached the end/);
    const { cluster } = build({ kubernetesVersion: "1.33", requireStandardSupport: false });
    expect(warnings(cluster)).toEqual([expect.stringMatching(/kubernetesVersion 1.33 is past the end/)]);
  });

  it("warns 180 days ahead of the end of standard support, not before", () => {
    process.env.LIFECYCLE_TODAY = "2027-02-03"; // 1.36 ends 2027-08-02: 180 days later
    expect(warnings(build().cluster)).toEqual([expect.stringMatching(/kubernetesVersion 1.36 leaves Amazon EKS Kubernetes standard support on 2027-08-02 \(in 180 days\)/)]);
    process.env.LIFECYCLE_TODAY = "2027-02-02";
    expect(warnings(build().cluster)).toEqual([]);
  });
});
