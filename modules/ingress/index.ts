import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { HelmValues, chartRelease, manifestsRelease } from "../core/helm";
import { PLATFORM_GATEWAY, gatewayDataPlaneLabels } from "../core/gateway";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { DNS_LABEL_RE } from "../core/dns";
import { check, checkInt } from "../core/validation";
import { requireCidr } from "../core/cidr";
import gatewayApiStandard from "./gateway-api/standard-v1.5.1.json";
import type { IngressProps } from "./props";

export type { IngressAwsTarget, IngressProps } from "./props";
/**
 * Gateway API release whose standard-channel CRDs are installed (the version NGINX Gateway
 * Fabric 2.6.7 is built and tested against: its go.mod and
 * config/crd/gateway-api/standard/kustomization.yaml). Bump with the chart.
 */
export const GATEWAY_API_VERSION = "v1.5.1";

/**
 * The Gateway API version each NGINX Gateway Fabric minor is built against (its go.mod). A chart
 * bump to a minor not listed here, or one needing other CRDs than the vendored ones, fails at
 * synth: the CRDs must move with the controller.
 */
export const NGF_GATEWAY_API: Readonly<Record<string, string>> = { "2.6": "v1.5.1" };


/**
 * NGINX `http.server` snippet that answers 403 unless the request carries the origin-verify
 * header with one of `values` (public origins: only this CloudFront distribution knows it).
 * In the `server` context of every listener, so no route, present or future, is exempt.
 */
export function originVerifySnippet(headerName: string, values: readonly string[]): string {
  const variable = `$http_${headerName.replace(/-/g, "_")}`;
  return [
    "set $origin_verified 0;",
    ...values.map((v) => `if (${variable} = "${v}") { set $origin_verified 1; }`),
    "if ($origin_verified = 0) { return 403; }",
  ].join("\n");
}

/**
 * The data plane's access-log format: NGINX's `combined` (client address after proxy protocol)
 * followed by `"$host" $request_time`, which the SLOs (modules/slo) select and time requests by:
 * NGINX OSS exports no per-request metrics, so the log is their only source.
 */
export const ACCESS_LOG_FORMAT = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host" $request_time';

/** The control plane's pod labels (chart `nginx-gateway.selectorLabels` with `nginxGateway.name` below). */
export const CONTROL_PLANE_LABELS = { "app.kubernetes.io/name": "nginx-gateway", "app.kubernetes.io/instance": "nginx-gateway" } as const;

const SECRET_RE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * NGINX Gateway Fabric (Gateway API) behind an NLB, replacing ingress-nginx, which the
 * Kubernetes project retired in March 2026 (no releases or security fixes since).
 *
 * Why NGINX Gateway Fabric rather than Envoy Gateway: the seeds (000, 001) specify NGINX at
 * the edge, and NGF keeps NGINX as the data plane (same TLS, proxy-protocol and buffering
 * behaviour the runbooks and the Open edX guidance assume), maintained by F5/NGINX with
 * monthly releases. It is a conformant Gateway API implementation, so apps describe routing
 * with standard HTTPRoutes and a later move to another implementation (Envoy Gateway, the
 * other strong candidate, with richer built-in policies but a new proxy to operate) changes
 * this module, not the apps.
 *
 * What is installed, in order:
 * 1. The Gateway API standard-channel CRDs at `GATEWAY_API_VERSION` (vendored, unmodified, in
 *    `gateway-api/`), through the `raw` chart, each kept on uninstall
 *    (`helm.sh/resource-policy: keep`) so removing the release never deletes every route.
 * 2. The AWS Load Balancer Controller (EKS).
 * 3. NGINX Gateway Fabric: the control plane, the `nginx` GatewayClass and its NginxProxy
 *    (data-plane settings: replicas, zone spread, client address from the PROXY protocol
 *    header trusted from the VPC only, `server_tokens off`, Prometheus metrics).
 * 4. The platform-owned Gateway `platform` and what belongs with it: an HTTP listener that
 *    only redirects to HTTPS (301) and carries ACME HTTP-01 challenge routes (an exact-path
 *    route beats the redirect's `/` prefix), an HTTPS listener terminating TLS with
 *    `defaultCertificateSecret` for every hostname, HSTS on every response, the data plane's
 *    PodDisruptionBudget and PodMonitors for both planes.
 *
 * The data plane (Deployment and Service `platform-nginx`) is provisioned by the control plane
 * from the Gateway. On EKS the Service is a ClusterIP: the origin NLB belongs to the AWS stack
 * (modules/origin-lb; CloudFront reaches it as a VPC origin), and TargetGroupBindings in the
 * Gateway's release register the data-plane pods in its IP target groups. Proxy protocol v2
 * keeps the connection's address without `externalTrafficPolicy: Local` hot spots. A public
 * origin (explicit option) adds the origin-verify SnippetsPolicy: 403 on every listener
 * without CloudFront's secret header.
 *
 * Routes: listeners admit HTTPRoutes from the Gateway's namespace and `appNamespace` only
 * (a namespace selector on `kubernetes.io/metadata.name`, which the API server sets and nobody
 * can forge). Apps attach with `parentRefs: [{ name: "platform", namespace: "nginx-gateway",
 * sectionName: "https" }]`. The HTTP listener admits the app namespace too because
 * cert-manager's HTTP-01 solver routes live in the Certificate's namespace.
 *
 * HSTS: NGF has no HSTS setting, and a ResponseHeaderModifier filter would have to be on every
 * app route. A SnippetsPolicy attached to the Gateway adds the header in the `http` context
 * with `add_header_inherit merge` (NGINX 1.29.3+; NGF 2.6.7 ships 1.31.3), so a route that
 * adds headers of its own keeps HSTS. Snippets are enabled for this reason only; the Argo CD
 * project of the app blacklists SnippetsFilter and SnippetsPolicy, so the app cannot inject
 * NGINX configuration (the class of hole behind CVE-2025-1974 in ingress-nginx).
 *
 * Metrics: the control plane's on 9113 and the data plane's NGINX Agent exporter on 9113
 * (`nginx_http_requests_total`, `nginx_http_response_count{nginx_status_range}`; NGINX OSS
 * has no per-route or per-upstream counters, unlike ingress-nginx's per-Ingress ones).
 */
export class Ingress extends Construct {
  /** The NGINX Gateway Fabric release (control plane, GatewayClass). */
  public readonly release: Release;
  /** The Gateway API CRDs release. */
  public readonly crds: Release;
  /** The Gateway, its redirect route, HSTS policy, PDB and PodMonitors. */
  public readonly gateway: Release;
  /** GatewayClass of the platform Gateway. */
  public readonly gatewayClassName = PLATFORM_GATEWAY.className;
  /** The Gateway's name; HTTPRoutes and cert-manager's HTTP-01 solver name it in `parentRefs`. */
  public readonly gatewayName = PLATFORM_GATEWAY.name;
  /** The data plane's Service, provisioned by NGF as `<gateway>-<class>`. */
  public readonly serviceName = `${PLATFORM_GATEWAY.name}-${PLATFORM_GATEWAY.className}`;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const where = `Ingress ${id}`;
    const namespace = props.namespace ?? "nginx-gateway";
    this.namespace = namespace;
    if (props.defaultCertificateSecret !== undefined) {
      check(SECRET_RE.test(props.defaultCertificateSecret), where, "defaultCertificateSecret", props.defaultCertificateSecret,
        "must be the name of a Secret in the Gateway's namespace (lower-case letters, digits, '-' and '.')");
    }
    checkInt(where, "replicas", props.replicas, 1, 50);
    checkInt(where, "minAvailable", props.minAvailable, 0, 50);
    check(props.minAvailable < props.replicas, where, "minAvailable", props.minAvailable,
      `must be below replicas (${props.replicas}) so a node drain can evict a data-plane pod`);
    check(props.replicas < 2 || props.minAvailable >= 1, where, "minAvailable", props.minAvailable,
      "must be at least 1 when replicas >= 2, or a drain may take every data-plane pod down");
    const hstsMaxAge = props.hstsMaxAge ?? 31536000;
    checkInt(where, "hstsMaxAge", hstsMaxAge, 0, 63072000);
    check(Token.isUnresolved(props.appNamespace) || DNS_LABEL_RE.test(props.appNamespace), where, "appNamespace", props.appNamespace,
      "must be a namespace name (a DNS label)");
    if (props.aws && !Token.isUnresolved(props.aws.vpcCidr)) requireCidr(where, "aws.vpcCidr", props.aws.vpcCidr);
    const minor = /^v?(\d+\.\d+)\./.exec(props.chart?.version ?? "")?.[1];
    if (props.chart && minor) {
      check(NGF_GATEWAY_API[minor] === GATEWAY_API_VERSION, where, "charts.nginxGatewayFabric.version", props.chart.version,
        `must be a release whose Gateway API version is the vendored ${GATEWAY_API_VERSION} (known: ${Object.entries(NGF_GATEWAY_API).map(([m, g]) => `${m}.x -> ${g}`).join(", ")}); `
        + "update modules/ingress/gateway-api and NGF_GATEWAY_API with the chart");
    }

    this.crds = manifestsRelease(this, "gateway-api-crds", {
      where, rawChart: props.rawChart, name: "gateway-api-crds", namespace, dependsOn: props.dependsOn,
      resources: gatewayApiResources(),
    });

    const dependsOn: ITerraformDependable[] = [...(props.dependsOn ?? []), this.crds];
    if (props.aws) {
      const sa = PLATFORM_SERVICE_ACCOUNTS.loadBalancerController;
      dependsOn.push(chartRelease(this, "aws-load-balancer-controller", {
        where, prop: "charts.awsLoadBalancerController", chart: props.aws.loadBalancerControllerChart,
        name: "aws-load-balancer-controller", namespace: sa.namespace,
        dependsOn: props.dependsOn,
        values: {
          clusterName: props.aws.clusterName,
          region: props.aws.region,
          vpcId: props.aws.vpcId,
          replicaCount: 2,
          // Its role is bound to this service account by Pod Identity (eks-cluster module).
          serviceAccount: { create: true, name: sa.name },
          // No Service gets an AWS load balancer by accident: the controller only serves TargetGroupBindings.
          enableServiceMutatorWebhook: false,
          // Reuse the webhook's certificate on upgrade (the chart's default became false in 3.1,
          // which issues a new one and restarts the controller on every apply).
          keepTLSSecret: true,
          podDisruptionBudget: { maxUnavailable: 1 },
          serviceMonitor: { enabled: true },
        },
      }));
    }

    const dataPlane = gatewayDataPlaneLabels();
    const zoneSpread = (labels: Record<string, string>) => [{
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: labels },
    }];
    const nginxConfig: HelmValues = {
      serverTokens: "off",
      // NGINX's `combined` format, spelled out: the 5xx alert counts responses by parsing it
      // (observability GATEWAY_ACCESS_LOG), so it must not change silently.
      logging: { accessLog: { format: ACCESS_LOG_FORMAT } },
      metrics: { port: 9113 },
      // The NLB's PROXY protocol v2 header carries the client address; NGINX believes it only
      // from the VPC (the NLB's own addresses), never from a client that sends its own header.
      ...(props.aws ? { rewriteClientIP: { mode: "ProxyProtocol", trustedAddresses: [{ type: "CIDR", value: props.aws.vpcCidr }] } } : {}),
    };
    this.release = chartRelease(this, "nginx-gateway-fabric", {
      where, prop: "charts.nginxGatewayFabric", chart: props.chart, name: "nginx-gateway", namespace, dependsOn,
      values: {
        nginxGateway: {
          // Names the control plane's Deployment and Service `nginx-gateway` (not
          // `nginx-gateway-nginx-gateway-fabric`), the address the data plane's agent dials.
          name: "nginx-gateway",
          gatewayClassName: PLATFORM_GATEWAY.className,
          // Not in the data path (NGINX keeps serving its last configuration): two replicas with
          // leader election only shorten the time a change waits for a new leader.
          replicas: props.replicas >= 2 ? 2 : 1,
          // No usage reports to F5 from a production platform.
          productTelemetry: { enable: false },
          // For the platform's HSTS SnippetsPolicy only (see the class doc).
          snippets: { enable: true },
          metrics: { enable: true, port: 9113, secure: false },
          resources: { requests: { cpu: "50m", memory: "128Mi" } },
          topologySpreadConstraints: zoneSpread({ ...CONTROL_PLANE_LABELS }),
        },
        nginx: {
          kind: "deployment",
          replicas: props.replicas,
          config: nginxConfig,
          pod: { topologySpreadConstraints: zoneSpread(dataPlane) },
          container: { resources: { requests: { cpu: "100m", memory: "256Mi" } } },
          // EKS: the AWS stack's NLB reaches the pods through TargetGroupBindings; a ClusterIP
          // gives the data plane no load balancer (and no public address) of its own.
          // Elsewhere (k3s ServiceLB, MetalLB) dual-stack where the cluster is, so IPv6 clients
          // reach the nodes' AAAA addresses (seed 003); single-stack clusters fall back to IPv4.
          service: props.aws ? { type: "ClusterIP" } : {
            type: "LoadBalancer", externalTrafficPolicy: "Local",
            patches: [{ type: "StrategicMerge", value: { spec: { ipFamilyPolicy: "PreferDualStack" } } }],
          },
        },
      },
    });

    const { http, https } = PLATFORM_GATEWAY.listeners;
    const routesFrom = (namespaces: string[]) => ({
      namespaces: {
        from: "Selector",
        selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }] },
      },
      kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
    });
    const tls = props.defaultCertificateSecret;
    const listeners: HelmValues[] = [
      { name: http, protocol: "HTTP", port: 80, allowedRoutes: routesFrom([namespace, props.appNamespace]) },
      ...(tls ? [{
        name: https, protocol: "HTTPS", port: 443,
        tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: tls }] },
        allowedRoutes: routesFrom([props.appNamespace]),
      }] : []),
    ];
    const gatewayRef = { group: "gateway.networking.k8s.io", kind: "Gateway", name: PLATFORM_GATEWAY.name };
    const resources: HelmValues[] = [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: PLATFORM_GATEWAY.name },
        spec: {
          gatewayClassName: PLATFORM_GATEWAY.className,
          listeners,
        },
      },
      ...(tls ? [{
        // Plain HTTP only ever redirects; ACME challenge routes (exact paths) take precedence.
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "https-redirect" },
        spec: {
          parentRefs: [{ ...gatewayRef, sectionName: http }],
          rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
      }] : []),
      ...(hstsMaxAge > 0 ? [{
        apiVersion: "gateway.nginx.org/v1alpha1",
        kind: "SnippetsPolicy",
        metadata: { name: "hsts" },
        spec: {
          targetRefs: [gatewayRef],
          snippets: [{
            context: "http",
            value: `add_header_inherit merge;\nadd_header Strict-Transport-Security "max-age=${hstsMaxAge}; includeSubDomains" always;`,
          }],
        },
      }] : []),
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: this.serviceName },
        spec: { minAvailable: props.minAvailable, selector: { matchLabels: dataPlane } },
      },
      ...(props.aws ? targetGroupBindings(this.serviceName, props.aws.targetGroupArns) : []),
      ...(props.aws?.originVerify ? [{
        apiVersion: "gateway.nginx.org/v1alpha1",
        kind: "SnippetsPolicy",
        metadata: { name: "origin-verify" },
        spec: {
          targetRefs: [gatewayRef],
          snippets: [{ context: "http.server", value: originVerifySnippet(props.aws.originVerify.headerName, props.aws.originVerify.values) }],
        },
      }] : []),
      podMonitor("nginx-gateway-data-plane", dataPlane),
      podMonitor("nginx-gateway-control-plane", { ...CONTROL_PLANE_LABELS }),
    ];
    this.gateway = manifestsRelease(this, "gateway", {
      where, rawChart: props.rawChart, name: "platform-gateway", namespace, dependsOn: [this.release], resources,
    });
  }

}

/**
 * A TargetGroupBinding per origin target group: the AWS Load Balancer Controller registers the
 * data plane's pod IPs (behind the ClusterIP Service's port) in the NLB the AWS stack owns.
 * No `networking` block: the AWS stack already admits the NLB's security group on the node
 * group, so the controller changes no security group.
 */
function targetGroupBindings(service: string, arns: Readonly<Record<number, string>>): HelmValues[] {
  return Object.entries(arns).map(([port, arn]) => ({
    apiVersion: "elbv2.k8s.aws/v1beta1",
    kind: "TargetGroupBinding",
    metadata: { name: `${service}-${port}` },
    spec: { serviceRef: { name: service, port: Number(port) }, targetGroupARN: arn, targetType: "ip" },
  }));
}

/** A PodMonitor scraping the `metrics` port of the selected pods. */
function podMonitor(name: string, labels: Record<string, string>): HelmValues {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name },
    spec: { selector: { matchLabels: labels }, podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] },
  };
}

/**
 * The vendored standard-channel objects, each kept when the release is uninstalled (deleting
 * a CRD deletes every object of its kind) and without `status`, which the API server owns.
 */
export function gatewayApiResources(): HelmValues[] {
  return (gatewayApiStandard as Array<Record<string, unknown> & { metadata: { annotations?: Record<string, string> } }>).map((doc) => {
    const rest: Record<string, unknown> = { ...doc };
    delete rest.status;
    return {
      ...rest,
      metadata: { ...doc.metadata, annotations: { ...doc.metadata.annotations, "helm.sh/resource-policy": "keep" } },
    };
  });
}
