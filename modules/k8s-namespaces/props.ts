/** The K8sNamespaces construct's props, enums and defaults (index.ts builds namespaces, quotas and NetworkPolicies from them). */


/** Pod Security Admission levels. */
export const POD_SECURITY_LEVELS = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Traffic a namespace's pods may send, beyond what the platform allows by default. */
export interface EgressRule {
  /** Why this is allowed (becomes part of the policy name). */
  readonly name: string;
  readonly cidr: string;
  /** Ranges carved out of `cidr` (e.g. the instance metadata address). */
  readonly except?: readonly string[];
  /** TCP ports. */
  readonly ports: readonly number[];
}

/** Where pods reach the Kubernetes API server. */
export interface ApiServerEndpoints {
  /**
   * Destination ranges. EKS: the VPC CIDR (the private endpoint's ENIs) and the `kubernetes`
   * Service ClusterIP (`<service CIDR>.1/32`, e.g. 172.20.0.1/32): the VPC CNI enforces egress
   * on the pod's veth before kube-proxy's DNAT, so it sees the ClusterIP, not the endpoint IPs
   * (amazon-network-policy-controller-k8s, pkg/resolvers/endpoints.go, getMatchingServiceClusterIPs).
   * k3s: the server nodes' addresses (kube-router filters after DNAT).
   */
  readonly cidrs: readonly string[];
  /** TCP ports: 443 on EKS (Service and endpoints); 6443 on k3s endpoints. */
  readonly ports: readonly number[];
}

/** A platform UI the ingress controller may reach once it is exposed (behind SSO). */
export interface IngressBackend {
  /** Platform namespace of the UI, e.g. `argocd`. */
  readonly namespace: string;
  /** Labels of the UI's pods, e.g. `{ "app.kubernetes.io/name": "argocd-server" }`. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Container ports (TCP), e.g. 8080 for the Argo CD server, 3000 for Grafana. */
  readonly ports: readonly number[];
}

/** CPU and memory as Kubernetes quantities ("500m", "2"; "512Mi", "4Gi"). */
export interface ComputeResources {
  readonly cpu: string;
  readonly memory: string;
}

/** One Open edX workload's sizing (per pod, one container) and its HPA range. */
export interface ServiceSizing {
  /** DNS label, e.g. `lms`, `cms`, `lms-worker`, `cms-worker`, `mfe`. */
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly requests: ComputeResources;
  readonly limits: ComputeResources;
}

/** The app namespace's ResourceQuota. */
export interface AppQuota {
  /** `requests.cpu` / `requests.memory`: at least Σ maxReplicas × requests plus the ACME solvers. */
  readonly requests: ComputeResources;
  /** `limits.cpu` / `limits.memory`: at least Σ maxReplicas × limits plus the ACME solvers. */
  readonly limits: ComputeResources;
  /** At least Σ maxReplicas plus the ACME solver allowance. */
  readonly pods: number;
  /** @default 10 (the media volume needs one) */
  readonly persistentVolumeClaims?: number;
}

/** The app namespace's LimitRange, per container. */
export interface ContainerDefaults {
  /** Request of a container that sets none. */
  readonly defaultRequest: ComputeResources;
  /** Limit of a container that sets none (the quota counts limits, so every container needs one). */
  readonly defaultLimit: ComputeResources;
  /** Largest limit one container may have; at least every service's limits. */
  readonly max: ComputeResources;
}

/** Resource limits per service (seed 001) and the namespace budget that must hold them. */
export interface AppResources {
  readonly quota: AppQuota;
  readonly containerDefaults: ContainerDefaults;
  readonly services: readonly ServiceSizing[];
}

/**
 * cert-manager's HTTP-01 solver pods run in the app namespace while an app Ingress's
 * certificate is issued (cert-manager's defaults: requests 10m/64Mi, limits 100m/64Mi); room
 * for one per seed-000 hostname (lms, studio, apps.lms) issuing at once.
 */
export const ACME_SOLVER_ALLOWANCE = { pods: 3, requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } } as const;

/**
 * Seed 000's Open edX services (HPA on lms and cms; workers sized for Celery's memory) and a
 * quota a third or more above their maximum scale-out, so a rolling update's surge pods and
 * migration Jobs still fit at full scale.
 */
export const DEFAULT_APP_RESOURCES: AppResources = {
  services: [
    { name: "lms", minReplicas: 2, maxReplicas: 8, requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "3Gi" } },
    { name: "cms", minReplicas: 2, maxReplicas: 4, requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "1500m", memory: "3Gi" } },
    { name: "lms-worker", minReplicas: 2, maxReplicas: 6, requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "1500m", memory: "3Gi" } },
    { name: "cms-worker", minReplicas: 1, maxReplicas: 4, requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    { name: "mfe", minReplicas: 2, maxReplicas: 4, requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
  ],
  quota: { requests: { cpu: "20", memory: "48Gi" }, limits: { cpu: "48", memory: "96Gi" }, pods: 40, persistentVolumeClaims: 10 },
  containerDefaults: {
    defaultRequest: { cpu: "100m", memory: "128Mi" },
    defaultLimit: { cpu: "500m", memory: "512Mi" },
    max: { cpu: "4", memory: "8Gi" },
  },
};

/** Ranges that are never "the internet": RFC 1918 and 100.64.0.0/10 (CGNAT, EKS custom networking). */
export const PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;
/** Instance metadata: node credentials; pods get their own through Pod Identity instead. */
export const IMDS_CIDR = "169.254.169.254/32";
/** The EKS Pod Identity agent (hostNetwork DaemonSet, link-local, HTTP on 80) that hands pods their role's credentials. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";

export interface K8sNamespacesProps {
  /** Namespace of the Open edX workloads (`openedx-prod` in production). */
  readonly appNamespace: string;
  /**
   * Ports of the app's pods the ingress controller may reach (seed 000: LMS/CMS on 8000; the
   * Open edX MFE container serves on 8002).
   * @default [8000, 8002]
   */
  readonly appPorts?: readonly number[];
  /**
   * Egress the app's pods need (data stores in the VPC, HTTPS/SMTP out).
   * @default [] (DNS and same-namespace traffic only)
   */
  readonly egress?: readonly EgressRule[];
  /**
   * Extra egress per platform namespace, e.g. Velero to an S3-compatible store or Argo CD to
   * a git server inside the private ranges the internet rules exclude.
   * @default {}
   */
  readonly platformEgress?: Readonly<Record<string, readonly EgressRule[]>>;
  /**
   * Pod Security level per platform namespace, overriding the defaults (app: restricted,
   * cert-manager/external-secrets/nginx-gateway: restricted, argocd/velero: baseline,
   * observability: privileged for node-exporter and the log collector's host mounts). The
   * app namespace is always `restricted`.
   * @default the levels above
   */
  readonly podSecurity?: Readonly<Record<string, PodSecurityLevel>>;
  /**
   * Where the API server is, for every platform namespace's egress (controllers, operators,
   * Argo CD, service discovery). Pass the VPC CIDR plus the `kubernetes` ClusterIP on EKS.
   * @default { cidrs: PRIVATE_CIDRS, ports: [443, 6443] } (any private address: works on EKS and k3s, but wider than needed)
   */
  readonly apiServer?: ApiServerEndpoints;
  /**
   * Sources of admission webhook calls. EKS: the control plane's ENIs in the VPC subnets (the
   * VPC CIDR). k3s: the server nodes, and the pod CIDR (10.42.0.0/16) because host-to-pod
   * traffic to another node leaves flannel with the node's flannel.1 address.
   * @default apiServer.cidrs
   */
  readonly webhookSourceCidrs?: readonly string[];
  /**
   * Node addresses, where Prometheus scrapes the kubelet (10250) and node-exporter (9100,
   * hostNetwork). EKS: the VPC CIDR.
   * @default apiServer.cidrs
   */
  readonly nodeCidrs?: readonly string[];
  /**
   * Ranges the platform's internet egress (443 to AWS APIs, git, ACME, PagerDuty) excludes, so
   * "the internet" never also opens the VPC's data stores or other pods; in-network
   * destinations get their own rules (API server, DNS, `platformEgress`).
   * @default PRIVATE_CIDRS
   */
  readonly privateCidrs?: readonly string[];
  /**
   * Allow the app namespace and the AWS-facing platform namespaces (cert-manager,
   * observability, velero, external-secrets) to reach the EKS Pod Identity agent
   * (169.254.170.23:80); without it no pod there gets AWS credentials. Off for clusters
   * without Pod Identity (kubeconfig mode).
   * @default true
   */
  readonly podIdentityAgent?: boolean;
  /**
   * Platform UIs the ingress controller may reach (both the controller's egress and the
   * UI's ingress).
   * @default [] (no platform UI exposed)
   */
  readonly ingressBackends?: readonly IngressBackend[];
  /**
   * ResourceQuota and LimitRange of the app namespace, checked against the services' sizing.
   * @default DEFAULT_APP_RESOURCES
   */
  readonly appResources?: AppResources;
}
