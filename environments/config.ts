import type { NatGatewayMode } from "learning-platform-infra/vpc";
import type { BucketSpec } from "learning-platform-infra/s3-buckets";
import type { RdsMysqlSettings } from "learning-platform-infra/rds-mysql";
import type { ElastiCacheSettings } from "learning-platform-infra/elasticache";
import type { ElasticsearchSettings } from "learning-platform-infra/elasticsearch";
import type { DocumentDbSettings } from "learning-platform-infra/documentdb";
import type { DnsZoneConfig } from "learning-platform-infra/dns";
import type { MigrationConfig } from "./migration";
import type { RdsPostgresSettings } from "learning-platform-infra/rds-postgres";
import type { RabbitMqSettings } from "learning-platform-infra/amazon-mq";
import type { OriginProtocol, PriceClass } from "learning-platform-infra/cloudfront";
import type { DirectOriginAccess } from "learning-platform-infra/origin-lb";
import type { AddonVersions, NodeGroupSpec, UpgradeSupportType } from "learning-platform-infra/eks-cluster";
import type { AccessPointSpec } from "learning-platform-infra/efs";
import type { ChartRef } from "learning-platform-infra/core/helm";
import type { GitOpsSource, GitOpsSso } from "learning-platform-infra/gitops";
import type { GrafanaSso } from "learning-platform-infra/observability";
import type { OnCallTarget } from "learning-platform-infra/core/on-call";
import type { AppResources } from "learning-platform-infra/k8s-namespaces";
import type { BackupSchedule } from "learning-platform-infra/backups";
import type { AwsBackupSettings } from "learning-platform-infra/aws-backup";
import type { SloConfig } from "learning-platform-infra/slo";
import type { ExtendedSupport } from "learning-platform-infra/core/lifecycle";

/**
 * What an environment's protection decides (environments/validate.ts holds each tier's rules):
 * - `production`: Multi-AZ everywhere (stores and NAT per AZ), deletion protection, no
 *   forceDestroy, 30+ days of database backups, media backups, https-only origin, 365+ days of
 *   logs, and the lifecycle gate (no version past end of standard support without a reason);
 * - `standard`: environments that matter but are not production (pre-release stages): deletion
 *   protection, no forceDestroy, the lifecycle gate, and synth warns without an on-call target;
 * - `disposable`: throwaway environments (sandboxes): anything the modules accept.
 * No code compares environment names: a fourth environment picks its tier here.
 */
export const PROTECTION_TIERS = ["production", "standard", "disposable"] as const;
export type ProtectionTier = (typeof PROTECTION_TIERS)[number];

/** Where a stack keeps its Terraform state. */
export type StateConfig =
  | {
      readonly backend: "s3";
      /** State bucket (created by the `bootstrap` stack). */
      readonly bucket: string;
      /** Keys are `<keyPrefix>/<stack>.tfstate`. */
      readonly keyPrefix: string;
      /** Region of the state bucket. */
      readonly region: string;
    }
  | { readonly backend: "local" };

/**
 * How CloudFront reaches the ingress NLB (which the AWS stack creates on EKS).
 * - `vpc-origin` (default): an internal NLB in the private subnets, a CloudFront VPC origin; its
 *   security group admits CloudFront's origin-facing prefix list, or, once CloudFront has created
 *   it in the VPC, the service-managed `CloudFront-VPCOrigins-Service-SG` (`cloudFrontSecurityGroupId`).
 * - `public`: an internet-facing NLB admitting CloudFront's origin-facing prefix list only, and
 *   a secret header from Secrets Manager that CloudFront adds and the Gateway requires on every
 *   listener (any CloudFront distribution shares the prefix list). For where a VPC origin cannot
 *   be used (a region or account without VPC origins); say why in `reason`.
 */
export type EdgeOriginConfig =
  | { readonly kind: "vpc-origin"; readonly cloudFrontSecurityGroupId?: string }
  | {
      readonly kind: "public";
      /** Secrets Manager secret (name) whose SecretString is the header value (letters and digits only). */
      readonly verifyHeaderSecretName: string;
      /** Why a VPC origin cannot be used; printed in the synth warning. */
      readonly reason: string;
      /**
       * During a rotation, the Gateway also accepts the secret's AWSPREVIOUS value (README: rotating the origin header).
       * @default false
       */
      readonly acceptPreviousHeader?: boolean;
    };

/** The origin-verify header CloudFront sends to a public origin. */
export const ORIGIN_VERIFY_HEADER = "x-origin-verify";

/** The edge: DNS, CloudFront + WAF in front of the ingress NLB, migration weights (issue 6). */
export interface EdgeConfig {
  /** Names served under `domain` (seed 000: lms, studio, apps.lms). */
  readonly subdomains: readonly string[];
  /** Where the zone is hosted: a Route53 zone (new or existing id) or a Cloudflare zone id. */
  readonly dns: DnsZoneConfig;
  /**
   * DNS name of the ingress NLB that CloudFront forwards to (seed 000: NLB in front of NGINX,
   * the Gateway's data plane). On EKS the AWS stack creates the NLB and publishes this name.
   */
  readonly originHostname: string;
  /** `https-only` (TLS 1.2) unless the origin cannot serve TLS yet; `http-only` warns at synth and is refused by the production tier. */
  readonly originProtocol: OriginProtocol;
  /**
   * How CloudFront reaches the origin NLB.
   * @default { kind: "vpc-origin" }: an internal NLB nothing but CloudFront can reach
   */
  readonly origin?: EdgeOriginConfig;
  /**
   * Seed 000's "direct validation path": CIDRs that reach the origin NLB without CloudFront,
   * so without the WAF, rate limiting or Shield. Off unless set; warns at every synth.
   * @default undefined
   */
  readonly directAccess?: DirectOriginAccess;
  /**
   * S3 static offload: `/static/*` from the `static` bucket (OAC) instead of the origin, with
   * the IAM roles that publish the built assets (README: publishing static assets).
   * @default undefined: the LMS/CMS serve `/static/*` and CloudFront caches it for long
   */
  readonly staticOffload?: { readonly publisherRoleArns: readonly string[] };
  /**
   * `/media/*` from the `media` bucket (OAC) instead of the origin; `browserUploads` adds CORS
   * for presigned uploads from the platform hostnames.
   * @default undefined: `/media/*` from the origin
   */
  readonly mediaFromBucket?: { readonly browserUploads?: boolean };
  readonly priceClass: PriceClass;
  readonly waf: {
    /** Requests per client IP per 5 minutes before WAF blocks it. */
    readonly rateLimit: number;
    /** Rules of AWSManagedRulesCommonRuleSet counted instead of blocking (e.g. SizeRestrictions_BODY for Studio uploads). */
    readonly countOnlyRules: readonly string[];
  };
  /**
   * Seed 003: IPv6 addresses of self-hosted nodes. When set, the hostnames resolve to the
   * nodes round-robin (one AAAA per node) and no CloudFront or WAF is created.
   */
  readonly selfHostedNodes?: readonly string[];
  /**
   * Shield Advanced protections on the CloudFront distribution and the origin NLB (DDoS response
   * team, cost protection, L7 mitigation). The account must subscribe first: bootstrap
   * `security.shieldAdvanced` (the bootstrap stack refuses this flag without it).
   * @default false: Shield Standard only
   */
  readonly shieldAdvanced?: boolean;
  /**
   * Seed 002's EC2 → EKS migration: CloudFront's origin becomes a weighted ALB that splits
   * requests between the legacy Auto Scaling group and the EKS ingress by the phase in effect
   * (README, "Migration"). Needs the EKS origin NLB as a VPC origin.
   * @default undefined: no migration (CloudFront → origin NLB)
   */
  readonly migration?: MigrationConfig;
}

export interface NetworkConfig {
  readonly cidr: string;
  readonly azs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly databaseSubnetCidrs: readonly string[];
  /** `per-az` for resilience to an AZ outage, `single` to save cost. */
  readonly natGateways: NatGatewayMode;
}

/** The EKS cluster (its name is `clusterName`, which the VPC also tags subnets with). */
export interface ClusterConfig {
  /** Kubernetes minor version, e.g. "1.36" (an EKS version in modules/core/lifecycle.ts). */
  readonly kubernetesVersion: string;
  /**
   * Accept paid EKS extended support for a `kubernetesVersion` past its end of standard support,
   * with the reason (needs `upgradeSupportType: "EXTENDED"`). `production` and `standard` environments refuse such a version otherwise.
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /** End of standard support: `STANDARD` auto-upgrades, `EXTENDED` pays to stay. */
  readonly upgradeSupportType: UpgradeSupportType;
  /** Serve the API publicly too (private access is always on), limited to `publicAccessCidrs`. */
  readonly endpointPublicAccess: boolean;
  /** Operator VPN / CI egress CIDRs allowed to the public endpoint; never 0.0.0.0/0. */
  readonly publicAccessCidrs: readonly string[];
  /** IAM roles (ARNs or names in the environment's account) given cluster-admin; at least one. */
  readonly adminRoles: readonly string[];
  /** IAM roles with read-only access cluster-wide (Kubernetes `view`, no Secrets); may be empty. */
  readonly viewerRoles: readonly string[];
  /** IAM roles with `edit` in the app namespace only; may be empty (production deploys through Argo CD alone). */
  readonly developerRoles: readonly string[];
  /** Managed node groups by name. */
  readonly nodeGroups: Readonly<Record<string, NodeGroupSpec>>;
  /**
   * EKS add-on versions to pin, built for `kubernetesVersion`; the others take the most recent
   * version EKS offers for it, resolved at plan time.
   * @default {} (all resolved at plan time)
   */
  readonly addonVersions?: AddonVersions;
}

/** Shared media storage (EFS) mounted by the platform's pods. */
export interface MediaStorageConfig {
  /** Daily AWS Backup of the file system. */
  readonly backups: boolean;
  /** Access points by name (`media` -> `/openedx/media`). */
  readonly accessPoints: Readonly<Record<string, AccessPointSpec>>;
}

/**
 * The data layer's sizes, retention and alarm thresholds, per store. Multi-AZ, deletion
 * protection and log retention come from the environment-wide keys.
 */
export interface DataConfig {
  /** Open edX's relational database (RDS for MySQL). */
  readonly mysql: RdsMysqlSettings;
  /** Cache and Celery broker (ElastiCache, Valkey/Redis). */
  readonly redis: ElastiCacheSettings;
  /** Course search (OpenSearch Service, OpenSearch 2.19 engine by default). */
  readonly search: ElasticsearchSettings;
  /** Course modulestore (DocumentDB, MongoDB-compatible). */
  readonly documentdb: DocumentDbSettings;
  /**
   * Seed 004's relational store for its services (RDS for PostgreSQL, same guarantees as MySQL).
   * @default undefined: none
   */
  readonly postgres?: RdsPostgresSettings;
  /**
   * Seed 004's message broker (Amazon MQ for RabbitMQ): a three-node cluster where `multiAz`
   * (the production tier), a single instance elsewhere.
   * @default undefined: none
   */
  readonly rabbitmq?: RabbitMqSettings;
}

/**
 * Everything that differs between environments. One stack class turns this into
 * infrastructure, so environments differ only in data.
 */
export interface EnvironmentConfig {
  /**
   * An environment whose AWS stack builds the cluster (a self-hosted one says `"self-hosted"`,
   * environments/selfhosted-config.ts).
   * @default "aws"
   */
  readonly kind?: "aws";
  /** The environment's name: its stack names (`<name>`, `<name>-platform`), its key in the registry (environments/registry.ts). */
  readonly name: string;
  /** Which invariants hold (PROTECTION_TIERS): `production`, `standard` or `disposable`. */
  readonly protection: ProtectionTier;
  /** Short project slug that prefixes every physical name. */
  readonly project: string;
  readonly region: string;
  /** Team that owns the environment (Owner tag). */
  readonly owner: string;
  /** Cost allocation (CostCenter tag). */
  readonly costCenter: string;
  /** Apex domain; the platform serves lms., studio. and apps.lms. under it. */
  readonly domain: string;
  readonly state: StateConfig;
  /** EKS cluster name (seed 000: `openedx-eks` in production); subnets are tagged for it. */
  readonly clusterName: string;
  /** Spread stateful services over AZs (needs at least 2 AZs). */
  readonly multiAz: boolean;
  /** Deletion protection and final snapshots on stateful services. */
  readonly deletionProtection: boolean;
  /** Allow `destroy` to delete non-empty buckets (throwaway environments only). */
  readonly forceDestroy: boolean;
  /** Retention of CloudWatch log groups (flow logs, control-plane logs, ...). */
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
  /** Named buckets besides the logs bucket. */
  readonly buckets: Readonly<Record<string, BucketSpec>>;
  /** Data stores: sizes, backup retention and alarm thresholds (production: seed 002's sizes). */
  readonly data: DataConfig;
  /** DNS, certificates, CloudFront and WAF in front of the platform hostnames. */
  readonly edge: EdgeConfig;
  readonly cluster: ClusterConfig;
  readonly mediaStorage: MediaStorageConfig;
  /**
   * AWS Backup of MySQL, DocumentDB and the media file system: daily and monthly recovery points,
   * an optional copy in a second region, Vault Lock. Required (with Vault Lock and seed 004's
   * retention) by the production tier.
   * @default none: the stores' own automated backups only
   */
  readonly awsBackup?: AwsBackupSettings;
  /**
   * Who is paged: e-mail addresses and/or an HTTPS endpoint (PagerDuty, Opsgenie, webhook)
   * named by its Secrets Manager secret. They subscribe to the alarm topic (CloudWatch alarms
   * and Alertmanager) and Alertmanager pages critical alerts through the endpoint directly.
   * Synth warns when a `production` or `standard` environment has none.
   * @default none: alerts go to the topic and nobody is subscribed
   */
  readonly onCall?: OnCallTarget;
  /** Kubernetes platform on the cluster (the `<env>-platform` stack). */
  readonly platform: PlatformConfig;
}

/** Every chart the platform stack installs, each pinned to one released version. */
export interface PlatformCharts {
  /**
   * NGINX Gateway Fabric (Gateway API controller; NGINX data plane), which replaced the retired
   * ingress-nginx. An OCI chart: `oci://ghcr.io/nginx/charts`.
   */
  readonly nginxGatewayFabric: ChartRef;
  readonly awsLoadBalancerController: ChartRef;
  readonly certManager: ChartRef;
  /** Generic chart that applies custom resources (ClusterIssuers) after their CRDs exist. */
  readonly raw: ChartRef;
  readonly argoCd: ChartRef;
  readonly argocdApps: ChartRef;
  readonly kubePrometheusStack: ChartRef;
  readonly loki: ChartRef;
  readonly alloy: ChartRef;
  readonly metricsServer: ChartRef;
  readonly clusterAutoscaler: ChartRef;
  readonly velero: ChartRef;
  /** External Secrets Operator: Secrets Manager credentials into Kubernetes Secrets. */
  readonly externalSecrets: ChartRef;
}

/**
 * Target an existing cluster through a kubeconfig instead of the environment's EKS cluster
 * (seed 003's self-hosted k3s). Nothing AWS-specific is installed in this mode.
 */
export interface KubeconfigTargetConfig {
  readonly path: string;
  readonly context: string;
  /** Existing ReadWriteMany storage class for the media claim. */
  readonly mediaStorageClass: string;
  /** Existing ReadWriteOnce storage class for the platform's own volumes (Prometheus, Alertmanager, Loki), e.g. k3s's `local-path`. */
  readonly volumeStorageClass: string;
  /**
   * Where pods reach the API server and where its webhook calls come from: the nodes' subnet(s)
   * and, on k3s, the pod CIDR (10.42.0.0/16), which node-to-pod traffic is sourced from.
   */
  readonly apiServerCidrs: readonly string[];
  /** Install metrics-server (k3s bundles one: leave false there). */
  readonly installMetricsServer: boolean;
  /**
   * S3-compatible Velero target; credentials in an existing Secret in the velero namespace.
   * @default undefined: no Velero (a self-hosted environment's node backups hold its data)
   */
  readonly backups?: { readonly bucketName: string; readonly region: string; readonly s3Url: string; readonly credentialsSecret: string };
}

/** The Open edX workloads the platform serves (deployed by Argo CD from the GitOps repository). */
export interface AppConfig {
  /** Service account the app's pods run as; its Pod Identity role reaches the media bucket (and SES). */
  readonly serviceAccount: string;
  /** Container ports the ingress controller may reach (LMS/CMS 8000, MFE 8002). */
  readonly ports: readonly number[];
  /**
   * SES identities (domains or addresses) the app sends mail as.
   * @default [] (no SES access)
   */
  readonly sesIdentities?: readonly string[];
  /**
   * Per-service sizing (seed 001: resource limits per service), the namespace's ResourceQuota
   * (checked at synth to hold every service at its maximum replicas) and LimitRange defaults.
   * @default DEFAULT_APP_RESOURCES (modules/k8s-namespaces)
   */
  readonly resources?: AppResources;
}

/** The `<env>-platform` stack: Kubernetes and Helm on the cluster. */
export interface PlatformConfig {
  /** Namespace of the Open edX workloads (`openedx-prod` in production, `openedx-<env>` elsewhere). */
  readonly appNamespace: string;
  /** Repository, path and revision of the app-of-apps root Argo CD syncs. */
  readonly gitops: GitOpsSource;
  /** NGINX data-plane replicas of the platform Gateway and their PodDisruptionBudget minAvailable. */
  readonly ingress: { readonly replicas: number; readonly minAvailable: number };
  /** Let's Encrypt account e-mail. */
  readonly acmeEmail: string;
  readonly charts: PlatformCharts;
  /** Tag of the Velero AWS plugin image, matched to `charts.velero`. */
  readonly veleroAwsPluginTag: string;
  readonly observability: {
    readonly prometheusReplicas: number;
    readonly prometheusRetentionDays: number;
    readonly prometheusStorageGi: number;
    readonly alertmanagerReplicas: number;
    readonly lokiReplicas: number;
    readonly lokiRetentionDays: number;
  };
  /**
   * Service-level objectives over the Gateway's requests, with burn-rate alerts and an error-budget
   * dashboard (modules/slo); `windowDays` must fit in `observability.prometheusRetentionDays`.
   * @default none
   */
  readonly slos?: SloConfig;
  /** Velero schedules (seed 001: every 6 h; seed 003: daily/weekly/monthly generations). */
  readonly backupSchedules: readonly BackupSchedule[];
  /** Redundant Argo CD, cert-manager and add-on replicas. */
  readonly highAvailability: boolean;
  /** Size of the media claim in GiB. */
  readonly mediaSizeGi: number;
  /** The Open edX workloads: their service account, ports and AWS access. */
  readonly app: AppConfig;
  /**
   * Single sign-on for the Argo CD and Grafana UIs (OIDC clients; secrets in Secrets Manager).
   * @default none: neither UI has a login (reach them with `kubectl port-forward`)
   */
  readonly sso?: { readonly argocd?: GitOpsSso; readonly grafana?: GrafanaSso };
  /** When set, the platform stack targets this cluster instead of EKS. */
  readonly kubeconfig?: KubeconfigTargetConfig;
}
