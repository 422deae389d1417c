import type { ChartRef } from "learning-platform-infra/core/helm";
import type { Toleration } from "learning-platform-infra/core/pod";
import type { DnsZoneConfig } from "learning-platform-infra/dns";
import type { BackupRotation } from "learning-platform-infra/node-backups";
import type { ComputeResources } from "learning-platform-infra/k8s-namespaces";
import type { EnvironmentConfig, PlatformCharts, PlatformConfig } from "./config";

/** Charts only an EKS cluster uses (Pod Identity, the origin NLB's controller, node autoscaling, Secrets Manager). */
export const AWS_ONLY_CHARTS = ["awsLoadBalancerController", "clusterAutoscaler", "externalSecrets"] as const;
export type AwsOnlyChart = (typeof AWS_ONLY_CHARTS)[number];

/** A node of the cluster, as the operators installed it (k3s server or agent). */
export interface SelfHostedNode {
  /** Kubernetes node name (k3s: the host name). */
  readonly name: string;
  /**
   * The node's global (public) IPv6 address: the hostnames' AAAA records point here. Not a
   * Mycelium overlay address (400::/7): browsers are not Mycelium peers.
   */
  readonly ipv6: string;
  /** `serving` nodes serve traffic and run CouchDB; the `backup` node runs the backup jobs. */
  readonly role: "serving" | "backup";
}

/** Labels and taints the operators give every node of a role at k3s install (`--node-label`, `--node-taint`). */
export interface NodeRole {
  readonly labels: Readonly<Record<string, string>>;
  /** @default [] */
  readonly taints?: readonly Toleration[];
}

/** The k3s cluster this library does not create: how to reach it and what it offers. */
export interface SelfHostedClusterConfig {
  /** Kubeconfig file on the machine that runs Terraform (CI: the self-hosted runner). */
  readonly kubeconfigPath: string;
  /** Context in that file (required: the file may hold several clusters). */
  readonly kubeconfigContext: string;
  /** k3s's Kubernetes minor, e.g. "1.35" (the render check validates manifests against it). */
  readonly kubernetesVersion: string;
  readonly nodes: readonly SelfHostedNode[];
  readonly roles: { readonly serving: NodeRole; readonly backup: NodeRole };
  /**
   * Where pods reach the API server and where webhook calls come from: the nodes' IPv4
   * network and k3s's pod CIDR (10.42.0.0/16).
   */
  readonly apiServerCidrs: readonly string[];
  /**
   * ReadWriteOnce StorageClass of CouchDB's, Prometheus's and Loki's volumes and the backups.
   * @default "local-path" (k3s's bundled provisioner: a directory on the pod's node)
   */
  readonly storageClass?: string;
  /** ReadWriteMany StorageClass of the media claim (e.g. Longhorn's RWX class or an NFS provisioner). */
  readonly mediaStorageClass: string;
  /** Install metrics-server (k3s bundles one: leave false there). */
  readonly installMetricsServer: boolean;
}

/** The platform stack's settings on a self-hosted cluster: the EKS ones' minus what only AWS has. */
export interface SelfHostedPlatformConfig extends Omit<PlatformConfig, "charts" | "veleroAwsPluginTag" | "backupSchedules" | "kubeconfig"> {
  /** The charts a k3s cluster uses, plus CouchDB's (no Velero: the node backups below cover the data). */
  readonly charts: Omit<PlatformCharts, AwsOnlyChart | "velero"> & { readonly couchdb: ChartRef };
}

/**
 * Seed 003 as data: a k3s cluster on the operators' own nodes (three production nodes and a
 * backup node), reached through a kubeconfig. The library creates no VPC, EKS, RDS,
 * ElastiCache, OpenSearch or CloudFront for it: its `<name>` stack holds the DNS records
 * (AAAA round-robin over the production nodes, health-checked on Route53) and its
 * `<name>-platform` stack the Kubernetes platform, CouchDB and the node backups.
 */
export interface SelfHostedEnvironmentConfig
  extends Pick<EnvironmentConfig, "name" | "protection" | "project" | "region" | "owner" | "costCenter" | "domain" | "state" | "onCall"> {
  // `protection` "production" requires no single point of failure: 3+ serving nodes (validate-selfhosted.ts).
  // `region`: of the DNS stack's AWS provider and CI roles (Route53 itself is global).
  readonly kind: "self-hosted";
  readonly dns: {
    readonly zone: DnsZoneConfig;
    /** Names served under `domain` (seed 000: lms, studio, apps.lms). */
    readonly subdomains: readonly string[];
    /**
     * Route53: each node's gateway checked over HTTPS at `path` with the first subdomain's name;
     * a failing node leaves the answers. Cloudflare's plain DNS has no health checks (its Load
     * Balancing add-on is another product): the records there always list every node.
     * @default undefined: no health checks
     */
    readonly healthCheckPath?: string;
  };
  readonly cluster: SelfHostedClusterConfig;
  readonly couchdb: {
    /** Data volume per replica in GiB. */
    readonly storageGi: number;
    /** @default requests 500m/1Gi, limits 2/2Gi */
    readonly resources?: { readonly requests: ComputeResources; readonly limits: ComputeResources };
  };
  /** Seed 003's backup tiers: daily CronJobs on the backup node, rotated. */
  readonly backups: {
    /** Five-field cron, UTC. */
    readonly schedule: string;
    readonly keep: BackupRotation;
    /** Backup volume on the backup node, in GiB. */
    readonly sizeGi: number;
  };
  readonly platform: SelfHostedPlatformConfig;
}

/** Whether a registry entry is a self-hosted environment (the others are AWS environments). */
export function isSelfHosted(config: { readonly kind?: string }): config is SelfHostedEnvironmentConfig {
  return config.kind === "self-hosted";
}

/** Drops the named keys (charts a self-hosted cluster does not install). */
export function without<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !(keys as readonly PropertyKey[]).includes(k))) as Omit<T, K>;
}
