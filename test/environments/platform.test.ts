import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { EnvironmentConfig, PlatformStack, addEnvironment, environments } from "../../environments";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../modules/core/lifecycle";
import { resource, resources, synth, TfJson, EKS_DATA_STORES, EKS_TARGET, K3S_TARGET } from "../helpers";
import { ACCESS_LOG_FORMAT, GATEWAY_API_VERSION } from "../../modules/ingress";
import { GATEWAY_ACCESS_LOG } from "../../modules/observability";
import type { StoreEndpoint } from "../../modules/core/security-group";

/** Synthesizes one environment's two stacks through the app (as `cdktf synth` does) and reads the output. */
function synthEnvironment(config: EnvironmentConfig) {
  const app = Testing.app();
  addEnvironment(app, config);
  app.synth();
  const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TfJson;
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
  return { aws: read(config.name), platform: read(`${config.name}-platform`), manifest };
}

/** The Helm release named `name`, with its values parsed back into an object. */
function release(json: TfJson, name: string): Record<string, any> & { parsed: any } {
  const found = resources(json, "helm_release").filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one helm_release named ${name}, found ${found.length}`);
  return { ...found[0]!, parsed: JSON.parse(found[0]!.values[0]) };
}


/** `production`'s EKS cluster name, read from its state output. */
const CLUSTER_NAME = "${data.terraform_remote_state.cross-stack-reference-input-production.outputs.cross-stack-output-aws_eks_clustercluster_A4C38409name}";

describe("production-platform", () => {
  const { aws, platform: json, manifest } = synthEnvironment(environments.production);

  it("orders each platform stack after its AWS stack", () => {
    expect(manifest.stacks["production-platform"].dependencies).toEqual(["production"]);
    expect(manifest.stacks.production.dependencies).toEqual([]);
  });

  it("configures kubernetes and helm from the EKS data source with exec auth, never a token", () => {
    // The cluster name arrives from the production stack's state (cross-stack reference).
    expect(Object.values(json.data!.aws_eks_cluster!)[0].name).toBe(CLUSTER_NAME);
    expect(json.data!.terraform_remote_state!["cross-stack-reference-input-production"].config.key).toBe("learning-platform/production.tfstate");
    const exec = {
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", CLUSTER_NAME, "--region", "us-east-1", "--output", "json"],
    };
    const k8s = json.provider!.kubernetes[0];
    const helm = json.provider!.helm[0].kubernetes;
    for (const p of [k8s, helm]) {
      expect(p.host).toMatch(/^\$\{data\.aws_eks_cluster\.cluster\.endpoint\}$/);
      expect(p.cluster_ca_certificate).toBe("${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}");
      expect(p.token).toBeUndefined();
    }
    expect(k8s.exec).toEqual([exec]);
    expect(helm.exec).toEqual(exec);
    expect(JSON.stringify(json)).not.toMatch(/"token"/);
  });

  it("creates the namespaces with Pod Security labels, restricted for the app", () => {
    const labels: Record<string, any> = Object.fromEntries(resources(json, "kubernetes_namespace_v1").map((n) => [n.metadata.name, n.metadata.labels]));
    expect(Object.keys(labels).sort()).toEqual(["argocd", "cert-manager", "external-secrets", "nginx-gateway", "observability", "openedx-prod", "velero"]);
    expect(labels["openedx-prod"]["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(labels["cert-manager"]["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(labels["nginx-gateway"]["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(labels.observability!["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(Object.values(labels).every((l) => l["pod-security.kubernetes.io/warn"] === "restricted")).toBe(true);
  });

  it("denies all traffic in the app namespace except what the platform needs", () => {
    const policies: Record<string, any> = Object.fromEntries(resources(json, "kubernetes_network_policy_v1")
      .filter((p) => p.metadata.namespace.includes("namespaces_openedx-prod")).map((p) => [p.metadata.name, p]));
    expect(policies["default-deny-all"].spec).toMatchObject({ pod_selector: {}, policy_types: ["Ingress", "Egress"] });
    expect(policies["allow-dns"].spec.egress[0].ports).toEqual([{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }]);
    const fromIngress = policies["allow-ingress-controller"].spec.ingress[0];
    expect(fromIngress.from[0].namespace_selector.match_labels).toEqual({ "kubernetes.io/metadata.name": "nginx-gateway" });
    expect(fromIngress.from[0].pod_selector.match_labels).toEqual({ "gateway.networking.k8s.io/gateway-name": "platform", "app.kubernetes.io/name": "platform-nginx" });
    // LMS/CMS on 8000 and the MFE server on 8002 (config platform.app.ports).
    expect(fromIngress.ports).toEqual([{ port: "8000", protocol: "TCP" }, { port: "8002", protocol: "TCP" }]);
    expect(policies["allow-monitoring"].spec.ingress[0].from[0].namespace_selector.match_labels).toEqual({ "kubernetes.io/metadata.name": "observability" });
    // Prometheus pods carry app.kubernetes.io/name=prometheus (set by the operator).
    expect(policies["allow-monitoring"].spec.ingress[0].from[0].pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus" });
    expect(policies["allow-dns"].spec.egress[0].to[0].pod_selector.match_labels).toEqual({ "k8s-app": "kube-dns" });
    // cert-manager's HTTP-01 solver pods in the app namespace listen on 8089.
    const solver = policies["allow-acme-http01-solver"].spec;
    expect(solver.pod_selector.match_labels).toEqual({ "acme.cert-manager.io/http01-solver": "true" });
    expect(solver.ingress[0].from[0].pod_selector.match_labels).toEqual({ "gateway.networking.k8s.io/gateway-name": "platform", "app.kubernetes.io/name": "platform-nginx" });
    expect(solver.ingress[0].ports).toEqual([{ port: "8089", protocol: "TCP" }]);
    expect(policies["allow-egress-vpc-data-stores"].spec.egress[0].to[0].ip_block.cidr).toBe("10.0.0.0/16");
    // The stores' own ports (MySQL, OpenSearch HTTPS, Redis, DocumentDB), derived from the stores: no 9200, nothing hand-kept.
    // Search 443, MySQL 3306, PostgreSQL 5432, RabbitMQ AMQPS 5671, Redis 6379, DocumentDB 27017: each store's own port.
    expect(policies["allow-egress-vpc-data-stores"].spec.egress[0].ports).toEqual(["443", "3306", "5432", "5671", "6379", "27017"].map((port) => ({ port, protocol: "TCP" })));
    expect(policies["allow-egress-internet-https-smtp"].spec.egress[0].to[0].ip_block.except).toContain("169.254.169.254/32");
  });

  it("opens every data store's own port (its connectable endpoint) in the app's VPC egress policy", () => {
    // Iterates the AWS stack's data layer, so a store added there but not wired into the
    // platform stack, or wired with another port, fails here.
    const app = Testing.app();
    const stacks = addEnvironment(app, environments.production);
    const stores = Object.entries(stacks.aws.data).flatMap(([name, s]) => ("endpointRef" in s ? [[name, (s as { endpointRef: StoreEndpoint }).endpointRef] as const] : []));
    expect(stores.map(([name]) => name)).toEqual(["mysql", "redis", "search", "documentdb", "postgres", "rabbitmq"]);
    const vpc = resources(synth(stacks.platform), "kubernetes_network_policy_v1").find((p) => p.metadata.name === "allow-egress-vpc-data-stores")!;
    const ports = vpc.spec.egress[0].ports.map((p: any) => Number(p.port));
    for (const [name, endpoint] of stores) expect([name, ports.includes(endpoint.port)]).toEqual([name, true]);
  });

  it("pins every chart to an exact version from the shared table", () => {
    const releases = resources(json, "helm_release");
    expect(releases.map((r) => r.chart).sort()).toEqual([
      "alloy", "argo-cd", "argocd-apps", "aws-load-balancer-controller", "cert-manager", "cluster-autoscaler",
      "external-secrets", "kube-prometheus-stack", "loki", "metrics-server", "nginx-gateway-fabric", "raw", "raw", "raw", "raw", "raw", "velero",
    ]);
    for (const r of releases) {
      expect(r.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(r.repository).toMatch(/^(https|oci):\/\//);
      expect(r.atomic).toBe(true);
      expect(() => JSON.parse(r.values[0])).not.toThrow();
    }
    // Each release installs exactly the repository and version of its row in the table.
    const table = Object.fromEntries(Object.values(environments.production.platform.charts).map((c) => [c.chart, c]));
    for (const r of releases) expect({ chart: r.chart, repository: r.repository, version: r.version }).toEqual(table[r.chart]);
    // The OSS Loki chart's home since March 2026 (grafana/loki 7.x+ is Enterprise Logs only).
    expect(release(json, "loki").repository).toBe("https://grafana-community.github.io/helm-charts");
    expect(release(json, "nginx-gateway").repository).toBe("oci://ghcr.io/nginx/charts");
  });

  it("installs the Gateway API standard CRDs NGF 2.6.7 needs, kept on uninstall, before the controller", () => {
    const crds = release(json, "gateway-api-crds");
    const docs = crds.parsed.resources as Array<Record<string, any>>;
    expect(docs.filter((d) => d.kind === "CustomResourceDefinition").map((d) => d.metadata.name.split(".")[0]).sort()).toEqual([
      "backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "listenersets", "referencegrants", "tlsroutes",
    ]);
    for (const d of docs.filter((x) => x.kind === "CustomResourceDefinition")) {
      expect(d.metadata.annotations).toMatchObject({
        "gateway.networking.k8s.io/bundle-version": GATEWAY_API_VERSION, "gateway.networking.k8s.io/channel": "standard", "helm.sh/resource-policy": "keep",
      });
      expect(d.status).toBeUndefined();
    }
    expect(GATEWAY_API_VERSION).toBe("v1.5.1");
    expect(release(json, "nginx-gateway").depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.ingress_gateway-api-crds_/)]));
  });

  it("runs NGINX Gateway Fabric with the data plane's replicas, client address from proxy protocol and no telemetry", () => {
    const { nginxGateway, nginx } = release(json, "nginx-gateway").parsed;
    expect(nginxGateway).toMatchObject({ gatewayClassName: "nginx", replicas: 2, productTelemetry: { enable: false }, snippets: { enable: true }, metrics: { enable: true, port: 9113 } });
    expect(nginx.replicas).toBe(3);
    expect(nginx.config.rewriteClientIP).toEqual({ mode: "ProxyProtocol", trustedAddresses: [{ type: "CIDR", value: "10.0.0.0/16" }] });
    expect(nginx.config.serverTokens).toBe("off");
    expect(nginx.config.logging).toEqual({ accessLog: { format: ACCESS_LOG_FORMAT } });
    // No load balancer of its own: the AWS stack's NLB reaches the pods through TargetGroupBindings.
    expect(nginx.service).toEqual({ type: "ClusterIP" });
    expect(nginx.pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({ "gateway.networking.k8s.io/gateway-name": "platform", "app.kubernetes.io/name": "platform-nginx" });
    const lbc = release(json, "aws-load-balancer-controller");
    expect(lbc.parsed).toMatchObject({ clusterName: CLUSTER_NAME, region: "us-east-1", serviceAccount: { name: "aws-load-balancer-controller" } });
    expect(lbc.parsed.vpcId).toMatch(/terraform_remote_state/);
    // The webhook keeps its certificate across upgrades (the chart's default is false since 3.1).
    expect(lbc.parsed.keepTLSSecret).toBe(true);
    expect(release(json, "nginx-gateway").depends_on.some((d: string) => d.includes("aws-load-balancer-controller"))).toBe(true);
  });

  describe("the platform Gateway", () => {
    const docs = () => release(json, "platform-gateway").parsed.resources as Array<Record<string, any>>;
    const doc = (kind: string, name?: string) => docs().find((d) => d.kind === kind && (name === undefined || d.metadata.name === name))!;

    it("asks for no load balancer and binds the data plane to the AWS stack's origin target group (443 only)", () => {
      expect(doc("Gateway").spec.gatewayClassName).toBe("nginx");
      expect(doc("Gateway").spec.infrastructure).toBeUndefined();
      const bindings = docs().filter((d) => d.kind === "TargetGroupBinding");
      expect(bindings).toEqual([{
        apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "platform-nginx-443" },
        spec: { serviceRef: { name: "platform-nginx", port: 443 }, targetGroupARN: expect.stringMatching(/terraform_remote_state.*origin-lb_targets-443/), targetType: "ip" },
      }]);
      // The CRD is the controller chart's; the Gateway's release comes after the controller's.
      expect(release(json, "platform-gateway").depends_on).toEqual([expect.stringMatching(/^helm_release\.ingress_nginx-gateway-fabric_/)]);
      // A VPC origin needs no header check.
      expect(docs().find((d) => d.kind === "SnippetsPolicy" && d.metadata.name === "origin-verify")).toBeUndefined();
      expect(json.data?.aws_secretsmanager_secret_version).toBeUndefined();
    });

    it("listens on 80 and 443, terminating TLS with the default certificate, and admits routes from the app namespace only", () => {
      const [http, https] = doc("Gateway").spec.listeners;
      expect(http).toMatchObject({ name: "http", protocol: "HTTP", port: 80 });
      expect(https).toMatchObject({ name: "https", protocol: "HTTPS", port: 443, tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "ingress-default-tls" }] } });
      const admitted = (l: any) => l.allowedRoutes.namespaces.selector.matchExpressions[0];
      expect(https.allowedRoutes.namespaces.from).toBe("Selector");
      expect(admitted(https)).toEqual({ key: "kubernetes.io/metadata.name", operator: "In", values: [expect.stringMatching(/namespaces_openedx-prod_/)] });
      // HTTP also admits the Gateway's own namespace: the redirect and the default certificate's ACME routes.
      expect(admitted(http).values).toEqual([expect.stringMatching(/namespaces_nginx-gateway_/), expect.stringMatching(/namespaces_openedx-prod_/)]);
      expect(https.allowedRoutes.kinds).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
    });

    it("redirects plain HTTP to HTTPS with a 301 and sends HSTS on every response", () => {
      expect(doc("HTTPRoute", "https-redirect").spec).toEqual({
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", sectionName: "http" }],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
      });
      const hsts = doc("SnippetsPolicy", "hsts");
      expect(hsts.apiVersion).toBe("gateway.nginx.org/v1alpha1");
      expect(hsts.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform" }]);
      expect(hsts.spec.snippets).toEqual([{ context: "http",
        value: 'add_header_inherit merge;\nadd_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;' }]);
    });

    it("keeps minAvailable data-plane pods through drains and scrapes both planes", () => {
      expect(doc("PodDisruptionBudget").spec).toEqual({ minAvailable: 2, selector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": "platform", "app.kubernetes.io/name": "platform-nginx" } } });
      expect(doc("PodMonitor", "nginx-gateway-data-plane").spec.podMetricsEndpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
      expect(doc("PodMonitor", "nginx-gateway-control-plane").spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "nginx-gateway", "app.kubernetes.io/instance": "nginx-gateway" });
      expect(release(json, "platform-gateway").depends_on).toEqual([expect.stringMatching(/^helm_release\.ingress_nginx-gateway-fabric_/)]);
    });
  });

  it("installs cert-manager with CRDs and Let's Encrypt staging and production issuers", () => {
    const cm = release(json, "cert-manager").parsed;
    expect(cm.crds).toEqual({ enabled: true, keep: true });
    const issuers = release(json, "cluster-issuers");
    expect(issuers.depends_on.some((d: string) => d.includes("cert-manager"))).toBe(true);
    const byName = Object.fromEntries(issuers.parsed.resources.map((r: any) => [r.metadata.name, r]));
    expect(byName["letsencrypt-staging"].spec.acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(byName["letsencrypt-production"].spec.acme.server).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(byName["letsencrypt-production"]).toMatchObject({
      kind: "ClusterIssuer",
      spec: { acme: { email: "platform-sre@example.org", solvers: expect.arrayContaining([{ http01: { gatewayHTTPRoute: { parentRefs: [expect.objectContaining({ kind: "Gateway", name: "platform", sectionName: "http" })] } } }]) } },
    });
  });

  it("installs Argo CD with an app-of-apps root synced from the GitOps repository", () => {
    const argo = release(json, "argocd").parsed;
    expect(argo.configs.rbac["policy.default"]).toBe("");
    expect(argo["redis-ha"].enabled).toBe(true);
    // The platform's NetworkPolicies, not the chart's (on by default since 10.0, argocd-server open to all).
    expect(argo.global.networkPolicy).toEqual({ create: false });
    const apps = release(json, "argocd-root").parsed;
    expect(apps.applications.root).toMatchObject({
      project: "openedx-root",
      source: { repoURL: "https://github.com/example-org/openedx-gitops.git", path: "environments/production", targetRevision: "main" },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(apps.projects.openedx.sourceRepos).toEqual(["https://github.com/example-org/openedx-gitops.git"]);
    expect(apps.projects.openedx.clusterResourceWhitelist).toEqual([]);
  });

  it("confines what the GitOps repository can make Argo CD do", () => {
    const root = release(json, "argocd-root");
    const { projects, applications } = root.parsed;
    // The root may only create Applications in argocd (not argocd-secret or argocd-rbac-cm) ...
    expect(applications.root.project).toBe("openedx-root");
    expect(projects["openedx-root"].destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: expect.stringMatching(/namespaces_argocd_/) }]);
    expect(projects["openedx-root"].namespaceResourceWhitelist).toEqual([{ group: "argoproj.io", kind: "Application" }]);
    // ... the children only into the app namespace ...
    expect(projects.openedx.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: expect.stringMatching(/namespaces_openedx-prod_/) }]);
    // ... and the built-in allow-everything `default` project is adopted and locked with
    // non-empty deny-all values (empty lists would be dropped and Argo CD's wildcards kept).
    expect(projects.default).toMatchObject({
      sourceRepos: ["!*"],
      destinations: [{ server: "!*", name: "!*", namespace: "!*" }],
      clusterResourceBlacklist: [{ group: "*", kind: "*" }],
      namespaceResourceBlacklist: [{ group: "*", kind: "*" }],
    });
    // The app's repository cannot create ExternalSecrets (they could pull any readable secret in).
    expect(projects.openedx.namespaceResourceBlacklist).toEqual(expect.arrayContaining([{ group: "external-secrets.io", kind: "*" }]));
    // The app may attach HTTPRoutes (not blacklisted) but not bring its own Gateway or NGINX snippets.
    expect(projects.openedx.namespaceResourceBlacklist).toEqual(expect.arrayContaining([
      { group: "gateway.networking.k8s.io", kind: "Gateway" }, { group: "gateway.networking.k8s.io", kind: "ListenerSet" },
      { group: "gateway.nginx.org", kind: "SnippetsFilter" }, { group: "gateway.nginx.org", kind: "SnippetsPolicy" },
    ]));
    expect(projects.openedx.namespaceResourceBlacklist).not.toContainEqual(expect.objectContaining({ kind: "HTTPRoute" }));
    expect(root.take_ownership).toBe(true);
    expect(resources(json, "helm_release").filter((r) => r.take_ownership).map((r) => r.name)).toEqual(["argocd-root"]);
  });

  it("never ships kube-prometheus-stack's literal Grafana password", () => {
    const grafana = release(json, "kube-prometheus-stack").parsed.grafana;
    // Empty makes the Grafana chart generate one into its Secret (the chart's default was "prom-operator" until 79.x).
    expect(grafana.adminPassword).toBe("");
    expect(grafana.admin).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain("prom-operator");
  });

  it("ships seed 001's alert rules with its thresholds", () => {
    const kps = release(json, "kube-prometheus-stack").parsed;
    const rules = Object.fromEntries(kps.additionalPrometheusRulesMap["openedx-platform"].groups[0].rules.map((r: any) => [r.alert, r]));
    expect(rules.PodRestartingFrequently.expr).toBe("increase(kube_pod_container_status_restarts_total[5m]) > 3");
    // From the Gateway's access log (Alloy counters): NGINX OSS exports no per-status metric.
    expect(rules.HighHttpErrorRate.expr).toBe('(sum by (namespace) (rate(loki_process_custom_gateway_http_5xx_responses_total{namespace="nginx-gateway"}[2m])) / '
      + 'sum by (namespace) (rate(loki_process_custom_gateway_http_responses_total{namespace="nginx-gateway"}[2m]))) * 100 > 5');
    expect(rules.HighHttpErrorRate.for).toBe("2m");
    expect(rules.HighCpuUsage.expr).toMatch(/> 80$/);
    expect(rules.HighCpuUsage.for).toBe("5m");
    expect(rules.HighMemoryUsage.expr).toMatch(/> 90$/);
    expect(rules.CertificateExpiringSoon.expr).toBe("(certmanager_certificate_expiration_timestamp_seconds - time()) < 7 * 86400");
    expect(kps.prometheus.prometheusSpec).toMatchObject({ replicas: 2, retention: "31d", ruleSelectorNilUsesHelmValues: false });
  });

  it("stores Loki chunks in the S3 bucket from the AWS stack", () => {
    const loki = release(json, "loki").parsed;
    expect(loki.deploymentMode).toBe("SimpleScalable");
    expect(loki.loki.storage.type).toBe("s3");
    expect(loki.loki.storage.bucketNames.chunks).toMatch(/^\$\{data\.terraform_remote_state\./);
    expect(loki.serviceAccount.name).toBe("loki");
    expect(release(json, "alloy").parsed.alloy.configMap.content).toContain("loki-gateway");
  });

  it("counts the Gateway's responses by status from its access log, for HighHttpErrorRate", () => {
    const config: string = release(json, "alloy").parsed.alloy.configMap.content;
    expect(config).toContain("forward_to = [loki.process.gateway_access.receiver]");
    expect(config).toContain('selector = `{namespace="nginx-gateway", container="nginx"}`');
    expect(config).toContain(`expression = \`${GATEWAY_ACCESS_LOG.regex}\``);
    expect(config).toMatch(/name += "gateway_http_5xx_responses_total"[^}]*source += "status_class"\n\s*value += "5"/);
    // The RE2 pattern (named groups as (?P<..>)) on lines of the data plane's format.
    const re = new RegExp(GATEWAY_ACCESS_LOG.regex.replace(/\(\?P</g, "(?<"));
    const line = ACCESS_LOG_FORMAT.replace("$remote_addr", "203.0.113.7").replace("$remote_user", "-").replace("$time_local", "02/Dec/2026:13:00:00 +0000")
      .replace("$request", "GET /courses HTTP/1.1").replace("$status", "502").replace("$body_bytes_sent", "150").replace("$http_referer", "-").replace("$http_user_agent", "Mozilla/5.0");
    expect(line.match(re)!.groups).toEqual({ status: "502", status_class: "5" });
    expect('203.0.113.7 - - [02/Dec/2026:13:00:00 +0000] "GET /courses HTTP/1.1" 503 12 "-" "curl/8"'.match(re)!.groups)
      .toEqual({ status: "503", status_class: "5" });
    expect("2026/12/02 13:00:00 [error] 12#12: *3 upstream timed out".match(re)).toBeNull();
  });

  it("runs metrics-server, the cluster autoscaler and Velero every 6 hours", () => {
    expect(release(json, "metrics-server").parsed.replicas).toBe(2);
    const ca = release(json, "cluster-autoscaler");
    expect(ca.parsed).toMatchObject({ autoDiscovery: { clusterName: CLUSTER_NAME }, rbac: { serviceAccount: { name: "cluster-autoscaler" } } });
    // The autoscaler's release is the cluster's minor, whatever the chart's default image is.
    const k8s = environments.production.cluster.kubernetesVersion;
    expect(ca.parsed.image.tag).toBe(CLUSTER_AUTOSCALER_IMAGE_TAGS[k8s]);
    expect(ca.parsed.image.tag).toMatch(new RegExp(`^v${k8s.replace(".", "\\.")}\\.\\d+$`));
    // The autoscaler's minor is the cluster's: its image tag follows kubernetesVersion, whatever the chart ships.
    expect(environments.production.cluster.kubernetesVersion).toBe("1.36");
    expect(ca.parsed.image).toEqual({ tag: "v1.36.1" });
    const velero = release(json, "velero").parsed;
    expect(velero.initContainers[0].image).toBe(`velero/velero-plugin-for-aws:${environments.production.platform.veleroAwsPluginTag}`);
    expect(velero.credentials).toEqual({ useSecret: false });
    expect(velero.configuration.backupStorageLocation[0].bucket).toMatch(/terraform_remote_state/);
    expect(velero.configuration.backupStorageLocation[0].config.kmsKeyId).toMatch(/terraform_remote_state/);
    expect(velero.schedules["every-6h"]).toMatchObject({ schedule: "0 */6 * * *", template: { ttl: "72h" } });
    expect(Object.keys(velero.schedules)).toEqual(["every-6h", "daily", "weekly", "monthly"]);
  });

  it("claims ReadWriteMany EFS storage for /openedx/media", () => {
    const sc = resource(json, "kubernetes_storage_class_v1", "media");
    expect(sc).toMatchObject({ storage_provisioner: "efs.csi.aws.com", reclaim_policy: "Retain", mount_options: ["tls", "iam"] });
    expect(sc.parameters.provisioningMode).toBe("efs-ap");
    expect(sc.parameters.fileSystemId).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\.cross-stack-output-aws_efs_file_systemmedia-storage_fs_\w+id\}$/);
    const pvc = resource(json, "kubernetes_persistent_volume_claim_v1");
    expect(pvc.metadata.name).toBe("openedx-media");
    expect(pvc.spec.access_modes).toEqual(["ReadWriteMany"]);
    expect(pvc.spec.resources.requests.storage).toBe("500Gi");
  });

  it("exports the AWS prerequisites the platform reads as cross-stack outputs", () => {
    expect(Object.keys(aws.output ?? {}).length).toBeGreaterThanOrEqual(4);
    expect(resources(aws, "aws_eks_pod_identity_association").map((a) => `${a.namespace}/${a.service_account}`).sort())
      .toEqual(["cert-manager/cert-manager", "external-secrets/external-secrets", "kube-system/aws-load-balancer-controller", "kube-system/cluster-autoscaler",
        "observability/kube-prometheus-stack-alertmanager", "observability/loki", "openedx-prod/openedx", "velero/velero-server"]);
  });
});

describe("platform stack in kubeconfig mode (seed 003 k3s)", () => {
  const config: EnvironmentConfig = { ...environments.staging, platform: { ...environments.staging.platform, kubeconfig: K3S_TARGET } };
  // A cluster this library did not create: the platform stack alone (an environment whose AWS stack
  // builds EKS refuses a kubeconfig target, test/environments/invariants.test.ts).
  const json = synth(new PlatformStack(Testing.app(), config, { kubeconfig: config.platform.kubeconfig }));

  it("targets the kubeconfig context and installs nothing AWS-specific", () => {
    expect(json.provider!.kubernetes[0]).toEqual({ config_path: "~/.kube/k3s.yaml", config_context: "k3s-ha" });
    expect(json.provider!.helm[0].kubernetes).toEqual({ config_path: "~/.kube/k3s.yaml", config_context: "k3s-ha" });
    expect(json.provider!.aws).toBeUndefined();
    expect(json.data?.aws_eks_cluster).toBeUndefined();
    const charts = resources(json, "helm_release").map((r) => r.chart);
    expect(charts).not.toContain("aws-load-balancer-controller");
    expect(charts).not.toContain("cluster-autoscaler");
    expect(charts).not.toContain("metrics-server");
    expect(() => addEnvironment(Testing.app(), config)).toThrow('environment staging: platform.kubeconfig = "set" is invalid; must be unset on an environment whose AWS stack builds an EKS cluster');
  });

  it("uses the existing RWX class, filesystem Loki and an S3-compatible Velero target", () => {
    expect(resources(json, "kubernetes_storage_class_v1")).toHaveLength(0);
    expect(resource(json, "kubernetes_persistent_volume_claim_v1").spec.storage_class_name).toBe("longhorn-rwx");
    expect(release(json, "loki").parsed.loki.storage.type).toBe("filesystem");
    const velero = release(json, "velero").parsed;
    expect(velero.credentials).toEqual({ useSecret: true, existingSecret: "velero-s3" });
    expect(velero.configuration.backupStorageLocation[0].config.s3Url).toBe("https://minio.backup.internal:9000");
    expect(velero.snapshotsEnabled).toBe(false);
    // No NLB: a plain LoadBalancer Service (k3s servicelb), Local to keep the client address, no proxy protocol.
    expect(release(json, "nginx-gateway").parsed.nginx.service).toEqual({ type: "LoadBalancer", externalTrafficPolicy: "Local",
      // Dual-stack where the cluster is (seed 003: AAAA records to the nodes).
      patches: [{ type: "StrategicMerge", value: { spec: { ipFamilyPolicy: "PreferDualStack" } } }] });
    expect(release(json, "nginx-gateway").parsed.nginx.config.rewriteClientIP).toBeUndefined();
    const gateway = release(json, "platform-gateway").parsed.resources.find((d: { kind: string }) => d.kind === "Gateway");
    expect(gateway.spec.infrastructure).toBeUndefined();
    // Nothing reads the address in kubeconfig mode, and a cluster without a LoadBalancer implementation would never get one.
    expect(release(json, "platform-gateway").parsed.resources.map((d: { kind: string }) => d.kind)).not.toContain("Job");
    expect(resources(json, "helm_release").map((r) => r.name)).not.toContain("aws-load-balancer-controller");
  });
});

describe("platform stack validation", () => {
  const prod = environments.production;
  const build = (config: EnvironmentConfig, props: ConstructorParameters<typeof PlatformStack>[2]) => () => new PlatformStack(Testing.app(), config, props);
  const eks = EKS_TARGET;
  const withPlatform = (platform: Partial<EnvironmentConfig["platform"]>): EnvironmentConfig => ({ ...prod, platform: { ...prod.platform, ...platform } });

  it("derives the app's egress ports to the VPC from the stores: a store on another port moves the policy with it", () => {
    const moved = { ...EKS_DATA_STORES, redis: { ...EKS_DATA_STORES.redis, port: 6380 }, search: { ...EKS_DATA_STORES.search, port: 3306 } };
    const stack = new PlatformStack(Testing.app(), prod, { eks: { ...eks, dataStores: moved } });
    const vpc = resources(synth(stack), "kubernetes_network_policy_v1").find((p) => p.metadata.name === "allow-egress-vpc-data-stores")!;
    // Search moved onto MySQL's port: 443 is no longer a data-store port; Redis moved to 6380.
    expect(vpc.spec.egress[0].ports.map((p: any) => p.port)).toEqual(["3306", "6380", "27017"]);
  });

  it("requires exactly one of EKS and kubeconfig mode", () => {
    expect(build(prod, { eks, kubeconfig: K3S_TARGET })).toThrow(
      'PlatformStack production-platform: eks/kubeconfig = {"eks":"set","kubeconfig":"set"} is invalid; exactly one target is required');
    expect(build(prod, {})).toThrow("PlatformStack production-platform: eks/kubeconfig = {} is invalid; exactly one target is required");
  });

  it("rejects a missing or ranged chart version", () => {
    const charts = prod.platform.charts;
    expect(build(withPlatform({ charts: { ...charts, loki: { ...charts.loki, version: "" } } }), { eks })).toThrow(
      'platform.charts.loki.version = "" is invalid; must be an exact released chart version');
    expect(build(withPlatform({ charts: { ...charts, velero: { ...charts.velero, version: "~> 10.0" } } }), { eks })).toThrow(
      'platform.charts.velero.version = "~> 10.0" is invalid');
    expect(build(withPlatform({ charts: { ...charts, raw: undefined as never } }), { eks })).toThrow("platform.charts.raw (missing) is invalid");
    expect(build(withPlatform({ charts: { ...charts, raw: { ...charts.raw, repository: "http://x" } } }), { eks })).toThrow(
      'platform.charts.raw.repository = "http://x" is invalid; must be an https:// chart repository URL');
  });

  it("rejects a malformed GitOps repository URL, path or revision", () => {
    const gitops = prod.platform.gitops;
    expect(build(withPlatform({ gitops: { ...gitops, repoUrl: "github.com/org/repo" } }), { eks })).toThrow(
      'gitops.repoUrl = "github.com/org/repo" is invalid; must be a git repository URL');
    expect(build(withPlatform({ gitops: { ...gitops, repoUrl: "https://user:pw@github.com/org/repo.git" } }), { eks })).toThrow("gitops.repoUrl");
    expect(build(withPlatform({ gitops: { ...gitops, path: "/abs" } }), { eks })).toThrow('gitops.path = "/abs" is invalid');
    expect(build(withPlatform({ gitops: { ...gitops, path: "a/../b" } }), { eks })).toThrow("gitops.path");
    expect(build(withPlatform({ gitops: { ...gitops, revision: "" } }), { eks })).toThrow('gitops.revision = "" is invalid');
    expect(build(withPlatform({ gitops: { ...gitops, repoUrl: "git@github.com:org/repo.git" } }), { eks })).not.toThrow();
  });

  it("takes the app namespace from config data (any DNS label), and rejects an invalid one and an empty kubeconfig", () => {
    expect(build(withPlatform({ appNamespace: "openedx-live" }), { eks })).not.toThrow();
    expect(build(withPlatform({ appNamespace: "OpenEdX_Prod" }), { eks })).toThrow(
      'appNamespace = "OpenEdX_Prod" is invalid; must be a DNS label');
    expect(build(prod, { kubeconfig: { ...K3S_TARGET, context: " " } })).toThrow("kubeconfig");
  });
});
