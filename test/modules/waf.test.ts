import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MANAGED_RULE_GROUPS, WebAcl, WebAclProps } from "../../modules/waf";
import { policy, resource, resources, synth, testStack } from "../helpers";

function build(overrides: Partial<WebAclProps> = {}, region = "us-east-1") {
  const { stack, naming } = testStack("production");
  const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region });
  const acl = new WebAcl(stack, "waf", { naming, provider, rateLimit: 3000, countOnlyRules: ["SizeRestrictions_BODY"], ...overrides });
  return { acl, json: synth(stack) };
}

describe("waf", () => {
  const { acl, json } = build();
  const webAcl = resource(json, "aws_wafv2_web_acl");
  const rule = (name: string) => webAcl.rule.find((r: any) => r.name === name);

  it("is a CLOUDFRONT-scoped web ACL in us-east-1 that allows by default", () => {
    expect(webAcl).toMatchObject({ scope: "CLOUDFRONT", provider: "aws.us-east-1", name: "openedx-production-edge", default_action: { allow: {} } });
    expect(acl.logGroupName).toBe("aws-waf-logs-openedx-production-edge");
  });

  it("blocks clients over the rate limit per IP in 5-minute windows, before the managed groups", () => {
    expect(rule("rate-limit-per-ip")).toMatchObject({
      priority: 0,
      action: { block: {} },
      statement: { rate_based_statement: { limit: 3000, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
    });
  });

  it("runs the AWS managed groups (IP reputation, common, known bad inputs, SQLi) in order", () => {
    MANAGED_RULE_GROUPS.forEach((group, i) => {
      expect(rule(group)).toMatchObject({
        priority: i + 1,
        override_action: { none: {} },
        statement: { managed_rule_group_statement: { vendor_name: "AWS", name: group } },
        visibility_config: { cloudwatch_metrics_enabled: true, sampled_requests_enabled: true },
      });
    });
    expect(MANAGED_RULE_GROUPS).toEqual(expect.arrayContaining([
      "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAmazonIpReputationList",
    ]));
  });

  it("counts only the named rules of the common rule set", () => {
    expect(rule("AWSManagedRulesCommonRuleSet").statement.managed_rule_group_statement.rule_action_override)
      .toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
    expect(rule("AWSManagedRulesSQLiRuleSet").statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
    const strict = resource(build({ countOnlyRules: [] }).json, "aws_wafv2_web_acl");
    expect(strict.rule.every((r: any) => !r.statement.managed_rule_group_statement?.rule_action_override)).toBe(true);
  });

  it("logs every request to a KMS-encrypted aws-waf-logs- group in us-east-1, redacting credentials", () => {
    const group = resource(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "aws-waf-logs-openedx-production-edge", retention_in_days: 365, provider: "aws.us-east-1" });
    expect(group.kms_key_id).toContain("aws_kms_key.waf_logs-key");
    expect(resource(json, "aws_kms_key")).toMatchObject({ provider: "aws.us-east-1", enable_key_rotation: true });
    const logs = policy(resource(json, "aws_kms_key").policy).Statement.find((s) => s.Sid === "CloudWatchLogs");
    expect(logs.Principal).toEqual({ Service: "logs.us-east-1.amazonaws.com" });
    const logging = resource(json, "aws_wafv2_web_acl_logging_configuration");
    expect(logging.log_destination_configs).toEqual([expect.stringContaining("aws_cloudwatch_log_group.waf_logs")]);
    expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }]);
  });

  it("lets only WAF log delivery of this account write to the log group", () => {
    const doc = policy(resource(json, "aws_cloudwatch_log_resource_policy").policy_document);
    expect(doc.Statement[0]).toMatchObject({ Principal: { Service: "delivery.logs.amazonaws.com" }, Action: ["logs:CreateLogStream", "logs:PutLogEvents"] });
    expect(doc.Statement[0].Condition.StringEquals["aws:SourceAccount"]).toContain("aws_caller_identity");
    expect(resources(json, "aws_wafv2_web_acl_logging_configuration")[0]!.depends_on).toHaveLength(1);
  });

  describe("validation", () => {
    it.each<[string, Partial<WebAclProps>, RegExp]>([
      ["a rate limit below WAF's minimum", { rateLimit: 5 }, /WebAcl waf: rateLimit = 5 is invalid; must be an integer from 10 to 2000000000/],
      ["a rate limit above WAF's maximum", { rateLimit: 3_000_000_000 }, /rateLimit = 3000000000 is invalid/],
      ["a fractional rate limit", { rateLimit: 100.5 }, /rateLimit = 100.5 is invalid/],
      ["a malformed rule name", { countOnlyRules: ["Size Restrictions"] }, /countOnlyRules\[0\] = "Size Restrictions" is invalid; must be a managed rule name/],
      ["a repeated rule name", { countOnlyRules: ["A", "A"] }, /countOnlyRules = \["A","A"\] is invalid; must not repeat values/],
      ["a rule the common rule set does not have (the override would silently do nothing)", { countOnlyRules: ["SQLi_BODY"] },
        /countOnlyRules\[0\] = "SQLi_BODY" is invalid; must be a rule of AWSManagedRulesCommonRuleSet \(NoUserAgent_HEADER, /],
      ["a bad log retention", { logRetentionDays: 10 }, /logRetentionDays = 10 is invalid; must be a CloudWatch Logs retention period/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    it("rejects a provider outside us-east-1", () => {
      expect(() => build({}, "eu-west-1")).toThrow(/WebAcl waf: provider.region = "eu-west-1" is invalid; must be us-east-1: web ACLs \(scope CLOUDFRONT\) for CloudFront exist only there/);
    });
  });
});
