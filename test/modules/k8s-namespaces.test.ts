import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { formatQuantity, parseQuantity } from "../../modules/core/quantity";
import {
  AppResources, DEFAULT_APP_RESOURCES, K8sNamespaces, K8sNamespacesProps, PLATFORM_NAMESPACES,
} from "../../modules/k8s-namespaces";
import { Res, resource, resources, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

function build(props: Partial<K8sNamespacesProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "k8s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  new K8sNamespaces(stack, "ns", { appNamespace: "openedx-prod", ...props });
  return synth(stack);
}
const make = (props: Partial<K8sNamespacesProps>) => () => build(props);

/** Policies by "<namespace>/<name>" (the namespace is a reference to the namespace resource). */
function policies(json: ReturnType<typeof build>): Record<string, Res> {
  return Object.fromEntries(resources(json, "kubernetes_network_policy_v1").map((p) => {
    const ns = /kubernetes_namespace_v1\.ns_([a-z0-9-]+)_/.exec(p.metadata.namespace)![1];
    return [`${ns}/${p.metadata.name}`, p];
  }));
}
const ports = (rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`);

describe("quantity", () => {
  it("parses CPU to millicores and memory to bytes", () => {
    expect(parseQuantity("500m", "cpu")).toBe(500);
    expect(parseQuantity("2", "cpu")).toBe(2000);
    expect(parseQuantity("0.5", "cpu")).toBe(500);
    expect(parseQuantity("512Mi", "memory")).toBe(536870912);
    expect(parseQuantity("1.5Gi", "memory")).toBe(1610612736);
    expect(parseQuantity("1G", "memory")).toBe(1e9);
    expect(parseQuantity("4096", "memory")).toBe(4096);
  });
  it("rejects what is not a quantity or would be rounded", () => {
    for (const bad of ["", "abc", "500 m", "-1", "1e3", "2Gb", "0.0001"]) expect(parseQuantity(bad, "cpu")).toBeUndefined();
    expect(parseQuantity("0.5", "memory")).toBeUndefined();
    expect(parseQuantity("1.5m", "cpu")).toBeUndefined();
  });
  it("formats canonically", () => {
    expect(formatQuantity(14230, "cpu")).toBe("14230m");
    expect(formatQuantity(48000, "cpu")).toBe("48");
    expect(formatQuantity(36 * 2 ** 30, "memory")).toBe("36Gi");
    expect(formatQuantity(1536 * 2 ** 20, "memory")).toBe("1536Mi");
    expect(formatQuantity(1000, "memory")).toBe("1000");
  });
});

describe("K8sNamespaces network policies (defaults)", () => {
  const json = build();
  const all = policies(json);
  const namespaces = [...Object.keys(PLATFORM_NAMESPACES), "openedx-prod"];

  it("adds the external-secrets namespace, restricted", () => {
    const ns = resources(json, "kubernetes_namespace_v1").find((n) => n.metadata.name === "external-secrets")!;
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("denies everything by default in every namespace and admits DNS, itself and Prometheus", () => {
    expect(namespaces).toHaveLength(7);
    for (const ns of namespaces) {
      expect(all[`${ns}/default-deny-all`]!.spec).toEqual({ pod_selector: {}, policy_types: ["Ingress", "Egress"] });
      expect(ports(all[`${ns}/allow-dns`]!.spec.egress[0])).toEqual(["UDP/53", "TCP/53"]);
      expect(all[`${ns}/allow-same-namespace`]!.spec.policy_types).toEqual(["Ingress", "Egress"]);
      const prom = all[`${ns}/allow-monitoring`]!.spec.ingress[0].from[0];
      expect(prom.namespace_selector.match_labels).toEqual({ "kubernetes.io/metadata.name": "observability" });
      expect(prom.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus" });
    }
  });

  it("gives every policy a DNS-label name", () => {
    for (const p of Object.values(all)) expect(p.metadata.name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });

  it("opens the Gateway's data plane to the public on 80/443 and lets it reach the app ports and ACME solvers", () => {
    const pub = all["nginx-gateway/allow-public-ingress"]!.spec;
    // The labels NGF puts on the pods it provisions for the Gateway `platform` of class `nginx`.
    expect(pub.pod_selector.match_labels).toEqual({ "gateway.networking.k8s.io/gateway-name": "platform", "app.kubernetes.io/name": "platform-nginx" });
    expect(pub.ingress[0].from).toEqual([{ ip_block: { cidr: "0.0.0.0/0" } }]);
    expect(ports(pub.ingress[0])).toEqual(["TCP/80", "TCP/443"]);
    const app = all["nginx-gateway/allow-egress-app"]!.spec.egress[0];
    expect(app.to[0].namespace_selector.match_labels).toEqual({ "kubernetes.io/metadata.name": "openedx-prod" });
    expect(ports(app)).toEqual(["TCP/8000", "TCP/8002"]);
    expect(ports(all["openedx-prod/allow-ingress-controller"]!.spec.ingress[0])).toEqual(["TCP/8000", "TCP/8002"]);
    const solvers = all["nginx-gateway/allow-egress-acme-http01-solvers"]!.spec.egress[0];
    expect(solvers.to[0]).toEqual({ namespace_selector: {}, pod_selector: { match_labels: { "acme.cert-manager.io/http01-solver": "true" } } });
    expect(ports(solvers)).toEqual(["TCP/8089"]);
  });

  it("admits webhook calls from the API server sources on each webhook port only", () => {
    const webhook = (ns: string) => all[`${ns}/allow-webhooks-from-api-server`]?.spec.ingress[0];
    expect(ports(webhook("cert-manager"))).toEqual(["TCP/10250"]);
    expect(ports(webhook("external-secrets"))).toEqual(["TCP/10250"]);
    expect(ports(webhook("observability"))).toEqual(["TCP/10250"]);
    // NGINX Gateway Fabric has no admission webhook; it reaches the API server like every platform namespace.
    expect(webhook("nginx-gateway")).toBeUndefined();
    expect(ports(all["nginx-gateway/allow-api-server"]!.spec.egress[0])).toEqual(["TCP/443", "TCP/6443"]);
    expect(webhook("argocd")).toBeUndefined();
    expect(webhook("velero")).toBeUndefined();
    expect(webhook("openedx-prod")).toBeUndefined();
    // Default sources: the private ranges (any EKS VPC or k3s node network).
    expect(webhook("cert-manager").from.map((f: any) => f.ip_block.cidr)).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]);
  });

  it("lets every platform namespace, and not the app, reach the API server", () => {
    for (const ns of Object.keys(PLATFORM_NAMESPACES)) expect(ports(all[`${ns}/allow-api-server`]!.spec.egress[0])).toEqual(["TCP/443", "TCP/6443"]);
    expect(all["openedx-prod/allow-api-server"]).toBeUndefined();
  });

  it("excludes IMDS and the private ranges from every internet egress, on the ports each component needs", () => {
    const internet = Object.entries(all).filter(([key]) => key.endsWith("/allow-egress-internet"));
    expect(internet.map(([key]) => key.split("/")[0]).sort()).toEqual(["argocd", "cert-manager", "external-secrets", "observability", "velero"]);
    for (const [, p] of internet) {
      expect(p.spec.egress[0].to).toEqual([{ ip_block: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] } }]);
    }
    expect(ports(all["argocd/allow-egress-internet"]!.spec.egress[0])).toEqual(["TCP/443", "TCP/22"]);
    expect(ports(all["cert-manager/allow-egress-internet"]!.spec.egress[0])).toEqual(["TCP/443", "TCP/80", "TCP/53", "UDP/53"]);
    expect(ports(all["velero/allow-egress-internet"]!.spec.egress[0])).toEqual(["TCP/443"]);
  });

  it("lets the app and AWS-facing namespaces reach the Pod Identity agent on 80", () => {
    const withAgent = Object.keys(all).filter((k) => k.endsWith("/allow-pod-identity-agent")).map((k) => k.split("/")[0]).sort();
    expect(withAgent).toEqual(["cert-manager", "external-secrets", "observability", "openedx-prod", "velero"]);
    const rule = all["openedx-prod/allow-pod-identity-agent"]!.spec.egress[0];
    expect(rule.to).toEqual([{ ip_block: { cidr: "169.254.170.23/32" } }]);
    expect(ports(rule)).toEqual(["TCP/80"]);
  });

  it("lets Prometheus scrape every namespace and the nodes' kubelet and node-exporter", () => {
    const scrape = all["observability/allow-prometheus-scrape"]!.spec;
    expect(scrape.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus" });
    expect(scrape.egress[0]).toEqual({ to: [{ namespace_selector: {} }] });
    expect(ports(all["observability/allow-prometheus-nodes"]!.spec.egress[0])).toEqual(["TCP/10250", "TCP/9100"]);
  });

  it("renders the default quota and limit range, which hold the default services", () => {
    const quota = resource(json, "kubernetes_resource_quota_v1").spec.hard;
    expect(quota).toEqual({
      "requests.cpu": "20", "requests.memory": "48Gi", "limits.cpu": "48", "limits.memory": "96Gi",
      pods: "40", persistentvolumeclaims: "10", "services.loadbalancers": "0", "services.nodeports": "0",
    });
    const limit = resource(json, "kubernetes_limit_range_v1").spec.limit[0];
    expect(limit).toEqual({ type: "Container", default_request: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "512Mi" }, max: { cpu: "4", memory: "8Gi" } });
  });
});

describe("K8sNamespaces with the platform's settings", () => {
  const json = build({
    apiServer: { cidrs: ["10.0.0.0/16", "172.20.0.1/32"], ports: [443] },
    webhookSourceCidrs: ["10.0.0.0/16"],
    nodeCidrs: ["10.0.0.0/16"],
    privateCidrs: ["10.0.0.0/16"],
    podIdentityAgent: false,
    appPorts: [8000],
    platformEgress: { velero: [{ name: "minio", cidr: "192.168.10.0/24", ports: [9000] }] },
    ingressBackends: [{ namespace: "argocd", podLabels: { "app.kubernetes.io/name": "argocd-server" }, ports: [8080] }],
  });
  const all = policies(json);

  it("uses the given API server, webhook sources and nodes", () => {
    expect(all["velero/allow-api-server"]!.spec.egress[0].to.map((t: any) => t.ip_block.cidr)).toEqual(["10.0.0.0/16", "172.20.0.1/32"]);
    expect(ports(all["velero/allow-api-server"]!.spec.egress[0])).toEqual(["TCP/443"]);
    expect(all["cert-manager/allow-webhooks-from-api-server"]!.spec.ingress[0].from).toEqual([{ ip_block: { cidr: "10.0.0.0/16" } }]);
    expect(all["observability/allow-prometheus-nodes"]!.spec.egress[0].to).toEqual([{ ip_block: { cidr: "10.0.0.0/16" } }]);
    expect(all["argocd/allow-egress-internet"]!.spec.egress[0].to[0].ip_block.except).toEqual(["169.254.169.254/32", "10.0.0.0/16"]);
  });

  it("drops the Pod Identity agent allow, adds platform egress and exposed UIs", () => {
    expect(Object.keys(all).filter((k) => k.endsWith("/allow-pod-identity-agent"))).toEqual([]);
    expect(all["velero/allow-egress-minio"]!.spec.egress[0]).toEqual({ to: [{ ip_block: { cidr: "192.168.10.0/24" } }], ports: [{ port: "9000", protocol: "TCP" }] });
    expect(all["nginx-gateway/allow-egress-ui-argocd"]!.spec.egress[0].to[0].pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "argocd-server" });
    const ui = all["argocd/allow-ingress-controller"]!.spec;
    expect(ui.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "argocd-server" });
    expect(ports(ui.ingress[0])).toEqual(["TCP/8080"]);
    expect(ports(all["openedx-prod/allow-ingress-controller"]!.spec.ingress[0])).toEqual(["TCP/8000"]);
  });

  it("rejects bad network settings", () => {
    expect(make({ apiServer: { cidrs: [], ports: [443] } })).toThrow("K8sNamespaces ns: apiServer.cidrs = [] is invalid; must list at least one CIDR");
    expect(make({ apiServer: { cidrs: ["10.0.0.1/16"], ports: [443] } })).toThrow('apiServer.cidrs[0] = "10.0.0.1/16" is invalid');
    expect(make({ apiServer: { cidrs: ["10.0.0.0/16"], ports: [0] } })).toThrow("apiServer.ports[0] = 0 is invalid");
    expect(make({ nodeCidrs: ["nodes"] })).toThrow('nodeCidrs[0] = "nodes" is invalid');
    expect(make({ platformEgress: { "kube-system": [] } })).toThrow('platformEgress = "kube-system" is invalid; must name a platform namespace');
    expect(make({ platformEgress: { velero: [{ name: "internet", cidr: "10.0.0.0/8", ports: [443] }] } }))
      .toThrow('platformEgress.velero[].name = ["allow-egress-internet"] is invalid; must not give a policy the name of a built-in one in namespace velero');
    expect(make({ ingressBackends: [{ namespace: "openedx-prod", podLabels: { a: "b" }, ports: [80] }] })).toThrow('ingressBackends[0].namespace = "openedx-prod" is invalid');
    expect(make({ ingressBackends: [{ namespace: "argocd", podLabels: {}, ports: [80] }] })).toThrow("ingressBackends[0].podLabels = {} is invalid");
    const ui = { namespace: "observability", podLabels: { "app.kubernetes.io/name": "grafana" }, ports: [3000] };
    expect(make({ ingressBackends: [ui, ui] })).toThrow("ingressBackends[].namespace = [\"observability\",\"observability\"] is invalid; must not repeat values");
  });
});

describe("K8sNamespaces app resources", () => {
  const small: AppResources = {
    services: [
      { name: "lms", minReplicas: 1, maxReplicas: 4, requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
      { name: "mfe", minReplicas: 1, maxReplicas: 2, requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    ],
    // Needed: requests 2100m+30m, 4224Mi+192Mi; limits 4400m+300m, 8448Mi+192Mi; pods 6+3.
    quota: { requests: { cpu: "2130m", memory: "4416Mi" }, limits: { cpu: "4700m", memory: "8640Mi" }, pods: 9 },
    containerDefaults: { defaultRequest: { cpu: "50m", memory: "64Mi" }, defaultLimit: { cpu: "200m", memory: "256Mi" }, max: { cpu: "1", memory: "2Gi" } },
  };
  const withQuota = (quota: Partial<AppResources["quota"]>): AppResources => ({ ...small, quota: { ...small.quota, ...quota } });
  const withService = (patch: object): AppResources => ({ ...small, services: [{ ...small.services[0]!, ...patch }, small.services[1]!] });

  it("renders the quota and limit range from props, accepting exactly the minimum", () => {
    const json = build({ appResources: small });
    const quota = resource(json, "kubernetes_resource_quota_v1");
    expect(quota.metadata.name).toBe("app-quota");
    expect(quota.metadata.namespace).toMatch(/kubernetes_namespace_v1\.ns_openedx-prod_/);
    expect(quota.spec.hard).toMatchObject({ "requests.cpu": "2130m", "requests.memory": "4416Mi", "limits.cpu": "4700m", "limits.memory": "8640Mi", pods: "9", persistentvolumeclaims: "10" });
    expect(resource(json, "kubernetes_limit_range_v1").spec.limit[0].max).toEqual({ cpu: "1", memory: "2Gi" });
  });

  it("rejects a quota below the services' maximum scale-out, naming the prop and the minimum", () => {
    expect(make({ appResources: withQuota({ requests: { cpu: "2129m", memory: "4416Mi" } }) }))
      .toThrow('K8sNamespaces ns: appResources.quota.requests.cpu = "2129m" is invalid; must be at least 2130m (Σ maxReplicas × requests.cpu over services plus 3 ACME HTTP-01 solver pods');
    expect(make({ appResources: withQuota({ requests: { cpu: "3", memory: "4Gi" } }) }))
      .toThrow('appResources.quota.requests.memory = "4Gi" is invalid; must be at least 4416Mi');
    expect(make({ appResources: withQuota({ limits: { cpu: "4", memory: "16Gi" } }) }))
      .toThrow('appResources.quota.limits.cpu = "4" is invalid; must be at least 4700m');
    expect(make({ appResources: withQuota({ limits: { cpu: "5", memory: "8Gi" } }) }))
      .toThrow('appResources.quota.limits.memory = "8Gi" is invalid; must be at least 8640Mi');
    expect(make({ appResources: withQuota({ pods: 8 }) })).toThrow("appResources.quota.pods = 8 is invalid; must be at least 9");
  });

  it("rejects bad quantities, requests above limits, bad replicas and a LimitRange that rejects a service", () => {
    expect(make({ appResources: withService({ requests: { cpu: "half", memory: "1Gi" } }) }))
      .toThrow('appResources.services[0].requests.cpu = "half" is invalid; must be a positive CPU quantity in cores or millicores');
    expect(make({ appResources: withService({ limits: { cpu: "1", memory: "2GB" } }) }))
      .toThrow('appResources.services[0].limits.memory = "2GB" is invalid; must be a positive memory quantity');
    expect(make({ appResources: withService({ requests: { cpu: "1500m", memory: "1Gi" } }) }))
      .toThrow('appResources.services[0].requests.cpu = "1500m" is invalid; must not exceed limits.cpu (1)');
    expect(make({ appResources: withService({ minReplicas: 3, maxReplicas: 2 }) })).toThrow("appResources.services[0].maxReplicas = 2 is invalid; must be an integer from 3 to 500");
    expect(make({ appResources: withService({ name: "LMS" }) })).toThrow('appResources.services[0].name = "LMS" is invalid');
    expect(make({ appResources: { ...small, containerDefaults: { ...small.containerDefaults, max: { cpu: "500m", memory: "2Gi" } } } }))
      .toThrow('appResources.containerDefaults.max.cpu = "500m" is invalid; must be at least the largest container limit (lms: 1)');
    expect(make({ appResources: { ...small, containerDefaults: { ...small.containerDefaults, defaultRequest: { cpu: "300m", memory: "64Mi" } } } }))
      .toThrow('appResources.containerDefaults.defaultRequest.cpu = "300m" is invalid; must not exceed defaultLimit.cpu (200m)');
    expect(make({ appResources: { ...small, services: [...small.services, small.services[0]!] } })).toThrow("must not repeat values (repeated: lms)");
  });

  it("ships defaults that pass their own checks with room to spare", () => {
    expect(DEFAULT_APP_RESOURCES.services.map((s) => s.name)).toEqual(["lms", "cms", "lms-worker", "cms-worker", "mfe"]);
    // 14230m needed of 20 requested cores: HPA can reach maxReplicas everywhere.
    expect(make({ appResources: { ...DEFAULT_APP_RESOURCES, quota: { ...DEFAULT_APP_RESOURCES.quota, requests: { cpu: "14229m", memory: "48Gi" } } } }))
      .toThrow("must be at least 14230m");
  });
});

describe("K8sNamespaces validation", () => {
  const make = (props: Partial<K8sNamespacesProps>) => () => new K8sNamespaces(k8sStack(), "ns", { appNamespace: "openedx-prod", ...props });
  it("rejects bad namespaces, levels, ports and egress", () => {
    expect(make({ appNamespace: "OpenEdX" })).toThrow('K8sNamespaces ns: appNamespace = "OpenEdX" is invalid; must be a DNS label');
    expect(make({ appNamespace: "argocd" })).toThrow('appNamespace = "argocd" is invalid; must differ from the platform namespaces');
    expect(make({ appPorts: [] })).toThrow("appPorts = [] is invalid; must list at least one port");
    expect(make({ appPorts: [70000] })).toThrow("appPorts[0] = 70000 is invalid");
    expect(make({ podSecurity: { "kube-system": "baseline" } })).toThrow('podSecurity = "kube-system" is invalid; must name a platform namespace');
    expect(make({ podSecurity: { argocd: "open" as never } })).toThrow('podSecurity.argocd = "open" is invalid; must be one of "restricted", "baseline", "privileged"');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.1/16", ports: [3306] }] })).toThrow('egress[0].cidr = "10.0.0.1/16" is invalid');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.0/16", ports: [] }] })).toThrow("egress[0].ports = [] is invalid");
    expect(make({ egress: [{ name: "Db", cidr: "10.0.0.0/16", ports: [1] }] })).toThrow('egress[0].name = "Db" is invalid');
    expect(make({ egress: [{ name: "db", cidr: "10.0.0.0/16", ports: [1] }, { name: "db", cidr: "10.1.0.0/16", ports: [1] }] })).toThrow("must not repeat values (repeated: db)");
  });

  it("lets a platform namespace enforce a different level", () => {
    const stack = k8sStack();
    new K8sNamespaces(stack, "ns", { appNamespace: "openedx-staging", podSecurity: { argocd: "restricted" } });
    const argocd = resources(synth(stack), "kubernetes_namespace_v1").find((n) => n.metadata.name === "argocd")!;
    expect(argocd.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});
