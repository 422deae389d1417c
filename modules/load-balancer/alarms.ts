import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlarmTarget } from "../core/alarms";
import { Naming } from "../core/naming";
import { check } from "../core/validation";

/** When the EKS share is worse than the legacy one should be: the signal to set the weight back. */
export interface RollbackAlarmThresholds {
  /** Share of the EKS target group's responses that are 5xx (percent, per minute). @default 1 */
  readonly errorPercent?: number;
  /** p99 target response time of the EKS target group (seconds; seed 002's API SLO is p99 < 500 ms). @default 0.5 */
  readonly p99LatencySeconds?: number;
  /** Consecutive breaching minutes before the alarm fires. @default 5 */
  readonly minutes?: number;
}

export interface RollbackAlarmsProps {
  readonly naming: Naming;
  readonly alarms: AlarmTarget;
  readonly loadBalancerArnSuffix: string;
  readonly targetGroupArnSuffix: string;
  readonly thresholds?: RollbackAlarmThresholds;
  /** The phase in effect and the one before it, named in the alarm text (the runbook's action). */
  readonly phase: string;
  readonly previousPhase?: string;
}

/**
 * The migration's abort signals on the EKS target group: 5xx share (metric math over
 * HTTPCode_Target_5XX_Count and RequestCount, so a quiet minute does not alarm) and p99
 * TargetResponseTime. Their text says what to do: set `phase` back and apply.
 */
export function rollbackAlarms(scope: Construct, props: RollbackAlarmsProps): CloudwatchMetricAlarm[] {
  const where = "rollback alarms";
  const th = { errorPercent: 1, p99LatencySeconds: 0.5, minutes: 5, ...props.thresholds };
  check(th.errorPercent > 0 && th.errorPercent < 100, where, "rollbackAlarms.errorPercent", th.errorPercent, "must be a percentage between 0 and 100 (exclusive)");
  check(th.p99LatencySeconds > 0 && th.p99LatencySeconds <= 60, where, "rollbackAlarms.p99LatencySeconds", th.p99LatencySeconds, "must be more than 0 and at most 60 seconds");
  check(Number.isInteger(th.minutes) && th.minutes >= 1 && th.minutes <= 60, where, "rollbackAlarms.minutes", th.minutes, "must be an integer from 1 to 60");
  const dimensions = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };
  const action = props.previousPhase
    ? `Runbook (README, "Migration"): set migration.phase back to "${props.previousPhase}" and apply.`
    : "Runbook (README, \"Migration\"): this is the first phase; set the eks weight to 0 in it and apply.";
  const common = {
    evaluationPeriods: th.minutes, alarmActions: [props.alarms.topicArn], okActions: [props.alarms.topicArn],
  };
  const metric = (name: string, stat: string) => ({ namespace: "AWS/ApplicationELB", metricName: name, dimensions, period: 60, stat });
  return [
    new CloudwatchMetricAlarm(scope, "alarm-eks-5xx", {
      ...common,
      alarmName: props.naming.name("migration-eks-5xx"),
      alarmDescription: `EKS share (phase "${props.phase}"): more than ${th.errorPercent} % 5xx for ${th.minutes} minutes. ${action}`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: th.errorPercent,
      treatMissingData: "notBreaching",
      metricQuery: [
        { id: "errors", metric: metric("HTTPCode_Target_5XX_Count", "Sum"), returnData: false },
        { id: "requests", metric: metric("RequestCount", "Sum"), returnData: false },
        { id: "share", expression: "100 * FILL(errors, 0) / requests", label: "5xx percent", returnData: true },
      ],
    }),
    new CloudwatchMetricAlarm(scope, "alarm-eks-latency", {
      ...common,
      alarmName: props.naming.name("migration-eks-p99"),
      alarmDescription: `EKS share (phase "${props.phase}"): p99 response time above ${th.p99LatencySeconds} s for ${th.minutes} minutes. ${action}`,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions,
      extendedStatistic: "p99",
      period: 60,
      comparisonOperator: "GreaterThanThreshold",
      threshold: th.p99LatencySeconds,
      treatMissingData: "notBreaching",
    }),
  ];
}
