/** The Ingress construct's props (index.ts builds the NGINX Gateway Fabric release from them). */
import { ITerraformDependable } from "cdktf";
import { ChartRef } from "../core/helm";

/** Where the data plane's NLB comes from on EKS. */
export interface IngressAwsTarget {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  /**
   * The VPC's CIDR: the NLB's own addresses, the only peers whose PROXY protocol header
   * NGINX trusts for the client address.
   */
  readonly vpcCidr: string;
  /** AWS Load Balancer Controller chart (registers the data-plane pods in the target groups). */
  readonly loadBalancerControllerChart: ChartRef | undefined;
  /**
   * The origin NLB's IP target groups by port (443, and 80 while the origin is http-only),
   * created by the AWS stack (modules/origin-lb): the data-plane pods are bound to them.
   */
  readonly targetGroupArns: Readonly<Record<number, string>>;
  /**
   * Public origins only: the header CloudFront adds and the values accepted (current, and the
   * previous one during a rotation). Every listener answers 403 without it.
   * @default undefined: no header check (a VPC origin is reachable through CloudFront only)
   */
  readonly originVerify?: { readonly headerName: string; readonly values: readonly string[] };
}

export interface IngressProps {
  /** The `nginx-gateway-fabric` chart. */
  readonly chart: ChartRef | undefined;
  /** The `raw` chart, for the Gateway API CRDs and the Gateway with its policies. */
  readonly rawChart: ChartRef | undefined;
  /** @default "nginx-gateway" */
  readonly namespace?: string;
  /**
   * The one namespace whose HTTPRoutes may attach to the Gateway (the app's), besides the
   * Gateway's own namespace (the HTTP→HTTPS redirect, the default certificate's ACME routes).
   */
  readonly appNamespace: string;
  /** NGINX data-plane replicas (spread over zones). */
  readonly replicas: number;
  /** PodDisruptionBudget minAvailable of the data plane; below `replicas` so node drains can proceed. */
  readonly minAvailable: number;
  /**
   * EKS: the data plane sits behind the origin NLB the AWS stack created (IP targets, proxy
   * protocol v2): its Service is a ClusterIP and TargetGroupBindings register the pods. The AWS
   * Load Balancer Controller is installed for those bindings.
   * @default undefined: a plain LoadBalancer Service (k3s servicelb / MetalLB), externalTrafficPolicy Local
   */
  readonly aws?: IngressAwsTarget;
  /**
   * Secret (in the Gateway's namespace) the HTTPS listener serves, e.g. the certificate for the
   * CloudFront origin and platform hostnames issued by cert-manager.
   * @default none: the Gateway has only the HTTP listener, with no redirect (there is nothing to redirect to)
   */
  readonly defaultCertificateSecret?: string;
  /**
   * Strict-Transport-Security max-age in seconds, sent on every response (0 turns HSTS off).
   * @default 31536000 (one year, with includeSubDomains)
   */
  readonly hstsMaxAge?: number;
  /** Releases that must exist first (the monitoring CRDs for the PodMonitors). */
  readonly dependsOn?: ITerraformDependable[];
}
