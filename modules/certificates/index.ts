import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { check, checkInt } from "../core/validation";

export interface CertificatesProps {
  readonly chart: ChartRef | undefined;
  /** The `raw` chart that applies the ClusterIssuers once cert-manager's CRDs exist. */
  readonly rawChart: ChartRef | undefined;
  /** Let's Encrypt account e-mail (expiry notices). */
  readonly acmeEmail: string;
  /** IngressClass the HTTP-01 solver uses. */
  readonly ingressClassName: string;
  /** @default "cert-manager" */
  readonly namespace?: string;
  /**
   * Controller, webhook and cainjector replicas.
   * @default 2
   */
  readonly replicas?: number;
  readonly dependsOn?: ITerraformDependable[];
}

/** Let's Encrypt ACME endpoints. */
export const LETS_ENCRYPT = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;

/**
 * cert-manager (CRDs installed and kept on uninstall, so removing the release never deletes
 * every Certificate) and ClusterIssuers for Let's Encrypt staging and production (seed 000),
 * solving HTTP-01 through the NGINX ingress class. Staging exists so a new hostname can be
 * tested without burning production rate limits.
 *
 * The issuers are applied with the `raw` chart rather than `kubernetes_manifest`, because
 * `kubernetes_manifest` needs the CRD at plan time and so cannot plan a fresh cluster.
 */
export class Certificates extends Construct {
  public readonly release: Release;
  public readonly issuers: Release;
  public readonly issuerNames = Object.keys(LETS_ENCRYPT);

  constructor(scope: Construct, id: string, props: CertificatesProps) {
    super(scope, id);
    const where = `Certificates ${id}`;
    const namespace = props.namespace ?? "cert-manager";
    const replicas = props.replicas ?? 2;
    checkInt(where, "replicas", replicas, 1, 10);
    check(EMAIL_RE.test(props.acmeEmail), where, "acmeEmail", props.acmeEmail, "must be an e-mail address for Let's Encrypt expiry notices");
    const pdb = replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };

    this.release = chartRelease(this, "cert-manager", {
      where, prop: "charts.certManager", chart: props.chart, name: "cert-manager", namespace, dependsOn: props.dependsOn,
      values: {
        crds: { enabled: true, keep: true },
        replicaCount: replicas,
        podDisruptionBudget: pdb,
        webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
        cainjector: { replicaCount: replicas, podDisruptionBudget: pdb },
        global: { leaderElection: { namespace } },
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
      },
    });

    this.issuers = chartRelease(this, "cluster-issuers", {
      where, prop: "charts.raw", chart: props.rawChart, name: "cluster-issuers", namespace, dependsOn: [this.release],
      values: {
        resources: Object.entries(LETS_ENCRYPT).map(([name, server]) => ({
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name },
          spec: {
            acme: {
              email: props.acmeEmail,
              server,
              privateKeySecretRef: { name: `${name}-account-key` },
              solvers: [{ http01: { ingress: { ingressClassName: props.ingressClassName } } }],
            },
          },
        })),
      },
    });
  }
}
