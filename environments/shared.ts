import type { SloSpec } from "learning-platform-infra/slo";
import type { ClusterConfig, EdgeConfig, EnvironmentConfig, PlatformCharts, PlatformConfig, StateConfig } from "./config";
import { site, stateBucketName, validateSite } from "./site";

// The site's shape is checked before any environment derives from it.
validateSite(site);
import type { LegacyServiceSettings } from "learning-platform-infra/auto-scaling";
import { SEED_002_PHASES } from "learning-platform-infra/load-balancer";
import type { MigrationConfig } from "./migration";

/**
 * What every environment shares. Environment files spread this and state only what
 * differs, so a change here reaches all three.
 */
export const shared = {
  project: "openedx",
  region: "us-east-1",
  owner: "platform-sre",
  costCenter: "learning-platform",
  buckets: {
    static: {},
    media: {},
    backups: { purpose: "backup" },
  },
} as const satisfies Partial<EnvironmentConfig>;

/**
 * Edge settings every environment starts from: seed 000's hostnames, HTTPS to the origin,
 * and the WAF common rule set's 8 KB body limit counted rather than blocking, because Studio
 * uploads course archives and saves large XBlock bodies through it.
 */
export function edgeDefaults(domain: string) {
  return {
    subdomains: ["lms", "studio", "apps.lms"],
    originHostname: `ingress.${domain}`,
    originProtocol: "https-only",
    waf: { rateLimit: 2000, countOnlyRules: ["SizeRestrictions_BODY"] },
  } as const satisfies Partial<EdgeConfig>;
}

/**
 * Seed 002's EC2 → EKS migration at `phase` (one of SEED_002_PHASES: eks-10, eks-50, eks-90,
 * eks-100): CloudFront → weighted ALB → legacy ASG / EKS ingress. Moving on (or back) is `phase`.
 */
export function migrationDefaults(domain: string, phase: string, legacy: LegacyServiceSettings): MigrationConfig {
  return { originHostname: `migration.${domain}`, phases: SEED_002_PHASES, phase, legacy };
}

/**
 * The in-VPC CI runner of the platform stacks (`modules/ci-runner`): the repository whose
 * workflow jobs it runs (the bootstrap's `github`, a test keeps them equal) and the account's
 * CodeConnections connection to GitHub, which the bootstrap stack creates.
 */
export const ciRunner = {
  repository: site.infraRepository,
  connectionName: "openedx-github",
} as const;

/**
 * S3 state in the bucket the `bootstrap` stack creates, one key per stack, with S3 native locking.
 * The bucket's name carries the account id (or the site's suffix): S3 names are global.
 */
export const s3State: StateConfig = {
  backend: "s3",
  bucket: stateBucketName(shared.project),
  keyPrefix: "learning-platform",
  region: "us-east-1",
};

/**
 * The address layout inside a /16, one subnet per AZ: seed 001's public x.y.0-2.0/24 and a
 * database tier at x.y.200-202.0/24 — but the private tier as /20s at x.y.64.0, x.y.80.0,
 * x.y.96.0 (each contains seed 001's x.y.100-102.0/24 numbering region) instead of /24s.
 *
 * Why not the seed's private /24s: with the VPC CNI every pod takes an address from its
 * node's subnet, and each node pre-allocates a warm ENI's worth at boot (m5.2xlarge: 30
 * addresses, c5.4xlarge: 60). Seed 002's 40 production nodes would claim ~1,500 addresses
 * at minimum size against the 753 that three /24s hold, leaving pods unscheduled. Three /20s
 * hold 12,000+, enough for the node groups' maximum sizes with pods at full density.
 */
export function addressPlan(firstTwoOctets: string, azs: readonly string[]) {
  if (azs.length > 4) throw new Error(`addressPlan: ${azs.length} AZs given; the layout has room for at most 4 private /20s (x.y.64.0-x.y.127.255)`);
  const tier = (base: number, step: number, prefix: number) => azs.map((_, i) => `${firstTwoOctets}.${base + i * step}.0/${prefix}`);
  return {
    cidr: `${firstTwoOctets}.0.0/16`,
    azs,
    publicSubnetCidrs: tier(0, 1, 24),
    privateSubnetCidrs: tier(64, 16, 20),
    databaseSubnetCidrs: tier(200, 1, 24),
  };
}

/**
 * What every cluster shares. The public endpoint is open only to the operators' VPN and the
 * CI runners' egress (seed 000: private access + public CIDR restricted): the site's
 * `eksPublicAccessCidrs` (environments/site.ts).
 * `platform-admin` is the operators' IAM role in each account (cluster-admin); `platform-viewer`
 * (read-only, on-call and auditors) and `openedx-developer` (edit in the app namespace) are the
 * other human roles. The roles must exist before the AWS stack is applied (EKS checks them).
 */
export const clusterDefaults = {
  // EKS add-ons take the most recent build for this version at plan time; node AMIs follow it.
  // renovate: datasource=endoflife-date depName=amazon-eks versioning=loose
  kubernetesVersion: "1.36",
  upgradeSupportType: "STANDARD",
  endpointPublicAccess: true,
  publicAccessCidrs: site.eksPublicAccessCidrs,
  adminRoles: ["platform-admin"],
  viewerRoles: ["platform-viewer"],
  developerRoles: ["openedx-developer"],
} as const satisfies Omit<ClusterConfig, "nodeGroups">;

/** Seed 000's shared media volume: `/openedx/media`, owned by the Open edX app user (1000). */
export const mediaAccessPoints = { media: { path: "/openedx/media", uid: 1000, gid: 1000 } } as const;

/**
 * Every Helm chart the platform installs, pinned to a released version, in one table so an
 * upgrade is one reviewed line. Bump `veleroAwsPluginTag` with `velero` (plugin v1.14 pairs
 * with Velero 1.18 in chart 12.x). Upgrade notes that need a step outside Terraform before
 * `apply` (CRDs Helm does not upgrade, immutable selectors) are in README "Chart upgrades".
 */
export const platformCharts: PlatformCharts = {
  // Replaces ingress-nginx (retired by Kubernetes in March 2026). 2.6.7 requires the Gateway
  // API CRDs v1.5.1, vendored in modules/ingress (GATEWAY_API_VERSION): bump both together.
  nginxGatewayFabric: { repository: "oci://ghcr.io/nginx/charts", chart: "nginx-gateway-fabric", version: "2.6.7" },
  awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" },
  certManager: { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
  raw: { repository: "https://bedag.github.io/helm-charts", chart: "raw", version: "2.0.2" },
  argoCd: { repository: "https://argoproj.github.io/argo-helm", chart: "argo-cd", version: "10.1.1" },
  argocdApps: { repository: "https://argoproj.github.io/argo-helm", chart: "argocd-apps", version: "2.0.5" },
  kubePrometheusStack: { repository: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.5.3" },
  // The OSS Loki chart moved to grafana-community in March 2026 (grafana/loki 7.x+ is Enterprise
  // Logs only); its Grafana chart too, which kube-prometheus-stack now pulls from there.
  loki: { repository: "https://grafana-community.github.io/helm-charts", chart: "loki", version: "18.11.0" },
  alloy: { repository: "https://grafana.github.io/helm-charts", chart: "alloy", version: "1.11.1" },
  metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server", chart: "metrics-server", version: "3.13.1" },
  // The autoscaler's minor must match the cluster's (it simulates scheduling with that release's
  // code): the image follows `clusterDefaults.kubernetesVersion` (CLUSTER_AUTOSCALER_IMAGE_TAGS
  // in modules/cluster-addons), not the chart's default (9.59.0 ships v1.35.0).
  clusterAutoscaler: { repository: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
  velero: { repository: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "12.1.0" },
  // ESO only supports its latest minor; 2.9.0 is the newest release rendered against its source here
  // (the source mirror available ends 2026-08-09).
  externalSecrets: { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.9.0" },
};

/** Seed 001: Kubernetes state every 6 hours; seed 003: daily, weekly and monthly generations. */
export const backupRotation = [
  { name: "every-6h", cron: "0 */6 * * *", ttl: "72h" },
  { name: "daily", cron: "30 2 * * *", ttl: "168h" },
  { name: "weekly", cron: "0 3 * * 0", ttl: "840h" },
  { name: "monthly", cron: "0 4 1 * *", ttl: "8760h" },
] as const;

/**
 * Single sign-on for the Argo CD and Grafana UIs through the organisation's OIDC provider
 * (the site's `ssoIssuer`; Keycloak-style endpoint paths here, replace with your provider's). The client secrets are
 * Secrets Manager secrets the operators create before the first deploy (README, first run).
 */
export function ssoDefaults(environment: string, domain: string): NonNullable<PlatformConfig["sso"]> {
  const issuer = site.ssoIssuer;
  const groups = { adminGroups: ["platform-sre"], readOnlyGroups: ["platform-viewer"] };
  const client = (ui: string) => ({ clientId: `${ui}-${environment}`, clientSecret: { secretName: `${shared.project}-${environment}-${ui}-sso`, key: "clientSecret" } });
  return {
    argocd: { issuer, ...client("argocd"), url: `https://argocd.${domain}`, ...groups },
    grafana: {
      issuer, ...client("grafana"), url: `https://grafana.${domain}`, ...groups,
      authorizationUrl: `${issuer}/protocol/openid-connect/auth`,
      tokenUrl: `${issuer}/protocol/openid-connect/token`,
      userInfoUrl: `${issuer}/protocol/openid-connect/userinfo`,
    },
  };
}

/** Platform settings every environment shares; environment files spread and override. */
export function platformDefaults(environment: string): Pick<PlatformConfig, "appNamespace" | "gitops" | "acmeEmail" | "charts" | "veleroAwsPluginTag" | "app"> {
  return {
    appNamespace: `openedx-${environment}`,
    gitops: { repoUrl: site.gitopsRepoUrl, path: `environments/${environment}`, revision: "main" },
    acmeEmail: site.acmeEmail,
    charts: platformCharts,
    veleroAwsPluginTag: "v1.14.2",
    // Tutor's images: LMS and CMS (uwsgi) on 8000, the MFE server on 8002.
    app: { serviceAccount: "openedx", ports: [8000, 8002] },
  };
}

/**
 * Seed 002's SLOs, measured at the platform Gateway (modules/slo). "API latency P99 < 500 ms"
 * is stated as its equivalent ratio SLI: 99% of API requests within 0.5 s. The paths are Open
 * edX's: sign-in (`/login`, `/login_ajax`, the `/api/user/v1/account/login_session/` API),
 * OAuth2 for the MFEs (`/oauth2/`) and third-party auth (`/auth/`); enrollment through
 * `/change_enrollment` and the `/api/enrollment/v1/` API. Seed 002's "Video Delivery 99.95%"
 * is not here: videos are served by CloudFront from S3 or a video host, not the Gateway.
 */
export const seedSlos: readonly SloSpec[] = [
  { name: "lms-availability", description: "LMS requests served without a server error", objectivePercent: 99.9, sli: { kind: "availability" }, subdomains: ["lms"] },
  {
    name: "api-latency", description: "LMS API requests within 500 ms (p99 < 500 ms)", objectivePercent: 99,
    sli: { kind: "latency", thresholdSeconds: 0.5 }, subdomains: ["lms"], pathPrefixes: ["/api/"],
  },
  {
    name: "authentication", description: "sign-in and token requests served without a server error", objectivePercent: 99.99,
    sli: { kind: "availability" }, subdomains: ["lms"], pathPrefixes: ["/login", "/api/user/v1/account/login_session", "/oauth2/", "/auth/"],
  },
  {
    name: "enrollment", description: "course enrollment requests served without a server error", objectivePercent: 99.9,
    sli: { kind: "availability" }, subdomains: ["lms"], pathPrefixes: ["/change_enrollment", "/api/enrollment/v1/"],
  },
];
