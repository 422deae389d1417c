import { Construct } from "constructs";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1, NetworkPolicyV1SpecEgress } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { requireCidr } from "../core/cidr";
import { check, checkInt, checkOneOf, checkUniqueList } from "../core/validation";
import { DNS_LABEL_RE } from "../core/dns";

/** Pod Security Admission levels. */
export const POD_SECURITY_LEVELS = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Traffic the app's pods may send outside the cluster, beyond DNS. */
export interface EgressRule {
  /** Why this is allowed (becomes part of the policy name). */
  readonly name: string;
  readonly cidr: string;
  /** Ranges carved out of `cidr` (e.g. the instance metadata address). */
  readonly except?: readonly string[];
  /** TCP ports. */
  readonly ports: readonly number[];
}

export interface K8sNamespacesProps {
  /** Namespace of the Open edX workloads (`openedx-prod` in production). */
  readonly appNamespace: string;
  /**
   * Ports of the app's pods the ingress controller may reach (seed 000: LMS/CMS on 8000).
   * @default [8000]
   */
  readonly appPorts?: readonly number[];
  /**
   * Egress the app's pods need (data stores in the VPC, HTTPS/SMTP out).
   * @default [] (DNS and same-namespace traffic only)
   */
  readonly egress?: readonly EgressRule[];
  /**
   * Pod Security level per platform namespace, overriding the defaults (app: restricted,
   * cert-manager: restricted, ingress-nginx/argocd/velero: baseline, observability:
   * privileged for node-exporter and the log collector's host mounts). The app namespace
   * is always `restricted`.
   * @default the levels above
   */
  readonly podSecurity?: Readonly<Record<string, PodSecurityLevel>>;
}

/** Platform namespaces (besides the app namespace) and their default Pod Security level. */
export const PLATFORM_NAMESPACES: Readonly<Record<string, PodSecurityLevel>> = {
  "ingress-nginx": "baseline",
  "cert-manager": "restricted",
  argocd: "baseline",
  observability: "privileged",
  velero: "baseline",
};


/**
 * The cluster's namespaces with Pod Security Admission labels, and a default-deny network
 * posture in the app namespace with only the allows the platform needs: DNS, the ingress
 * controller on the app ports (and on cert-manager's HTTP-01 solver pods), Prometheus
 * scrapes, traffic inside the namespace, and the configured egress.
 *
 * Every namespace is also `audit`/`warn`-labelled `restricted`, so a namespace that must
 * enforce less still reports what would break under the strictest level. Network policies
 * need an enforcing CNI (VPC CNI network policy agent on EKS; k3s enforces by default).
 */
export class K8sNamespaces extends Construct {
  /** Namespace names by their role; `app` is the app namespace. */
  public readonly names: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: K8sNamespacesProps) {
    super(scope, id);
    const where = `K8sNamespaces ${id}`;
    const app = props.appNamespace;
    check(DNS_LABEL_RE.test(app), where, "appNamespace", app, "must be a DNS label (lower-case letters, digits, hyphens, at most 63 characters)");
    check(!(app in PLATFORM_NAMESPACES), where, "appNamespace", app, `must differ from the platform namespaces (${Object.keys(PLATFORM_NAMESPACES).join(", ")})`);
    const appPorts = props.appPorts ?? [8000];
    check(appPorts.length > 0, where, "appPorts", appPorts, "must list at least one port");
    appPorts.forEach((p, i) => checkInt(where, `appPorts[${i}]`, p, 1, 65535));

    const levels: Record<string, PodSecurityLevel> = { ...PLATFORM_NAMESPACES, ...props.podSecurity, [app]: "restricted" };
    for (const [ns, level] of Object.entries(props.podSecurity ?? {})) {
      check(ns in PLATFORM_NAMESPACES, where, "podSecurity", ns, `must name a platform namespace (${Object.keys(PLATFORM_NAMESPACES).join(", ")})`);
      checkOneOf(where, `podSecurity.${ns}`, level, POD_SECURITY_LEVELS);
    }

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

    const appNs = names.app!;
    const policy = (name: string, spec: ConstructorParameters<typeof NetworkPolicyV1>[2]["spec"]) =>
      new NetworkPolicyV1(this, `netpol-${name}`, { metadata: { name, namespace: appNs }, spec });
    const fromNamespace = (ns: string, podLabels?: Record<string, string>) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
      ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
    });

    policy("default-deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{
        to: [fromNamespace("kube-system", { "k8s-app": "kube-dns" })],
        ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }],
      }],
    });
    policy("allow-same-namespace", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    policy("allow-ingress-controller", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{
        from: [fromNamespace("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" })],
        ports: appPorts.map((p) => ({ port: String(p), protocol: "TCP" })),
      }],
    });
    // cert-manager answers HTTP-01 challenges for the app's own Ingresses with solver pods in
    // this namespace (label below, port 8089); without this the ingress cannot reach them
    // and every HTTP-01 order here fails (seed 003's self-hosted nodes issue this way).
    policy("allow-acme-http01-solver", {
      podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
      policyTypes: ["Ingress"],
      ingress: [{
        from: [fromNamespace("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" })],
        ports: [{ port: "8089", protocol: "TCP" }],
      }],
    });
    policy("allow-monitoring", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [fromNamespace("observability", { "app.kubernetes.io/name": "prometheus" })] }],
    });

    const egress = props.egress ?? [];
    checkUniqueList(where, "egress[].name", egress.map((e) => e.name), 0);
    egress.forEach((rule, i) => {
      check(DNS_LABEL_RE.test(rule.name), where, `egress[${i}].name`, rule.name, "must be a DNS label");
      requireCidr(where, `egress[${i}].cidr`, rule.cidr);
      (rule.except ?? []).forEach((c, j) => requireCidr(where, `egress[${i}].except[${j}]`, c));
      check(rule.ports.length > 0, where, `egress[${i}].ports`, rule.ports, "must list at least one port");
      rule.ports.forEach((p, j) => checkInt(where, `egress[${i}].ports[${j}]`, p, 1, 65535));
      const spec: NetworkPolicyV1SpecEgress = {
        to: [{ ipBlock: { cidr: rule.cidr, except: rule.except ? [...rule.except] : undefined } }],
        ports: rule.ports.map((p) => ({ port: String(p), protocol: "TCP" })),
      };
      policy(`allow-egress-${rule.name}`, { podSelector: {}, policyTypes: ["Egress"], egress: [spec] });
    });
  }
}
