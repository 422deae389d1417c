import { Construct } from "constructs";
import { Token } from "cdktf";
import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { requireCidr } from "../core/cidr";
import { DNS_LABEL_RE } from "../core/dns";
import { gatewayDataPlaneLabels } from "../core/gateway";
import { QuantityKind, formatQuantity, requireQuantity } from "../core/quantity";
import { check, checkInt, checkOneOf, checkUniqueList } from "../core/validation";
import { POD_SECURITY_LEVELS, ACME_SOLVER_ALLOWANCE, DEFAULT_APP_RESOURCES, PRIVATE_CIDRS, IMDS_CIDR, POD_IDENTITY_AGENT_CIDR } from "./props";
import type { PodSecurityLevel, EgressRule, ComputeResources, AppResources, K8sNamespacesProps } from "./props";

export { POD_SECURITY_LEVELS, ACME_SOLVER_ALLOWANCE, DEFAULT_APP_RESOURCES, PRIVATE_CIDRS, IMDS_CIDR, POD_IDENTITY_AGENT_CIDR } from "./props";
export type { PodSecurityLevel, EgressRule, ApiServerEndpoints, IngressBackend, ComputeResources, ServiceSizing, AppQuota, ContainerDefaults, AppResources, K8sNamespacesProps } from "./props";
/** Platform namespaces (besides the app namespace) and their default Pod Security level. */
export const PLATFORM_NAMESPACES: Readonly<Record<string, PodSecurityLevel>> = {
  // NGF's control plane, cert job and data plane all meet `restricted` (non-root, all capabilities
  // dropped, RuntimeDefault seccomp; NGINX binds 80/443 through the safe sysctl
  // net.ipv4.ip_unprivileged_port_start=0, not NET_BIND_SERVICE), unlike ingress-nginx.
  "nginx-gateway": "restricted",
  "cert-manager": "restricted",
  argocd: "baseline",
  observability: "privileged",
  velero: "baseline",
  "external-secrets": "restricted",
};

type Labels = Readonly<Record<string, string>>;
type Peer = NetworkPolicyV1SpecIngressFrom;
interface PortRule { readonly port: number; readonly protocol: "TCP" | "UDP" }
/** One NetworkPolicy: one purpose, one direction (or both for namespace-internal traffic). */
interface Rule {
  readonly name: string;
  /** Pods the policy selects. @default every pod in the namespace */
  readonly pods?: Labels;
  /** Sources admitted; [] isolates ingress without admitting anything. */
  readonly from?: readonly Peer[];
  /** Destinations allowed; [] isolates egress without allowing anything. */
  readonly to?: readonly Peer[];
  /** @default every port */
  readonly ports?: readonly PortRule[];
}

const tcp = (...ports: readonly number[]): PortRule[] => ports.map((port) => ({ port, protocol: "TCP" }));
const inNamespace = (ns: string, pods?: Labels): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
  ...(pods ? { podSelector: { matchLabels: { ...pods } } } : {}),
});
const blocks = (cidrs: readonly string[], except?: readonly string[]): Peer[] =>
  cidrs.map((cidr) => ({ ipBlock: { cidr, except: except ? [...except] : undefined } }));

const PROMETHEUS: Labels = { "app.kubernetes.io/name": "prometheus" }; // set by the operator on its pods
/** The platform Gateway's NGINX data plane (pods NGINX Gateway Fabric provisions for it). */
const INGRESS_CONTROLLER: Labels = gatewayDataPlaneLabels();
const INGRESS_NAMESPACE = "nginx-gateway";
const ACME_SOLVER: Labels = { "acme.cert-manager.io/http01-solver": "true" };

/**
 * Pod Identity credentials come from the node's agent over HTTP on port 80, which the
 * internet rules (443 and the like) do not open.
 */
const podIdentityRule: Rule = { name: "allow-pod-identity-agent", to: blocks([POD_IDENTITY_AGENT_CIDR]), ports: tcp(80) };

/**
 * What each platform namespace's components need besides DNS, their own namespace, Prometheus
 * and (every platform namespace) the API server.
 */
const PLATFORM_NETWORK: Readonly<Record<string, { webhookPorts?: readonly number[]; internet?: readonly PortRule[]; podIdentity?: boolean }>> = {
  // NGINX Gateway Fabric has no admission webhook (the Gateway API CRDs validate with CEL);
  // its control plane only talks to the API server, and the data plane's agent to the control
  // plane inside the namespace (8443).
  "nginx-gateway": {},
  // Webhook on its securePort; ACME and Route53/Cloudflare APIs on 443; the HTTP-01 self-check
  // fetches http://<host>/.well-known/... on 80 before asking the CA to; the DNS-01 propagation
  // check asks the zone's authoritative servers directly on 53 (not kube-dns). Route53 via Pod Identity.
  "cert-manager": { webhookPorts: [10250], internet: [...tcp(443, 80, 53), { port: 53, protocol: "UDP" }], podIdentity: true },
  // repo-server fetches git over HTTPS and SSH and Helm repositories over HTTPS; the server talks to the SSO issuer.
  argocd: { internet: tcp(443, 22) },
  // prometheus-operator's admission webhook (prometheusOperator.tls.internalPort); Loki to S3,
  // Alertmanager to SNS (Pod Identity) and PagerDuty, Grafana to the SSO issuer, all on 443.
  observability: { webhookPorts: [10250], internet: tcp(443), podIdentity: true },
  // S3 and EC2 (snapshots) through Pod Identity.
  velero: { internet: tcp(443), podIdentity: true },
  // Webhook (chart: webhook.port); Secrets Manager through Pod Identity.
  "external-secrets": { webhookPorts: [10250], internet: tcp(443), podIdentity: true },
};

/**
 * The cluster's namespaces with Pod Security Admission labels, a default-deny network
 * posture in every one of them with only the allows each component needs, and the app
 * namespace's ResourceQuota and LimitRange.
 *
 * Every namespace admits DNS to kube-dns, traffic inside itself and Prometheus; each platform
 * namespace also reaches the API server, and the rest comes from `PLATFORM_NETWORK` (webhooks
 * called by the API server, internet egress, the Pod Identity agent) plus the ingress
 * controller's public traffic and backends and Prometheus's scrapes. The internet egress is
 * 0.0.0.0/0 minus IMDS and `privateCidrs` on the listed ports only.
 *
 * Kubelet probes and hostNetwork pods: the EKS VPC CNI network policy agent always allows
 * traffic to and from the pod's own node IP (aws-network-policy-agent
 * pkg/fwruleprocessor/fw_rule_processor.go: "Traffic from the local node should always be
 * allowed. Add NodeIP by default to map entries"; PR #65 / issue #56) and skips hostNetwork
 * pods (controllers/policyendpoints_controller.go: "Skipping hostNetwork pod"). So liveness
 * and readiness probes need no allow, and node-exporter (hostNetwork) is not isolated; only
 * traffic from *other* nodes (Prometheus to kubelets and node-exporter) needs `nodeCidrs`.
 * k3s's kube-router likewise always admits traffic from the local node (kube-router PR #195).
 *
 * Every namespace is also `audit`/`warn`-labelled `restricted`, so a namespace that must
 * enforce less still reports what would break under the strictest level. Network policies
 * need an enforcing CNI (VPC CNI network policy agent on EKS; k3s enforces by default).
 */
export class K8sNamespaces extends Construct {
  /** Namespace names by their role; `app` is the app namespace. */
  public readonly names: Readonly<Record<string, string>>;
  /** The app namespace's sizing (for the app's chart values and HPAs). */
  public readonly appResources: AppResources;

  constructor(scope: Construct, id: string, props: K8sNamespacesProps) {
    super(scope, id);
    const where = `K8sNamespaces ${id}`;
    const app = props.appNamespace;
    const platform = Object.keys(PLATFORM_NAMESPACES);
    const platformList = `must name a platform namespace (${platform.join(", ")})`;
    check(DNS_LABEL_RE.test(app), where, "appNamespace", app, "must be a DNS label (lower-case letters, digits, hyphens, at most 63 characters)");
    check(!(app in PLATFORM_NAMESPACES), where, "appNamespace", app, `must differ from the platform namespaces (${platform.join(", ")})`);
    const appPorts = props.appPorts ?? [8000, 8002];
    check(appPorts.length > 0, where, "appPorts", appPorts, "must list at least one port");
    appPorts.forEach((p, i) => checkInt(where, `appPorts[${i}]`, p, 1, 65535));

    const levels: Record<string, PodSecurityLevel> = { ...PLATFORM_NAMESPACES, ...props.podSecurity, [app]: "restricted" };
    for (const [ns, level] of Object.entries(props.podSecurity ?? {})) {
      check(ns in PLATFORM_NAMESPACES, where, "podSecurity", ns, platformList);
      checkOneOf(where, `podSecurity.${ns}`, level, POD_SECURITY_LEVELS);
    }

    const cidrs = (prop: string, list: readonly string[]) => {
      check(list.length > 0, where, prop, list, "must list at least one CIDR");
      list.forEach((c, i) => Token.isUnresolved(c) || requireCidr(where, `${prop}[${i}]`, c));
      return list;
    };
    const apiServer = props.apiServer ?? { cidrs: PRIVATE_CIDRS, ports: [443, 6443] };
    cidrs("apiServer.cidrs", apiServer.cidrs);
    check(apiServer.ports.length > 0, where, "apiServer.ports", apiServer.ports, "must list at least one port");
    apiServer.ports.forEach((p, i) => checkInt(where, `apiServer.ports[${i}]`, p, 1, 65535));
    const webhookSources = cidrs("webhookSourceCidrs", props.webhookSourceCidrs ?? apiServer.cidrs);
    const nodeCidrs = cidrs("nodeCidrs", props.nodeCidrs ?? apiServer.cidrs);
    const privateCidrs = props.privateCidrs ?? PRIVATE_CIDRS;
    privateCidrs.forEach((c, i) => Token.isUnresolved(c) || requireCidr(where, `privateCidrs[${i}]`, c));
    const podIdentity = props.podIdentityAgent ?? true;
    const egressRules = (prop: string, rules: readonly EgressRule[]): Rule[] => rules.map((rule, i, all) => {
      if (i === 0) checkUniqueList(where, `${prop}[].name`, all.map((e) => e.name));
      check(DNS_LABEL_RE.test(rule.name), where, `${prop}[${i}].name`, rule.name, "must be a DNS label");
      requireCidr(where, `${prop}[${i}].cidr`, rule.cidr);
      (rule.except ?? []).forEach((c, j) => requireCidr(where, `${prop}[${i}].except[${j}]`, c));
      check(rule.ports.length > 0, where, `${prop}[${i}].ports`, rule.ports, "must list at least one port");
      rule.ports.forEach((p, j) => checkInt(where, `${prop}[${i}].ports[${j}]`, p, 1, 65535));
      return { name: `allow-egress-${rule.name}`, to: blocks([rule.cidr], rule.except), ports: tcp(...rule.ports) };
    });
    for (const ns of Object.keys(props.platformEgress ?? {})) check(ns in PLATFORM_NAMESPACES, where, "platformEgress", ns, platformList);
    const backends = props.ingressBackends ?? [];
    checkUniqueList(where, "ingressBackends[].namespace", backends.map((b) => b.namespace), 0);
    backends.forEach((b, i) => {
      check(b.namespace in PLATFORM_NAMESPACES && b.namespace !== INGRESS_NAMESPACE, where, `ingressBackends[${i}].namespace`, b.namespace, platformList);
      check(Object.keys(b.podLabels).length > 0, where, `ingressBackends[${i}].podLabels`, b.podLabels, "must select the UI's pods by at least one label");
      check(b.ports.length > 0, where, `ingressBackends[${i}].ports`, b.ports, "must list at least one port");
      b.ports.forEach((p, j) => checkInt(where, `ingressBackends[${i}].ports[${j}]`, p, 1, 65535));
    });
    this.appResources = props.appResources ?? DEFAULT_APP_RESOURCES;
    checkAppResources(where, this.appResources);

    const names: Record<string, string> = {};
    for (const [ns, level] of Object.entries(levels)) {
      const resource = new NamespaceV1(this, ns, {
        metadata: {
          name: ns,
          labels: {
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
            "app.kubernetes.io/managed-by": "cdktf",
          },
        },
      });
      names[ns === app ? "app" : ns] = resource.metadata.name;
    }
    this.names = names;

    // --- The table: namespace -> its policies, after the ones every namespace has.
    const table: Record<string, Rule[]> = {
      [app]: [
        { name: "allow-ingress-controller", from: [inNamespace(INGRESS_NAMESPACE, INGRESS_CONTROLLER)], ports: tcp(...appPorts) },
        // cert-manager answers HTTP-01 challenges for the app's own Certificates with solver pods
        // (and their HTTPRoutes) in this namespace (port 8089); without this every HTTP-01 order here fails.
        { name: "allow-acme-http01-solver", pods: ACME_SOLVER, from: [inNamespace(INGRESS_NAMESPACE, INGRESS_CONTROLLER)], ports: tcp(8089) },
        ...(podIdentity ? [podIdentityRule] : []),
        ...egressRules("egress", props.egress ?? []),
      ],
      [INGRESS_NAMESPACE]: [
        // On EKS the NLB targets pod IPs: sources are client addresses (or the NLB's own, for
        // health checks), so anywhere on the two listener ports.
        { name: "allow-public-ingress", pods: INGRESS_CONTROLLER, from: blocks(["0.0.0.0/0"]), ports: tcp(80, 443) },
        { name: "allow-egress-app", pods: INGRESS_CONTROLLER, to: [inNamespace(app)], ports: tcp(...appPorts) },
        // HTTP-01 solver pods live in the namespace of each Certificate being issued.
        { name: "allow-egress-acme-http01-solvers", pods: INGRESS_CONTROLLER, to: [{ namespaceSelector: {}, podSelector: { matchLabels: { ...ACME_SOLVER } } }], ports: tcp(8089) },
        ...backends.map((b) => ({ name: `allow-egress-ui-${b.namespace}`, pods: INGRESS_CONTROLLER, to: [inNamespace(b.namespace, b.podLabels)], ports: tcp(...b.ports) })),
      ],
      observability: [
        // Prometheus scrapes every namespace's metrics ports (each namespace admits it back) ...
        { name: "allow-prometheus-scrape", pods: PROMETHEUS, to: [{ namespaceSelector: {} }] },
        // ... and, on other nodes, the kubelet and hostNetwork node-exporter.
        { name: "allow-prometheus-nodes", pods: PROMETHEUS, to: blocks(nodeCidrs), ports: tcp(10250, 9100) },
      ],
    };
    for (const b of backends) {
      (table[b.namespace] ??= []).push({ name: "allow-ingress-controller", pods: b.podLabels, from: [inNamespace(INGRESS_NAMESPACE, INGRESS_CONTROLLER)], ports: tcp(...b.ports) });
    }
    for (const [ns, net] of Object.entries(PLATFORM_NETWORK)) {
      (table[ns] ??= []).push(
        // Controllers, operators, Argo CD and service discovery all watch the API.
        { name: "allow-api-server", to: blocks(apiServer.cidrs), ports: tcp(...apiServer.ports) },
        ...(net.webhookPorts ? [{ name: "allow-webhooks-from-api-server", from: blocks(webhookSources), ports: tcp(...net.webhookPorts) }] : []),
        ...(net.internet ? [{ name: "allow-egress-internet", to: blocks(["0.0.0.0/0"], [IMDS_CIDR, ...privateCidrs]), ports: net.internet }] : []),
        ...(net.podIdentity && podIdentity ? [podIdentityRule] : []),
        ...egressRules(`platformEgress.${ns}`, props.platformEgress?.[ns] ?? []),
      );
    }

    for (const ns of Object.keys(levels)) {
      const rules: Rule[] = [
        { name: "default-deny-all", from: [], to: [] },
        { name: "allow-dns", to: [inNamespace("kube-system", { "k8s-app": "kube-dns" })], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
        { name: "allow-same-namespace", from: [{ podSelector: {} }], to: [{ podSelector: {} }] },
        { name: "allow-monitoring", from: [inNamespace("observability", PROMETHEUS)] },
        ...table[ns]!,
      ];
      const taken = rules.map((r) => r.name).filter((n, i, all) => all.indexOf(n) !== i);
      check(taken.length === 0, where, ns === app ? "egress[].name" : `platformEgress.${ns}[].name`, taken,
        `must not give a policy the name of a built-in one in namespace ${ns}`);
      const namespace = names[ns === app ? "app" : ns]!;
      for (const r of rules) {
        const ports = r.ports?.map((p) => ({ port: String(p.port), protocol: p.protocol }));
        // The app's policies keep their original construct ids so existing ones are not replaced.
        new NetworkPolicyV1(this, ns === app ? `netpol-${r.name}` : `netpol-${ns}-${r.name}`, {
          metadata: { name: r.name, namespace },
          spec: {
            podSelector: r.pods ? { matchLabels: { ...r.pods } } : {},
            policyTypes: [...(r.from ? ["Ingress"] : []), ...(r.to ? ["Egress"] : [])],
            ingress: r.from?.length ? [{ from: [...r.from], ports }] : undefined,
            egress: r.to?.length ? [{ to: [...r.to], ports }] : undefined,
          },
        });
      }
    }

    // --- Quota and defaults for the app namespace.
    const r = this.appResources;
    new ResourceQuotaV1(this, "app-quota", {
      metadata: { name: "app-quota", namespace: names.app! },
      spec: {
        hard: {
          "requests.cpu": r.quota.requests.cpu,
          "requests.memory": r.quota.requests.memory,
          "limits.cpu": r.quota.limits.cpu,
          "limits.memory": r.quota.limits.memory,
          pods: String(r.quota.pods),
          persistentvolumeclaims: String(r.quota.persistentVolumeClaims ?? 10),
          // The app is reached only through CloudFront/WAF -> NLB -> the platform Gateway; its own
          // LoadBalancer or NodePort Service would bypass all three.
          "services.loadbalancers": "0",
          "services.nodeports": "0",
        },
      },
    });
    const d = r.containerDefaults;
    new LimitRangeV1(this, "app-limits", {
      metadata: { name: "app-container-limits", namespace: names.app! },
      spec: { limit: [{ type: "Container", defaultRequest: { ...d.defaultRequest }, default: { ...d.defaultLimit }, max: { ...d.max } }] },
    });
  }
}

/**
 * Quantities parse, requests <= limits, the LimitRange admits every service, and the quota
 * holds every service at maxReplicas plus the ACME solvers: a quota below that makes HPA
 * scale-out fail silently (the ReplicaSet cannot create pods; only events say why).
 */
function checkAppResources(where: string, r: AppResources): void {
  const p = "appResources";
  const kinds: QuantityKind[] = ["cpu", "memory"];
  const parse = (prop: string, c: ComputeResources) =>
    Object.fromEntries(kinds.map((k) => [k, requireQuantity(where, `${prop}.${k}`, c?.[k], k)])) as Record<QuantityKind, number>;
  const notAbove = (prop: string, lower: Record<QuantityKind, number>, upper: Record<QuantityKind, number>, c: ComputeResources, upperName: string, upperText: ComputeResources) => {
    for (const k of kinds) check(lower[k] <= upper[k], where, `${prop}.${k}`, c[k], `must not exceed ${upperName}.${k} (${upperText[k]})`);
  };

  check(r.services.length > 0, where, `${p}.services`, r.services, "must list at least one service");
  checkUniqueList(where, `${p}.services[].name`, r.services.map((s) => s.name));
  const need = { requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 }, pods: ACME_SOLVER_ALLOWANCE.pods };
  const solverRequests = parse("ACME_SOLVER_ALLOWANCE.requests", ACME_SOLVER_ALLOWANCE.requests);
  const solverLimits = parse("ACME_SOLVER_ALLOWANCE.limits", ACME_SOLVER_ALLOWANCE.limits);
  const largest = { cpu: { value: solverLimits.cpu, by: "ACME solver" }, memory: { value: solverLimits.memory, by: "ACME solver" } };
  r.services.forEach((s, i) => {
    const sp = `${p}.services[${i}]`;
    check(DNS_LABEL_RE.test(s.name), where, `${sp}.name`, s.name, "must be a DNS label");
    checkInt(where, `${sp}.minReplicas`, s.minReplicas, 1, 100);
    checkInt(where, `${sp}.maxReplicas`, s.maxReplicas, s.minReplicas, 500);
    const req = parse(`${sp}.requests`, s.requests);
    const lim = parse(`${sp}.limits`, s.limits);
    notAbove(`${sp}.requests`, req, lim, s.requests, "limits", s.limits);
    for (const k of kinds) {
      need.requests[k] += s.maxReplicas * req[k];
      need.limits[k] += s.maxReplicas * lim[k];
      if (lim[k] > largest[k].value) largest[k] = { value: lim[k], by: s.name };
    }
    need.pods += s.maxReplicas;
  });

  const d = r.containerDefaults;
  const dReq = parse(`${p}.containerDefaults.defaultRequest`, d.defaultRequest);
  const dLim = parse(`${p}.containerDefaults.defaultLimit`, d.defaultLimit);
  const max = parse(`${p}.containerDefaults.max`, d.max);
  notAbove(`${p}.containerDefaults.defaultRequest`, dReq, dLim, d.defaultRequest, "defaultLimit", d.defaultLimit);
  notAbove(`${p}.containerDefaults.defaultLimit`, dLim, max, d.defaultLimit, "max", d.max);
  for (const k of kinds) {
    check(max[k] >= largest[k].value, where, `${p}.containerDefaults.max.${k}`, d.max[k],
      `must be at least the largest container limit (${largest[k].by}: ${formatQuantity(largest[k].value, k)}), or the LimitRange rejects its pods`);
  }

  const q = r.quota;
  checkInt(where, `${p}.quota.persistentVolumeClaims`, q.persistentVolumeClaims ?? 10, 1, 1000);
  const why = (what: string) => `Σ maxReplicas × ${what} over services plus ${ACME_SOLVER_ALLOWANCE.pods} ACME HTTP-01 solver pods; below that HPA scale-out silently fails`;
  checkInt(where, `${p}.quota.pods`, q.pods, 1, 10000);
  check(q.pods >= need.pods, where, `${p}.quota.pods`, q.pods, `must be at least ${need.pods} (${why("1 pod")})`);
  for (const [field, solver] of [["requests", solverRequests], ["limits", solverLimits]] as const) {
    const given = parse(`${p}.quota.${field}`, q[field]);
    for (const k of kinds) {
      const min = need[field][k] + ACME_SOLVER_ALLOWANCE.pods * solver[k];
      check(given[k] >= min, where, `${p}.quota.${field}.${k}`, q[field][k], `must be at least ${formatQuantity(min, k)} (${why(`${field}.${k}`)})`);
    }
  }
}
