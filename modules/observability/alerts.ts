/** Alertmanager receivers and the platform alert rules (seed 001), as the kube-prometheus-stack chart values take them. */
import { OnCallKind } from "../core/on-call";
import { GATEWAY_ACCESS_LOG } from "./alloy";

/** Seed 001's alerting thresholds. */
export interface AlertThresholds {
  /** Restarts of one container within `podRestartWindow` that page. */
  readonly podRestarts: number;
  readonly podRestartWindow: string;
  /** Share of 5xx responses at the ingress, in percent, sustained for `errorRateFor`. */
  readonly errorRatePercent: number;
  readonly errorRateFor: string;
  readonly cpuPercent: number;
  readonly cpuFor: string;
  readonly memoryPercent: number;
  /** The seed gives no duration; 5m keeps a short spike from paging. */
  readonly memoryFor: string;
  readonly certificateExpiryDays: number;
}

export const SEED_ALERT_THRESHOLDS: AlertThresholds = {
  podRestarts: 3,
  podRestartWindow: "5m",
  errorRatePercent: 5,
  errorRateFor: "2m",
  cpuPercent: 80,
  cpuFor: "5m",
  memoryPercent: 90,
  memoryFor: "5m",
  certificateExpiryDays: 7,
};

/** An on-call receiver: the service and the Kubernetes Secret key holding its routing key / API key / webhook URL. */
export interface OnCallReceiver {
  readonly kind: OnCallKind;
  /** Secret in the observability namespace (mounted into Alertmanager) and its key. */
  readonly secret: { readonly name: string; readonly key: string };
}
/** Where Alertmanager's operator mounts `alertmanagerSpec.secrets`. */
const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

/** Where Alertmanager publishes: an SNS topic ARN and its region, as plain identifiers. */
export interface AlertsTopic {
  readonly topicArn: string;
  readonly region: string;
  /** Environment name, shown at the start of every notification's subject. */
  readonly environment: string;
}

/** Where Alertmanager sends notifications: the alarm topic and/or a paging service. */
export interface AlertReceivers {
  readonly topic?: AlertsTopic;
  readonly onCall?: OnCallReceiver;
}

/**
 * Alertmanager's configuration. Lists replace the chart's defaults, so the chart's inhibit
 * rules (critical mutes warning/info, InfoInhibitor mutes info, InfoInhibitor itself never
 * notifies) are restated. Watchdog always fires by design (a dead-man's switch), so it stays
 * on the `null` receiver. Grouping by alertname as well as namespace keeps one alert name per
 * notification, so the subject can name it.
 *
 * Critical alerts go to the paging service when one is configured (a PagerDuty incident with
 * dedup and auto-resolve, not a relayed SNS message) and only there, so nobody is paged
 * twice; the rest goes to the alarm topic (e-mail and the same on-call endpoint through SNS).
 * Keys are read from files (`*_file`), so they never appear in the configuration Secret.
 */
export function alertmanagerConfig(receivers: AlertReceivers) {
  const { topic, onCall } = receivers;
  const defaultReceiver = topic ? "alarm-topic" : onCall ? "on-call" : "null";
  const routes: Record<string, unknown>[] = [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }];
  if (onCall && topic) routes.push({ receiver: "on-call", matchers: ['severity = "critical"'] });
  return {
    global: { resolve_timeout: "5m" },
    inhibit_rules: [
      { source_matchers: ["severity = critical"], target_matchers: ["severity =~ warning|info"], equal: ["namespace", "alertname"] },
      { source_matchers: ["severity = warning"], target_matchers: ["severity = info"], equal: ["namespace", "alertname"] },
      { source_matchers: ["alertname = InfoInhibitor"], target_matchers: ["severity = info"], equal: ["namespace"] },
      { target_matchers: ["alertname = InfoInhibitor"] },
    ],
    route: {
      receiver: defaultReceiver,
      group_by: ["namespace", "alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes,
    },
    receivers: [
      { name: "null" },
      ...(topic ? [{ name: "alarm-topic", sns_configs: [snsConfig(topic)] }] : []),
      ...(onCall ? [{ name: "on-call", ...onCallConfig(onCall) }] : []),
    ],
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
}

function snsConfig(topic: AlertsTopic) {
  return {
    topic_arn: topic.topicArn,
    // No keys: the AWS SDK's default chain picks up Pod Identity's container credentials.
    sigv4: { region: topic.region },
    send_resolved: true,
    // SNS subjects: ASCII, no line breaks, under 100 characters.
    subject: `[${topic.environment}] {{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }} {{ printf "%.60s" .CommonLabels.alertname }}`,
    message: [
      "{{ range .Alerts }}{{ .Status | toUpper }} {{ .Labels.alertname }} ({{ .Labels.severity }}){{ if .Labels.namespace }} in {{ .Labels.namespace }}{{ end }}",
      "{{ .Annotations.summary }}{{ if .Annotations.description }}: {{ .Annotations.description }}{{ end }}",
      "Since {{ .StartsAt.Format \"2006-01-02 15:04:05 MST\" }}{{ if .Annotations.runbook_url }} | runbook: {{ .Annotations.runbook_url }}{{ end }}",
      "",
      "{{ end }}",
    ].join("\n"),
  };
}

/** The paging receiver, reading its key from the mounted Secret. */
function onCallConfig(onCall: OnCallReceiver): Record<string, unknown> {
  const file = `${ALERTMANAGER_SECRETS_DIR}/${onCall.secret.name}/${onCall.secret.key}`;
  switch (onCall.kind) {
    case "pagerduty":
      return { pagerduty_configs: [{ routing_key_file: file, send_resolved: true, severity: "critical" }] };
    case "opsgenie":
      return { opsgenie_configs: [{ api_key_file: file, send_resolved: true, priority: "P1" }] };
    case "webhook":
      return { slack_configs: [{ api_url_file: file, send_resolved: true }] };
  }
}

export const DURATION_RE = /^[1-9]\d*[smh]$/;

/** The PrometheusRule groups for seed 001's alerts, as the chart's `additionalPrometheusRulesMap` expects. */
export function platformAlertRules(t: AlertThresholds) {
  return {
    groups: [{
      name: "openedx-platform",
      rules: [
        {
          alert: "PodRestartingFrequently",
          expr: `increase(kube_pod_container_status_restarts_total[${t.podRestartWindow}]) > ${t.podRestarts}`,
          labels: { severity: "warning" },
          annotations: { summary: `{{ $labels.namespace }}/{{ $labels.pod }} restarted more than ${t.podRestarts} times in ${t.podRestartWindow}` },
        },
        {
          alert: "HighHttpErrorRate",
          // Whole-Gateway share (NGINX OSS has no per-route counters; ingress-nginx's alert was per
          // Ingress). `namespace` is the log stream's: Alloy's ServiceMonitor honours scraped labels.
          expr: `(sum by (namespace) (rate(loki_process_custom_${GATEWAY_ACCESS_LOG.metrics.serverErrors}{namespace="${GATEWAY_ACCESS_LOG.namespace}"}[${t.errorRateFor}])) / sum by (namespace) (rate(loki_process_custom_${GATEWAY_ACCESS_LOG.metrics.all}{namespace="${GATEWAY_ACCESS_LOG.namespace}"}[${t.errorRateFor}]))) * 100 > ${t.errorRatePercent}`,
          for: t.errorRateFor,
          labels: { severity: "critical" },
          annotations: { summary: `The platform Gateway serves more than ${t.errorRatePercent}% 5xx responses` },
        },
        {
          alert: "HighCpuUsage",
          expr: `(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) * 100 > ${t.cpuPercent}`,
          for: t.cpuFor,
          labels: { severity: "warning" },
          annotations: { summary: `Node {{ $labels.instance }} CPU above ${t.cpuPercent}% for ${t.cpuFor}` },
        },
        {
          alert: "HighMemoryUsage",
          expr: `(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100 > ${t.memoryPercent}`,
          for: t.memoryFor,
          labels: { severity: "critical" },
          annotations: { summary: `Node {{ $labels.instance }} memory above ${t.memoryPercent}%` },
        },
        {
          alert: "CertificateExpiringSoon",
          expr: `(certmanager_certificate_expiration_timestamp_seconds - time()) < ${t.certificateExpiryDays} * 86400`,
          for: "1h",
          labels: { severity: "critical" },
          annotations: { summary: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than ${t.certificateExpiryDays} days` },
        },
      ],
    }],
  };
}
