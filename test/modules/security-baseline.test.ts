import { GUARDDUTY_FEATURES, SecurityBaseline, SecurityBaselineProps } from "../../modules/security-baseline";
import { SecureBucket } from "../../modules/s3-buckets";
import { policy, resource, resources, synth, testStack } from "../helpers";

function build(overrides: Partial<SecurityBaselineProps> = {}) {
  const { stack, naming } = testStack("bootstrap");
  const accessLogs = new SecureBucket(stack, "access-logs", { bucketName: "logs", forceDestroy: false, lifecycle: { noncurrentVersionExpirationDays: 30, transitions: [] } });
  new SecurityBaseline(stack, "security", { naming, accessLogs, trailRetentionDays: 2557, trailLogGroupRetentionDays: 365, ...overrides });
  return synth(stack);
}

describe("SecurityBaseline", () => {
  const json = build();

  it("keeps one multi-region CloudTrail trail with global events and log-file validation, encrypted with its own key", () => {
    const trail = resource(json, "aws_cloudtrail");
    expect(trail).toMatchObject({ name: "openedx-bootstrap-trail", is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true });
    expect(trail.kms_key_id).toMatch(/aws_kms_key\.security_trail-key_/);
    expect(trail.s3_bucket_name).toMatch(/aws_s3_bucket\.security_trail-bucket_/);
    expect(trail.cloud_watch_logs_group_arn).toMatch(/aws_cloudwatch_log_group\.security_trail-logs_.*\.arn\}:\*$/);
    expect(trail.depends_on).toEqual([expect.stringMatching(/aws_s3_bucket_policy\.security_trail-bucket_policy/)]);
  });

  it("lets CloudTrail write only this trail's files, and encrypt with the key only for this account's trails", () => {
    const bucketPolicy = policy(resources(json, "aws_s3_bucket_policy").find((p) => String(p.bucket).includes("trail-bucket"))!.policy);
    const write = bucketPolicy.Statement.find((s) => s.Sid === "CloudTrailWrite");
    expect(write.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
    expect(write.Condition.StringEquals["s3:x-amz-acl"]).toBe("bucket-owner-full-control");
    expect(write.Condition.StringEquals["aws:SourceArn"]).toMatch(/:trail\/openedx-bootstrap-trail$/);
    const keyPolicy = policy(resources(json, "aws_kms_key").find((k) => k.description === "CloudTrail logs of the account")!.policy);
    const encrypt = keyPolicy.Statement.find((s) => s.Sid === "CloudTrailEncryptLogs");
    expect(encrypt.Condition.StringLike["kms:EncryptionContext:aws:cloudtrail:arn"]).toMatch(/^arn:.*:cloudtrail:\*:.*:trail\/\*$/);
  });

  it("keeps the trail at least a year: Glacier IR after 90 days, expiry after the retention", () => {
    const lifecycle = resources(json, "aws_s3_bucket_lifecycle_configuration").find((l) => String(l.bucket).includes("trail-bucket"))!;
    expect(JSON.stringify(lifecycle.rule)).toContain('"days":2557');
    expect(JSON.stringify(lifecycle.rule)).toContain('"storage_class":"GLACIER_IR"');
  });

  it("turns GuardDuty on with EKS Runtime Monitoring, GuardDuty managing the agent add-on", () => {
    expect(resource(json, "aws_guardduty_detector")).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
    const features = resources(json, "aws_guardduty_detector_feature");
    expect(features.map((f) => f.name).sort()).toEqual([...GUARDDUTY_FEATURES].sort());
    expect(features.every((f) => f.status === "ENABLED")).toBe(true);
    expect(features.find((f) => f.name === "RUNTIME_MONITORING")!.additional_configuration).toEqual([{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }]);
  });

  it("subscribes to Shield Advanced only when asked", () => {
    expect(resources(json, "aws_shield_subscription")).toHaveLength(0);
    expect(resource(build({ shieldAdvanced: true }), "aws_shield_subscription").auto_renew).toBe("ENABLED");
  });

  it.each<[string, Partial<SecurityBaselineProps>, string]>([
    ["a trail kept under a year", { trailRetentionDays: 90 }, "trailRetentionDays = 90 is invalid; must be an integer from 365 to 3650"],
    ["a log retention CloudWatch does not offer", { trailLogGroupRetentionDays: 100 }, "trailLogGroupRetentionDays = 100 is invalid; must be a CloudWatch Logs retention period"],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => build(overrides)).toThrow(`SecurityBaseline security: ${message}`);
  });
});
