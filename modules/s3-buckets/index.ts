import { Construct } from "constructs";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { KmsKey } from "../kms-key";
import { BucketLifecycle, SecureBucket } from "./bucket";
import type { KeyRef } from "../core/refs";

export { SecureBucket } from "./bucket";

/** Storage classes a lifecycle transition may target. */
export const TRANSITION_STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type TransitionStorageClass = (typeof TRANSITION_STORAGE_CLASSES)[number];

/** What a bucket is for (BucketSpec.purpose). */
export const BUCKET_PURPOSES = ["standard", "backup"] as const;
export type BucketPurpose = (typeof BUCKET_PURPOSES)[number];

export interface BucketSpec {
  /**
   * `backup` buckets move objects to colder storage as they age (see `transitions`).
   * @default "standard"
   */
  readonly purpose?: BucketPurpose;
  /**
   * Days noncurrent versions are kept.
   * @default 90 (365 for backup buckets)
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Transitions of current objects to colder storage classes, in ascending days.
   * @default [] for standard buckets; backup buckets: GLACIER_IR after 30 days, DEEP_ARCHIVE after 180
   */
  readonly transitions?: ReadonlyArray<{ readonly days: number; readonly storageClass: TransitionStorageClass }>;
  /**
   * Days after which current objects expire.
   * @default never
   */
  readonly expirationDays?: number;
}

export interface S3BucketsProps {
  readonly naming: Naming;
  /**
   * Buckets by component name (`static`, `media`, `backups`, ...); each becomes
   * `<project>-<env>-<component>-<account id>`. A `logs` bucket is always added.
   */
  readonly buckets: Readonly<Record<string, BucketSpec>>;
  /**
   * Let `terraform destroy` delete non-empty buckets. Only for throwaway environments.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Days server access logs are kept in the logs bucket.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Key for SSE-KMS on every bucket except the logs bucket.
   * @default a new customer-managed key for these buckets
   */
  readonly kmsKey?: KeyRef;
}

/** S3 accepts transitions to the infrequent-access classes from day 30, and out of them 30 days later. */
const IA_MIN_DAYS = 30;
const IA_CLASSES: readonly string[] = ["STANDARD_IA", "ONEZONE_IA"];
const ACCOUNT_SUFFIX = 13; // "-" + 12-digit account id
const NO_REPLICATION = "Single-region DR by design (seed 001: in-region restore, RTO 4 h, RPO 24 h; seed 004: cross-region replication optional, "
  + "multi-region future): versioning with noncurrent-version retention covers deletion and overwrite, S3 stores across AZs; "
  + "a replica needs a second-region bucket and key that no environment runs yet";

/**
 * `<project>-<env>-<component>-<account id>`: globally unique without random suffixes that
 * would change on every fresh state. Other modules' buckets use it too.
 */
export function accountScopedBucketName(naming: Naming, component: string, accountId: string): string {
  return `${naming.name(component, "s3Bucket", ACCOUNT_SUFFIX)}-${accountId}`;
}

/**
 * The platform's named buckets plus the logs bucket they write access logs to. Names end in
 * the account id so they are globally unique without random suffixes that would change on
 * every fresh state.
 */
export class S3Buckets extends Construct {
  /** Buckets by the component names given in props. */
  public readonly buckets: Readonly<Record<string, SecureBucket>>;
  /** Server-access-log target (SSE-S3: S3 log delivery cannot write to SSE-KMS buckets). */
  public readonly logsBucket: SecureBucket;
  public readonly kmsKey: KeyRef;

  constructor(scope: Construct, id: string, props: S3BucketsProps) {
    super(scope, id);
    const where = `S3Buckets ${id}`;
    const { naming } = props;
    const forceDestroy = props.forceDestroy ?? false;
    const logRetention = props.accessLogRetentionDays ?? 365;
    checkInt(where, "accessLogRetentionDays", logRetention, 1, 3650);
    check(!("logs" in props.buckets), where, "buckets.logs", props.buckets.logs, "is reserved: the logs bucket is always created");
    check(Object.keys(props.buckets).length > 0, where, "buckets", props.buckets, "must name at least one bucket");

    const { accountId, partition } = awsContext(this);
    const bucketName = (component: string) => accountScopedBucketName(naming, component, accountId);

    this.logsBucket = new SecureBucket(this, "logs", {
      bucketName: bucketName("logs"),
      forceDestroy,
      // S3 rejects an expiration that is not after every transition, and Standard-IA only
      // from day 30, so logs kept 30 days or less simply expire in Standard.
      lifecycle: {
        noncurrentVersionExpirationDays: 30,
        transitions: logRetention > IA_MIN_DAYS ? [{ days: IA_MIN_DAYS, storageClass: "STANDARD_IA" }] : [],
        expirationDays: logRetention,
      },
      acceptAccessLogsFromAccount: { accountId, partition },
    });
    const sseS3 = "S3 server access log delivery only writes to SSE-S3 buckets; this bucket holds access logs only";
    suppress(this.logsBucket.resource,
      { id: "CKV_AWS_145", reason: sseS3 },
      { id: "AWS-0089", reason: "This is the access-log target; logging it into itself would loop" });
    suppress(this.logsBucket.encryption, { id: "AWS-0132", reason: sseS3 });

    this.kmsKey = props.kmsKey ?? new KmsKey(this, "key", { naming, component: "s3", description: `${naming.prefix} S3 buckets` });
    const buckets: Record<string, SecureBucket> = {};
    for (const [component, spec] of Object.entries(props.buckets)) {
      buckets[component] = new SecureBucket(this, component, {
        bucketName: bucketName(component),
        kmsKey: this.kmsKey,
        forceDestroy,
        accessLogs: { bucket: this.logsBucket, prefix: `${component}/` },
        lifecycle: lifecycleOf(`${where} buckets.${component}`, spec),
      });
    }
    this.buckets = buckets;
    for (const b of [this.logsBucket, ...Object.values(buckets)]) {
      suppress(b.resource,
        { id: "CKV_AWS_144", reason: NO_REPLICATION },
        { id: "CKV2_AWS_62", reason: "Nothing consumes object events from the platform buckets; reads and writes are audited through server access logs" });
    }
  }
}

function lifecycleOf(where: string, spec: BucketSpec): BucketLifecycle {
  // Any other spelling ("backups") would silently get a standard bucket's lifecycle.
  checkOneOf(where, "purpose", spec.purpose ?? "standard", BUCKET_PURPOSES);
  const backup = (spec.purpose ?? "standard") === "backup";
  const lifecycle: BucketLifecycle = {
    noncurrentVersionExpirationDays: spec.noncurrentVersionExpirationDays ?? (backup ? 365 : 90),
    transitions: spec.transitions ?? (backup ? [{ days: 30, storageClass: "GLACIER_IR" }, { days: 180, storageClass: "DEEP_ARCHIVE" }] : []),
    expirationDays: spec.expirationDays,
  };
  checkInt(where, "noncurrentVersionExpirationDays", lifecycle.noncurrentVersionExpirationDays, 1, 36500);
  let previous = 0;
  let previousClass: string | undefined;
  lifecycle.transitions.forEach((t, i) => {
    check((TRANSITION_STORAGE_CLASSES as readonly string[]).includes(t.storageClass), where, `transitions[${i}].storageClass`, t.storageClass,
      `must be one of ${TRANSITION_STORAGE_CLASSES.join(", ")}`);
    check(Number.isInteger(t.days) && t.days > previous, where, `transitions[${i}].days`, t.days,
      `must be an integer greater than the previous transition's days (${previous})`);
    // Both are S3 API errors at apply (InvalidArgument), so they are caught here.
    check(!IA_CLASSES.includes(t.storageClass) || t.days >= IA_MIN_DAYS, where, `transitions[${i}].days`, t.days,
      `must be at least ${IA_MIN_DAYS} for ${t.storageClass} (S3 moves objects to infrequent-access classes no sooner)`);
    check(previousClass === undefined || !IA_CLASSES.includes(previousClass) || t.days >= previous + IA_MIN_DAYS, where, `transitions[${i}].days`, t.days,
      `must be at least ${previous + IA_MIN_DAYS}: objects stay ${IA_MIN_DAYS} days in ${previousClass} before S3 moves them on`);
    previous = t.days;
    previousClass = t.storageClass;
  });
  if (lifecycle.expirationDays !== undefined) {
    check(Number.isInteger(lifecycle.expirationDays) && lifecycle.expirationDays > previous, where, "expirationDays", lifecycle.expirationDays,
      `must be an integer greater than the last transition's days (${previous})`);
  }
  return lifecycle;
}
