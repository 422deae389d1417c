import type { NatGatewayMode } from "../modules/vpc";
import type { BucketSpec } from "../modules/s3-buckets";
import type { ChartRef } from "../modules/core/helm";
import type { GitOpsSource } from "../modules/gitops";
import type { BackupSchedule } from "../modules/backups";

export const ENVIRONMENT_NAMES = ["production", "staging", "sandbox"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

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

export interface NetworkConfig {
  readonly cidr: string;
  readonly azs: readonly string[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly databaseSubnetCidrs: readonly string[];
  /** `per-az` for resilience to an AZ outage, `single` to save cost. */
  readonly natGateways: NatGatewayMode;
}

/**
 * Everything that differs between environments. One stack class turns this into
 * infrastructure, so environments differ only in data.
 */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
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
  /** Kubernetes platform on the cluster (the `<env>-platform` stack). */
  readonly platform: PlatformConfig;
}

/** Every chart the platform stack installs, each pinned to one released version. */
export interface PlatformCharts {
  readonly ingressNginx: ChartRef;
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
  /** Install metrics-server (k3s bundles one: leave false there). */
  readonly installMetricsServer: boolean;
  /** S3-compatible backup target; credentials in an existing Secret in the velero namespace. */
  readonly backups: { readonly bucketName: string; readonly region: string; readonly s3Url: string; readonly credentialsSecret: string };
}

/** The `<env>-platform` stack: Kubernetes and Helm on the cluster. */
export interface PlatformConfig {
  /** Namespace of the Open edX workloads (`openedx-prod` in production, `openedx-<env>` elsewhere). */
  readonly appNamespace: string;
  /** Repository, path and revision of the app-of-apps root Argo CD syncs. */
  readonly gitops: GitOpsSource;
  /** NGINX ingress controller replicas and PodDisruptionBudget minAvailable. */
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
  /** Velero schedules (seed 001: every 6 h; seed 003: daily/weekly/monthly generations). */
  readonly backupSchedules: readonly BackupSchedule[];
  /** Redundant Argo CD, cert-manager and add-on replicas. */
  readonly highAvailability: boolean;
  /** Size of the media claim in GiB. */
  readonly mediaSizeGi: number;
  /** When set, the platform stack targets this cluster instead of EKS. */
  readonly kubeconfig?: KubeconfigTargetConfig;
}
