import { Construct } from "constructs";
import { Annotations, App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { CouchDb } from "learning-platform-infra/couchdb";
import { Dns } from "learning-platform-infra/dns";
import { NodeBackups } from "learning-platform-infra/node-backups";
import type { KubeconfigTargetConfig, StateConfig } from "./config";
import { PlatformStack } from "./platform-stack";
import type { PlatformEnvironment } from "./platform-environment";
import { SelfHostedEnvironmentConfig, without } from "./selfhosted-config";
import { configureState, defaultTags } from "./stack";
import { validateSelfHosted } from "./validate-selfhosted";
import { chartLifecycleWarning } from "./lifecycle";
import { lifecycleToday } from "learning-platform-infra/core/lifecycle";

/** k3s's bundled local-path provisioner: a directory on the node the pod first runs on. */
export const K3S_LOCAL_PATH = "local-path";

/** The production nodes' addresses, in config order: what the hostnames resolve to. */
export function productionAddresses(config: SelfHostedEnvironmentConfig): string[] {
  return config.cluster.nodes.filter((n) => n.role === "serving").map((n) => n.ipv6);
}

/**
 * The `<name>` stack of a self-hosted environment: DNS only. The platform hostnames resolve
 * round-robin to the production nodes (one AAAA per node; on Route53 a health check per node
 * and multivalue answers, so a failed node leaves the answers). No VPC, EKS, data store or
 * CloudFront: the cluster is the operators' (seed 003).
 */
export class SelfHostedDnsStack extends TerraformStack {
  public readonly config: SelfHostedEnvironmentConfig;
  public readonly dns: Dns;

  constructor(scope: Construct, config: SelfHostedEnvironmentConfig, options: { readonly state?: StateConfig } = {}) {
    validateSelfHosted(config);
    super(scope, config.name);
    validateSelfHosted(config, this); // again, for the warnings (documentation addresses), now on this stack
    this.config = config;
    configureState(this, options.state ?? config.state);
    const zone = config.dns.zone;
    if (zone.provider === "route53") {
      new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: defaultTags(config) }] });
    } else {
      new CloudflareProvider(this, "cloudflare", {}); // token: CLOUDFLARE_API_TOKEN
      if (config.dns.healthCheckPath) {
        Annotations.of(this).addWarning(`environment ${config.name}: dns.healthCheckPath is set but the zone is on Cloudflare, whose DNS records cannot be health-checked: every node stays in the answers`);
      }
    }
    this.dns = new Dns(this, "dns", { domain: config.domain, zone });
    const hostnames = config.dns.subdomains.map((s) => `${s}.${config.domain}`);
    this.dns.pointHostnames(hostnames, {
      kind: "nodes",
      ipv6: productionAddresses(config),
      healthCheck: config.dns.healthCheckPath && zone.provider === "route53" ? { hostname: hostnames[0]!, path: config.dns.healthCheckPath } : undefined,
    });
    if (this.dns.nameServers) new TerraformOutput(this, "name-servers", { value: this.dns.nameServers, description: "Delegate the domain to these at the registrar" });
  }
}

/** The platform stack's view of a self-hosted environment (no AWS field, no AWS chart). */
export function selfHostedPlatform(config: SelfHostedEnvironmentConfig): PlatformEnvironment {
  const charts = without(config.platform.charts, ["couchdb"]);
  return {
    name: config.name, project: config.project, owner: config.owner, costCenter: config.costCenter, domain: config.domain, state: config.state, onCall: config.onCall,
    edge: { subdomains: config.dns.subdomains, dns: config.dns.zone, selfHostedNodes: productionAddresses(config) },
    platform: { ...config.platform, charts },
  };
}

/** The cluster as a kubeconfig target: no Velero (the node backups hold the data). */
export function selfHostedTarget(config: SelfHostedEnvironmentConfig): KubeconfigTargetConfig {
  const c = config.cluster;
  return {
    path: c.kubeconfigPath, context: c.kubeconfigContext,
    mediaStorageClass: c.mediaStorageClass, volumeStorageClass: c.storageClass ?? K3S_LOCAL_PATH,
    apiServerCidrs: c.apiServerCidrs, installMetricsServer: c.installMetricsServer,
  };
}

export interface SelfHostedStacks {
  readonly dns: SelfHostedDnsStack;
  readonly platform: PlatformStack;
  readonly couchdb: CouchDb;
  readonly backups: NodeBackups;
}

/**
 * Both stacks of a self-hosted environment: `<name>` (DNS), then `<name>-platform` (the
 * platform on the kubeconfig cluster, CouchDB and the node backups). DNS first: the HTTP-01
 * challenges of the gateway's certificate need the names to resolve to the nodes.
 */
export function addSelfHostedEnvironment(app: App, config: SelfHostedEnvironmentConfig, state?: StateConfig): SelfHostedStacks {
  const dns = new SelfHostedDnsStack(app, config, { state });
  const platform = new PlatformStack(app, selfHostedPlatform(config), { state, kubeconfig: selfHostedTarget(config) });
  platform.addDependency(dns);
  const c = config.cluster;
  const storageClassName = c.storageClass ?? K3S_LOCAL_PATH;
  const namespace = platform.namespaces.names.app!;
  const roles = c.roles;
  const couchdb = new CouchDb(platform, "couchdb", {
    chart: config.platform.charts.couchdb, rawChart: config.platform.charts.raw, namespace,
    replicas: c.nodes.filter((n) => n.role === "serving").length,
    placement: { nodeSelector: roles.serving.labels, tolerations: roles.serving.taints },
    storageClassName, storageGi: config.couchdb.storageGi, resources: config.couchdb.resources,
    clusterId: `${config.project}-${config.name}`,
    apiServer: { cidrs: c.apiServerCidrs, ports: [6443] },
    dependsOn: [platform.observability.prometheusStack],
  });
  const backups = new NodeBackups(platform, "node-backups", {
    rawChart: config.platform.charts.raw, namespace,
    placement: { nodeSelector: roles.backup.labels, tolerations: roles.backup.taints },
    schedule: config.backups.schedule, keep: config.backups.keep, storageClassName, sizeGi: config.backups.sizeGi,
    couchdb: { url: couchdb.url, credentialsSecret: couchdb.credentialsSecret },
    volumes: [{ name: "media", claimName: platform.media.claimName }],
    dependsOn: [couchdb.release],
  });
  // The platform stack warns about its own charts' support; CouchDB's is added here.
  const warning = chartLifecycleWarning(config.platform.charts.couchdb, lifecycleToday());
  if (warning) Annotations.of(platform).addWarning(`PlatformStack ${platform.node.id}: platform.charts.couchdb: ${warning}`);
  // The cluster's Kubernetes minor, for operators and for the render check (no EKS cluster to read it from).
  new TerraformOutput(platform, "kubernetes-version", { value: c.kubernetesVersion });
  return { dns, platform, couchdb, backups };
}
