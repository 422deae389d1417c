import { DEFAULT_APP_RESOURCES } from "learning-platform-infra/k8s-namespaces";
import { AWS_ONLY_CHARTS, SelfHostedEnvironmentConfig, without } from "./selfhosted-config";
import { platformCharts, platformDefaults, s3State, shared } from "./shared";

const domain = "selfhosted.learn.example.org";
const couchdbResources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } };
const k3sCharts = without(platformCharts, [...AWS_ONLY_CHARTS, "velero"]);
const platform = without(platformDefaults("selfhosted"), ["veleroAwsPluginTag", "charts"]);

/**
 * Seed 003: Open edX on three self-hosted k3s nodes and a backup node. The library builds
 * no AWS infrastructure for it: the `selfhosted` stack is the DNS (AAAA round-robin over the
 * production nodes, health-checked on Route53), `selfhosted-platform` the Kubernetes platform,
 * the CouchDB cluster and the node backups, through the kubeconfig below.
 *
 * The addresses are documentation addresses (2001:db8::/32, synth warns): replace them with
 * the nodes' public IPv6 addresses. docs/own-nodes.md lists the k3s install
 * flags that give the nodes these labels and taints.
 */
export const selfhosted: SelfHostedEnvironmentConfig = {
  kind: "self-hosted",
  project: shared.project,
  region: shared.region,
  owner: shared.owner,
  costCenter: shared.costCenter,
  name: "selfhosted",
  protection: "production",
  domain,
  state: s3State,
  dns: { zone: { provider: "route53" }, subdomains: ["lms", "studio", "apps.lms"], healthCheckPath: "/heartbeat" },
  cluster: {
    kubeconfigPath: "~/.kube/openedx-selfhosted.yaml",
    kubeconfigContext: "openedx-selfhosted",
    kubernetesVersion: "1.35",
    nodes: [
      { name: "node1", ipv6: "2001:db8:100::1", role: "serving" },
      { name: "node2", ipv6: "2001:db8:200::1", role: "serving" },
      { name: "node3", ipv6: "2001:db8:300::1", role: "serving" },
      { name: "backup1", ipv6: "2001:db8:400::1", role: "backup" },
    ],
    roles: {
      // ServiceLB (k3s's LoadBalancer) binds the gateway's 80/443 only on nodes with enablelb=true:
      // the production nodes, the ones DNS points at.
      serving: { labels: { "openedx.example.org/role": "serving", "svccontroller.k3s.cattle.io/enablelb": "true" } },
      // Only the backup jobs (and DaemonSets that tolerate everything) run on the backup node.
      backup: { labels: { "openedx.example.org/role": "backup" }, taints: [{ key: "openedx.example.org/role", value: "backup", effect: "NoSchedule" }] },
    },
    // The nodes' private IPv4 network and k3s's pod CIDR (node-to-pod traffic leaves flannel from it).
    apiServerCidrs: ["192.168.10.0/24", "10.42.0.0/16"],
    mediaStorageClass: "longhorn-rwx",
    installMetricsServer: false,
  },
  couchdb: { storageGi: 50, resources: couchdbResources },
  // Seed 003: daily at 02:30 UTC; a week of dailies, a month of weeklies, a year of monthlies.
  backups: { schedule: "30 2 * * *", keep: { daily: 7, weekly: 4, monthly: 12 }, sizeGi: 500 },
  // The paging key is a Kubernetes Secret the operators create (docs/own-nodes.md).
  onCall: { emails: ["platform-oncall@example.org"], endpoint: { kind: "pagerduty", secretName: `${shared.project}-selfhosted-on-call` } },
  platform: {
    ...platform,
    charts: { ...k3sCharts, couchdb: { repository: "https://apache.github.io/couchdb-helm", chart: "couchdb", version: "4.6.2" } },
    // One NGINX data plane per production node: each node answers its own AAAA record locally.
    ingress: { replicas: 3, minAvailable: 2 },
    observability: { prometheusReplicas: 2, prometheusRetentionDays: 15, prometheusStorageGi: 100, alertmanagerReplicas: 3, lokiReplicas: 3, lokiRetentionDays: 30 },
    highAvailability: true,
    mediaSizeGi: 200,
    app: {
      ...platform.app,
      // The app namespace also holds the CouchDB replicas (so the app and the backup jobs reach them inside it).
      resources: { ...DEFAULT_APP_RESOURCES, services: [...DEFAULT_APP_RESOURCES.services, { name: "couchdb", minReplicas: 3, maxReplicas: 3, ...couchdbResources }] },
    },
  },
};
