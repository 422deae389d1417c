import { Construct } from "constructs";
import { Annotations, ITerraformDependable, Token } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { OidcClient, checkHttpsUrl, checkOidcClient } from "../core/sso";
import { check, checkInt } from "../core/validation";
import { DNS_LABEL_RE } from "../core/dns";
import { alertmanagerConfig, DURATION_RE, platformAlertRules, SEED_ALERT_THRESHOLDS } from "./alerts";
import type { AlertThresholds, OnCallReceiver, AlertsTopic } from "./alerts";
import { alloyConfig } from "./alloy";

export { GATEWAY_ACCESS_LOG } from "./alloy";
export { alertmanagerConfig, platformAlertRules, SEED_ALERT_THRESHOLDS } from "./alerts";
export type { AlertThresholds, OnCallReceiver, AlertsTopic, AlertReceivers } from "./alerts";
/**
 * busybox tag of kube-prometheus-stack's CRD upgrade job (the chart defaults to `latest`,
 * which would change under us); the same release the redis-ha chart's init container pins.
 */
export const KPS_CRD_JOB_BUSYBOX_TAG = "1.38.0";


export interface ObservabilityCharts {
  readonly kubePrometheusStack: ChartRef | undefined;
  readonly loki: ChartRef | undefined;
  readonly alloy: ChartRef | undefined;
}

export interface ObservabilityProps {
  readonly charts: ObservabilityCharts;
  /** @default "observability" */
  readonly namespace?: string;
  /** Prometheus replicas (each scrapes everything; 2 for HA). @default 2 */
  readonly prometheusReplicas?: number;
  /** @default 15 */
  readonly prometheusRetentionDays?: number;
  /** Prometheus volume size in GiB. @default 100 */
  readonly prometheusStorageGi?: number;
  /** Alertmanager replicas (gossip cluster; 3 for HA). @default 3 */
  readonly alertmanagerReplicas?: number;
  /** Replicas of each Loki path (read, write, backend). @default 3 */
  readonly lokiReplicas?: number;
  /** @default 30 */
  readonly lokiRetentionDays?: number;
  /**
   * Loki chunks in S3 (bucket and region; the pod's role comes from Pod Identity).
   * @default undefined: monolithic (single-binary) Loki on a persistent volume (clusters without S3)
   */
  readonly lokiS3?: { readonly bucketName: string; readonly region: string };
  /** @default SEED_ALERT_THRESHOLDS */
  readonly alertThresholds?: Partial<AlertThresholds>;
  /**
   * Deliver alerts to this SNS topic (the environment's alarm topic); Alertmanager signs with
   * the credentials Pod Identity gives its service account.
   * @default undefined: no receiver, alerts are not delivered (synth warns)
   */
  readonly alertsTopic?: AlertsTopic;
  /**
   * Page critical alerts directly (PagerDuty Events API v2, Opsgenie, or a Slack-compatible
   * webhook), with the key read from a Kubernetes Secret in this namespace: with
   * `alertsTopic` the critical route goes here and everything else to the topic; without one
   * (a kubeconfig cluster) every alert goes here.
   * @default none
   */
  readonly onCall?: OnCallReceiver;
  /**
   * StorageClass every volume claim of these charts names (Prometheus, Alertmanager, Loki).
   * @default undefined: the cluster's default class
   */
  readonly storageClassName?: string;
  /**
   * Grafana login through the organisation's identity provider; the local login form is off.
   * The client secret is read from the Kubernetes Secret `grafana-sso` (key `clientSecret`).
   * @default none: Grafana keeps its generated admin login and is not exposed
   */
  readonly grafanaSso?: GrafanaSso;
  /**
   * Service-level objectives (modules/slo): their rule groups and the Alloy stages that count
   * their requests from the Gateway's access log.
   * @default none
   */
  readonly slos?: SloRulesAndStages;
  /** Releases the Prometheus stack waits for (the Secrets Grafana and Alertmanager mount). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** What Observability needs of the SLOs (modules/slo's ServiceLevelObjectives). */
export interface SloRulesAndStages {
  readonly ruleGroups: { readonly groups: readonly Record<string, unknown>[] };
  readonly alloyStages: string;
}

/** Grafana's generic OAuth client: the OIDC client plus the endpoints Grafana calls (it does not use discovery). */
export interface GrafanaSso extends OidcClient {
  /** External URL of Grafana (its `root_url`), e.g. `https://grafana.learn.example.org`. */
  readonly url: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
}

/** Kubernetes Secret (observability namespace) holding Grafana's OIDC client secret. */
export const GRAFANA_SSO_SECRET = { name: "grafana-sso", key: "clientSecret" } as const;


/**
 * Metrics, alerts, dashboards and logs (seed 000: kube-prometheus-stack and Loki; seed 001's
 * alert rules). Prometheus picks up every ServiceMonitor and rule in the cluster, not only
 * its own release's, so the ingress controller's and cert-manager's metrics are scraped.
 * Loki (the grafana-community chart, the OSS chart's home since March 2026) runs
 * simple-scalable with chunks in S3 when a bucket is given (the durable, cheap choice on AWS),
 * or monolithic (one binary) on a volume elsewhere; Alloy ships pod logs to it and
 * Grafana gets Loki as a data source. Grafana's admin password is generated in-cluster by
 * the Grafana chart (kube-prometheus-stack's own default is the literal `prom-operator`, so
 * it is blanked here), so it never appears in the synthesized stack or Terraform state; read
 * it from the `kube-prometheus-stack-grafana` Secret.
 *
 * Alerts go to the environment's SNS alarm topic (`alertsTopic`), the same topic the data
 * stores' CloudWatch alarms use, so on-call subscribes once. Without a topic (a cluster
 * outside AWS) Alertmanager keeps the chart's `null` receiver and synth adds a warning: a
 * webhook URL would be a credential in Terraform state, so such clusters wire their own
 * receiver rather than this module inventing one.
 */
export class Observability extends Construct {
  public readonly prometheusStack: Release;
  public readonly loki: Release;
  public readonly logShipper: Release;
  public readonly thresholds: AlertThresholds;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const where = `Observability ${id}`;
    const namespace = props.namespace ?? "observability";
    const promReplicas = props.prometheusReplicas ?? 2;
    const retention = props.prometheusRetentionDays ?? 15;
    const storageGi = props.prometheusStorageGi ?? 100;
    const amReplicas = props.alertmanagerReplicas ?? 3;
    const lokiReplicas = props.lokiReplicas ?? 3;
    const lokiRetention = props.lokiRetentionDays ?? 30;
    checkInt(where, "prometheusReplicas", promReplicas, 1, 5);
    checkInt(where, "prometheusRetentionDays", retention, 1, 365);
    checkInt(where, "prometheusStorageGi", storageGi, 10, 16384);
    checkInt(where, "alertmanagerReplicas", amReplicas, 1, 5);
    checkInt(where, "lokiReplicas", lokiReplicas, 1, 10);
    checkInt(where, "lokiRetentionDays", lokiRetention, 1, 3650);
    const t: AlertThresholds = { ...SEED_ALERT_THRESHOLDS, ...props.alertThresholds };
    for (const key of ["errorRatePercent", "cpuPercent", "memoryPercent"] as const) {
      check(t[key] > 0 && t[key] < 100, where, `alertThresholds.${key}`, t[key], "must be a percentage between 0 and 100 (exclusive)");
    }
    checkInt(where, "alertThresholds.podRestarts", t.podRestarts, 1, 1000);
    checkInt(where, "alertThresholds.certificateExpiryDays", t.certificateExpiryDays, 1, 89);
    for (const key of ["podRestartWindow", "errorRateFor", "cpuFor", "memoryFor"] as const) {
      check(DURATION_RE.test(t[key]), where, `alertThresholds.${key}`, t[key], "must be a Prometheus duration such as 30s, 5m or 1h");
    }
    this.thresholds = t;
    const topic = props.alertsTopic;
    const onCall = props.onCall;
    if (topic) {
      check(/^[a-z0-9][a-z0-9-]{0,19}$/.test(topic.environment), where, "alertsTopic.environment", topic.environment,
        "must be 1-20 lowercase letters, digits or hyphens (it starts every SNS subject, which must be short ASCII)");
    }
    if (onCall) {
      check(DNS_LABEL_RE.test(onCall.secret.name), where, "onCall.secret.name", onCall.secret.name, "must be a Secret name in the observability namespace");
      check(/^[-._a-zA-Z0-9]{1,253}$/.test(onCall.secret.key), where, "onCall.secret.key", onCall.secret.key, "must be a Secret key");
    }
    if (!topic && !onCall) {
      Annotations.of(this).addWarning(`${where}: no alertsTopic and no onCall receiver, so Alertmanager has no receiver and alerts are not delivered to anyone`);
    }
    const storageClassName = props.storageClassName;
    if (storageClassName !== undefined) check(Token.isUnresolved(storageClassName) || DNS_LABEL_RE.test(storageClassName), where, "storageClassName", storageClassName, "must be a StorageClass name");
    const sso = props.grafanaSso;
    if (sso) {
      checkOidcClient(where, "grafanaSso", sso);
      for (const key of ["url", "authorizationUrl", "tokenUrl", "userInfoUrl"] as const) checkHttpsUrl(where, `grafanaSso.${key}`, sso[key]);
    }
    const claim = (size: string) => ({
      spec: { accessModes: ["ReadWriteOnce"], ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage: size } } },
    });

    const lokiGateway = `http://loki-gateway.${namespace}.svc.cluster.local`;
    this.prometheusStack = chartRelease(this, "kube-prometheus-stack", {
      where, prop: "charts.kubePrometheusStack", chart: props.charts.kubePrometheusStack, name: "kube-prometheus-stack", namespace,
      timeout: 900, dependsOn: props.dependsOn,
      values: {
        // The chart installs its CRDs from `crds/`, which Helm never upgrades; every operator
        // release (chart 78.x through 88.x each bumped it) needs the new CRDs applied first. The
        // upgrade job applies them server-side in a pre-install/pre-upgrade hook, so a chart bump
        // here is one `terraform apply` rather than ten `kubectl apply --server-side` commands.
        crds: { enabled: true, upgradeJob: { enabled: true, image: { busybox: { tag: KPS_CRD_JOB_BUSYBOX_TAG } } } },
        defaultRules: { create: true },
        additionalPrometheusRulesMap: { "openedx-platform": platformAlertRules(t), ...(props.slos ? { "openedx-slos": props.slos.ruleGroups } : {}) },
        prometheus: {
          prometheusSpec: {
            replicas: promReplicas,
            retention: `${retention}d`,
            // Scrape every ServiceMonitor/PodMonitor/rule, not only this release's labelled ones.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            storageSpec: { volumeClaimTemplate: claim(`${storageGi}Gi`) },
          },
        },
        alertmanager: {
          alertmanagerSpec: {
            replicas: amReplicas,
            // Silences and the notification log survive restarts.
            storage: { volumeClaimTemplate: claim("2Gi") },
            ...(onCall ? { secrets: [onCall.secret.name] } : {}),
          },
          // Pod Identity binds the SNS role to exactly this account (see PlatformPrereqs).
          serviceAccount: { create: true, name: PLATFORM_SERVICE_ACCOUNTS.alertmanager.name },
          ...(topic || onCall ? { config: alertmanagerConfig({ topic, onCall }) } : {}),
        },
        grafana: {
          enabled: true,
          // kube-prometheus-stack defaulted this to "prom-operator" until chart 79; empty keeps
          // any such default out, and the Grafana chart generates a random one into its Secret.
          adminPassword: "",
          defaultDashboardsEnabled: true,
          additionalDataSources: [{ name: "Loki", type: "loki", access: "proxy", url: lokiGateway }],
          ...(sso ? grafanaSsoValues(sso) : {}),
        },
      },
    });

    const schemaConfig = (objectStore: string) => ({
      configs: [{ from: "2024-04-01", store: "tsdb", object_store: objectStore, schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
    });
    const lokiCommon = {
      auth_enabled: false,
      limits_config: { retention_period: `${lokiRetention * 24}h` },
    };
    const s3 = props.lokiS3;
    const lokiValues = s3
      ? {
          // Explicit: the community chart's default became Monolithic (12.0). Simple-scalable is
          // deprecated upstream (to be removed in Loki 4.0); moving to Monolithic on S3 is a
          // topology change (new StatefulSet, ring rejoin), so it is a separate, planned step.
          deploymentMode: "SimpleScalable",
          loki: {
            ...lokiCommon,
            schemaConfig: schemaConfig("s3"),
            commonConfig: { replication_factor: lokiReplicas >= 3 ? 3 : 1 },
            storage: { type: "s3", bucketNames: { chunks: s3.bucketName, ruler: s3.bucketName, admin: s3.bucketName }, s3: { region: s3.region } },
            compactor: { retention_enabled: true, delete_request_store: "s3" },
          },
          backend: { replicas: lokiReplicas, persistence: { storageClass: storageClassName } },
          read: { replicas: lokiReplicas },
          write: { replicas: lokiReplicas, persistence: { storageClass: storageClassName } },
          singleBinary: { replicas: 0 },
          chunksCache: { enabled: true, allocatedMemory: 1024 },
        }
      : {
          // The community chart renamed SingleBinary to Monolithic (12.0); the old name is an alias.
          deploymentMode: "Monolithic",
          loki: {
            ...lokiCommon,
            schemaConfig: schemaConfig("filesystem"),
            commonConfig: { replication_factor: 1 },
            storage: { type: "filesystem" },
            compactor: { retention_enabled: true, delete_request_store: "filesystem" },
          },
          singleBinary: { replicas: 1, persistence: { enabled: true, size: "50Gi", storageClass: storageClassName } },
          backend: { replicas: 0 },
          read: { replicas: 0 },
          write: { replicas: 0 },
          chunksCache: { enabled: false },
          resultsCache: { enabled: false },
        };
    this.loki = chartRelease(this, "loki", {
      where, prop: "charts.loki", chart: props.charts.loki, name: "loki", namespace, dependsOn: [this.prometheusStack],
      timeout: 900,
      values: {
        ...lokiValues,
        // Pod Identity binds the S3 role to exactly this account (see PlatformPrereqs).
        serviceAccount: { create: true, name: PLATFORM_SERVICE_ACCOUNTS.loki.name },
        minio: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: true } },
      },
    });

    this.logShipper = chartRelease(this, "alloy", {
      where, prop: "charts.alloy", chart: props.charts.alloy, name: "alloy", namespace, dependsOn: [this.loki],
      values: {
        controller: { type: "daemonset" },
        alloy: {
          configMap: { create: true, content: alloyConfig(`${lokiGateway}/loki/api/v1/push`, props.slos?.alloyStages) },
          extraEnv: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
          mounts: { varlog: false, dockercontainers: false },
        },
        serviceMonitor: { enabled: true },
      },
    });
  }
}

/**
 * Grafana's generic OAuth login: the form login is off, roles come from the `groups` claim
 * (`role_attribute_strict` refuses anyone in neither list, instead of letting them in as a
 * Viewer), and the client secret is read from a mounted Secret with `$__file{}`.
 */
function grafanaSsoValues(sso: GrafanaSso) {
  const mount = `/etc/secrets/${GRAFANA_SSO_SECRET.name}`;
  const inAny = (groups: readonly string[]) => groups.map((g) => `contains(groups[*], '${g}')`).join(" || ");
  const viewers = sso.readOnlyGroups ?? [];
  const rolePath = `(${inAny(sso.adminGroups)}) && 'Admin'${viewers.length ? ` || (${inAny(viewers)}) && 'Viewer'` : ""}`;
  return {
    "grafana.ini": {
      server: { root_url: sso.url },
      auth: { disable_login_form: true },
      "auth.generic_oauth": {
        enabled: true,
        name: "SSO",
        client_id: sso.clientId,
        client_secret: `$__file{${mount}/${GRAFANA_SSO_SECRET.key}}`,
        scopes: "openid profile email groups",
        auth_url: sso.authorizationUrl,
        token_url: sso.tokenUrl,
        api_url: sso.userInfoUrl,
        use_pkce: true,
        allow_sign_up: true,
        role_attribute_path: rolePath,
        role_attribute_strict: true,
      },
    },
    extraSecretMounts: [{ name: "sso", secretName: GRAFANA_SSO_SECRET.name, defaultMode: 0o440, mountPath: mount, readOnly: true }],
  };
}
