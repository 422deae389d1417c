import { createHash } from "crypto";
import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, HelmValues, chartRelease, manifestsRelease } from "../core/helm";
import { JOB_IMAGE, JOB_IMAGE_USER, NodePlacement, checkPlacement, placementSpec, restrictedSecurity } from "../core/pod";
import { ComputeResources } from "../k8s-namespaces";
import { DNS_LABEL_RE } from "../core/dns";
import { check, checkInt } from "../core/validation";
import { requireCidr } from "../core/cidr";

/** CouchDB's official image user (uid/gid 5984). */
const COUCHDB_USER = { uid: 5984, gid: 5984 } as const;
/** The generator's pods, for the NetworkPolicy that lets only them reach the API server. */
const GENERATOR_LABELS = { "app.kubernetes.io/name": "couchdb-credentials" } as const;

export interface CouchDbProps {
  /** The Apache CouchDB chart (https://apache.github.io/couchdb-helm), pinned. */
  readonly chart: ChartRef;
  /** The generic `raw` chart, for the credential generator's objects. */
  readonly rawChart: ChartRef;
  /** Namespace of the cluster (the app's: the app and the backup jobs reach it inside the namespace). */
  readonly namespace: string;
  /** CouchDB nodes: one StatefulSet replica per production node (required anti-affinity). */
  readonly replicas: number;
  /** The production nodes the replicas run on. */
  readonly placement: NodePlacement;
  /** ReadWriteOnce StorageClass of each replica's data volume (k3s: `local-path`, on the replica's node). */
  readonly storageClassName: string;
  /** Seeds the cluster's UUID (`couchdb.uuid`), e.g. `<project>-<env>`: stable across re-installs, not secret. */
  readonly clusterId: string;
  /** Where pods reach the API server (the generator creates the Secret through it). */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /**
   * Data volume per replica in GiB.
   * @default 20
   */
  readonly storageGi?: number;
  /**
   * Requests and limits of each CouchDB container.
   * @default requests 500m/1Gi, limits 2/2Gi
   */
  readonly resources?: { readonly requests: ComputeResources; readonly limits: ComputeResources };
  /**
   * Kubernetes Secret (in `namespace`) holding `adminUsername`, `adminPassword`,
   * `cookieAuthSecret` and `erlangCookie`, generated in the cluster on first install.
   * @default "couchdb-credentials"
   */
  readonly credentialsSecret?: string;
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A CouchDB cluster as a StatefulSet (seed 003: one CouchDB per production node, all data
 * replicated across them), from the Apache CouchDB chart.
 *
 * - One replica per production node: required pod anti-affinity on the hostname, the nodes'
 *   labels and taints from config, a PodDisruptionBudget of one, and `cluster.n` copies of every
 *   shard (3, or fewer nodes), so each node holds all data and any one node can go.
 * - Cluster setup by the chart (`autoSetup`: its post-install job runs `finish_cluster` and
 *   creates the system databases). Anonymous access is off (`require_valid_user`).
 * - Credentials never reach Terraform state or config. The chart's own `createAdminSecret`
 *   draws a new `randAlphaNum` password on every render (only the Erlang cookie is kept through
 *   `lookup`), so each upgrade would rotate the admin password under a running cluster; and a
 *   password in Terraform would sit in state. Instead a pre-install/pre-upgrade hook Job creates
 *   the Secret inside the cluster from /dev/urandom, only if it does not exist (HTTP 409 keeps
 *   it), and the chart reads it (`extraSecretName`). Its Role may `create` Secrets in the
 *   namespace (Kubernetes cannot narrow `create` by name), its pod is the only one in the
 *   namespace allowed to the API server, and it prints no value. Rotating: README.
 * - Storage: one ReadWriteOnce claim per replica from `storageClassName` (k3s `local-path`
 *   binds it on the replica's node: the data is the node's disk, replicated by CouchDB itself,
 *   not by the storage), kept when the StatefulSet is deleted or scaled down.
 * - The chart's NetworkPolicy is off: it would admit 5984 from every namespace; the app
 *   namespace's own policies admit only traffic inside it.
 */
export class CouchDb extends Construct {
  public readonly release: Release;
  /** The generator's hook release (the Secret exists once it has applied). */
  public readonly credentials: Release;
  /** Secret with the admin credentials (keys `adminUsername`, `adminPassword`). */
  public readonly credentialsSecret: string;
  /** In-cluster URL of the CouchDB service (port 5984). */
  public readonly url: string;
  public readonly replicas: number;

  constructor(scope: Construct, id: string, props: CouchDbProps) {
    super(scope, id);
    const where = `CouchDb ${id}`;
    checkInt(where, "replicas", props.replicas, 1, 9);
    checkPlacement(where, "placement", props.placement);
    check(DNS_LABEL_RE.test(props.storageClassName), where, "storageClassName", props.storageClassName, "must be a StorageClass name (a DNS label) such as local-path");
    const storageGi = props.storageGi ?? 20;
    checkInt(where, "storageGi", storageGi, 1, 65536);
    const secret = props.credentialsSecret ?? "couchdb-credentials";
    check(DNS_LABEL_RE.test(secret), where, "credentialsSecret", secret, "must be a Secret name (a DNS label)");
    check(props.apiServer.cidrs.length > 0, where, "apiServer.cidrs", props.apiServer.cidrs, "must list at least one CIDR");
    props.apiServer.cidrs.forEach((c, i) => requireCidr(where, `apiServer.cidrs[${i}]`, c));
    this.credentialsSecret = secret;
    this.replicas = props.replicas;
    const name = "couchdb";
    this.url = `http://${name}-svc-couchdb.${props.namespace}.svc.cluster.local:5984`;

    this.credentials = manifestsRelease(this, "credentials", {
      where, rawChart: props.rawChart, name: "couchdb-credentials", namespace: props.namespace, dependsOn: props.dependsOn,
      resources: generatorManifests(secret, props.apiServer),
    });

    const security = restrictedSecurity(COUCHDB_USER);
    const podLabels = { app: name, release: name }; // the chart's selector labels (couchdb.ss.selector)
    this.release = chartRelease(this, "couchdb", {
      where, prop: "charts.couchdb", chart: props.chart, name, namespace: props.namespace,
      dependsOn: [this.credentials],
      values: {
        clusterSize: props.replicas,
        createAdminSecret: false,
        extraSecretName: secret,
        autoSetup: {
          enabled: true,
          image: { repository: JOB_IMAGE.split(":")[0], tag: JOB_IMAGE.split(":")[1], pullPolicy: "IfNotPresent" },
          defaultDatabases: ["_users", "_replicator", "_global_changes"],
        },
        // busybox copies the chart's ini files into place; pinned instead of the chart's `latest`.
        initImage: { repository: "busybox", tag: "1.37.0", pullPolicy: "IfNotPresent" },
        podSecurityContext: security.pod,
        // The image's entrypoint writes the admin into /opt/couchdb/etc/local.d at start.
        containerSecurityContext: { ...security.container, readOnlyRootFilesystem: false },
        persistentVolume: { enabled: true, storageClass: props.storageClassName, size: `${storageGi}Gi`, accessModes: ["ReadWriteOnce"] },
        persistentVolumeClaimRetentionPolicy: { enabled: true, whenScaled: "Retain", whenDeleted: "Retain" },
        ...placementSpec(props.placement),
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: podLabels } }],
          },
        },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        networkPolicy: { enabled: false },
        resources: props.resources ?? { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
        initResources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        couchdbConfig: {
          couchdb: { uuid: createHash("sha256").update(props.clusterId).digest("hex").slice(0, 32) },
          chttpd: { bind_address: "any", require_valid_user: true },
          cluster: { n: Math.min(props.replicas, 3) },
        },
      },
    });
  }
}

/**
 * The generator's objects, all Helm hooks (pre-install, pre-upgrade) so they exist before the
 * Job runs and the Job is recreated each time (a Job's template is immutable): its service
 * account and Role, the NetworkPolicy that lets it reach the API server, and the Job.
 */
function generatorManifests(secret: string, apiServer: CouchDbProps["apiServer"]): HelmValues[] {
  const hook = (weight: number, policy: string) => ({
    "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": String(weight), "helm.sh/hook-delete-policy": policy,
  });
  const name = "couchdb-credentials";
  const setup = hook(-10, "before-hook-creation");
  const security = restrictedSecurity(JOB_IMAGE_USER);
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, annotations: setup } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, annotations: setup },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, annotations: setup },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name }],
    },
    {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `${name}-api-server`, annotations: setup },
      spec: {
        podSelector: { matchLabels: GENERATOR_LABELS },
        policyTypes: ["Egress"],
        egress: [{ to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: apiServer.ports.map((port) => ({ port, protocol: "TCP" })) }],
      },
    },
    {
      apiVersion: "batch/v1", kind: "Job", metadata: { name, annotations: hook(0, "before-hook-creation,hook-succeeded") },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 300,
        template: {
          metadata: { labels: GENERATOR_LABELS },
          spec: {
            serviceAccountName: name,
            restartPolicy: "Never",
            securityContext: security.pod,
            containers: [{
              name: "generate",
              image: JOB_IMAGE,
              command: ["/bin/sh", "-c", GENERATE_SCRIPT],
              env: [{ name: "SECRET_NAME", value: secret }, { name: "ADMIN_USER", value: "admin" }],
              securityContext: security.container,
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            }],
            volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
          },
        },
      },
    },
  ];
}

/**
 * Creates the Secret with random values unless it exists. No `${` or `%{` (Terraform would
 * read them as interpolation in the release's values); no value is ever printed.
 */
const GENERATE_SCRIPT = [
  "set -eu",
  "sa=/var/run/secrets/kubernetes.io/serviceaccount",
  "rand() { head -c 96 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 40; }",
  "b64() { printf %s \"$1\" | base64 | tr -d '\\n'; }",
  "body=$(printf '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\"},\"type\":\"Opaque\",\"data\":{\"adminUsername\":\"%s\",\"adminPassword\":\"%s\",\"cookieAuthSecret\":\"%s\",\"erlangCookie\":\"%s\"}}' \"$SECRET_NAME\" \"$(b64 \"$ADMIN_USER\")\" \"$(b64 \"$(rand)\")\" \"$(b64 \"$(rand)\")\" \"$(b64 \"$(rand)\")\")",
  "code=$(printf %s \"$body\" | curl -sS -o /tmp/response -w '%''{http_code}' --cacert $sa/ca.crt -H \"Authorization: Bearer $(cat $sa/token)\" -H 'Content-Type: application/json' --data-binary @- \"https://kubernetes.default.svc/api/v1/namespaces/$(cat $sa/namespace)/secrets\")",
  "case \"$code\" in",
  "  201) echo \"created Secret $SECRET_NAME\" ;;",
  "  409) echo \"Secret $SECRET_NAME exists: kept\" ;;",
  "  *) echo \"creating Secret $SECRET_NAME failed: HTTP $code\"; grep -o '\"message\":\"[^\"]*\"' /tmp/response || true; exit 1 ;;",
  "esac",
].join("\n");
