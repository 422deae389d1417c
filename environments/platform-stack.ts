import { Construct } from "constructs";
import { Fn, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsEfsFileSystem } from "@cdktf/provider-aws/lib/data-aws-efs-file-system";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { Backups } from "../modules/backups";
import { CLOUDFLARE_TOKEN_SECRET, Certificates, DefaultCertificate, Dns01Solver } from "../modules/certificates";
import { ClusterAddons } from "../modules/cluster-addons";
import { checkChart } from "../modules/core/helm";
import { Naming } from "../modules/core/naming";
import { check } from "../modules/core/validation";
import { GitOps, checkGitOpsSource } from "../modules/gitops";
import { Ingress } from "../modules/ingress";
import { EgressRule, K8sNamespaces } from "../modules/k8s-namespaces";
import { K8sRbac } from "../modules/k8s-rbac";
import { OriginDns } from "../modules/origin-dns";
import { MediaStorage } from "../modules/media-storage";
import { Observability } from "../modules/observability";
import { EnvironmentConfig, KubeconfigTargetConfig, StateConfig } from "./config";
import { configureState, defaultTags } from "./stack";

/**
 * The environment's EKS cluster and the AWS-side resources the platform uses, as plain
 * identifiers (cross-stack references from the AWS stack, or literals).
 */
export interface EksPlatformTarget {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly lokiBucketName: string;
  readonly veleroBucketName: string;
  /** Key Velero asks S3 to encrypt backups with. */
  readonly backupKmsKeyArn: string;
  /**
   * EFS file system for `/openedx/media`.
   * @default looked up by creation token `<project>-<env>-media`
   */
  readonly efsFileSystemId?: string;
  /**
   * Id of the environment's DNS zone (`edge.dns`): the Route53 hosted zone the AWS stack
   * created or was given, or the Cloudflare zone id. The origin record and DNS-01 go there.
   */
  readonly dnsZoneId: string;
  /**
   * The environment's alarm topic (`data.alarms`): Alertmanager publishes there with the
   * Pod Identity role the AWS stack bound to its service account.
   */
  readonly alarmTopicArn: string;
}

export interface PlatformStackProps {
  /** Target the environment's EKS cluster. Exactly one of `eks` and `kubeconfig`. */
  readonly eks?: EksPlatformTarget;
  /** Target an existing cluster from a kubeconfig (seed 003's k3s). Exactly one of `eks` and `kubeconfig`. */
  readonly kubeconfig?: KubeconfigTargetConfig;
  /**
   * Override the configured state backend.
   * @default the environment's `state`
   */
  readonly state?: StateConfig;
}

/** Data stores seed 000 puts in the VPC: MySQL, MongoDB, Redis, Elasticsearch/OpenSearch (443). */
const DATA_PORTS = [3306, 27017, 6379, 9200, 443];

/**
 * The `<env>-platform` stack: Kubernetes and Helm on the cluster (namespaces, ingress,
 * certificates, Argo CD, observability, scaling add-ons, backups, media storage).
 *
 * It never creates the cluster it talks to. In EKS mode it reads the endpoint and CA with
 * `data aws_eks_cluster` and authenticates with `aws eks get-token` at plan/apply time, so
 * no token is ever stored in state and the providers are never configured from a resource
 * created in the same plan. In kubeconfig mode it uses a path and context instead.
 */
export class PlatformStack extends TerraformStack {
  public readonly config: EnvironmentConfig;
  public readonly mode: "eks" | "kubeconfig";
  public readonly namespaces: K8sNamespaces;
  public readonly observability: Observability;
  public readonly ingress: Ingress;
  public readonly certificates: Certificates;
  public readonly gitops: GitOps;
  public readonly addons: ClusterAddons;
  public readonly backups: Backups;
  public readonly media: MediaStorage;
  /** Who may read the cluster and who may change the app namespace (Kubernetes RBAC). */
  public readonly rbac: K8sRbac;
  /** `edge.originHostname` → the ingress NLB (EKS mode behind CloudFront only). */
  public readonly originDns?: OriginDns;

  constructor(scope: Construct, config: EnvironmentConfig, props: PlatformStackProps) {
    const where = `PlatformStack ${config.name}-platform`;
    check((props.eks === undefined) !== (props.kubeconfig === undefined), where, "eks/kubeconfig",
      { eks: props.eks ? "set" : undefined, kubeconfig: props.kubeconfig ? "set" : undefined },
      "exactly one target is required: eks (the environment's EKS cluster) or kubeconfig (an existing cluster), not both and not neither");
    validatePlatform(where, config);
    super(scope, `${config.name}-platform`);
    this.config = config;
    configureState(this, props.state ?? config.state);
    const p = config.platform;
    const { eks, kubeconfig } = props;
    this.mode = eks ? "eks" : "kubeconfig";

    if (eks) {
      new AwsProvider(this, "aws", { region: eks.region, defaultTags: [{ tags: defaultTags(config) }] });
      const cluster = new DataAwsEksCluster(this, "cluster", { name: eks.clusterName });
      const host = cluster.endpoint;
      const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
      const exec = {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", eks.clusterName, "--region", eks.region, "--output", "json"],
      };
      new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
      new HelmProvider(this, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
    } else {
      const k = kubeconfig!;
      check(/\S/.test(k.path) && /\S/.test(k.context), where, "kubeconfig", { path: k.path, context: k.context }, "needs a non-empty path and context");
      new KubernetesProvider(this, "kubernetes", { configPath: k.path, configContext: k.context });
      new HelmProvider(this, "helm", { kubernetes: { configPath: k.path, configContext: k.context } });
    }

    const egress: EgressRule[] = [
      // Instance metadata is never reachable from app pods (credentials come from Pod Identity).
      { name: "internet-https-smtp", cidr: "0.0.0.0/0", except: ["169.254.169.254/32", config.network.cidr], ports: [443, 587] },
    ];
    if (eks) egress.unshift({ name: "vpc-data-stores", cidr: config.network.cidr, ports: DATA_PORTS });
    this.namespaces = new K8sNamespaces(this, "namespaces", { appNamespace: p.appNamespace, egress });
    const ns = this.namespaces.names;

    // TLS at the origin: DNS-01 in the environment's zone (HTTP-01 cannot pass CloudFront
    // before the origin has a certificate), and a default certificate for the origin and
    // platform hostnames wherever it can be issued (DNS-01, or HTTP-01 to self-hosted nodes).
    const edge = config.edge;
    const hostnames = edge.subdomains.map((s) => `${s}.${config.domain}`);
    const dns01: Dns01Solver | undefined = edge.dns.provider === "cloudflare"
      ? { provider: "cloudflare", zone: config.domain, apiTokenSecret: CLOUDFLARE_TOKEN_SECRET }
      : eks && { provider: "route53", zone: config.domain, hostedZoneId: eks.dnsZoneId, region: eks.region };
    const defaultCertificate: DefaultCertificate | undefined = dns01 || edge.selfHostedNodes ? {
      namespace: ns["ingress-nginx"]!, secretName: "ingress-default-tls",
      dnsNames: edge.selfHostedNodes ? hostnames : [edge.originHostname, ...hostnames],
    } : undefined;

    this.observability = new Observability(this, "observability", {
      charts: p.charts,
      namespace: ns.observability,
      ...p.observability,
      lokiS3: eks ? { bucketName: eks.lokiBucketName, region: eks.region } : undefined,
      // Kubeconfig clusters have no AWS role to publish with: no receiver, and synth warns.
      alertsTopic: eks ? { topicArn: eks.alarmTopicArn, region: eks.region, environment: config.name } : undefined,
    });
    // Everything else ships ServiceMonitors, whose CRD the prometheus stack installs.
    const monitoring = [this.observability.prometheusStack];

    this.ingress = new Ingress(this, "ingress", {
      chart: p.charts.ingressNginx,
      namespace: ns["ingress-nginx"],
      ...p.ingress,
      defaultCertificateSecret: defaultCertificate?.secretName,
      aws: eks ? { clusterName: eks.clusterName, region: eks.region, vpcId: eks.vpcId, loadBalancerControllerChart: p.charts.awsLoadBalancerController } : undefined,
      dependsOn: monitoring,
    });

    this.certificates = new Certificates(this, "certificates", {
      chart: p.charts.certManager,
      rawChart: p.charts.raw,
      namespace: ns["cert-manager"],
      acmeEmail: p.acmeEmail,
      ingressClassName: this.ingress.ingressClassName,
      replicas: p.highAvailability ? 2 : 1,
      dns01,
      defaultCertificate,
      dependsOn: [...monitoring, this.ingress.release],
    });

    this.gitops = new GitOps(this, "gitops", {
      chart: p.charts.argoCd,
      appsChart: p.charts.argocdApps,
      source: p.gitops,
      appNamespace: ns.app!,
      namespace: ns.argocd,
      highAvailability: p.highAvailability,
      dependsOn: monitoring,
    });

    this.addons = new ClusterAddons(this, "addons", {
      metricsServerChart: eks || kubeconfig!.installMetricsServer ? p.charts.metricsServer : undefined,
      clusterAutoscaler: eks ? { chart: p.charts.clusterAutoscaler, clusterName: eks.clusterName, region: eks.region } : undefined,
      dependsOn: monitoring,
    });

    this.backups = new Backups(this, "backups", {
      chart: p.charts.velero,
      awsPluginTag: p.veleroAwsPluginTag,
      namespace: ns.velero,
      schedules: p.backupSchedules,
      storage: eks
        ? { kind: "aws", bucketName: eks.veleroBucketName, region: eks.region, kmsKeyArn: eks.backupKmsKeyArn }
        : { kind: "s3-compatible", ...kubeconfig!.backups },
      dependsOn: monitoring,
    });

    let efsFileSystemId = eks?.efsFileSystemId;
    if (eks && efsFileSystemId === undefined) {
      // Until the AWS stack's EFS id is wired through, find it by its creation token.
      efsFileSystemId = new DataAwsEfsFileSystem(this, "media-efs", {
        creationToken: new Naming(config.project, config.name).name("media"),
      }).fileSystemId;
    }
    this.media = new MediaStorage(this, "media", {
      namespace: ns.app!,
      efsFileSystemId,
      storageClassName: eks ? undefined : kubeconfig!.mediaStorageClass,
      sizeGi: p.mediaSizeGi,
    });

    // --- RBAC for humans, and the CloudFront origin's DNS name (platform2).
    this.rbac = new K8sRbac(this, "rbac", { appNamespace: ns.app! });
    if (eks && !edge.selfHostedNodes) {
      if (edge.dns.provider === "cloudflare") new CloudflareProvider(this, "cloudflare", {}); // token: CLOUDFLARE_API_TOKEN
      this.originDns = new OriginDns(this, "origin-dns", {
        hostname: edge.originHostname, domain: config.domain, zone: { provider: edge.dns.provider, zoneId: eks.dnsZoneId },
        target: this.ingress.loadBalancerHostname(), reservedHostnames: hostnames,
      });
    }
  }
}

/** Platform-wide config checks, before any resource is created. */
function validatePlatform(where: string, config: EnvironmentConfig): void {
  const p = config.platform;
  for (const key of Object.keys(p.charts) as (keyof typeof p.charts)[]) {
    checkChart(where, `platform.charts.${key}`, p.charts[key]);
  }
  checkGitOpsSource(where, p.gitops);
}
