import { AlarmTopic } from "../../modules/alerting";
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
    it("rejects duplicate clients and clients that are not security groups", () => {
      const { stack: s, naming: n } = testStack();
      const client = (id: string) => ({ securityGroupId: id, description: "c" });
      expect(() => storeSecurityGroup(s, "sg", { naming: n, component: "x", vpcId: "vpc", port: 1, allowFrom: [client("sg-1"), client("sg-1")], description: "X" }))
        .toThrow(/allowFrom\[\]\.securityGroupId = \["sg-1","sg-1"\] is invalid; must not repeat values/);
      expect(() => storeSecurityGroup(s, "sg2", { naming: n, component: "y", vpcId: "vpc", port: 1, allowFrom: [client("10.0.0.0/8")], description: "X" }))
        .toThrow(/allowFrom\[0\]\.securityGroupId = "10\.0\.0\.0\/8" is invalid; must be a security group id \(sg-\.\.\.\) or a reference to one; CIDRs are not accepted/);
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
