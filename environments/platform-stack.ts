import { Construct } from "constructs";
import { Annotations, Fn, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsEfsFileSystem } from "@cdktf/provider-aws/lib/data-aws-efs-file-system";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Backups } from "learning-platform-infra/backups";
import { BlockStorage } from "learning-platform-infra/block-storage";
import { ExternalSecrets, SyncedSecret } from "learning-platform-infra/external-secrets";
import { ARGOCD_SSO_SECRET } from "learning-platform-infra/gitops";
import { GRAFANA_SSO_SECRET, OnCallReceiver } from "learning-platform-infra/observability";
import { checkOnCall, endpointKeys } from "learning-platform-infra/core/on-call";
import { checkSecretKeyRef } from "learning-platform-infra/core/sso";
import { CLOUDFLARE_TOKEN_SECRET, Certificates, DefaultCertificate, Dns01Solver } from "learning-platform-infra/certificates";
import { ClusterAddons } from "learning-platform-infra/cluster-addons";
import { checkChart } from "learning-platform-infra/core/helm";
import { Naming } from "learning-platform-infra/core/naming";
import { check } from "learning-platform-infra/core/validation";
import { GitOps, checkGitOpsSource } from "learning-platform-infra/gitops";
import { Ingress } from "learning-platform-infra/ingress";
import { PLATFORM_GATEWAY } from "learning-platform-infra/core/gateway";
import { EgressRule, K8sNamespaces } from "learning-platform-infra/k8s-namespaces";
import { K8sRbac } from "learning-platform-infra/k8s-rbac";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { MediaStorage } from "learning-platform-infra/media-storage";
import { Observability } from "learning-platform-infra/observability";
import { KubeconfigTargetConfig, ORIGIN_VERIFY_HEADER, StateConfig } from "./config";
import { PlatformEnvironment, requireEksFields } from "./platform-environment";
import { ServiceLevelObjectives } from "learning-platform-infra/slo";
import { configureState, defaultTags } from "./stack";
import { chartLifecycleWarning } from "./lifecycle";
import { lifecycleToday } from "learning-platform-infra/core/lifecycle";

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
  /** The cluster's volume KMS key: the default StorageClass encrypts every EBS volume with it. */
  readonly volumeKmsKeyArn: string;
  /** Where the app finds each data store, and how it authenticates (a service-managed secret, or IAM). */
  readonly dataStores: DataStoreEndpoints;
  /**
   * The origin NLB's target groups by port (AWS stack, modules/origin-lb) that the Gateway's
   * data plane is bound to.
   * @default undefined: no CloudFront origin on this cluster (self-hosted nodes)
   */
  readonly originTargetGroupArns?: Readonly<Record<number, string>>;
}

/** A password store's address and the ARN of its service-managed credential secret (JSON with `username` and `password`). */
export interface DataStoreEndpoint {
  readonly host: string;
  readonly port: number;
  readonly secretArn: string;
}

/** An IAM-authenticated store's address: the app signs with its Pod Identity role, no secret exists. */
export interface IamDataStoreEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface DataStoreEndpoints {
  /** RDS-managed master secret. */
  readonly mysql: DataStoreEndpoint;
  /** IAM user `iamUserId`; `cacheName` (the replication group id) is what the auth token is signed for. */
  readonly redis: IamDataStoreEndpoint & { readonly iamUserId: string; readonly cacheName: string };
  /** SigV4 (service `es`) with the app's role, the domain's FGAC master user. */
  readonly search: IamDataStoreEndpoint;
  /** DocumentDB-managed master secret. */
  readonly documentdb: DataStoreEndpoint;
  /** RDS-managed master secret (seed 004's PostgreSQL), when the environment has one. */
  readonly postgres?: DataStoreEndpoint;
  /** The broker's operator-created admin secret (seed 004's RabbitMQ, AMQPS), when the environment has one. */
  readonly rabbitmq?: DataStoreEndpoint;
}

/** Kubernetes Secret (observability namespace) with the on-call service's key for Alertmanager. */
export const ON_CALL_SECRET = { name: "alertmanager-on-call", key: "key" } as const;

/**
 * The Kubernetes Secrets the app reads its password stores from (app namespace): MySQL and
 * DocumentDB, whose passwords the services generate, keep in Secrets Manager and rotate.
 * Literal keys are addresses and TLS settings; the credential keys come from Secrets
 * Manager, re-read every 5 minutes (pods pick a rotated value up on restart; the old
 * password keeps working until rotation completes).
 */
export function dataStoreSecrets(namespace: string, stores: DataStoreEndpoints, region: string): SyncedSecret[] {
  const literal = (value: string | number) => ({ value: String(value) });
  const caBundle = literal(`https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`);
  return [
    {
      name: "mysql", namespace, remoteSecret: stores.mysql.secretArn, refreshInterval: "5m",
      data: {
        MYSQL_HOST: literal(stores.mysql.host), MYSQL_PORT: literal(stores.mysql.port),
        MYSQL_USERNAME: { field: "username" }, MYSQL_PASSWORD: { field: "password" },
        // RDS's CA is not in public trust stores: the app verifies against the regional bundle.
        MYSQL_SSL_MODE: literal("VERIFY_IDENTITY"),
        MYSQL_SSL_CA_URL: caBundle,
      },
    },
    {
      name: "mongodb", namespace, remoteSecret: stores.documentdb.secretArn, refreshInterval: "5m",
      data: {
        MONGODB_HOST: literal(stores.documentdb.host), MONGODB_PORT: literal(stores.documentdb.port),
        MONGODB_USERNAME: { field: "username" }, MONGODB_PASSWORD: { field: "password" },
        // DocumentDB: TLS with Amazon's CA, one replica set, no retryable writes.
        MONGODB_TLS: literal("true"), MONGODB_REPLICA_SET: literal("rs0"), MONGODB_RETRY_WRITES: literal("false"),
        MONGODB_TLS_CA_URL: caBundle,
      },
    },
    ...(stores.postgres ? [{
      name: "postgres", namespace, remoteSecret: stores.postgres.secretArn, refreshInterval: "5m",
      data: {
        POSTGRES_HOST: literal(stores.postgres.host), POSTGRES_PORT: literal(stores.postgres.port),
        POSTGRES_USERNAME: { field: "username" }, POSTGRES_PASSWORD: { field: "password" },
        // The server refuses non-TLS (rds.force_ssl); clients verify the host against RDS's bundle.
        POSTGRES_SSLMODE: literal("verify-full"), POSTGRES_SSL_CA_URL: caBundle,
      },
    }] : []),
    ...(stores.rabbitmq ? [{
      name: "rabbitmq", namespace, remoteSecret: stores.rabbitmq.secretArn, refreshInterval: "5m",
      data: {
        // AMQPS only; Amazon MQ's certificate is publicly trusted, so no CA bundle is needed.
        RABBITMQ_HOST: literal(stores.rabbitmq.host), RABBITMQ_PORT: literal(stores.rabbitmq.port), RABBITMQ_TLS: literal("true"),
        RABBITMQ_USERNAME: { field: "username" }, RABBITMQ_PASSWORD: { field: "password" },
      },
    }] : []),
  ];
}

/**
 * The connection settings of the IAM-authenticated stores (app namespace), as ConfigMaps:
 * nothing in them is secret. The app signs with its Pod Identity role: an ElastiCache IAM
 * auth token (user `REDIS_USERNAME`, cache `REDIS_IAM_CACHE_NAME`) per Redis connection, and
 * SigV4 (service `es`) per OpenSearch request (README, data access).
 */
export function iamDataStoreSettings(stores: DataStoreEndpoints, region: string): Record<"redis" | "search", Record<string, string>> {
  return {
    redis: {
      REDIS_HOST: stores.redis.host, REDIS_PORT: String(stores.redis.port), REDIS_TLS: "true",
      REDIS_AUTH: "iam", REDIS_USERNAME: stores.redis.iamUserId, REDIS_IAM_CACHE_NAME: stores.redis.cacheName, REDIS_IAM_REGION: region,
    },
    search: {
      SEARCH_URL: `https://${stores.search.host}:${stores.search.port}`,
      SEARCH_AUTH: "aws-sigv4", SEARCH_SIGV4_SERVICE: "es", SEARCH_SIGV4_REGION: region,
    },
  };
}

/** NetworkPolicy egress ports of the app namespace towards the VPC: each data store's own port. */
export function dataStorePorts(stores: DataStoreEndpoints): number[] {
  const present = Object.values(stores).filter((s): s is IamDataStoreEndpoint => s !== undefined);
  return [...new Set(present.map((s) => s.port))].sort((a, b) => a - b);
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
  public readonly config: PlatformEnvironment;
  public readonly mode: "eks" | "kubeconfig";
  public readonly namespaces: K8sNamespaces;
  public readonly observability: Observability;
  /** Service-level objectives (when `platform.slos` is set). */
  public readonly slos?: ServiceLevelObjectives;
  public readonly ingress: Ingress;
  public readonly certificates: Certificates;
  public readonly gitops: GitOps;
  public readonly addons: ClusterAddons;
  /** Velero (EKS; kubeconfig clusters when `kubeconfig.backups` is set). */
  public readonly backups?: Backups;
  public readonly media: MediaStorage;
  /** Who may read the cluster and who may change the app namespace (Kubernetes RBAC). */
  public readonly rbac: K8sRbac;
  /** The default encrypted gp3 StorageClass (EKS mode). */
  public readonly blockStorage?: BlockStorage;
  /** External Secrets: data-store, SSO, on-call and repository credentials (EKS mode). */
  public readonly externalSecrets?: ExternalSecrets;

  constructor(scope: Construct, config: PlatformEnvironment, props: PlatformStackProps) {
    const where = `PlatformStack ${config.name}-platform`;
    check((props.eks === undefined) !== (props.kubeconfig === undefined), where, "eks/kubeconfig",
      { eks: props.eks ? "set" : undefined, kubeconfig: props.kubeconfig ? "set" : undefined },
      "exactly one target is required: eks (the environment's EKS cluster) or kubeconfig (an existing cluster), not both and not neither");
    validatePlatform(where, config);
    // An EKS target needs what only an AWS environment has (its VPC range, cluster version, AWS charts).
    const aws = props.eks ? requireEksFields(where, config) : undefined;
    super(scope, `${config.name}-platform`);
    this.config = config;
    configureState(this, props.state ?? config.state);
    const p = config.platform;
    const { eks, kubeconfig } = props;
    this.mode = eks ? "eks" : "kubeconfig";
    // Charts whose support ends within 180 days (or has ended) say so at every synth.
    const today = lifecycleToday();
    for (const [key, chart] of Object.entries(p.charts)) {
      const warning = chartLifecycleWarning(chart, today);
      if (warning) Annotations.of(this).addWarning(`${where}: platform.charts.${key}: ${warning}`);
    }

    let cluster: DataAwsEksCluster | undefined;
    if (eks) {
      new AwsProvider(this, "aws", { region: eks.region, defaultTags: [{ tags: defaultTags(config) }] });
      cluster = new DataAwsEksCluster(this, "cluster", { name: eks.clusterName });
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
      { name: "internet-https-smtp", cidr: "0.0.0.0/0", except: ["169.254.169.254/32", ...(aws ? [aws.network.cidr] : kubeconfig!.apiServerCidrs)], ports: [443, 587] },
    ];
    // Towards the VPC only the data stores' ports, as the stores declare them (no hand-kept list).
    if (eks) egress.unshift({ name: "vpc-data-stores", cidr: aws!.network.cidr, ports: dataStorePorts(eks.dataStores) });
    // Pods reach the API server at the cluster endpoint's private IPs in the VPC, but the VPC
    // CNI evaluates egress before the `kubernetes.default` ClusterIP is translated, so that
    // address (the service CIDR's first host) is allowed as well.
    const apiServer = cluster
      ? { cidrs: [aws!.network.cidr, `${Fn.cidrhost(cluster.kubernetesNetworkConfig.get(0).serviceIpv4Cidr, 1)}/32`], ports: [443] }
      : { cidrs: kubeconfig!.apiServerCidrs, ports: [6443] };
    this.namespaces = new K8sNamespaces(this, "namespaces", {
      appNamespace: p.appNamespace,
      appPorts: p.app.ports,
      appResources: p.app.resources,
      egress,
      apiServer,
      webhookSourceCidrs: aws ? [aws.network.cidr] : kubeconfig!.apiServerCidrs,
      nodeCidrs: aws ? [aws.network.cidr] : kubeconfig!.apiServerCidrs,
      podIdentityAgent: !!eks,
    });
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
      namespace: ns["nginx-gateway"]!, secretName: "ingress-default-tls",
      dnsNames: edge.selfHostedNodes || !edge.originHostname ? hostnames : [edge.originHostname, ...hostnames],
    } : undefined;

    // Storage first: every chart below that claims a volume names this class.
    if (eks) this.blockStorage = new BlockStorage(this, "block-storage", { kmsKeyArn: eks.volumeKmsKeyArn, reclaimPolicy: aws!.deletionProtection ? "Retain" : "Delete" });
    const storageClassName = eks ? this.blockStorage!.storageClassName : kubeconfig!.volumeStorageClass;

    // Credentials before the charts that mount them (Grafana's SSO secret, Alertmanager's
    // on-call key). On EKS External Secrets syncs them from Secrets Manager; on a kubeconfig
    // cluster the operators create the same Secrets by hand.
    const endpoint = config.onCall?.endpoint;
    const sso = p.sso ?? {};
    if (eks) {
      const secrets: SyncedSecret[] = [...dataStoreSecrets(ns.app!, eks.dataStores, eks.region)];
      for (const [name, data] of Object.entries(iamDataStoreSettings(eks.dataStores, eks.region))) {
        new ConfigMapV1(this, `data-store-${name}`, { metadata: { name, namespace: ns.app! }, data });
      }
      if (endpoint) {
        secrets.push({ name: ON_CALL_SECRET.name, namespace: ns.observability!, remoteSecret: endpoint.secretName, data: { [ON_CALL_SECRET.key]: { field: endpointKeys(endpoint).key.key } } });
      }
      if (sso.grafana) {
        secrets.push({ name: GRAFANA_SSO_SECRET.name, namespace: ns.observability!, remoteSecret: sso.grafana.clientSecret.secretName, data: { [GRAFANA_SSO_SECRET.key]: { field: sso.grafana.clientSecret.key } } });
      }
      if (sso.argocd) {
        // Argo CD resolves `$argocd-sso:clientSecret` only in Secrets labelled as its own.
        secrets.push({
          name: ARGOCD_SSO_SECRET.name, namespace: ns.argocd!, remoteSecret: sso.argocd.clientSecret.secretName,
          labels: { "app.kubernetes.io/part-of": "argocd" }, data: { [ARGOCD_SSO_SECRET.key]: { field: sso.argocd.clientSecret.key } },
        });
      }
      const repo = p.gitops.credentials;
      if (repo) {
        // A repository Secret: Argo CD matches it to the Application's repoURL.
        const ssh = !p.gitops.repoUrl.startsWith("https://");
        secrets.push({
          name: "gitops-repository", namespace: ns.argocd!, remoteSecret: repo.secretName,
          labels: { "argocd.argoproj.io/secret-type": "repository" },
          data: ssh
            ? { type: { value: "git" }, url: { value: p.gitops.repoUrl }, sshPrivateKey: { field: repo.key } }
            : { type: { value: "git" }, url: { value: p.gitops.repoUrl }, username: { field: "username" }, password: { field: repo.key } },
        });
      }
      this.externalSecrets = new ExternalSecrets(this, "external-secrets", {
        chart: aws!.platform.charts.externalSecrets,
        rawChart: p.charts.raw,
        namespace: ns["external-secrets"],
        region: eks.region,
        replicas: p.highAvailability ? 2 : 1,
        allowedNamespaces: [ns.app!, ns.argocd!, ns.observability!],
        secrets,
      });
    }
    const credentials = this.externalSecrets ? [this.externalSecrets.config] : [];
    const onCall: OnCallReceiver | undefined = endpoint && { kind: endpoint.kind, secret: ON_CALL_SECRET };

    // SLOs: rules and Alloy stages go into the observability releases, the dashboard next to Grafana.
    this.slos = p.slos && new ServiceLevelObjectives(this, "slos", {
      domain: config.domain, config: p.slos, prometheusRetentionDays: p.observability.prometheusRetentionDays, namespace: ns.observability!,
    });
    this.observability = new Observability(this, "observability", {
      slos: this.slos,
      charts: p.charts,
      namespace: ns.observability,
      ...p.observability,
      storageClassName,
      lokiS3: eks ? { bucketName: eks.lokiBucketName, region: eks.region } : undefined,
      // Kubeconfig clusters have no AWS role to publish with: the on-call receiver only.
      alertsTopic: eks ? { topicArn: eks.alarmTopicArn, region: eks.region, environment: config.name } : undefined,
      onCall,
      grafanaSso: sso.grafana,
      dependsOn: credentials,
    });
    // Everything else ships ServiceMonitors, whose CRD the prometheus stack installs.
    const monitoring = [this.observability.prometheusStack];

    // A public origin: the Gateway requires CloudFront's secret header, read here at plan time
    // (so the value is in this stack's state and in the Gateway release's values, like the
    // AWS stack's copy): AWSCURRENT, and AWSPREVIOUS while a rotation is under way.
    const origin = edge.origin;
    const originVerify = eks?.originTargetGroupArns && origin?.kind === "public" ? {
      headerName: ORIGIN_VERIFY_HEADER,
      values: (origin.acceptPreviousHeader ? ["AWSCURRENT", "AWSPREVIOUS"] : ["AWSCURRENT"]).map((stage) =>
        new DataAwsSecretsmanagerSecretVersion(this, `origin-verify-${stage.toLowerCase()}`, { secretId: origin.verifyHeaderSecretName, versionStage: stage }).secretString),
    } : undefined;
    this.ingress = new Ingress(this, "ingress", {
      chart: p.charts.nginxGatewayFabric,
      rawChart: p.charts.raw,
      namespace: ns["nginx-gateway"],
      appNamespace: ns.app!,
      ...p.ingress,
      defaultCertificateSecret: defaultCertificate?.secretName,
      aws: eks ? {
        clusterName: eks.clusterName, region: eks.region, vpcId: eks.vpcId, vpcCidr: aws!.network.cidr,
        loadBalancerControllerChart: aws!.platform.charts.awsLoadBalancerController,
        targetGroupArns: eks.originTargetGroupArns ?? {},
        originVerify,
      } : undefined,
      dependsOn: monitoring,
    });

    this.certificates = new Certificates(this, "certificates", {
      chart: p.charts.certManager,
      rawChart: p.charts.raw,
      namespace: ns["cert-manager"],
      acmeEmail: p.acmeEmail,
      gateway: { name: this.ingress.gatewayName, namespace: this.ingress.namespace, sectionName: PLATFORM_GATEWAY.listeners.http },
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
      sso: sso.argocd,
      dependsOn: [...monitoring, ...credentials],
    });

    this.addons = new ClusterAddons(this, "addons", {
      metricsServerChart: eks || kubeconfig!.installMetricsServer ? p.charts.metricsServer : undefined,
      clusterAutoscaler: eks ? { chart: aws!.platform.charts.clusterAutoscaler, clusterName: eks.clusterName, region: eks.region, kubernetesVersion: aws!.cluster.kubernetesVersion } : undefined,
      dependsOn: monitoring,
    });

    // Velero: always on EKS; on a kubeconfig cluster only with an S3-compatible target (a
    // self-hosted environment backs its data up with node backups instead).
    const velero = eks
      ? { kind: "aws" as const, bucketName: eks.veleroBucketName, region: eks.region, kmsKeyArn: eks.backupKmsKeyArn }
      : kubeconfig!.backups && { kind: "s3-compatible" as const, ...kubeconfig!.backups };
    if (velero) {
      check(p.charts.velero !== undefined && p.veleroAwsPluginTag !== undefined, where, "platform.charts.velero", p.charts.velero,
        "must be set, with platform.veleroAwsPluginTag, when Velero is installed (EKS, or kubeconfig.backups)");
      this.backups = new Backups(this, "backups", {
        chart: p.charts.velero, awsPluginTag: p.veleroAwsPluginTag!, namespace: ns.velero,
        schedules: p.backupSchedules ?? [], storage: velero, dependsOn: monitoring,
      });
    }

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

    // --- RBAC for humans. (The CloudFront origin's DNS name is the AWS stack's, with its NLB.)
    this.rbac = new K8sRbac(this, "rbac", { appNamespace: ns.app! });
  }
}

/** Platform-wide config checks, before any resource is created. */
function validatePlatform(where: string, config: PlatformEnvironment): void {
  const p = config.platform;
  for (const [key, chart] of Object.entries(p.charts)) {
    checkChart(where, `platform.charts.${key}`, chart);
  }
  checkGitOpsSource(where, p.gitops);
  if (p.gitops.credentials) checkSecretKeyRef(where, "platform.gitops.credentials", p.gitops.credentials);
  if (config.onCall) checkOnCall(where, "onCall", config.onCall);
}
