import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease, manifestsRelease } from "../core/helm";
import { DNS_LABEL_RE, checkDnsName } from "../core/dns";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { check, checkInt, checkUniqueList } from "../core/validation";

/** ACME DNS-01 through the environment's zone, for names under `zone`. */
export type Dns01Solver =
  /**
   * Route53: cert-manager's controller uses the Pod Identity role the AWS stack binds to its
   * service account (PlatformPrereqs.allowDns01), limited to `_acme-challenge` TXT records.
   */
  | { readonly provider: "route53"; readonly zone: string; readonly hostedZoneId: string; readonly region: string }
  /**
   * Cloudflare: an API token with Zone → DNS → Edit on this zone only, which operators put in
   * a Secret of cert-manager's namespace (it never passes through Terraform state).
   */
  | { readonly provider: "cloudflare"; readonly zone: string; readonly apiTokenSecret: { readonly name: string; readonly key: string } };

/**
 * Where operators put the Cloudflare API token for DNS-01 (`kubectl -n cert-manager create
 * secret generic cloudflare-api-token --from-literal=api-token=...`, a token with Zone → DNS →
 * Edit on the environment's zone only). Created out of band so the token is never in
 * Terraform state or the synthesized stacks.
 */
export const CLOUDFLARE_TOKEN_SECRET = { name: "cloudflare-api-token", key: "api-token" } as const;

/** The certificate the Gateway's HTTPS listener serves (origin and platform hostnames). */
export interface DefaultCertificate {
  /** Namespace of the Gateway, where the Secret must live (its HTTPS listener's certificateRefs). */
  readonly namespace: string;
  readonly secretName: string;
  /** Names on the certificate (Let's Encrypt allows 100). */
  readonly dnsNames: readonly string[];
}

export interface CertificatesProps {
  readonly chart: ChartRef | undefined;
  /** The `raw` chart that applies the ClusterIssuers once cert-manager's CRDs exist. */
  readonly rawChart: ChartRef | undefined;
  /** Let's Encrypt account e-mail (expiry notices). */
  readonly acmeEmail: string;
  /**
   * The Gateway (and its plain-HTTP listener) cert-manager attaches HTTP-01 challenge
   * HTTPRoutes to. The listener must admit routes from every namespace that issues
   * certificates this way.
   */
  readonly gateway: GatewayRef;
  /** @default "cert-manager" */
  readonly namespace?: string;
  /**
   * Controller, webhook and cainjector replicas.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Solve challenges for names in this zone with DNS-01 instead of HTTP-01.
   * @default none: HTTP-01 through the ingress for every name
   */
  readonly dns01?: Dns01Solver;
  /**
   * Issue this certificate from Let's Encrypt production (the ingress serves it by default).
   * @default none
   */
  readonly defaultCertificate?: DefaultCertificate;
  readonly dependsOn?: ITerraformDependable[];
}

/** A Gateway listener, by the Gateway's name and namespace and the listener's name. */
export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
  readonly sectionName: string;
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
 * solving HTTP-01 through the platform Gateway: cert-manager creates an HTTPRoute for each
 * challenge in the Certificate's namespace, attached to the Gateway's HTTP listener
 * (`gatewayHTTPRoute` solver, which needs `enableGatewayAPI` in cert-manager's controller
 * configuration; the Gateway API CRDs must exist before cert-manager starts, hence the
 * dependency on the ingress release). Staging exists so a new hostname can be
 * tested without burning production rate limits.
 *
 * Behind CloudFront, HTTP-01 cannot issue the first certificate: the platform hostnames
 * resolve to CloudFront, which reaches the origin over HTTPS only and fails while the origin
 * has no valid certificate yet (a deadlock, and a redirect to HTTPS would hit the same wall).
 * So with `dns01`, names in the environment's zone are validated with DNS-01, which needs
 * neither CloudFront nor the NLB and also covers the origin hostname; HTTP-01 stays as the
 * fallback for any other name. The default certificate always comes from Let's Encrypt
 * production: CloudFront rejects an origin certificate from an untrusted CA, staging's too.
 * It is RSA 2048, which every CloudFront-to-origin cipher suite supports.
 *
 * The issuers are applied with the `raw` chart rather than `kubernetes_manifest`, because
 * `kubernetes_manifest` needs the CRD at plan time and so cannot plan a fresh cluster.
 */
export class Certificates extends Construct {
  public readonly release: Release;
  public readonly issuers: Release;
  public readonly issuerNames = Object.keys(LETS_ENCRYPT);
  /** The default certificate's release, when one is asked for. */
  public readonly defaultCertificate?: Release;

  constructor(scope: Construct, id: string, props: CertificatesProps) {
    super(scope, id);
    const where = `Certificates ${id}`;
    const namespace = props.namespace ?? "cert-manager";
    const replicas = props.replicas ?? 2;
    checkInt(where, "replicas", replicas, 1, 10);
    check(EMAIL_RE.test(props.acmeEmail), where, "acmeEmail", props.acmeEmail, "must be an e-mail address for Let's Encrypt expiry notices");
    const dns01 = props.dns01;
    if (dns01) {
      checkDnsName(where, "dns01.zone", dns01.zone);
      if (dns01.provider === "route53") {
        check(dns01.hostedZoneId.length > 0, where, "dns01.hostedZoneId", dns01.hostedZoneId, "must be the Route53 hosted zone id of dns01.zone");
      } else {
        check(SECRET_RE.test(dns01.apiTokenSecret.name) && dns01.apiTokenSecret.key.length > 0, where, "dns01.apiTokenSecret", dns01.apiTokenSecret,
          "must name an existing Secret in cert-manager's namespace and the key holding the Cloudflare API token");
      }
    }
    for (const key of ["name", "namespace", "sectionName"] as const) {
      const v = props.gateway[key];
      check(Token.isUnresolved(v) || DNS_LABEL_RE.test(v), where, `gateway.${key}`, v, "must be a DNS label (the Gateway's name and namespace, the listener's name)");
    }
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
        // The DNS-01 role (Route53) is bound to exactly this service account by Pod Identity.
        serviceAccount: { create: true, name: PLATFORM_SERVICE_ACCOUNTS.certManager.name },
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
        // The gatewayHTTPRoute HTTP-01 solver (cert-manager >= 1.15).
        config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true },
      },
    });

    this.issuers = manifestsRelease(this, "cluster-issuers", {
      where, rawChart: props.rawChart, name: "cluster-issuers", namespace, dependsOn: [this.release],
      resources: Object.entries(LETS_ENCRYPT).map(([name, server]) => ({
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name },
          spec: {
            acme: {
              email: props.acmeEmail,
              server,
              privateKeySecretRef: { name: `${name}-account-key` },
              solvers: [
                ...(dns01 ? [{ selector: { dnsZones: [dns01.zone] }, dns01: dns01Solver(dns01) }] : []),
                { http01: { gatewayHTTPRoute: { parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", ...props.gateway }] } } },
              ],
            },
          },
        })),
    });

    const cert = props.defaultCertificate;
    if (cert) {
      check(SECRET_RE.test(cert.secretName), where, "defaultCertificate.secretName", cert.secretName, "must be a Secret name (lower-case letters, digits, '-' and '.')");
      checkUniqueList(where, "defaultCertificate.dnsNames", cert.dnsNames, 1);
      check(cert.dnsNames.length <= 100, where, "defaultCertificate.dnsNames", cert.dnsNames.length, "must list at most 100 names (Let's Encrypt's limit per certificate)");
      cert.dnsNames.forEach((n, i) => checkDnsName(where, `defaultCertificate.dnsNames[${i}]`, n));
      this.defaultCertificate = manifestsRelease(this, "default-certificate", {
        where, rawChart: props.rawChart, name: "ingress-default-certificate", namespace: cert.namespace, dependsOn: [this.issuers],
          resources: [{
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: cert.secretName },
            spec: {
              secretName: cert.secretName,
              dnsNames: [...cert.dnsNames],
              issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-production" },
              privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
            },
          }],
      });
    }
  }
}

const SECRET_RE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** cert-manager's solver block for the zone's DNS provider. */
function dns01Solver(solver: Dns01Solver): Record<string, unknown> {
  return solver.provider === "route53"
    // Ambient credentials (Pod Identity); the zone id spares it the ListHostedZonesByName ("*") call.
    ? { route53: { region: solver.region, hostedZoneID: solver.hostedZoneId } }
    : { cloudflare: { apiTokenSecretRef: { name: solver.apiTokenSecret.name, key: solver.apiTokenSecret.key } } };
}
