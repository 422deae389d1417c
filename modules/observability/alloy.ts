/** The log pipeline: Alloy tailing pods into Loki, and the gateway access-log shape the metrics and alerts read. */


/** Alloy pipeline: tail this node's pods through the API server (no host mounts) into Loki. */
/**
 * Where the platform Gateway's access log lines come from and the counters Alloy derives
 * from them (exposed as `loki_process_custom_<name>` on Alloy's metrics endpoint, which its
 * ServiceMonitor scrapes). The regex reads the status at the start of the line: NGINX's
 * `combined` format, which modules/ingress `ACCESS_LOG_FORMAT` begins with (the SLO stages of
 * modules/slo read the `"$host" $request_time` it appends).
 */
export const GATEWAY_ACCESS_LOG = {
  namespace: "nginx-gateway",
  container: "nginx",
  regex: String.raw`^\S+ \S+ \S+ \[[^\]]*\] "[^"]*" (?P<status>(?P<status_class>[1-5])\d\d) `,
  metrics: { all: "gateway_http_responses_total", serverErrors: "gateway_http_5xx_responses_total" },
} as const;

/** The Alloy config; `sloStages` (modules/slo) run inside the Gateway access-log match. */
export function alloyConfig(lokiPushUrl: string, sloStages = ""): string {
  return `
discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("NODE_NAME")
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "app"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.process.gateway_access.receiver]
}

// Response counters from the Gateway data plane's access log (NGINX "combined" format): NGINX
// OSS under NGINX Gateway Fabric exports no per-status metric, so HighHttpErrorRate counts here.
loki.process "gateway_access" {
  forward_to = [loki.write.default.receiver]
  stage.match {
    selector = \`{namespace="${GATEWAY_ACCESS_LOG.namespace}", container="${GATEWAY_ACCESS_LOG.container}"}\`
    stage.regex {
      expression = \`${GATEWAY_ACCESS_LOG.regex}\`
    }
    stage.metrics {
      metric.counter {
        name        = "${GATEWAY_ACCESS_LOG.metrics.all}"
        description = "Responses the platform Gateway served"
        source      = "status"
        action      = "inc"
      }
      metric.counter {
        name        = "${GATEWAY_ACCESS_LOG.metrics.serverErrors}"
        description = "5xx responses the platform Gateway served"
        source      = "status_class"
        value       = "5"
        action      = "inc"
      }
    }
${sloStages}
  }
}

loki.write "default" {
  endpoint {
    url = "${lokiPushUrl}"
  }
}
`.trimStart();
}
