import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AlarmTarget } from "./alarms";
import { Naming } from "./naming";
import { EncryptionKeyFactory, EncryptionKeyRef, NetworkRef } from "./types";
import { Connectable } from "./security-group";
import { DEFAULT_LOG_RETENTION_DAYS, encryptedLogGroup } from "./log-group";
import { checkLogRetention } from "./validation";

/**
 * Days of automated backups (RDS, DocumentDB) and snapshots (ElastiCache) a store keeps unless
 * configured: the services' maximum, above the protected tier's 30-day floor (environments/validate.ts).
 */
export const DEFAULT_BACKUP_RETENTION_DAYS = 35;

/** What every data-store module takes besides its own sizing. */
export interface DataStoreProps {
  readonly naming: Naming;
  /** The VPC; stores live in its database tier. */
  readonly network: NetworkRef;
  /**
   * Who may connect: each client's security group gets the store's port, nothing else does
   * (the environment passes the EKS cluster's `nodes`).
   */
  readonly allowFrom: readonly Connectable[];
  /** The environment's alarm topic. */
  readonly alarms: AlarmTarget;
  /**
   * Spread the store over AZs with automatic failover.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Deletion protection and a final snapshot on delete.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Refuse at synth a version past its end of standard support unless `extendedSupport` accepts
   * it with a reason; when false, such a version only warns (a throwaway environment may run it).
   * @default true
   */
  readonly requireStandardSupport?: boolean;
  /**
   * Retention of the store's CloudWatch log groups.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Key for storage, snapshots, secrets, logs and Performance Insights.
   * @default a new customer-managed key for this store
   */
  readonly kmsKey?: EncryptionKeyRef;
}

/** The resolved common settings, with defaults applied and validated. */
export interface DataStoreDefaults {
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly requireStandardSupport: boolean;
  readonly logRetentionDays: number;
  readonly key: EncryptionKeyRef;
}

/**
 * Applies the secure defaults of DataStoreProps; creates the store's CMK with `newKey` (the
 * kms-key module's `KmsKey`, passed in so core does not import a module) unless one is given.
 */
export function dataStoreDefaults(scope: Construct, where: string, component: string, props: DataStoreProps, newKey: EncryptionKeyFactory): DataStoreDefaults {
  const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
  checkLogRetention(where, "logRetentionDays", logRetentionDays);
  const key = props.kmsKey ?? new newKey(scope, "key", {
    naming: props.naming,
    component,
    description: `${props.naming.name(component)}: storage, snapshots, secrets, logs`,
    allowCloudWatchLogs: true,
  });
  return { multiAz: props.multiAz ?? true, deletionProtection: props.deletionProtection ?? true,
    requireStandardSupport: props.requireStandardSupport ?? true, logRetentionDays, key };
}

/**
 * A CMK-encrypted log group created before the service writes to it, so the service does
 * not create one itself (unencrypted, kept forever).
 */
export function storeLogGroup(scope: Construct, id: string, name: string, defaults: DataStoreDefaults): CloudwatchLogGroup {
  return encryptedLogGroup(scope, id, { name, retentionDays: defaults.logRetentionDays, kmsKeyArn: defaults.key.keyArn, retentionProp: "logRetentionDays" });
}
