/**
 * The platform's one Gateway (Gateway API), shared by the modules that must agree on it: the
 * ingress module creates it, cert-manager's HTTP-01 solver attaches its challenge routes to
 * it, the namespace module's network policies select its data-plane pods, and apps attach
 * their HTTPRoutes to it (`parentRefs: [{ name, namespace, sectionName: "https" }]`).
 */
export const PLATFORM_GATEWAY = {
  /** The Gateway object's name. */
  name: "platform",
  /** GatewayClass NGINX Gateway Fabric reconciles (its chart's `nginxGateway.gatewayClassName`). */
  className: "nginx",
  /** Listener names: plain HTTP (redirect and ACME HTTP-01 only) and TLS. */
  listeners: { http: "http", https: "https" },
} as const;

/**
 * Labels NGINX Gateway Fabric puts on the data-plane pods it provisions for a Gateway
 * (internal/framework/controller/labels.go, provisioner/objects.go
 * buildLabelsAndAnnotations): the Gateway's name, and `<gateway>-<class>` as the app name.
 * Both are stable for a given Gateway, unlike the Helm release's instance label.
 */
export function gatewayDataPlaneLabels(gateway = PLATFORM_GATEWAY.name, className = PLATFORM_GATEWAY.className): Record<string, string> {
  return {
    "gateway.networking.k8s.io/gateway-name": gateway,
    "app.kubernetes.io/name": `${gateway}-${className}`,
  };
}
