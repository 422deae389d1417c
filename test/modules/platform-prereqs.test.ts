import { Construct } from "constructs";
import { PlatformPrereqs, PlatformPrereqsProps } from "../../modules/platform-prereqs";
import { KmsKey } from "../../modules/kms-key";
import { S3Buckets } from "../../modules/s3-buckets";
import { suppressionsOf } from "../../modules/core/suppress";
import { policy, resource, resources, synth, testStack } from "../helpers";

/** The environment alarm topic PlatformPrereqs requires (ARNs as the alerting module outputs them). */
const alarmTopic = { topicArn: "arn:aws:sns:us-east-1:111122223333:openedx-alarms", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/alarms" };

describe("PlatformPrereqs", () => {
  const { stack, naming } = testStack("production");
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
  const base = (over: Partial<PlatformPrereqsProps> = {}): PlatformPrereqsProps => ({
    naming, clusterName: "openedx-eks", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket, alarmTopic, ...over,
  });
  const formerHome = new Construct(stack, "cluster");
  const prereqs = new PlatformPrereqs(stack, "prereqs", base({ controllerRoles: { clusterName: "test-eks", movedFrom: formerHome }, ebsKmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/ebs" }));
  const json = synth(stack);

  it("creates encrypted, logged Loki and Velero buckets", () => {
    const names = resources(json, "aws_s3_bucket").map((b) => b.bucket);
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^openedx-production-loki-\$\{/), expect.stringMatching(/^openedx-production-velero-\$\{/)]));
    const sse = resource(json, "aws_s3_bucket_server_side_encryption_configuration", "prereqs/velero").rule[0].apply_server_side_encryption_by_default;
    expect(sse.sse_algorithm).toBe("aws:kms");
    expect(resource(json, "aws_s3_bucket_logging", "prereqs/loki").target_prefix).toBe("loki/");
    const veleroRules = resource(json, "aws_s3_bucket_lifecycle_configuration", "prereqs/velero").rule;
    expect(veleroRules.find((r: any) => r.id === "transition-to-colder-storage").transition).toEqual([{ days: 30, storage_class: "GLACIER_IR" }]);
  });

  it("trusts only EKS Pod Identity from this account", () => {
    for (const role of resources(json, "aws_iam_role")) {
      const stmt = policy(role.assume_role_policy).Statement[0];
      expect(stmt.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
      expect(stmt.Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
      expect(stmt.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
    }
  });

  it("scopes each role to its own bucket and the key through S3", () => {
    const loki = policy(resource(json, "aws_iam_role_policy", "loki-policy").policy).Statement;
    expect(loki.map((s: any) => s.Sid)).toEqual(["ListBucket", "Objects", "KeyViaS3"]);
    expect(loki[2].Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(loki[1].Resource).toMatch(/aws_s3_bucket\.prereqs_loki_bucket.*\/\*$/);
    expect(loki[2].Condition.StringEquals["kms:ViaService"]).toMatch(/^s3\./);
    const velero = policy(resource(json, "aws_iam_role_policy", "velero-policy").policy).Statement;
    const star = velero.filter((s: any) => s.Resource === "*");
    expect(star).toHaveLength(1);
    expect(star[0].Action).toEqual(["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]);
    expect(velero.find((s: any) => s.Sid === "DeleteOwnSnapshots").Condition).toEqual({ Null: { "aws:ResourceTag/velero.io/backup": "false" } });
    expect(velero.find((s: any) => s.Sid === "RestoreEncryptedVolumes").Resource).toBe("arn:aws:kms:us-east-1:111122223333:key/ebs");
  });

  it("binds the roles (and the controllers', when asked) to the charts' service accounts", () => {
    const assoc = resources(json, "aws_eks_pod_identity_association").map((a) => [a.namespace, a.service_account, a.cluster_name]);
    expect(assoc).toEqual(expect.arrayContaining([
      ["observability", "loki", "openedx-eks"], ["velero", "velero-server", "openedx-eks"],
      ["kube-system", "cluster-autoscaler", "openedx-eks"], ["kube-system", "aws-load-balancer-controller", "openedx-eks"],
    ]));
    expect(prereqs.clusterAutoscalerRoleArn).toBeDefined();
    expect(prereqs.loadBalancerControllerRoleArn).toBeDefined();
  });

  it("pins the controllers' roles to the configured cluster name and its own resources", () => {
    for (const [role, sa] of [["openedx-production-eks-cluster-autoscaler", "cluster-autoscaler"], ["openedx-production-eks-lb-controller", "aws-load-balancer-controller"]]) {
      const found = resources(json, "aws_iam_role").find((r) => r.name === role)!;
      expect(policy(found.assume_role_policy).Statement[0].Condition.StringEquals).toMatchObject({
        "aws:RequestTag/eks-cluster-name": "test-eks", "aws:RequestTag/kubernetes-namespace": "kube-system", "aws:RequestTag/kubernetes-service-account": sa,
      });
    }
    const ca = policy(resource(json, "aws_iam_role_policy", "cluster-autoscaler-inline").policy).Statement;
    expect(ca.find((s: any) => s.Sid === "ScaleOwnGroups").Condition.StringEquals).toEqual({ "aws:ResourceTag/k8s.io/cluster-autoscaler/test-eks": "owned" });
    expect(ca.find((s: any) => s.Sid === "DescribeOwnNodegroups").Resource).toMatch(/:nodegroup\/test-eks\/\*\/\*$/);
    const lbc = policy(resource(json, "aws_iam_role_policy", "lb-controller-inline").policy).Statement;
    for (const s of lbc.filter((x: any) => /^(Manage|Delete)Own/.test(x.Sid))) expect(s.Condition.Null["aws:ResourceTag/elbv2.k8s.aws/cluster"]).toBe("false");
  });

  it("moves each controller resource from its address under the former construct (no destroy and recreate)", () => {
    const moved = (json as any).moved as { from: string; to: string }[];
    expect(moved).toHaveLength(6);
    // Addresses every environment's state holds (synthesized by the eks-cluster module before the move).
    expect(moved.map((m) => m.from)).toEqual(expect.arrayContaining([
      "aws_iam_role.cluster_cluster-autoscaler-role_CD22396D", "aws_iam_role_policy.cluster_cluster-autoscaler-inline_28C7A1E3",
      "aws_eks_pod_identity_association.cluster_cluster-autoscaler-association_41A057CD", "aws_iam_role.cluster_lb-controller-role_B5F3671D",
      "aws_iam_role_policy.cluster_lb-controller-inline_1D6E8CFB", "aws_eks_pod_identity_association.cluster_lb-controller-association_A308CB88",
    ]));
    for (const id of ["cluster-autoscaler", "lb-controller"]) {
      for (const [type, suffix] of [["aws_iam_role", "role"], ["aws_iam_role_policy", "inline"], ["aws_eks_pod_identity_association", "association"]] as const) {
        const to = Object.keys((json.resource as any)[type]).filter((k) => k.startsWith(`prereqs_${id}-${suffix}_`));
        expect(to).toHaveLength(1);
        const block = moved.find((m) => m.to === `${type}.${to[0]}`)!;
        expect(block.from).toMatch(new RegExp(`^${type}\\.cluster_${id}-${suffix}_[0-9A-F]{8}$`));
        // The old address exists no more: Terraform moves the state instead of destroying it.
        expect(Object.keys((json.resource as any)[type])).not.toContain(block.from.split(".")[1]);
      }
    }
  });

  it("rejects bad retention days", () => {
    const { stack: s, naming: n } = testStack("x");
    const key = new KmsKey(s, "k", { naming: n, component: "k", description: "k" });
    const logs = new S3Buckets(s, "b", { naming: n, buckets: { a: {} }, kmsKey: key }).logsBucket;
    expect(() => new PlatformPrereqs(s, "p", { naming: n, clusterName: "c", kmsKey: key, accessLogsBucket: logs, alarmTopic, lokiNoncurrentDays: 0 }))
      .toThrow("PlatformPrereqs p: lokiNoncurrentDays = 0 is invalid; must be an integer from 1 to 3650");
    expect(() => new PlatformPrereqs(s, "q", { naming: n, clusterName: "c", kmsKey: key, accessLogsBucket: logs, alarmTopic, veleroNoncurrentDays: 1.5 }))
      .toThrow("veleroNoncurrentDays = 1.5 is invalid");
  });
});

describe("PlatformPrereqs scanner suppressions", () => {
  it("records why the buckets are not replicated and emit no events", () => {
    const { stack, naming } = testStack("s");
    const storage = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
    const p = new PlatformPrereqs(stack, "p", { naming, clusterName: "c", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket, alarmTopic });
    for (const b of [p.lokiBucket, p.veleroBucket]) {
      expect(suppressionsOf(b.resource).map((s) => s.id)).toEqual(["CKV_AWS_144", "CKV2_AWS_62"]);
    }
  });
});

describe("PlatformPrereqs grants for External Secrets and the app", () => {
  const { stack, naming } = testStack("production");
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
  const prereqs = new PlatformPrereqs(stack, "prereqs", {
    naming, clusterName: "openedx-eks", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket,
    alarmTopic: { topicArn: "arn:aws:sns:us-east-1:1:a", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/a" },
  });
  prereqs.allowExternalSecrets({ secrets: [{ secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/db" }], secretNames: ["sso", "sso"] });
  prereqs.appRole({ serviceAccount: { namespace: "openedx-prod", name: "openedx" }, mediaBucket: storage.buckets.media, sesIdentities: ["learn.example.org"] });
  const json = synth(stack);

  it("lists each operator-created secret once, by name and Secrets Manager's suffix", () => {
    const doc = policy(resource(json, "aws_iam_role_policy", "external-secrets-policy").policy).Statement;
    expect(doc[0].Resource).toEqual(["arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf", expect.stringMatching(/:secret:sso-\?\?\?\?\?\?$/)]);
    expect(doc[1].Resource).toEqual(["arn:aws:kms:us-east-1:1:key/db"]);
  });

  it("grants the app its media bucket with the bucket's own key, through S3 only", () => {
    const doc = policy(resource(json, "aws_iam_role_policy", "app-policy").policy).Statement;
    expect(doc.map((s: any) => s.Sid).slice(0, 3)).toEqual(["MediaListBucket", "MediaObjects", "MediaKeyViaS3"]);
    expect(doc[2]).toMatchObject({ Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: expect.stringMatching(/aws_kms_key\.storage_key/) });
    expect(doc[2].Condition.StringEquals["kms:ViaService"]).toMatch(/^s3\./);
  });

  it("lets the app send mail only as its SES identities", () => {
    const doc = policy(resource(json, "aws_iam_role_policy", "app-policy").policy).Statement;
    expect(doc.find((s: any) => s.Sid === "SendMail")).toMatchObject({ Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: [expect.stringMatching(/:identity\/learn\.example\.org$/)] });
  });

  it("refuses a second role and an SES identity that is not a domain or address", () => {
    expect(() => prereqs.allowExternalSecrets({ secrets: [], secretNames: ["x"] })).toThrow("may be called once");
    const other = testStack("staging");
    const s2 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p2 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s2.kmsKey, accessLogsBucket: s2.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    expect(() => p2.appRole({ serviceAccount: { namespace: "a", name: "b" }, mediaBucket: s2.buckets.media, sesIdentities: ["*"] })).toThrow('appRole.sesIdentities[0] = "*" is invalid');
    expect(() => p2.allowExternalSecrets({ secrets: [], secretNames: ["arn:aws:secretsmanager:us-east-1:1:secret:x"] })).toThrow("must be a Secrets Manager secret name (not an ARN)");
  });

  it("grants no key for a secret under aws/secretsmanager (DocumentDB's managed secret)", () => {
    const other = testStack("staging");
    const s3 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p3 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s3.kmsKey, accessLogsBucket: s3.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    p3.allowExternalSecrets({ secrets: [{ secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:docdb-AbCdEf" }] });
    const doc = policy(resource(synth(other.stack), "aws_iam_role_policy", "external-secrets-policy").policy).Statement;
    expect(doc.map((x: any) => x.Sid)).toEqual(["ReadListedSecrets"]);
  });

  it("adds the data-store grants to the app's role only after it exists, once", () => {
    const other = testStack("staging");
    const s4 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p4 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s4.kmsKey, accessLogsBucket: s4.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    const connect = { Sid: "C", Effect: "Allow" as const, Action: "elasticache:Connect", Resource: "arn:aws:elasticache:us-east-1:1:replicationgroup:x" };
    expect(() => p4.allowAppDataStores([connect])).toThrow("allowAppDataStores = \"before appRole\" is invalid; must be called after appRole");
    // No media bucket, no SES: the role exists for the data stores alone, without an empty policy.
    p4.appRole({ serviceAccount: { namespace: "a", name: "b" } });
    expect(() => p4.allowAppDataStores([])).toThrow("must grant at least one statement");
    p4.allowAppDataStores([connect]);
    expect(() => p4.allowAppDataStores([connect])).toThrow("may be called once");
    const j = synth(other.stack);
    expect(resources(j, "aws_iam_role_policy").map((r) => r.name).sort()).toEqual(["alertmanager", "app-data-stores", "loki", "velero"]);
    expect(policy(resource(j, "aws_iam_role_policy", "app-data-stores").policy).Statement).toEqual([connect]);
  });
});

describe("PlatformPrereqs.allowDns01", () => {
  it("makes one role per cluster", () => {
    const { stack: s, naming } = testStack("staging");
    const storage = new S3Buckets(s, "storage", { naming, buckets: { media: {} } });
    const prereqs = new PlatformPrereqs(s, "p", { naming, clusterName: "c", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket,
      alarmTopic: { topicArn: "arn:aws:sns:us-east-1:111122223333:t", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k" } });
    expect(prereqs.dns01RoleArn).toBeUndefined();
    const arn = prereqs.allowDns01("Z0123456789ABCDEFGHIJ");
    expect(prereqs.dns01RoleArn).toBe(arn);
    expect(() => prereqs.allowDns01("Z0123456789ABCDEFGHIJ")).toThrow('PlatformPrereqs p: allowDns01 = "Z0123456789ABCDEFGHIJ" is invalid; may be called once');
    expect(resource(synth(s), "aws_iam_role", "cert-manager-dns01").name).toBe("openedx-staging-cert-manager-dns01");
  });
});
