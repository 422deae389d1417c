import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2WebAcl, Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { encryptedLogGroup } from "../core/log-group";
import { CLOUDFRONT_REGION, checkCloudFrontProvider } from "../core/regions";
import { check, checkInt, checkLogRetention, checkUniqueList } from "../core/validation";
import { KmsKey } from "../kms-key";
import { policyJson } from "../core/policy";
import type { KeyRef } from "../core/refs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/log-group";

/**
 * The AWS managed rule groups every web ACL runs, in priority order after the rate rule:
 * IP reputation first (cheap, drops known-bad sources), then the OWASP-style core set, known
 * bad inputs (Log4Shell and friends) and SQL injection (seed 004: "OWASP Top 10 protection").
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
] as const;

/**
 * Rules of AWSManagedRulesCommonRuleSet, the only group whose rules may be counted instead of
 * blocked. An override naming a rule the group does not have would be accepted by WAF and do
 * nothing, so names are checked against this list (extend it when AWS adds rules).
 */
export const COMMON_RULE_SET_RULES = [
  "NoUserAgent_HEADER", "UserAgent_BadBots_HEADER",
  "SizeRestrictions_QUERYSTRING", "SizeRestrictions_Cookie_HEADER", "SizeRestrictions_BODY", "SizeRestrictions_URIPATH",
  "EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_QUERYARGUMENTS",
  "GenericLFI_QUERYARGUMENTS", "GenericLFI_URIPATH", "GenericLFI_BODY",
  "RestrictedExtensions_URIPATH", "RestrictedExtensions_QUERYARGUMENTS",
  "GenericRFI_QUERYARGUMENTS", "GenericRFI_BODY", "GenericRFI_URIPATH",
  "CrossSiteScripting_COOKIE", "CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_BODY", "CrossSiteScripting_URIPATH",
] as const;

/** WAF's bounds for a rate-based rule's limit (requests per IP per evaluation window). */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;

export interface WebAclProps {
  readonly naming: Naming;
  /** AWS provider in us-east-1 (CLOUDFRONT scope exists only there). */
  readonly provider: AwsProvider;
  /**
   * Requests one client IP may make in 5 minutes before it is blocked (seed 004: rate
   * limiting). Size it for learners behind one campus NAT.
   * @default 2000
   */
  readonly rateLimit?: number;
  /**
   * Rules of `AWSManagedRulesCommonRuleSet` (see `COMMON_RULE_SET_RULES`) to run in count
   * mode instead of block, e.g. `SizeRestrictions_BODY` where Studio uploads course archives
   * larger than 8 KB. The other groups always block.
   * @default [] (every rule blocks)
   */
  readonly countOnlyRules?: readonly string[];
  /**
   * Days WAF logs are kept.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Key for the WAF log group; must live in us-east-1.
   * @default a new customer-managed key in us-east-1
   */
  readonly logsKey?: KeyRef;
}

/**
 * A WAFv2 web ACL for CloudFront: a per-IP rate-based rule, the AWS managed rule groups
 * above, CloudWatch metrics and sampled requests on every rule, and full logging to a
 * KMS-encrypted `aws-waf-logs-*` log group with the Authorization and Cookie headers redacted
 * (they carry learners' session tokens).
 */
export class WebAcl extends Construct {
  public readonly webAclArn: string;
  public readonly webAclName: string;
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const where = `WebAcl ${id}`;
    const { naming, provider } = props;
    checkCloudFrontProvider(where, provider, "web ACLs (scope CLOUDFRONT)");
    const rateLimit = props.rateLimit ?? 2000;
    checkInt(where, "rateLimit", rateLimit, RATE_LIMIT_MIN, RATE_LIMIT_MAX);
    const countOnly = props.countOnlyRules ?? [];
    checkUniqueList(where, "countOnlyRules", countOnly, 0);
    countOnly.forEach((r, i) => {
      check(/^[A-Za-z0-9_-]{1,128}$/.test(r), where, `countOnlyRules[${i}]`, r, "must be a managed rule name such as SizeRestrictions_BODY");
      check((COMMON_RULE_SET_RULES as readonly string[]).includes(r), where, `countOnlyRules[${i}]`, r,
        `must be a rule of AWSManagedRulesCommonRuleSet (${COMMON_RULE_SET_RULES.join(", ")}); an override of any other name does nothing`);
    });
    const retention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    checkLogRetention(where, "logRetentionDays", retention);

    this.webAclName = naming.name("edge", "wafWebAcl");
    const metric = (name: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${this.webAclName}-${name}` });

    const rules: Wafv2WebAclRule[] = [{
      name: "rate-limit-per-ip",
      priority: 0,
      action: { block: {} },
      // The statement block is typed `any` by the provider binding, so it is written in Terraform's own shape.
      statement: { rate_based_statement: { limit: rateLimit, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
      visibilityConfig: metric("rate-limit-per-ip"),
    }];
    MANAGED_RULE_GROUPS.forEach((group, i) => rules.push({
      name: group,
      priority: i + 1,
      overrideAction: { none: {} },
      statement: {
        managed_rule_group_statement: {
          vendor_name: "AWS",
          name: group,
          ...(group === "AWSManagedRulesCommonRuleSet" && countOnly.length > 0
            ? { rule_action_override: countOnly.map((name) => ({ name, action_to_use: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: metric(group),
    }));

    const acl = new Wafv2WebAcl(this, "acl", {
      provider,
      name: this.webAclName,
      description: `${naming.prefix} CloudFront edge`,
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: metric("acl"),
    });
    this.webAclArn = acl.arn;

    const key = props.logsKey ?? new KmsKey(this, "logs-key", {
      naming, component: "waf-logs", description: `${naming.prefix} WAF logs`, allowCloudWatchLogs: true, provider, region: CLOUDFRONT_REGION,
    });
    // WAF delivers only to log groups whose name starts with aws-waf-logs-.
    this.logGroupName = `aws-waf-logs-${naming.name("edge", "logGroup", "aws-waf-logs-".length)}`;
    const logGroup = encryptedLogGroup(this, "logs", {
      provider, name: this.logGroupName, retentionDays: retention, kmsKeyArn: key.keyArn, retentionProp: "logRetentionDays",
    });
    // An explicit, scoped resource policy instead of the account-wide one WAF would add itself.
    const { accountId, partition } = awsContext(this);
    const policy = new CloudwatchLogResourcePolicy(this, "logs-policy", {
      provider,
      policyName: naming.name("waf-log-delivery"),
      policyDocument: policyJson([{
        Sid: "WafLogDelivery",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroup.arn}:*`,
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:logs:${CLOUDFRONT_REGION}:${accountId}:*` },
        },
      }]),
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      provider,
      resourceArn: acl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      dependsOn: [policy],
    });
  }
}
