import { Construct } from "constructs";
import * as path from "path";
import { Annotations, App, LocalBackend, S3Backend, S3BackendConfig, TerraformResource, TerraformStack } from "cdktf";
import { hasOnCall } from "learning-platform-infra/core/on-call";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { CloudFront, OriginConfig } from "learning-platform-infra/cloudfront";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { OriginLoadBalancer } from "learning-platform-infra/origin-lb";
import { OriginDns } from "learning-platform-infra/origin-dns";
import { CLOUDFRONT_REGION } from "learning-platform-infra/core/regions";
import { Dns } from "learning-platform-infra/dns";
import { WebAcl } from "learning-platform-infra/waf";
import { Naming } from "learning-platform-infra/core/naming";
import { PlatformPrereqs } from "learning-platform-infra/platform-prereqs";
import { S3Buckets } from "learning-platform-infra/s3-buckets";
import { Vpc } from "learning-platform-infra/vpc";
import { AlarmTopic } from "learning-platform-infra/alerting";
import { DocumentDb } from "learning-platform-infra/documentdb";
import { ElastiCache } from "learning-platform-infra/elasticache";
import { Elasticsearch } from "learning-platform-infra/elasticsearch";
import { RdsMysql } from "learning-platform-infra/rds-mysql";
import { RdsPostgres } from "learning-platform-infra/rds-postgres";
import { RabbitMq } from "learning-platform-infra/amazon-mq";
import { addMigration, Migration } from "./migration";
import { EksCluster } from "learning-platform-infra/eks-cluster";
import { ciRoleNames } from "learning-platform-infra/github-oidc/terraform-roles";
import { SharedFileSystem } from "learning-platform-infra/efs";
import { CiRunner } from "learning-platform-infra/ci-runner";
import { AwsBackup } from "learning-platform-infra/aws-backup";
import { NetworkAcls } from "learning-platform-infra/network-acls";
import { ShieldProtection } from "@cdktf/provider-aws/lib/shield-protection";
import { ciRunner } from "./shared";
import { EnvironmentConfig, ORIGIN_VERIFY_HEADER, StateConfig } from "./config";
import { isProtected, rabbitMqMode, validateEnvironment } from "./validate";
import { check } from "learning-platform-infra/core/validation";
import { suppress } from "learning-platform-infra/core/suppress";

export interface EnvironmentStackOptions {
  /**
   * Override the configured state backend, e.g. `{ backend: "local" }` for a first deploy
   * into a personal account that has no state bucket yet.
   * @default the environment's `state`
   */
  readonly state?: StateConfig;
}

/**
 * The AWS stack of one environment (network, storage, and later cluster, data and edge),
 * built only from its config. Stack name = environment name.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly config: EnvironmentConfig;
  public readonly naming: Naming;
  public readonly network: Vpc;
  public readonly storage: S3Buckets;
  /** One network ACL per subnet tier (public, private, database). */
  public readonly networkAcls: NetworkAcls;
  /** The environment's alarm topic and its data stores. */
  public readonly data: DataLayer;
  /** The environment's DNS zone and platform hostname records. */
  public readonly dns: Dns;
  /** WAF and CloudFront in front of the ingress; undefined for self-hosted nodes (seed 003). */
  public readonly edge?: { readonly webAcl: WebAcl; readonly cdn: CloudFront };
  /** The origin NLB CloudFront forwards to (EKS behind CloudFront), and its DNS name `edge.originHostname`. */
  public readonly origin?: { readonly loadBalancer: OriginLoadBalancer; readonly dns: OriginDns };
  /** Seed 002's EC2 → EKS migration (CloudFront's origin while it runs), when configured. */
  public readonly migration?: Migration;
  public readonly cluster: EksCluster;
  public readonly mediaStorage: SharedFileSystem;
  /** Loki/Velero buckets and Pod Identity roles (EKS environments only). */
  public readonly platformPrereqs?: PlatformPrereqs;
  /** AWS Backup of the data stores and the media file system (when `awsBackup` is set). */
  public readonly backup?: AwsBackup;
  /** Runs the platform stack's CI jobs inside the VPC (absent when the platform targets a kubeconfig cluster). */
  public readonly ciRunner?: CiRunner;

  constructor(scope: Construct, config: EnvironmentConfig, options: EnvironmentStackOptions = {}) {
    validateEnvironment(config);
    super(scope, config.name);
    this.config = config;
    this.naming = new Naming(config.project, config.name);
    configureState(this, options.state ?? config.state);

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: defaultTags(config) }],
    });

    this.network = new Vpc(this, "network", {
      naming: this.naming,
      ...config.network,
      flowLogRetentionDays: config.logRetentionDays,
      clusterNames: [config.clusterName],
    });

    // Internet-facing listeners exist only with a public origin NLB (a VPC origin reaches it from inside the VPC).
    const originPorts = config.edge.originProtocol === "http-only" ? [443, 80] : [443];
    const publicOrigin = config.edge.origin?.kind === "public" && !config.edge.selfHostedNodes && !config.platform.kubeconfig;
    this.networkAcls = new NetworkAcls(this, "network-acls", {
      naming: this.naming, network: this.network, cidrs: config.network,
      publicIngressPorts: publicOrigin ? originPorts : [],
      directAccess: config.edge.directAccess && { cidrs: config.edge.directAccess.cidrs, ports: originPorts },
    });

    this.storage = new S3Buckets(this, "storage", {
      naming: this.naming,
      buckets: config.buckets,
      forceDestroy: config.forceDestroy,
    });

    // Cluster (EKS) and the shared media file system its nodes mount.
    this.cluster = new EksCluster(this, "cluster", {
      naming: this.naming,
      clusterName: config.clusterName,
      network: this.network,
      ...config.cluster,
      // CI (bootstrap's roles): the apply role installs the platform stack, the plan role refreshes it.
      adminRoles: [...config.cluster.adminRoles, ciRoleNames(this.naming).apply],
      // Both plan roles: the platform stack's plan reads the cluster (PR plans included).
      planReaderRoles: [ciRoleNames(this.naming).plan, ciRoleNames(this.naming).prPlan],
      logRetentionDays: config.logRetentionDays,
      deletionProtection: config.deletionProtection,
      requireStandardSupport: isProtected(config.protection),
    });
    this.mediaStorage = new SharedFileSystem(this, "media-storage", {
      naming: this.naming,
      component: "media",
      network: this.network,
      allowFrom: [this.cluster.nodes],
      ...config.mediaStorage,
    });

    // The alarm topic comes before its publishers: the data stores' CloudWatch alarms and,
    // through platform-prereqs, the cluster's Alertmanager.
    const alarms = new AlarmTopic(this, "alarms", { naming: this.naming, onCall: config.onCall });
    if (isProtected(config.protection) && !hasOnCall(config.onCall)) {
      Annotations.of(this).addWarning(`environment ${config.name}: NO ON-CALL TARGET. protection "${config.protection}" marks it as one that matters, but onCall is not set, so its alarms and alerts reach nobody. Set onCall (e-mails and/or a paging endpoint secret).`);
    }

    // AWS side of the <env>-platform stack (skipped when it targets a kubeconfig cluster).
    if (!config.platform.kubeconfig) {
      this.platformPrereqs = new PlatformPrereqs(this, "platform-prereqs", {
        naming: this.naming,
        clusterName: this.cluster.clusterName,
        ebsKmsKeyArn: this.cluster.volumeKeyArn,
        kmsKey: this.storage.kmsKey,
        accessLogsBucket: this.storage.logsBucket,
        alarmTopic: alarms,
        forceDestroy: config.forceDestroy,
        // The controllers' roles were the cluster's until platform-prereqs took them: moved blocks keep them.
        controllerRoles: { clusterName: config.clusterName, movedFrom: this.cluster },
      });
    }

    // The in-VPC executor of the platform stack's CI jobs: the cluster API is private to the VPC
    // (plus publicAccessCidrs, which GitHub-hosted runners are not in). This AWS stack applies
    // from a GitHub-hosted runner and creates it, so even the first platform apply has it.
    if (!config.platform.kubeconfig) {
      this.ciRunner = new CiRunner(this, "ci-runner", {
        naming: this.naming,
        network: this.network,
        repository: ciRunner.repository,
        connectionName: ciRunner.connectionName,
        apiSecurityGroupIds: [this.cluster.clusterSecurityGroupId],
        logRetentionDays: config.logRetentionDays,
      });
    }

    // The app's Pod Identity role comes before the data stores: it is the search domain's
    // IAM master user, and the cache's IAM user is granted to it.
    const media = this.storage.buckets.media;
    const appRoleArn = this.platformPrereqs?.appRole({
      serviceAccount: { namespace: config.platform.appNamespace, name: config.platform.app.serviceAccount },
      mediaBucket: media,
      sesIdentities: config.platform.app.sesIdentities,
    });

    // Data layer: each store accepts its port only from the cluster's nodes (see EksCluster
    // on why the node security group rather than security groups for pods).
    const store = {
      naming: this.naming, network: this.network, allowFrom: [this.cluster.nodes], alarms,
      multiAz: config.multiAz, deletionProtection: config.deletionProtection, logRetentionDays: config.logRetentionDays,
      requireStandardSupport: isProtected(config.protection),
    };
    this.data = {
      alarms,
      mysql: new RdsMysql(this, "mysql", { ...store, ...config.data.mysql }),
      redis: new ElastiCache(this, "redis", { ...store, ...config.data.redis }),
      search: new Elasticsearch(this, "search", { ...store, ...config.data.search, masterUserRoleArn: appRoleArn }),
      documentdb: new DocumentDb(this, "documentdb", { ...store, ...config.data.documentdb }),
      postgres: config.data.postgres && new RdsPostgres(this, "postgres", { ...store, ...config.data.postgres }),
      rabbitmq: config.data.rabbitmq && new RabbitMq(this, "rabbitmq", { ...store, ...config.data.rabbitmq, deploymentMode: rabbitMqMode(config) }),
    };

    // AWS Backup: daily and monthly recovery points of the stores AWS Backup supports (ElastiCache
    // and OpenSearch are not among them; their own snapshots cover them), copied to a second region.
    if (!config.awsBackup) {
      suppress(this.mediaStorage.node.findChild("fs") as TerraformResource, { id: "CKV2_AWS_18",
        reason: `awsBackup is not set for ${config.name} (protection "${config.protection}"): its media is throwaway; the production tier requires an AWS Backup plan covering the file system` });
    }
    if (config.awsBackup) {
      const { copyToRegion } = config.awsBackup;
      this.backup = new AwsBackup(this, "backup", {
        naming: this.naming,
        region: config.region,
        ...config.awsBackup,
        copyProvider: copyToRegion === undefined ? undefined
          : new AwsProvider(this, "aws-backup-copy", { alias: "backup-copy", region: copyToRegion, defaultTags: [{ tags: defaultTags(config) }] }),
        resourceArns: [this.data.mysql.instance.arn, this.data.documentdb.cluster.arn, this.mediaStorage.fileSystemArn],
      });
    }

    // What the platform's pods may read and do in AWS: External Secrets reads exactly the
    // password stores' credentials (MySQL's and DocumentDB's service-managed secrets) and the
    // operator-created secrets the config names; the app's role connects to the IAM-
    // authenticated stores (OpenSearch, ElastiCache) and reaches the media bucket (and SES).
    if (this.platformPrereqs) {
      const { mysql, redis, search, documentdb, postgres, rabbitmq } = this.data;
      const sso = config.platform.sso ?? {};
      this.platformPrereqs.allowExternalSecrets({
        secrets: [
          { secretArn: mysql.masterUserSecretArn, kmsKeyArn: mysql.kmsKeyArn },
          { secretArn: documentdb.masterUserSecretArn, kmsKeyArn: documentdb.masterUserSecretKmsKeyArn },
          ...(postgres ? [{ secretArn: postgres.masterUserSecretArn, kmsKeyArn: postgres.kmsKeyArn }] : []),
        ],
        secretNames: [
          ...(config.onCall?.endpoint ? [config.onCall.endpoint.secretName] : []),
          ...[sso.argocd, sso.grafana].flatMap((c) => (c ? [c.clientSecret.secretName] : [])),
          ...(config.platform.gitops.credentials ? [config.platform.gitops.credentials.secretName] : []),
          // Operator-created (modules/amazon-mq): its key is the operator's choice, named by the secret.
          ...(rabbitmq ? [rabbitmq.adminSecretName] : []),
        ],
      });
      this.platformPrereqs.allowAppDataStores([search.httpStatement, redis.connectStatement]);
    }

    // Edge: DNS, WAF + CloudFront (certificate and WAF in us-east-1), hostname records.
    const edge = config.edge;
    const usEast1 = new AwsProvider(this, "aws-us-east-1", { alias: CLOUDFRONT_REGION, region: CLOUDFRONT_REGION, defaultTags: [{ tags: defaultTags(config) }] });
    if (edge.dns.provider === "cloudflare") new CloudflareProvider(this, "cloudflare", {}); // token: CLOUDFLARE_API_TOKEN
    this.dns = new Dns(this, "dns", { domain: config.domain, zone: edge.dns });
    const hostnames = edge.subdomains.map((s) => `${s}.${config.domain}`);
    if (!edge.selfHostedNodes) {
      const webAcl = new WebAcl(this, "waf", { naming: this.naming, provider: usEast1, ...edge.waf, logRetentionDays: config.logRetentionDays });
      let origin: OriginConfig = { hostname: edge.originHostname };
      if (!config.platform.kubeconfig) {
        // The ingress NLB belongs to this stack (see modules/origin-lb): CloudFront needs it at
        // plan time, and this stack is applied before the platform stack that binds the pods.
        const mode = edge.origin ?? { kind: "vpc-origin" };
        const source = mode.kind === "vpc-origin" && mode.cloudFrontSecurityGroupId
          ? { kind: "cloudfront-vpc-origin-sg", securityGroupId: mode.cloudFrontSecurityGroupId } as const
          : { kind: "cloudfront-prefix-list" } as const;
        const loadBalancer = new OriginLoadBalancer(this, "origin-lb", {
          naming: this.naming, network: this.network,
          scheme: mode.kind === "public" ? "internet-facing" : "internal",
          ports: edge.originProtocol === "http-only" ? [443, 80] : [443],
          source,
          targetSecurityGroupId: this.cluster.nodeSecurityGroupId,
          directAccess: edge.directAccess,
          logsBucket: this.storage.logsBucket,
        });
        // `ingress.<domain>` → the NLB: the origin certificate (DNS-01) names it, and CloudFront
        // connects to this name. For the internal NLB it resolves to private addresses only.
        const dns = new OriginDns(this, "origin-dns", {
          hostname: edge.originHostname, domain: config.domain, zone: { provider: edge.dns.provider, zoneId: this.dns.zoneId },
          target: loadBalancer.dnsName, reservedHostnames: hostnames,
        });
        this.origin = { loadBalancer, dns };
        if (mode.kind === "public") {
          check(mode.reason.trim().length >= 10, `environment ${config.name}`, "edge.origin.reason", mode.reason, "must say why a VPC origin cannot be used (at least 10 characters)");
          // Its name is inside the plan roles' `<project>-<env>-*` (validate.ts, checkPlanTimeSecrets).
          Annotations.of(this).addWarning(`environment ${config.name}: edge.origin is "public": the origin NLB is internet-facing, limited to CloudFront's address ranges and a secret header (${mode.reason}). A VPC origin keeps it off the internet.`);
          // Read at plan time: the value is stored in this stack's state (the data source and
          // the distribution's origin). The state bucket is KMS-encrypted and readable by the CI
          // roles only; the header is a second factor next to the prefix list, not a credential.
          const value = new DataAwsSecretsmanagerSecretVersion(this, "origin-verify-header", { secretId: mode.verifyHeaderSecretName }).secretString;
          origin = { hostname: edge.originHostname, verifyHeader: { name: ORIGIN_VERIFY_HEADER, value } };
        } else {
          origin = { hostname: edge.originHostname, vpcOriginLoadBalancerArn: loadBalancer.arn };
        }
        // Seed 002's migration: while it runs, CloudFront's origin is the weighted ALB, which
        // sends the EKS share on to the NLB above (validate.ts requires a VPC origin for it).
        if (edge.migration) {
          this.migration = addMigration(this, edge.migration, {
            naming: this.naming, network: this.network, domain: config.domain, zone: { provider: edge.dns.provider, zoneId: this.dns.zoneId },
            certificateDns: this.dns, source, origin: loadBalancer, logsBucket: this.storage.logsBucket, alarms,
            deletionProtection: config.deletionProtection, reservedHostnames: [...hostnames, edge.originHostname],
          });
          origin = { hostname: edge.migration.originHostname, vpcOriginLoadBalancerArn: this.migration.loadBalancer.arn };
        }
      }
      const offload = edge.staticOffload;
      const media = edge.mediaFromBucket;
      const cdn = new CloudFront(this, "cdn", {
        naming: this.naming, provider: usEast1, hostnames, dns: this.dns, webAclArn: webAcl.webAclArn,
        origin, originProtocol: edge.originProtocol, priceClass: edge.priceClass,
        staticAssets: offload && { bucket: requireBucket(config, "static", "edge.staticOffload", this.storage), kmsKey: this.storage.kmsKey, publisherRoleArns: offload.publisherRoleArns },
        mediaAssets: media && {
          bucket: requireBucket(config, "media", "edge.mediaFromBucket", this.storage), kmsKey: this.storage.kmsKey,
          corsAllowedOrigins: media.browserUploads ? hostnames.map((h) => `https://${h}`) : [],
        },
        logsBucket: this.storage.logsBucket,
      });
      this.edge = { webAcl, cdn };
      if (edge.shieldAdvanced) {
        new ShieldProtection(this, "shield-cdn", { name: this.naming.name("cdn"), resourceArn: cdn.distributionArn });
        if (this.origin) new ShieldProtection(this, "shield-origin-lb", { name: this.naming.name("origin-lb"), resourceArn: this.origin.loadBalancer.arn });
      }
    }
    check(!edge.shieldAdvanced || !!this.edge, `environment ${config.name}`, "edge.shieldAdvanced", true, "needs CloudFront in front (not selfHostedNodes): Shield Advanced protects the distribution and the origin NLB")
    this.dns.pointHostnames(hostnames, this.edge
      ? { kind: "cloudfront", domainName: this.edge.cdn.domainName, hostedZoneId: this.edge.cdn.hostedZoneId }
      : { kind: "nodes", ipv6: edge.selfHostedNodes! });

    // cert-manager DNS-01 in the Route53 zone, for the platform stack's origin certificate.
    if (this.platformPrereqs && edge.dns.provider === "route53") this.platformPrereqs.allowDns01(this.dns.zoneId);
  }
}

/** The named bucket a CDN option serves, or a synth error naming the option. */
function requireBucket(config: EnvironmentConfig, name: string, prop: string, storage: S3Buckets) {
  const bucket = storage.buckets[name];
  check(bucket !== undefined, `environment ${config.name}`, prop, "set", `needs a bucket named "${name}" in buckets (have: ${Object.keys(storage.buckets).join(", ") || "none"})`);
  return bucket!;
}

/** The data layer of an environment, as typed module outputs. */
export interface DataLayer {
  readonly alarms: AlarmTopic;
  readonly mysql: RdsMysql;
  readonly redis: ElastiCache;
  readonly search: Elasticsearch;
  readonly documentdb: DocumentDb;
  readonly postgres?: RdsPostgres;
  readonly rabbitmq?: RabbitMq;
}

/** Tags every AWS resource of the environment gets through the provider, never per resource. */
export function defaultTags(config: Pick<EnvironmentConfig, "project" | "name" | "owner" | "costCenter">): Record<string, string> {
  return {
    Project: config.project,
    Environment: config.name,
    ManagedBy: "cdktf",
    Owner: config.owner,
    CostCenter: config.costCenter,
  };
}

/**
 * Oldest Terraform every stack accepts: 1.11 brings write-only arguments (the way to pass a
 * credential a service cannot manage itself without it reaching state) and S3 native locking (`use_lockfile`, 1.10); an older CLI would fail mid-plan or
 * silently ignore the lockfile, so it is refused up front.
 */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11";

/**
 * Where a stack's local state lands: `terraform.<stack>.tfstate` in the directory synth runs in
 * (the repository root), written relative to the stack's own directory
 * (`cdktf.out/stacks/<stack>/` → `../../../terraform.<stack>.tfstate`). Terraform resolves a
 * local path from its working directory, so a bare file name put the state inside
 * `cdktf.out/stacks/<stack>/`, where the next synth could clean it away and where the platform
 * stack's remote-state lookup (run from `cdktf.out/stacks/<env>-platform/`) never found its
 * AWS stack's state. One path, relative to both, fixes both; the root's .gitignore keeps it out of git.
 */
export function localStatePath(stack: TerraformStack): string {
  const name = stack.node.id;
  const stackDir = path.join(App.of(stack).outdir, "stacks", name);
  return path.relative(stackDir, path.join(process.cwd(), `terraform.${name}.tfstate`)).split(path.sep).join("/");
}

/** S3 state with native lockfile locking, or local state when asked; and the required Terraform version. */
export function configureState(stack: TerraformStack, state: StateConfig): void {
  const name = stack.node.id;
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  if (state.backend === "local") {
    new LocalBackend(stack, { path: localStatePath(stack) });
    return;
  }
  // cdktf 0.21's S3BackendConfig predates `use_lockfile`; unknown keys pass through snake_cased.
  const config: S3BackendConfig & { readonly useLockfile: boolean } = {
    bucket: state.bucket,
    key: `${state.keyPrefix}/${name}.tfstate`,
    region: state.region,
    // No `encrypt`: with it and no kms_key_id the backend sends an SSE-S3 (AES256) header on
    // every write, overriding the bucket's default SSE-KMS with the bootstrap stack's key.
    // Without a header, state and lock files get the bucket default: the customer-managed key.
    useLockfile: true,
  };
  new S3Backend(stack, config);
}
