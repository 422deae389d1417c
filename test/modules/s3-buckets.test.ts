import { S3Buckets, S3BucketsProps } from "../../modules/s3-buckets";
import { suppressionsOf } from "../../modules/core/suppress";
import { policy, resource, resources, synth, testStack } from "../helpers";

function build(overrides: Partial<S3BucketsProps> = {}) {
  const { stack, naming } = testStack("production");
  const buckets = new S3Buckets(stack, "storage", {
    naming,
    buckets: { static: {}, media: {}, backups: { purpose: "backup" } },
    ...overrides,
  });
  return { buckets, json: synth(stack) };
}

describe("s3-buckets", () => {
  const { buckets, json } = build();
  const names = ["static", "media", "backups", "logs"];

  it("creates the named buckets plus a logs bucket, account-suffixed and within 63 chars", () => {
    const all = resources(json, "aws_s3_bucket");
    expect(all).toHaveLength(4);
    for (const n of names) {
      const b = resource(json, "aws_s3_bucket", `storage/${n}/bucket`);
      expect(b.bucket).toMatch(new RegExp(`^openedx-production-${n}-\\$\\{data\\.aws_caller_identity\\.`));
      expect(b.force_destroy).toBe(false);
    }
    expect(Object.keys(buckets.buckets)).toEqual(["static", "media", "backups"]);
  });

  it("blocks all public access and disables ACLs on every bucket", () => {
    for (const n of names) {
      const pab = resource(json, "aws_s3_bucket_public_access_block", `storage/${n}/`);
      expect(pab).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      expect(resource(json, "aws_s3_bucket_ownership_controls", `storage/${n}/`).rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
      expect(resource(json, "aws_s3_bucket_versioning", `storage/${n}/`).versioning_configuration).toEqual({ status: "Enabled" });
    }
  });

  it("encrypts data buckets with the customer-managed key and a bucket key", () => {
    for (const n of ["static", "media", "backups"]) {
      const rule = resource(json, "aws_s3_bucket_server_side_encryption_configuration", `storage/${n}/`).rule[0];
      expect(rule.bucket_key_enabled).toBe(true);
      expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
      expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\.storage_key_\w+\.arn/);
    }
    expect(resource(json, "aws_kms_key", "storage/key").enable_key_rotation).toBe(true);
  });

  it("encrypts the logs bucket with SSE-S3 (log delivery cannot use KMS) and records why", () => {
    const rule = resource(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/logs/").rule[0];
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    expect(suppressionsOf(buckets.logsBucket.resource).map((s) => s.id)).toEqual(["CKV_AWS_145", "AWS-0089", "CKV_AWS_144", "CKV2_AWS_62"]);
  });

  it("denies non-TLS requests on every bucket and lets S3 log delivery write only from this account", () => {
    for (const n of names) {
      const doc = policy(resource(json, "aws_s3_bucket_policy", `storage/${n}/`).policy);
      const deny = doc.Statement.find((s) => s.Sid === "DenyInsecureTransport");
      expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
      expect(deny.Resource).toHaveLength(2);
    }
    const logs = policy(resource(json, "aws_s3_bucket_policy", "storage/logs/").policy);
    const delivery = logs.Statement.find((s) => s.Sid === "S3ServerAccessLogDelivery");
    expect(delivery.Principal).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(delivery.Condition.StringEquals["aws:SourceAccount"]).toContain("aws_caller_identity");
  });

  it("sends access logs of every data bucket to the logs bucket under its own prefix", () => {
    const logging = resources(json, "aws_s3_bucket_logging");
    expect(logging).toHaveLength(3);
    for (const n of ["static", "media", "backups"]) {
      const l = resource(json, "aws_s3_bucket_logging", `storage/${n}/`);
      expect(l.target_bucket).toContain("storage_logs_bucket");
      expect(l.target_prefix).toBe(`${n}/`);
    }
  });

  it("aborts multipart uploads, expires old versions, and moves backups to colder storage", () => {
    const rules = (n: string) => resource(json, "aws_s3_bucket_lifecycle_configuration", `storage/${n}/`).rule as any[];
    for (const n of names) {
      expect(rules(n).find((r) => r.id === "abort-incomplete-multipart-uploads").abort_incomplete_multipart_upload[0].days_after_initiation).toBe(7);
      expect(rules(n).find((r) => r.id === "expire-noncurrent-versions").noncurrent_version_expiration[0].noncurrent_days).toBeGreaterThan(0);
    }
    expect(rules("backups").find((r) => r.id === "transition-to-colder-storage").transition).toEqual([
      { days: 30, storage_class: "GLACIER_IR" }, { days: 180, storage_class: "DEEP_ARCHIVE" },
    ]);
    expect(rules("media").find((r) => r.id === "transition-to-colder-storage")).toBeUndefined();
    expect(rules("logs").find((r) => r.id === "expire-current-objects").expiration[0].days).toBe(365);
  });

  it("lets other modules extend a bucket policy before synth", () => {
    const { stack, naming } = testStack();
    const b = new S3Buckets(stack, "storage", { naming, buckets: { static: {} } });
    b.buckets.static!.policy.addStatements({ Sid: "CloudFrontRead", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "*" });
    const doc = policy(resource(synth(stack), "aws_s3_bucket_policy", "storage/static/").policy);
    expect(doc.Statement.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "CloudFrontRead"]);
    expect(() => b.buckets.static!.policy.addStatements({ Sid: "CloudFrontRead", Effect: "Allow" })).toThrow(/duplicate statement Sid "CloudFrontRead"/);
  });

  it("expires short-lived access logs in Standard instead of a Standard-IA transition S3 would reject", () => {
    const rules = (retention: number) => resource(build({ accessLogRetentionDays: retention }).json, "aws_s3_bucket_lifecycle_configuration", "storage/logs/").rule;
    const short = rules(14);
    expect(short.find((r: any) => r.id === "expire-current-objects").expiration).toEqual([{ days: 14 }]);
    expect(short.find((r: any) => r.id === "transition-to-colder-storage")).toBeUndefined();
    const long = rules(365);
    expect(long.find((r: any) => r.id === "transition-to-colder-storage").transition).toEqual([{ days: 30, storage_class: "STANDARD_IA" }]);
    expect(long.find((r: any) => r.id === "expire-current-objects").expiration).toEqual([{ days: 365 }]);
  });

  it("sets force_destroy only when asked", () => {
    const { json: sandbox } = build({ forceDestroy: true });
    expect(resources(sandbox, "aws_s3_bucket").every((b) => b.force_destroy === true)).toBe(true);
  });

  describe("validation", () => {
    it.each<[string, Partial<S3BucketsProps>, RegExp]>([
      ["a reserved logs name", { buckets: { logs: {} } }, /buckets\.logs .* is reserved/],
      ["no buckets", { buckets: {} }, /buckets = \{\} is invalid; must name at least one bucket/],
      // Would silently get a standard bucket's lifecycle (no cold-storage transitions, 90-day versions).
      ["a purpose spelled differently", { buckets: { b: { purpose: "backups" as never } } }, /buckets\.b: purpose = "backups" is invalid; must be one of "standard", "backup"/],
      ["a name over S3's 63 characters", { buckets: { "course-exports-and-learner-records-archive": {} } },
        /s3Bucket name = "openedx-production-course-exports-and-learner-records-archive" is invalid; must be at most 63 characters including a 13-character suffix/],
      ["an unknown storage class", { buckets: { b: { transitions: [{ days: 30, storageClass: "COLD" as never }] } } }, /transitions\[0\]\.storageClass = "COLD" is invalid; must be one of STANDARD_IA/],
      ["transitions out of order", { buckets: { b: { transitions: [{ days: 90, storageClass: "GLACIER" }, { days: 30, storageClass: "DEEP_ARCHIVE" }] } } },
        /transitions\[1\]\.days = 30 is invalid; must be an integer greater than the previous transition's days \(90\)/],
      ["expiry before the last transition", { buckets: { b: { purpose: "backup", expirationDays: 100 } } }, /expirationDays = 100 is invalid; must be an integer greater than the last transition's days \(180\)/],
      ["bad noncurrent retention", { buckets: { b: { noncurrentVersionExpirationDays: 0 } } }, /noncurrentVersionExpirationDays = 0 is invalid; must be an integer from 1/],
      ["bad access log retention", { accessLogRetentionDays: 0 }, /accessLogRetentionDays = 0 is invalid/],
      ["Standard-IA before day 30 (an S3 API error)", { buckets: { b: { transitions: [{ days: 7, storageClass: "STANDARD_IA" }] } } },
        /transitions\[0\]\.days = 7 is invalid; must be at least 30 for STANDARD_IA/],
      ["leaving One Zone-IA within 30 days (an S3 API error)", { buckets: { b: { transitions: [{ days: 30, storageClass: "ONEZONE_IA" }, { days: 45, storageClass: "GLACIER" }] } } },
        /transitions\[1\]\.days = 45 is invalid; must be at least 60: objects stay 30 days in ONEZONE_IA/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
