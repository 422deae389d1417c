import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AlarmTarget } from "./alarms";
import { Naming } from "./naming";
import { EncryptionKeyFactory, EncryptionKeyRef, NetworkRef } from "./types";
import { Connectable } from "./security-group";
import { DEFAULT_LOG_RETENTION_DAYS, encryptedLogGroup } from "./log-group";
import { check, checkLogRetention } from "./validation";

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

/**
 * Where a store's data comes from when it is (re)created: a restore is a config change and a
 * plan. Setting it on an existing store replaces the store (the plan says so; deletion
 * protection must be lifted first), so after a restore it stays in the config.
 * - `snapshot`: a snapshot (manual, automated, or an AWS Backup recovery point's snapshot) by identifier or ARN;
 * - `point-in-time`: the source store's backups at `restoreTime` (RFC 3339 UTC), or the latest restorable time.
 */
export type StoreRestore =
  | { readonly kind: "snapshot"; readonly snapshotIdentifier: string }
  | { readonly kind: "point-in-time"; readonly sourceIdentifier: string; readonly restoreTime?: string };

const SNAPSHOT_RE = /^(arn:aws[a-z-]*:[a-z]+:[a-z0-9-]+:\d{12}:[a-z-]+:)?[A-Za-z][A-Za-z0-9:-]{0,254}$/;

/** Validates a restore input against the kinds the store supports. */
export function checkRestore(where: string, prop: string, restore: StoreRestore, kinds: readonly StoreRestore["kind"][]): void {
  check(kinds.includes(restore.kind), where, `${prop}.kind`, restore.kind, `must be one of ${kinds.map((k) => JSON.stringify(k)).join(", ")} for this store`);
  if (restore.kind === "snapshot") {
    check(SNAPSHOT_RE.test(restore.snapshotIdentifier), where, `${prop}.snapshotIdentifier`, restore.snapshotIdentifier,
      "must be a snapshot identifier (a letter, then letters, digits, ':' and '-') or a snapshot ARN");
    return;
  }
  check(/^[a-z][a-z0-9-]{0,62}$/.test(restore.sourceIdentifier), where, `${prop}.sourceIdentifier`, restore.sourceIdentifier, "must be the source store's identifier");
  if (restore.restoreTime !== undefined) {
    check(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(restore.restoreTime) && !Number.isNaN(Date.parse(restore.restoreTime)), where, `${prop}.restoreTime`, restore.restoreTime,
      "must be an RFC 3339 UTC time such as 2026-12-01T03:15:00Z (omit it for the latest restorable time)");
  }
}
