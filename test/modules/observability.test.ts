import { KPS_CRD_JOB_BUSYBOX_TAG, Observability, ObservabilityProps, alertmanagerConfig } from "../../modules/observability";
import { platformCharts } from "../../environments/shared";
import { resources, synth } from "../helpers";
import { chart, k8sStack } from "./k8s-stack";

describe("Observability", () => {
  it("Observability rejects bad sizes and thresholds", () => {
    const charts = { kubePrometheusStack: platformCharts.kubePrometheusStack, loki: platformCharts.loki, alloy: platformCharts.alloy };
    const make = (props: Partial<ObservabilityProps>) => () => new Observability(k8sStack(), "obs", { charts, ...props });
    expect(make({ prometheusReplicas: 0 })).toThrow("Observability obs: prometheusReplicas = 0 is invalid");
    expect(make({ lokiRetentionDays: 0 })).toThrow("lokiRetentionDays = 0 is invalid");
    expect(make({ alertThresholds: { cpuPercent: 120 } })).toThrow("alertThresholds.cpuPercent = 120 is invalid; must be a percentage between 0 and 100");
    expect(make({ alertThresholds: { errorRateFor: "2 minutes" } })).toThrow('alertThresholds.errorRateFor = "2 minutes" is invalid; must be a Prometheus duration');
    expect(make({ alertThresholds: { podRestarts: 0 } })).toThrow("alertThresholds.podRestarts = 0 is invalid");
    expect(make({ alertThresholds: { certificateExpiryDays: 90 } })).toThrow("alertThresholds.certificateExpiryDays = 90 is invalid");
    expect(make({ charts: { ...charts, alloy: chart(platformCharts.alloy, { version: "latest" }) } })).toThrow('charts.alloy.version = "latest" is invalid');
  });

  it("Observability upgrades the Prometheus CRDs with the chart and picks Loki's mode by storage", () => {
    const charts = { kubePrometheusStack: platformCharts.kubePrometheusStack, loki: platformCharts.loki, alloy: platformCharts.alloy };
    const values = (props: Partial<ObservabilityProps>) => {
      const stack = k8sStack();
      new Observability(stack, "obs", { charts, ...props });
      return Object.fromEntries(resources(synth(stack), "helm_release").map((r) => [r.name, JSON.parse(r.values[0])]));
    };
    const onS3 = values({ lokiS3: { bucketName: "logs", region: "us-east-1" } });
    // Helm never upgrades `crds/`: the chart's hook job applies them, with a pinned busybox (the chart's is `latest`).
    expect(onS3["kube-prometheus-stack"].crds).toEqual({ enabled: true, upgradeJob: { enabled: true, image: { busybox: { tag: KPS_CRD_JOB_BUSYBOX_TAG } } } });
    expect(KPS_CRD_JOB_BUSYBOX_TAG).toMatch(/^\d+\.\d+\.\d+$/);
    // The community chart's default is Monolithic: simple-scalable must be asked for by name.
    expect(onS3.loki.deploymentMode).toBe("SimpleScalable");
    expect(onS3.loki.loki.storage.bucketNames).toEqual({ chunks: "logs", ruler: "logs", admin: "logs" });
    const onVolume = values({});
    expect(onVolume.loki.deploymentMode).toBe("Monolithic");
    expect(onVolume.loki.singleBinary).toMatchObject({ replicas: 1, persistence: { enabled: true, size: "50Gi" } });
  });

  it("routes every alert to the paging receiver when there is no topic (kubeconfig clusters)", () => {
    const cfg = alertmanagerConfig({ onCall: { kind: "opsgenie", secret: { name: "alertmanager-on-call", key: "key" } } });
    expect(cfg.route.receiver).toBe("on-call");
    expect(cfg.receivers).toEqual([{ name: "null" }, { name: "on-call", opsgenie_configs: [{ api_key_file: "/etc/alertmanager/secrets/alertmanager-on-call/key", send_resolved: true, priority: "P1" }] }]);
  });

  it("rejects an environment label that cannot start an SNS subject", () => {
    const charts = { kubePrometheusStack: platformCharts.kubePrometheusStack, loki: platformCharts.loki, alloy: platformCharts.alloy };
    expect(() => new Observability(k8sStack(), "o", { charts, alertsTopic: { topicArn: "arn:aws:sns:us-east-1:1:t", region: "us-east-1", environment: "Prod Env" } }))
      .toThrow('Observability o: alertsTopic.environment = "Prod Env" is invalid; must be 1-20 lowercase letters, digits or hyphens');
  });
});
