import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Naming } from "./naming";
import { check } from "./validation";

const COMPARISONS = {
  ">": "GreaterThanThreshold",
  ">=": "GreaterThanOrEqualToThreshold",
  "<": "LessThanThreshold",
  "<=": "LessThanOrEqualToThreshold",
} as const;

/** One CloudWatch metric alarm, in the terms a runbook uses. */
export interface AlarmSpec {
  /** Short kebab-case name; the alarm is `<prefix>-<component>-<name>`. */
  readonly name: string;
  /** What it means and what to do, shown in the notification. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly comparison: keyof typeof COMPARISONS;
  readonly threshold: number;
  /** Consecutive periods that must breach. @default 5 (seed 001: "for 5 minutes") */
  readonly periods?: number;
  /** @default 60 */
  readonly periodSeconds?: number;
  /** @default "missing" */
  readonly treatMissingData?: "missing" | "notBreaching" | "breaching" | "ignore";
}

/**
 * An SNS topic and its customer-managed key, for a publisher outside AWS's event services
 * (e.g. Alertmanager's Pod Identity role) that needs IAM permissions on both.
 */
export interface AlarmTopicRef {
  readonly topicArn: string;
  /** Key the topic is encrypted with; publishers need GenerateDataKey/Decrypt on it through SNS. */
  readonly kmsKeyArn: string;
}

/**
 * Where data stores send alarms and service events: the environment's alarm topic
 * (modules/alerting implements it). Stores depend on this interface, not on the topic module.
 */
export interface AlarmTarget {
  readonly topicArn: string;
  /**
   * Lets an AWS service publish events to the topic (and use its key), scoped to this
   * account and to source ARNs matching `sourceArnPattern`. Idempotent per service.
   */
  allowEventPublisher(service: string, sourceArnPattern: string): void;
}

/**
 * Creates the alarms, each notifying the target on ALARM and on OK. One helper for every
 * store, so thresholds, naming and actions are uniform and never copy-pasted.
 */
export function metricAlarms(scope: Construct, target: AlarmTarget, naming: Naming, component: string, specs: readonly AlarmSpec[]): CloudwatchMetricAlarm[] {
  return specs.map((spec) => {
    const where = `alarm ${component}-${spec.name}`;
    check(Number.isFinite(spec.threshold) && spec.threshold >= 0, where, "threshold", spec.threshold, "must be a finite number >= 0");
    return new CloudwatchMetricAlarm(scope, `alarm-${spec.name}`, {
      alarmName: naming.name(`${component}-${spec.name}`),
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: spec.statistic,
      comparisonOperator: COMPARISONS[spec.comparison],
      threshold: spec.threshold,
      evaluationPeriods: spec.periods ?? 5,
      period: spec.periodSeconds ?? 60,
      treatMissingData: spec.treatMissingData ?? "missing",
      alarmActions: [target.topicArn],
      okActions: [target.topicArn],
    });
  });
}
