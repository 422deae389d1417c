import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Backups, BackupsProps } from "../../modules/backups";
import { Certificates } from "../../modules/certificates";
import { ClusterAddons } from "../../modules/cluster-addons";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../modules/core/lifecycle";
import { ChartRef } from "../../modules/core/helm";
import { GitOps } from "../../modules/gitops";
import { Ingress } from "../../modules/ingress";
import { K8sNamespaces, K8sNamespacesProps } from "../../modules/k8s-namespaces";
import { MediaStorage } from "../../modules/media-storage";
import { KPS_CRD_JOB_BUSYBOX_TAG, Observability, ObservabilityProps } from "../../modules/observability";
import { PlatformPrereqs, PlatformPrereqsProps } from "../../modules/platform-prereqs";
import { KmsKey } from "../../modules/kms-key";
import { S3Buckets } from "../../modules/s3-buckets";
import { suppressionsOf } from "../../modules/core/suppress";
import { platformCharts } from "../../environments/shared";
import { policy, resource, resources, synth, testStack } from "../helpers";

/** The environment alarm topic PlatformPrereqs requires (ARNs as the alerting module outputs them). */
const alarmTopic = { topicArn: "arn:aws:sns:us-east-1:111122223333:openedx-alarms", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/alarms" };

function k8sStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "k8s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  return stack;
}
const chart = (c: ChartRef, patch: Partial<ChartRef> = {}): ChartRef => ({ ...c, ...patch });

describe("PlatformPrereqs", () => {
  const { stack, naming } = testStack("production");
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
  const base = (over: Partial<PlatformPrereqsProps> = {}): PlatformPrereqsProps => ({
    naming, clusterName: "openedx-eks", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket, alarmTopic, ...over,
  });
  new PlatformPrereqs(stack, "prereqs", base({ clusterAutoscalerRoleArn: "arn:aws:iam::111122223333:role/ca", ebsKmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/ebs" }));
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
    expect(loki.map((s: any) => s.Sid)).toEqual(["ListBucket", "Objects", "BucketKeyViaS3"]);
    expect(loki[1].Resource).toMatch(/aws_s3_bucket\.prereqs_loki_bucket.*\/\*$/);
    expect(loki[2].Condition.StringEquals["kms:ViaService"]).toMatch(/^s3\./);
    const velero = policy(resource(json, "aws_iam_role_policy", "velero-policy").policy).Statement;
    const star = velero.filter((s: any) => s.Resource === "*");
    expect(star).toHaveLength(1);
    expect(star[0].Action).toEqual(["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]);
    expect(velero.find((s: any) => s.Sid === "DeleteOwnSnapshots").Condition).toEqual({ Null: { "aws:ResourceTag/velero.io/backup": "false" } });
    expect(velero.find((s: any) => s.Sid === "RestoreEncryptedVolumes").Resource).toBe("arn:aws:kms:us-east-1:111122223333:key/ebs");
  });

  it("binds the roles (and the autoscaler's, when given) to the charts' service accounts", () => {
    const assoc = resources(json, "aws_eks_pod_identity_association").map((a) => [a.namespace, a.service_account, a.cluster_name]);
    expect(assoc).toEqual(expect.arrayContaining([
      ["observability", "loki", "openedx-eks"], ["velero", "velero-server", "openedx-eks"], ["kube-system", "cluster-autoscaler", "openedx-eks"],
    ]));
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

describe("K8sNamespaces validation", () => {
  const make = (props: Partial<K8sNamespacesProps>) => () => new K8sNamespaces(k8sStack(), "ns", { appNamespace: "openedx-prod", ...props });
  it("rejects bad namespaces, levels, ports and egress", () => {
    expect(make({ appNamespace: "OpenEdX" })).toThrow('K8sNamespaces ns: appNamespace = "OpenEdX" is invalid; must be a DNS label');
    expect(make({ appNamespace: "argocd" })).toThrow('appNamespace = "argocd" is invalid; must differ from the platform namespaces');
    expect(make({ appPorts: [] })).toThrow("appPorts = [] is invalid; must list at least one port");
    expect(make({ appPorts: [70000] })).toThrow("appPorts[0] = 70000 is invalid");
    expect(make({ podSecurity: { "kube-system": "baseline" } })).toThrow('podSecurity = "kube-system" is invalid; must name a platform namespace');
    expect(make({ podSecurity: { argocd: "open" as never } })).toThrow('podSecurity.argocd = "open" is invalid; must be one of "restricted", "baseline", "privileged"');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.1/16", ports: [3306] }] })).toThrow('egress[0].cidr = "10.0.0.1/16" is invalid');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.0/16", ports: [] }] })).toThrow("egress[0].ports = [] is invalid");
    expect(make({ egress: [{ name: "Db", cidr: "10.0.0.0/16", ports: [1] }] })).toThrow('egress[0].name = "Db" is invalid');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.0/16", ports: [1] }, { name: "db", cidr: "10.1.0.0/16", ports: [1] }] })).toThrow("must not repeat values (repeated: db)");
  });

  it("lets a platform namespace enforce a different level", () => {
    const stack = k8sStack();
    new K8sNamespaces(stack, "ns", { appNamespace: "openedx-staging", podSecurity: { argocd: "restricted" } });
    const argocd = resources(synth(stack), "kubernetes_namespace_v1").find((n) => n.metadata.name === "argocd")!;
    expect(argocd.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});

describe("chart module validation", () => {
  it("Ingress keeps a PDB that allows drains and protects HA", () => {
    const make = (replicas: number, minAvailable: number) => () => new Ingress(k8sStack(), "ingress", { chart: platformCharts.nginxGatewayFabric, rawChart: platformCharts.raw, appNamespace: "openedx", replicas, minAvailable });
    expect(make(2, 2)).toThrow("Ingress ingress: minAvailable = 2 is invalid; must be below replicas (2)");
    expect(make(3, 0)).toThrow("minAvailable = 0 is invalid; must be at least 1 when replicas >= 2");
    expect(make(0, 0)).toThrow("replicas = 0 is invalid; must be an integer from 1 to 50");
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { chart: "Bad Name" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('charts.nginxGatewayFabric.chart = "Bad Name" is invalid; must be a chart name');
    // The Gateway API CRDs move with the controller: an unknown minor fails until they are updated.
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { version: "2.7.0" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('Ingress i: charts.nginxGatewayFabric.version = "2.7.0" is invalid; must be a release whose Gateway API version is the vendored v1.5.1 (known: 2.6.x -> v1.5.1)');
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { version: "2.6.9" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 })).not.toThrow();
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { repository: "ghcr.io/nginx/charts" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('charts.nginxGatewayFabric.repository = "ghcr.io/nginx/charts" is invalid; must be an https:// chart repository URL or an oci:// registry path');
  });

  it("Certificates needs an e-mail and sane replicas", () => {
    const make = (acmeEmail: string, replicas?: number) => () => new Certificates(k8sStack(), "certs", {
      chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail, gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" }, replicas,
    });
    expect(make("not-an-email")).toThrow('Certificates certs: acmeEmail = "not-an-email" is invalid; must be an e-mail address');
    expect(make("a@b.org", 0)).toThrow("replicas = 0 is invalid");
    const stack = k8sStack();
    new Certificates(stack, "certs", { chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail: "a@b.org", gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" }, replicas: 1 });
    const values = JSON.parse(resources(synth(stack), "helm_release").find((r) => r.name === "cert-manager")!.values[0]);
    expect(values.podDisruptionBudget).toEqual({ enabled: false });
  });

  it("GitOps without HA runs single replicas and plain Redis", () => {
    const stack = k8sStack();
    new GitOps(stack, "gitops", {
      chart: platformCharts.argoCd, appsChart: platformCharts.argocdApps, appNamespace: "openedx-sandbox", highAvailability: false,
      source: { repoUrl: "ssh://git@git.example.org/ops/gitops.git", path: "envs/sandbox", revision: "v1.2.3" },
    });
    const values = JSON.parse(resources(synth(stack), "helm_release").find((r) => r.name === "argocd")!.values[0]);
    expect(values).toMatchObject({ "redis-ha": { enabled: false }, redis: { enabled: true }, server: { replicas: 1 } });
  });

  it("Observability rejects bad sizes and thresholds", () => {
    const charts = { kubePrometheusStack: platformCharts.kubePrometheusStack, loki: platformCharts.loki, alloy: platformCharts.alloy };
    const make = (props: Partial<ObservabilityProps>) => () => new Observability(k8sStack(), "obs", { charts, ...props });
    expect(make({ prometheusReplicas: 0 })).toThrow("Observability obs: prometheusReplicas = 0 is invalid");
    expect(make({ lokiRetentionDays: 0 })).toThrow("lokiRetentionDays = 0 is invalid");
    expect(make({ alertThresholds: { cpuPercent: 120 } })).toThrow("alertThresholds.cpuPercent = 120 is invalid; must be a percentage between 0 and 100");
    expect(make({ alertThresholds: { errorRateFor: "2 minutes" } })).toThrow('alertThresholds.errorRateFor = "2 minutes" is invalid; must be a Prometheus duration');
    expect(make({ alertThresholds: { podRestarts: 0 } })).toThrow("alertThresholds.podRestarts = 0 is invalid");
    expect(make({ alertThresholds: { certificateExpiryDays: 90 } })).toThrow("alertThresholds.certificateExpiryDays = 90 is invalid");
    expect(make({ charts: { ...charts, alloy: chart(platformCharts.alloy, { version: "latest" }) } })).toThrow('charts.alloy.version = "latest" is invalid');
  });

  it("Observability upgrades the Prometheus CRDs with the chart and picks Loki's mode by storage", () => {
    const charts = { kubePrometheusStack: platformCharts.kubePrometheusStack, loki: platformCharts.loki, alloy: platformCharts.alloy };
    const values = (props: Partial<ObservabilityProps>) => {
      const stack = k8sStack();
      new Observability(stack, "obs", { charts, ...props });
      return Object.fromEntries(resources(synth(stack), "helm_release").map((r) => [r.name, JSON.parse(r.values[0])]));
    };
    const onS3 = values({ lokiS3: { bucketName: "logs", region: "us-east-1" } });
    // Helm never upgrades `crds/`: the chart's hook job applies them, with a pinned busybox (the chart's is `latest`).
    expect(onS3["kube-prometheus-stack"].crds).toEqual({ enabled: true, upgradeJob: { enabled: true, image: { busybox: { tag: KPS_CRD_JOB_BUSYBOX_TAG } } } });
    expect(KPS_CRD_JOB_BUSYBOX_TAG).toMatch(/^\d+\.\d+\.\d+$/);
    // The community chart's default is Monolithic: simple-scalable must be asked for by name.
    expect(onS3.loki.deploymentMode).toBe("SimpleScalable");
    expect(onS3.loki.loki.storage.bucketNames).toEqual({ chunks: "logs", ruler: "logs", admin: "logs" });
    const onVolume = values({});
    expect(onVolume.loki.deploymentMode).toBe("Monolithic");
    expect(onVolume.loki.singleBinary).toMatchObject({ replicas: 1, persistence: { enabled: true, size: "50Gi" } });
  });

  it("ClusterAddons runs the autoscaler release of the cluster's minor and refuses a minor without one", () => {
    const make = (kubernetesVersion: string) => {
      const stack = k8sStack();
      new ClusterAddons(stack, "addons", { clusterAutoscaler: { chart: platformCharts.clusterAutoscaler, clusterName: "c", region: "us-east-1", kubernetesVersion } });
      return JSON.parse(resource(synth(stack), "helm_release").values[0]);
    };
    for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
      expect(tag.startsWith(`v${minor}.`)).toBe(true);
      expect(make(minor).image).toEqual({ tag });
    }
    expect(() => make("1.30")).toThrow('ClusterAddons addons: clusterAutoscaler.kubernetesVersion = "1.30" is invalid; must be a Kubernetes minor with a Cluster Autoscaler release listed in CLUSTER_AUTOSCALER_IMAGE_TAGS (modules/core/lifecycle.ts: 1.35, 1.36)');
    expect(() => make("toString")).toThrow('clusterAutoscaler.kubernetesVersion = "toString" is invalid');
  });

  it("Backups rejects bad schedules, plugin tags and endpoints", () => {
    const base: BackupsProps = {
      chart: platformCharts.velero, awsPluginTag: "v1.12.0",
      storage: { kind: "aws", bucketName: "b", region: "us-east-1", kmsKeyArn: "k" },
      schedules: [{ name: "daily", cron: "0 2 * * *", ttl: "168h" }],
    };
    const make = (props: Partial<BackupsProps>) => () => new Backups(k8sStack(), "backups", { ...base, ...props });
    expect(make({ awsPluginTag: "latest" })).toThrow('Backups backups: awsPluginTag = "latest" is invalid; must be an exact plugin release tag');
    expect(make({ schedules: [{ name: "d", cron: "every day", ttl: "1h" }] })).toThrow('schedules[0].cron = "every day" is invalid; must be a five-field cron expression');
    expect(make({ schedules: [{ name: "d", cron: "0 2 * * *", ttl: "7d" }] })).toThrow('schedules[0].ttl = "7d" is invalid');
    expect(make({ schedules: [{ name: "D", cron: "0 2 * * *", ttl: "7h" }] })).toThrow('schedules[0].name = "D" is invalid');
    expect(make({ schedules: [] })).toThrow("schedules[].name = [] is invalid; must list at least 1 value(s)");
    expect(make({ storage: { kind: "s3-compatible", bucketName: "b", region: "r", s3Url: "http://minio:9000", credentialsSecret: "s" } }))
      .toThrow('storage.s3Url = "http://minio:9000" is invalid; must be an https:// endpoint');
    const stack = k8sStack();
    new Backups(stack, "backups", { ...base, includedNamespaces: ["openedx-prod"] });
    const values = JSON.parse(resource(synth(stack), "helm_release").values[0]);
    expect(values.schedules.daily.template.includedNamespaces).toEqual(["openedx-prod"]);
  });

  it("MediaStorage needs exactly one of an EFS file system and a storage class", () => {
    const make = (props: { efsFileSystemId?: string; storageClassName?: string; sizeGi?: number }) => () => new MediaStorage(k8sStack(), "media", { namespace: "openedx-prod", ...props });
    expect(make({})).toThrow("MediaStorage media: efsFileSystemId/storageClassName = {} is invalid; exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", storageClassName: "nfs" })).toThrow("exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", sizeGi: 0 })).toThrow("sizeGi = 0 is invalid");
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
