import type { NatGatewayMode } from "../modules/vpc";
import type { BucketSpec } from "../modules/s3-buckets";
import type { RdsMysqlSettings } from "../modules/rds-mysql";
import type { ElastiCacheSettings } from "../modules/elasticache";
import type { ElasticsearchSettings } from "../modules/elasticsearch";
import type { DocumentDbSettings } from "../modules/documentdb";

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
 * The data layer's sizes, retention and alarm thresholds, per store. Multi-AZ, deletion
 * protection and log retention come from the environment-wide keys.
 */
export interface DataConfig {
  /** Open edX's relational database (RDS for MySQL). */
  readonly mysql: RdsMysqlSettings;
  /** Cache and Celery broker (ElastiCache, Valkey/Redis). */
  readonly redis: ElastiCacheSettings;
  /** Course search (OpenSearch Service, Elasticsearch 7.10 engine). */
  readonly search: ElasticsearchSettings;
  /** Course modulestore (DocumentDB, MongoDB-compatible). */
  readonly documentdb: DocumentDbSettings;
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
  /** Data stores: sizes, backup retention and alarm thresholds (production: seed 002's sizes). */
  readonly data: DataConfig;
}
