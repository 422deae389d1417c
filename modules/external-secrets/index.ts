import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease, manifestsRelease } from "../core/helm";
import { DNS_LABEL_RE } from "../core/dns";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { LABEL_KEY_RE, check, checkInt, checkLabelValue, checkUniqueList } from "../core/validation";

/** One key of a synced Kubernetes Secret: a field of the remote JSON secret, or a literal non-secret value (host, port, TLS mode). */
export type SyncedKey = { readonly field: string } | { readonly value: string };

/** A Kubernetes Secret External Secrets keeps in sync with one Secrets Manager secret. */
export interface SyncedSecret {
  /** Name of the Kubernetes Secret (and of its ExternalSecret). */
  readonly name: string;
  readonly namespace: string;
  /** Secrets Manager secret: its ARN or name. */
  readonly remoteSecret: string;
  /** Keys of the Kubernetes Secret. */
  readonly data: Readonly<Record<string, SyncedKey>>;
  /**
   * Labels on the Kubernetes Secret (Argo CD only reads Secrets labelled as its own).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How often the value is re-read. Short for credentials that rotate (RDS's managed master
   * secret), so pods restarted after a rotation get the new value.
   * @default "1h"
   */
  readonly refreshInterval?: string;
}

export interface ExternalSecretsProps {
  /** The external-secrets chart. */
  readonly chart: ChartRef | undefined;
  /** The `raw` chart that applies the store and the ExternalSecrets after the CRDs exist. */
  readonly rawChart: ChartRef | undefined;
  /** Region of the Secrets Manager secrets. */
  readonly region: string;
  /** Namespaces that may use the store; every synced secret must be in one of them. */
  readonly allowedNamespaces: readonly string[];
  /** The Secrets to sync. */
  readonly secrets: readonly SyncedSecret[];
  /** @default "external-secrets" */
  readonly namespace?: string;
  /**
   * Controller and webhook replicas (2 for HA; one controller is active, by leader election).
   * @default 2
   */
  readonly replicas?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/** The store every ExternalSecret here reads through. */
export const SECRET_STORE_NAME = "aws-secrets-manager";

const SECRET_KEY_RE = /^[-._a-zA-Z0-9]{1,253}$/;
const DURATION_RE = /^([1-9]\d*(s|m|h))+$/;

/**
 * External Secrets Operator: delivers the credentials that live in AWS Secrets Manager (the
 * password stores' service-managed secrets, RDS and DocumentDB; the SSO client secret, on-call keys) to the
 * pods that need them, as ordinary Kubernetes Secrets, without the values ever passing
 * through Terraform.
 *
 * The controller authenticates with EKS Pod Identity (its service account is bound by
 * PlatformPrereqs to a role that may read exactly this environment's listed secrets and
 * decrypt them only through Secrets Manager), so the `ClusterSecretStore` names no
 * credentials. The store is limited to `allowedNamespaces`; and because the ExternalSecrets
 * are created here, not in the GitOps repository (its Argo CD project cannot create
 * external-secrets.io kinds), nobody who can only push to that repository can pull another
 * secret into the app namespace.
 *
 * Each synced Secret is built from a template: literal keys (host, port, TLS settings) plus
 * fields of the remote JSON (`{{ .password }}`). The raw chart never runs `tpl` on its
 * resources, so those placeholders reach External Secrets unchanged.
 */
export class ExternalSecrets extends Construct {
  public readonly release: Release;
  public readonly config: Release;
  public readonly storeName = SECRET_STORE_NAME;
  /** Synced Secret names by `<namespace>/<name>`. */
  public readonly secretNames: readonly string[];

  constructor(scope: Construct, id: string, props: ExternalSecretsProps) {
    super(scope, id);
    const where = `ExternalSecrets ${id}`;
    const namespace = props.namespace ?? "external-secrets";
    const replicas = props.replicas ?? 2;
    checkInt(where, "replicas", replicas, 1, 5);
    checkUniqueList(where, "allowedNamespaces", props.allowedNamespaces);
    // Namespaces may be references to the namespace resources (which orders the release after them).
    props.allowedNamespaces.forEach((ns, i) => check(Token.isUnresolved(ns) || DNS_LABEL_RE.test(ns), where, `allowedNamespaces[${i}]`, ns, "must be a namespace name"));
    checkUniqueList(where, "secrets[].namespace/name", props.secrets.map((s) => `${s.namespace}/${s.name}`), 0);
    props.secrets.forEach((s, i) => checkSyncedSecret(where, `secrets[${i}]`, s, props.allowedNamespaces));

    const pdb = replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    this.release = chartRelease(this, "external-secrets", {
      where, prop: "charts.externalSecrets", chart: props.chart, name: "external-secrets", namespace, dependsOn: props.dependsOn,
      values: {
        installCRDs: true,
        replicaCount: replicas,
        leaderElect: replicas > 1,
        podDisruptionBudget: pdb,
        // Pod Identity binds the Secrets Manager role to exactly this account.
        serviceAccount: { create: true, name: PLATFORM_SERVICE_ACCOUNTS.externalSecrets.name },
        // No ServiceMonitors: this release installs before the Prometheus stack (Grafana and
        // Alertmanager mount Secrets it creates), so the ServiceMonitor CRD does not exist yet
        // and the chart would silently skip them on the first install and add them on a later
        // upgrade. Sync failures show on each ExternalSecret's status and events.
        serviceMonitor: { enabled: false },
        webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
        certController: { replicaCount: replicas, podDisruptionBudget: pdb },
      },
    });

    const store = {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: SECRET_STORE_NAME },
      spec: {
        // No auth block: the controller's ambient credentials (Pod Identity) are the only ones.
        provider: { aws: { service: "SecretsManager", region: props.region } },
        conditions: [{ namespaces: [...props.allowedNamespaces] }],
      },
    };
    this.config = manifestsRelease(this, "config", {
      where, rawChart: props.rawChart, name: "external-secrets-config", namespace, dependsOn: [this.release],
      resources: [store, ...props.secrets.map(externalSecret)],
    });
    this.secretNames = props.secrets.map((s) => `${s.namespace}/${s.name}`);
  }
}

function checkSyncedSecret(where: string, prop: string, s: SyncedSecret, namespaces: readonly string[]): void {
  check(DNS_LABEL_RE.test(s.name), where, `${prop}.name`, s.name, "must be a DNS label (it names a Secret)");
  check(namespaces.includes(s.namespace), where, `${prop}.namespace`, s.namespace, `must be one of allowedNamespaces (${namespaces.join(", ")})`);
  check(typeof s.remoteSecret === "string" && s.remoteSecret.length > 0, where, `${prop}.remoteSecret`, s.remoteSecret, "must be a Secrets Manager secret ARN or name");
  const keys = Object.entries(s.data);
  check(keys.length > 0, where, `${prop}.data`, s.data, "must list at least one key");
  check(keys.some(([, k]) => "field" in k), where, `${prop}.data`, Object.keys(s.data), "must read at least one field from the remote secret");
  for (const [key, k] of keys) {
    check(SECRET_KEY_RE.test(key), where, `${prop}.data`, key, "keys must be Secret keys (letters, digits, '-', '_', '.')");
    if ("field" in k) check(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k.field), where, `${prop}.data.${key}.field`, k.field, "must be a JSON key of the remote secret made of letters, digits and '_' (it becomes a template variable)");
    // A literal is copied into a Go template: template delimiters would be evaluated.
    else check(typeof k.value === "string" && !k.value.includes("{{") && !k.value.includes("}}"), where, `${prop}.data.${key}.value`, k.value, "must be a literal without {{ or }}");
  }
  // Labels go onto the Secret External Secrets creates: a bad one fails only in the controller, after apply.
  for (const [key, value] of Object.entries(s.labels ?? {})) {
    check(LABEL_KEY_RE.test(key), where, `${prop}.labels`, key, "must be Kubernetes label keys ([prefix/]name, name up to 63 characters)");
    checkLabelValue(where, `${prop}.labels.${key}`, value);
  }
  const refresh = s.refreshInterval ?? "1h";
  check(DURATION_RE.test(refresh), where, `${prop}.refreshInterval`, refresh, "must be a duration such as 5m or 1h");
}

/** The ExternalSecret behind one synced Secret: fields become `{{ .field }}`, literals stay literal. */
function externalSecret(s: SyncedSecret) {
  const entries = Object.entries(s.data);
  const fields = [...new Set(entries.flatMap(([, k]) => ("field" in k ? [k.field] : [])))];
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      refreshInterval: s.refreshInterval ?? "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: SECRET_STORE_NAME },
      target: {
        name: s.name,
        creationPolicy: "Owner",
        template: {
          engineVersion: "v2",
          metadata: { labels: { "app.kubernetes.io/managed-by": "external-secrets", ...s.labels } },
          data: Object.fromEntries(entries.map(([key, k]) => [key, "field" in k ? `{{ .${k.field} }}` : k.value])),
        },
      },
      data: fields.map((field) => ({ secretKey: field, remoteRef: { key: s.remoteSecret, property: field } })),
    },
  };
}
