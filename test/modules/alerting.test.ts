import { AlarmTopic } from "../../modules/alerting";
import { GeneratedSecret } from "../../modules/core/secret";
import { storeSecurityGroup } from "../../modules/core/security-group";
import { metricAlarms } from "../../modules/core/alarms";
import { policy, resource, synth, testStack } from "../helpers";

describe("alerting", () => {
  const { stack, naming } = testStack("production");
  const topic = new AlarmTopic(stack, "alarms", { naming });
  topic.allowEventPublisher("events.rds.amazonaws.com", "arn:aws:rds:us-east-1:123456789012:es:*");
  topic.allowEventPublisher("events.rds.amazonaws.com", "arn:aws:rds:us-east-1:123456789012:es:*");
  const json = synth(stack);

  it("encrypts the topic with its own rotating CMK", () => {
    const sns = resource(json, "aws_sns_topic");
    expect(sns.name).toBe("openedx-production-alarms");
    expect(sns.kms_master_key_id).toMatch(/aws_kms_key\.alarms_key_\w+\.arn/);
    expect(resource(json, "aws_kms_key").enable_key_rotation).toBe(true);
  });

  it("lets CloudWatch alarms and RDS events publish (and use the key) only from this account", () => {
    const doc = policy(resource(json, "aws_sns_topic_policy").policy);
    const sids = doc.Statement.map((s) => s.Sid);
    expect(sids).toEqual(["AccountManagesTopic", "DenyInsecureTransport", "Publishcloudwatch", "Publisheventsrds"]);
    const cw = doc.Statement.find((s) => s.Sid === "Publishcloudwatch");
    expect(cw.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(cw.Condition.StringEquals["aws:SourceAccount"]).toContain("aws_caller_identity");
    expect(cw.Condition.ArnLike["aws:SourceArn"]).toContain(":alarm:*");
    const key = policy(resource(json, "aws_kms_key").policy);
    expect(key.Statement.map((s) => s.Principal.Service ?? "root")).toEqual(["root", "cloudwatch.amazonaws.com", "events.rds.amazonaws.com"]);
  });

  describe("core data-store helpers", () => {
    it("rejects a generated secret shorter than services accept and a bad recovery window", () => {
      const { stack: s, naming: n } = testStack();
      expect(() => new GeneratedSecret(s, "a", { naming: n, component: "a", description: "x", kmsKeyArn: "k", length: 8 })).toThrow(/length = 8 is invalid; must be an integer from 16 to 128/);
      expect(() => new GeneratedSecret(s, "b", { naming: n, component: "b", description: "x", kmsKeyArn: "k", recoveryWindowInDays: 3 })).toThrow(/recoveryWindowInDays = 3 is invalid; must be an integer from 7 to 30/);
    });

    it("rejects duplicate client security groups", () => {
      const { stack: s, naming: n } = testStack();
      expect(() => storeSecurityGroup(s, "sg", { naming: n, component: "x", vpcId: "vpc", port: 1, allowedSecurityGroupIds: ["sg-1", "sg-1"], description: "X" }))
        .toThrow(/allowedSecurityGroupIds = \["sg-1","sg-1"\] is invalid; must not repeat values/);
    });

    it("maps alarm comparisons and defaults to five one-minute periods notifying on ALARM and OK", () => {
      const { stack: s, naming: n } = testStack();
      const t = new AlarmTopic(s, "alarms", { naming: n });
      const [a] = metricAlarms(s, t, n, "x", [{ name: "m", description: "d", namespace: "N", metricName: "M", dimensions: {}, statistic: "Sum", comparison: "<=", threshold: 0 }]);
      const alarm = resource(synth(s), "aws_cloudwatch_metric_alarm");
      expect(alarm).toMatchObject({ comparison_operator: "LessThanOrEqualToThreshold", evaluation_periods: 5, period: 60, treat_missing_data: "missing" });
      expect(alarm.alarm_actions).toEqual(alarm.ok_actions);
      expect(a).toBeDefined();
    });
  });
});
