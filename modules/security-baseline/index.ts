import { Construct } from "constructs";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { ShieldSubscription } from "@cdktf/provider-aws/lib/shield-subscription";
import { awsContext } from "../core/aws-context";
import { encryptedLogGroup } from "../core/log-group";
import { Naming } from "../core/naming";
import { suppress } from "../core/suppress";
import { check, checkLogRetention } from "../core/validation";
import { KmsKey } from "../kms-key";
import { SecureBucket } from "../s3-buckets";

/** The account's audit and threat-detection settings (bootstrap config). */
export interface SecurityBaselineSettings {
  /** Days the trail's objects stay in S3 (at least a year: seed 001's audit trail). */
  readonly trailRetentionDays: number;
  /** Days the trail's CloudWatch Logs copy is kept (for metric filters and Logs Insights). */
  readonly trailLogGroupRetentionDays: number;
  /**
   * Subscribe the account to Shield Advanced (USD 3,000 a month, one-year commitment, renewed
   * automatically); environments then protect their CloudFront distribution and origin NLB
   * (`edge.shieldProtection`). Shield Standard protects every account without this.
   * @default false
   */
  readonly shieldAdvanced?: boolean;
}

export interface SecurityBaselineProps extends SecurityBaselineSettings {
  readonly naming: Naming;
  /** Bucket that receives the trail bucket's S3 server access logs. */
  readonly accessLogs: SecureBucket;
}

/** GuardDuty protection plans turned on, with the EKS Runtime Monitoring agent managed by GuardDuty. */
export const GUARDDUTY_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "RUNTIME_MONITORING"] as const;

/**
 * Account-level security baseline, created once in the bootstrap stack (never per environment):
 * - CloudTrail: one multi-region trail with global service events and log-file validation
 *   (digest files prove no log was altered or removed), into a bucket of its own encrypted with
 *   a key of its own (so readers of other buckets cannot read the audit trail), and a
 *   CloudWatch Logs copy for queries and metric filters.
 * - GuardDuty: a detector with S3, EKS audit-log, EBS malware, RDS login and Runtime
 *   Monitoring protection; GuardDuty manages the EKS security agent add-on on every cluster.
 * - Shield Advanced: the subscription, when chosen (environments add the protections).
 */
export class SecurityBaseline extends Construct {
  public readonly trail: Cloudtrail;
  public readonly trailBucket: SecureBucket;
  public readonly trailKey: KmsKey;
  public readonly detector: GuarddutyDetector;

  constructor(scope: Construct, id: string, props: SecurityBaselineProps) {
    super(scope, id);
    const where = `SecurityBaseline ${id}`;
    check(Number.isInteger(props.trailRetentionDays) && props.trailRetentionDays >= 365 && props.trailRetentionDays <= 3650, where, "trailRetentionDays",
      props.trailRetentionDays, "must be an integer from 365 to 3650 (a year of audit history at least)");
    checkLogRetention(where, "trailLogGroupRetentionDays", props.trailLogGroupRetentionDays);
    const { naming } = props;
    const { accountId, partition, region } = awsContext(this);
    const trailName = naming.name("trail");
    const trailArn = `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trailName}`;

    this.trailKey = new KmsKey(this, "trail-key", { naming, component: "cloudtrail", description: "CloudTrail logs of the account", allowCloudWatchLogs: true });
    // CloudTrail encrypts each log file with a data key; the context names the trail, so only this account's trails use the key.
    this.trailKey.allowServicePrincipal("cloudtrail.amazonaws.com", {
      StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${accountId}:trail/*` },
      StringEquals: { "aws:SourceArn": trailArn },
    }, "CloudTrailEncryptLogs");

    this.trailBucket = new SecureBucket(this, "trail-bucket", {
      bucketName: `${naming.name("cloudtrail", "s3Bucket", 13)}-${accountId}`,
      kmsKey: this.trailKey,
      forceDestroy: false,
      accessLogs: { bucket: props.accessLogs, prefix: "cloudtrail/" },
      lifecycle: { noncurrentVersionExpirationDays: 30, transitions: [{ days: 90, storageClass: "GLACIER_IR" }], expirationDays: props.trailRetentionDays },
    });
    const source = { StringEquals: { "aws:SourceArn": trailArn } };
    this.trailBucket.policy.addStatements(
      { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: this.trailBucket.bucketArn, Condition: source },
      {
        Sid: "CloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
        Resource: `${this.trailBucket.bucketArn}/AWSLogs/${accountId}/*`,
        Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
      },
    );
    suppress(this.trailBucket.resource,
      { id: "CKV_AWS_144", reason: "The trail is multi-region already; a replica needs a second-region bucket and key, and the digest files prove integrity in place" },
      { id: "CKV2_AWS_62", reason: "Nothing consumes object events from the trail bucket; CloudTrail's own CloudWatch Logs copy is what alerts read" });

    const logGroup = encryptedLogGroup(this, "trail-logs", {
      name: `/aws/cloudtrail/${trailName}`, retentionDays: props.trailLogGroupRetentionDays, kmsKeyArn: this.trailKey.keyArn, retentionProp: "trailLogGroupRetentionDays",
    });
    const logsRole = new IamRole(this, "trail-logs-role", {
      name: naming.name("cloudtrail-logs", "iamRole"),
      description: "CloudTrail delivers the trail to its CloudWatch Logs group",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole", Condition: source }],
      }),
    });
    new IamRolePolicy(this, "trail-logs-policy", {
      role: logsRole.id,
      name: "deliver-to-log-group",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroup.arn}:log-stream:*` }],
      }),
    });

    this.trail = new Cloudtrail(this, "trail", {
      name: trailName,
      s3BucketName: this.trailBucket.bucketName,
      kmsKeyId: this.trailKey.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      cloudWatchLogsGroupArn: `${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: logsRole.arn,
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [this.trailBucket.node.findChild("policy") as S3BucketPolicy],
    });
    suppress(this.trail, { id: "CKV_AWS_252", reason: "Per-file SNS notifications would fire on every delivery; alerting reads the CloudWatch Logs copy instead" });

    this.detector = new GuarddutyDetector(this, "guardduty", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    suppress(this.detector, { id: "CKV2_AWS_3", reason: "One account, no AWS Organizations delegated administrator: the detector is on in the region the platform runs in; organization-wide enablement belongs to an organization's management account, which this repository does not manage" });
    for (const feature of GUARDDUTY_FEATURES) {
      new GuarddutyDetectorFeature(this, `guardduty-${feature.toLowerCase().replace(/_/g, "-")}`, {
        detectorId: this.detector.id,
        name: feature,
        status: "ENABLED",
        // GuardDuty installs and updates its security agent add-on on every EKS cluster of the account.
        additionalConfiguration: feature === "RUNTIME_MONITORING" ? [{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }] : undefined,
      });
    }

    if (props.shieldAdvanced) new ShieldSubscription(this, "shield", { autoRenew: "ENABLED" });
  }
}
