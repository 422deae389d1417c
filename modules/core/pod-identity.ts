import { policyJson } from "./policy";

/**
 * Trust policy for an IAM role assumed through EKS Pod Identity: the `pods.eks.amazonaws.com`
 * principal needs `sts:TagSession` as well as `sts:AssumeRole` (it tags sessions with the
 * cluster, namespace and service account). Scoped to this account (confused deputy). With
 * `boundTo`, the session tags Pod Identity passes pin the role to that cluster and service
 * account too, so an association made for another service account cannot assume it.
 */
export function podIdentityTrustPolicy(accountId: string, boundTo?: { readonly clusterName: string; readonly serviceAccount: ServiceAccountRef }): string {
  return policyJson([{
    Sid: "EksPodIdentity",
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Condition: {
      StringEquals: {
        "aws:SourceAccount": accountId,
        ...(boundTo ? {
          "aws:RequestTag/eks-cluster-name": boundTo.clusterName,
          "aws:RequestTag/kubernetes-namespace": boundTo.serviceAccount.namespace,
          "aws:RequestTag/kubernetes-service-account": boundTo.serviceAccount.name,
        } : {}),
      },
    },
  }]);
}

/** A Kubernetes service account that a Pod Identity association binds a role to. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Service accounts of the platform's AWS-facing workloads. The AWS stack binds roles to these
 * names (Pod Identity associations) and the platform stack's charts create exactly these
 * accounts, so both sides read the names from here.
 */
export const PLATFORM_SERVICE_ACCOUNTS = {
  loki: { namespace: "observability", name: "loki" },
  // kube-prometheus-stack's own default for release "kube-prometheus-stack" (`<fullname>-alertmanager`),
  // set explicitly by the observability module so a rename cannot silently break the binding.
  alertmanager: { namespace: "observability", name: "kube-prometheus-stack-alertmanager" },
  velero: { namespace: "velero", name: "velero-server" },
  clusterAutoscaler: { namespace: "kube-system", name: "cluster-autoscaler" },
  loadBalancerController: { namespace: "kube-system", name: "aws-load-balancer-controller" },
  certManager: { namespace: "cert-manager", name: "cert-manager" },
  externalSecrets: { namespace: "external-secrets", name: "external-secrets" },
} as const satisfies Record<string, ServiceAccountRef>;
