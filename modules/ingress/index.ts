import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { DataKubernetesServiceV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1";
import { ChartRef, chartRelease } from "../core/helm";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { check, checkInt } from "../core/validation";

/** Where the controller's NLB comes from on EKS. */
export interface IngressAwsTarget {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  /** AWS Load Balancer Controller chart (provisions the NLB from the service annotations). */
  readonly loadBalancerControllerChart: ChartRef | undefined;
}

export interface IngressProps {
  readonly chart: ChartRef | undefined;
  /** @default "ingress-nginx" */
  readonly namespace?: string;
  /** Controller replicas (spread over zones). */
  readonly replicas: number;
  /** PodDisruptionBudget minAvailable; below `replicas` so node drains can proceed. */
  readonly minAvailable: number;
  /**
   * EKS: expose the controller through an internet-facing NLB (IP targets, proxy protocol v2,
   * cross-zone) managed by the AWS Load Balancer Controller, which is installed too.
   * @default undefined: a plain LoadBalancer service (k3s servicelb / MetalLB)
   */
  readonly aws?: IngressAwsTarget;
  /**
   * Secret (in the controller's namespace) served to clients whose SNI matches no Ingress's
   * own TLS secret, e.g. the certificate for the CloudFront origin and platform hostnames.
   * @default none (the controller's self-signed fake certificate)
   */
  readonly defaultCertificateSecret?: string;
  /** Releases that must exist first (the monitoring CRDs for the ServiceMonitor). */
  readonly dependsOn?: ITerraformDependable[];
}

/** NLB annotations the AWS Load Balancer Controller reads on the controller's service. */
export function nlbAnnotations(): Record<string, string> {
  return {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "deregistration_delay.timeout_seconds=30",
  };
}

/**
 * NGINX ingress controller behind an NLB (seed 000: NLB from the ingress-nginx LoadBalancer
 * service, TLS terminated at NGINX). IP targets with proxy protocol v2 keep the client
 * address without `externalTrafficPolicy: Local` hot spots; snippet annotations stay off
 * (they allowed config injection, CVE-2025-1974); TLS 1.2+ with HSTS; metrics scraped by
 * Prometheus.
 */
export class Ingress extends Construct {
  public readonly release: Release;
  /** IngressClass name certificates' HTTP-01 solvers and app Ingresses use. */
  public readonly ingressClassName = "nginx";
  /** The controller's Service (the chart names it `<release>-controller`). */
  public readonly serviceName = "ingress-nginx-controller";
  public readonly namespace: string;
  private lbHostname?: string;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const where = `Ingress ${id}`;
    const namespace = props.namespace ?? "ingress-nginx";
    this.namespace = namespace;
    if (props.defaultCertificateSecret !== undefined) {
      check(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(props.defaultCertificateSecret), where, "defaultCertificateSecret", props.defaultCertificateSecret,
        "must be the name of a Secret in the controller's namespace (lower-case letters, digits, '-' and '.')");
    }
    checkInt(where, "replicas", props.replicas, 1, 50);
    checkInt(where, "minAvailable", props.minAvailable, 0, 50);
    check(props.minAvailable < props.replicas, where, "minAvailable", props.minAvailable,
      `must be below replicas (${props.replicas}) so a node drain can evict a controller pod`);
    check(props.replicas < 2 || props.minAvailable >= 1, where, "minAvailable", props.minAvailable,
      "must be at least 1 when replicas >= 2, or a drain may take every controller down");

    const dependsOn = [...(props.dependsOn ?? [])];
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
          // Only services that ask for it (the annotations below) get an AWS load balancer.
          enableServiceMutatorWebhook: false,
          // Reuse the webhook's certificate on upgrade (the chart's default became false in 3.1,
          // which issues a new one and restarts the controller on every apply).
          keepTLSSecret: true,
          podDisruptionBudget: { maxUnavailable: 1 },
          serviceMonitor: { enabled: true },
        },
      }));
    }

    this.release = chartRelease(this, "ingress-nginx", {
      where, prop: "charts.ingressNginx", chart: props.chart, name: "ingress-nginx", namespace, dependsOn,
      values: {
        controller: {
          replicaCount: props.replicas,
          minAvailable: props.minAvailable,
          ingressClassResource: { name: this.ingressClassName, default: true },
          allowSnippetAnnotations: false,
          extraArgs: props.defaultCertificateSecret ? { "default-ssl-certificate": `${namespace}/${props.defaultCertificateSecret}` } : {},
          config: {
            "use-proxy-protocol": props.aws ? "true" : "false",
            "server-tokens": "false",
            "ssl-protocols": "TLSv1.2 TLSv1.3",
            hsts: "true",
            "hsts-include-subdomains": "true",
            "hsts-max-age": "31536000",
            "strict-validate-path-type": "true",
          },
          service: {
            type: "LoadBalancer",
            externalTrafficPolicy: props.aws ? "Cluster" : "Local",
            annotations: props.aws ? nlbAnnotations() : {},
          },
          topologySpreadConstraints: [{
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
          }],
          resources: { requests: { cpu: "100m", memory: "256Mi" } },
          metrics: { enabled: true, serviceMonitor: { enabled: true } },
        },
      },
    });
  }

  /**
   * DNS name of the controller's load balancer, read from the Service's status after the
   * release: Helm waits until a LoadBalancer Service has an address, so it exists by then.
   */
  public loadBalancerHostname(): string {
    this.lbHostname ??= new DataKubernetesServiceV1(this, "controller-service", {
      metadata: { name: this.serviceName, namespace: this.namespace },
      dependsOn: [this.release],
    }).status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
    return this.lbHostname;
  }
}
