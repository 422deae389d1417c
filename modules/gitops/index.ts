import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease, checkPlainScalar } from "../core/helm";
import { OidcClient, SecretKeyRef, checkOidcClient, checkSecretKeyRef } from "../core/sso";
import { check } from "../core/validation";

/** The GitOps repository Argo CD syncs (seed 001: image tags bumped there by the release pipeline). */
export interface GitOpsSource {
  /** `https://host/org/repo(.git)` or `git@host:org/repo.git` / `ssh://git@host/org/repo.git`. */
  readonly repoUrl: string;
  /** Directory of the root app-of-apps manifests, relative to the repository root. */
  readonly path: string;
  /** Branch, tag or commit. */
  readonly revision: string;
  /**
   * Credentials of a private repository, in Secrets Manager (synced by External Secrets into a
   * labelled repository Secret in argocd). For https: a JSON secret with `username` and
   * `password` (a token); for ssh: `sshPrivateKey`. The key below is the password's or the
   * SSH key's; `username` is read from the same secret for https.
   * @default none: a public repository
   */
  readonly credentials?: SecretKeyRef;
}

/** Argo CD single sign-on (OIDC) and the Kubernetes Secret its client secret is synced into. */
export interface GitOpsSso extends OidcClient {
  /** External URL of the Argo CD UI, e.g. `https://argocd.learn.example.org` (the redirect URI base). */
  readonly url: string;
}

export interface GitOpsProps {
  readonly chart: ChartRef | undefined;
  /** The `argocd-apps` chart, which applies the AppProject and root Application. */
  readonly appsChart: ChartRef | undefined;
  readonly source: GitOpsSource;
  /** Namespace the synced applications deploy to (the only one the project allows besides argocd). */
  readonly appNamespace: string;
  /**
   * Run redundant API servers, repo servers and Redis HA.
   * @default true
   */
  readonly highAvailability?: boolean;
  /** @default "argocd" */
  readonly namespace?: string;
  /**
   * Log in through the organisation's identity provider; groups map to Argo CD roles. The
   * client secret is read from the Kubernetes Secret `argocd-sso` (key `clientSecret`), which
   * External Secrets syncs from Secrets Manager.
   * @default none: no UI login at all (the local admin is disabled either way; use `kubectl`)
   */
  readonly sso?: GitOpsSso;
  readonly dependsOn?: ITerraformDependable[];
}

/** Kubernetes Secret (in the Argo CD namespace) holding the OIDC client secret. */
export const ARGOCD_SSO_SECRET = { name: "argocd-sso", key: "clientSecret" } as const;

/**
 * What the built-in `default` project becomes. Argo CD creates it with `sourceRepos: ['*']`
 * and every destination; Helm only patches the fields a manifest contains and the chart drops
 * empty lists, so "no repos" would leave the wildcards in place. Non-empty deny-everything
 * values replace them: `!*` negates every repo and destination, and both resource
 * blacklists match every kind, so an Application naming `default` can deploy nothing.
 */
export const LOCKED_DEFAULT_PROJECT = {
  description: "Locked. Every Application belongs to openedx-root or openedx",
  sourceRepos: ["!*"],
  destinations: [{ server: "!*", name: "!*", namespace: "!*" }],
  clusterResourceBlacklist: [{ group: "*", kind: "*" }],
  namespaceResourceBlacklist: [{ group: "*", kind: "*" }],
} as const;

const HTTPS_RE = /^https:\/\/[a-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/-]+$/;
const SSH_RE = /^(git@[a-z0-9.-]+:[A-Za-z0-9._~/-]+\.git|ssh:\/\/git@[a-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/-]+\.git)$/;

/** Validates a GitOps source; exported so the environment check reports the same message. */
export function checkGitOpsSource(where: string, source: GitOpsSource): void {
  check(HTTPS_RE.test(source.repoUrl) || SSH_RE.test(source.repoUrl), where, "gitops.repoUrl", source.repoUrl,
    "must be a git repository URL: https://host/org/repo(.git), git@host:org/repo.git or ssh://git@host/org/repo.git (no credentials in the URL)");
  check(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(source.path) && !source.path.split("/").includes(".."), where, "gitops.path", source.path,
    "must be a relative directory inside the repository, e.g. apps/production (no leading /, no ..)");
  check(/^[A-Za-z0-9._/-]{1,255}$/.test(source.revision) && !source.revision.includes(".."), where, "gitops.revision", source.revision,
    "must be a branch, tag or commit, e.g. main");
}

/**
 * Argo CD and the app-of-apps root (seed 001's GitOps flow), confined so that whoever can
 * write to the GitOps repo cannot use Argo CD to change namespaces, RBAC or the platform:
 * - the root Application is in project `openedx-root`, which may only create Applications
 *   in argocd (no Secrets or ConfigMaps there: `argocd-secret`/`argocd-rbac-cm` would hand
 *   out Argo CD admin);
 * - the child Applications must use project `openedx`, which may only deploy namespaced
 *   objects into the app namespace (no cluster-scoped kinds, quotas or network policies);
 * - the built-in `default` project, which allows everything everywhere, is emptied (an
 *   Application naming it can deploy nothing), so a child cannot escape by naming it; and
 *   as neither project may write to argocd beyond Applications, none can add an AppProject.
 * Auto-sync with prune and self-heal makes Git the source of truth.
 *
 * Hardening: no default RBAC role for logged-in users, exec off, Dex off (Argo CD talks OIDC
 * to the identity provider directly), the local `admin` account disabled, the UI not exposed
 * (port-forward, or an ingress added deliberately in front of SSO). With `sso`, groups from
 * the token's `groups` claim map to `role:admin` / `role:readonly`. Neither the OIDC client
 * secret nor repository credentials pass through here (they would land in Terraform state):
 * External Secrets syncs them from Secrets Manager into Secrets Argo CD reads.
 *
 * Every string the argocd-apps chart writes unquoted (project descriptions) is checked with
 * `checkPlainScalar`: a `": "` in one broke the chart's YAML once.
 */
export class GitOps extends Construct {
  public readonly release: Release;
  public readonly rootApp: Release;
  /** Project the child Applications in the GitOps repository must name. */
  public readonly projectName = "openedx";
  /** Project of the root Application: Applications in argocd only. */
  public readonly rootProjectName = "openedx-root";

  constructor(scope: Construct, id: string, props: GitOpsProps) {
    super(scope, id);
    const where = `GitOps ${id}`;
    checkGitOpsSource(where, props.source);
    const namespace = props.namespace ?? "argocd";
    const ha = props.highAvailability ?? true;
    const replicas = ha ? 2 : 1;
    const sso = props.sso;
    if (sso) {
      checkOidcClient(where, "sso", sso);
      check(/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(sso.url), where, "sso.url", sso.url, "must be the https:// origin of the Argo CD UI, without a path");
    }
    if (props.source.credentials) checkSecretKeyRef(where, "source.credentials", props.source.credentials);

    this.release = chartRelease(this, "argo-cd", {
      where, prop: "charts.argoCd", chart: props.chart, name: "argocd", namespace, dependsOn: props.dependsOn,
      values: {
        configs: {
          params: { "server.insecure": false },
          cm: {
            "exec.enabled": false,
            "admin.enabled": false,
            "timeout.reconciliation": "180s",
            "statusbadge.enabled": false,
            ...(sso ? { url: sso.url, "oidc.config": oidcConfig(sso) } : {}),
          },
          rbac: {
            "policy.default": "",
            scopes: "[groups]",
            ...(sso ? { "policy.csv": rbacPolicy(sso) } : {}),
          },
        },
        // The platform's NetworkPolicies (k8s-namespaces) govern argocd's traffic. The chart's own,
        // on by default since 10.0, would only add allows, one of them argocd-server from anywhere.
        global: { networkPolicy: { create: false } },
        dex: { enabled: false },
        "redis-ha": { enabled: ha },
        redis: { enabled: !ha },
        server: { replicas, pdb: { enabled: ha, minAvailable: 1 }, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        repoServer: { replicas, pdb: { enabled: ha, minAvailable: 1 }, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        applicationSet: { replicas },
        controller: { replicas: 1, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
      },
    });

    const inCluster = "https://kubernetes.default.svc";
    const projects: Record<string, { description: string } & Record<string, unknown>> = {
      [this.rootProjectName]: {
        namespace,
        description: "The app-of-apps root. Creates the openedx Applications and nothing else",
        sourceRepos: [props.source.repoUrl],
        destinations: [{ server: inCluster, namespace }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
      },
      [this.projectName]: {
        namespace,
        description: "Open edX workloads synced from the GitOps repository",
        sourceRepos: [props.source.repoUrl],
        destinations: [{ server: inCluster, namespace: props.appNamespace }],
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: [
          { group: "", kind: "ResourceQuota" },
          { group: "", kind: "LimitRange" },
          { group: "networking.k8s.io", kind: "NetworkPolicy" },
          // The platform stack owns the app's ExternalSecrets: one written in the GitOps repo
          // could pull any secret the operator can read (SSO, on-call keys) into the app namespace.
          { group: "external-secrets.io", kind: "*" },
          { group: "generators.external-secrets.io", kind: "*" },
          // The edge is platform-owned: the app attaches HTTPRoutes to the platform Gateway, but
          // a Gateway of its own would be a second entry point (bypassing CloudFront/WAF), and
          // NGINX Gateway Fabric's snippets (enabled for the platform's HSTS policy) inject raw
          // NGINX configuration into the shared data plane.
          { group: "gateway.networking.k8s.io", kind: "Gateway" },
          { group: "gateway.networking.k8s.io", kind: "ListenerSet" },
          { group: "gateway.nginx.org", kind: "SnippetsFilter" },
          { group: "gateway.nginx.org", kind: "SnippetsPolicy" },
          { group: "gateway.nginx.org", kind: "NginxProxy" },
        ],
      },
      default: { namespace, ...LOCKED_DEFAULT_PROJECT },
    };
    for (const [name, project] of Object.entries(projects)) checkPlainScalar(where, `projects.${name}.description`, project.description);

    this.rootApp = chartRelease(this, "root-app", {
      where, prop: "charts.argocdApps", chart: props.appsChart, name: "argocd-root", namespace, dependsOn: [this.release],
      // Argo CD creates the `default` project at start-up; this release adopts it to lock it.
      takeOwnership: true,
      values: {
        projects,
        applications: {
          root: {
            namespace,
            project: this.rootProjectName,
            finalizers: ["resources-finalizer.argocd.argoproj.io"],
            source: { repoURL: props.source.repoUrl, targetRevision: props.source.revision, path: props.source.path },
            destination: { server: inCluster, namespace },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
            },
          },
        },
      },
    });
  }
}

/** Argo CD's `oidc.config`: the client secret is a `$<secret>:<key>` reference, never a value. */
function oidcConfig(sso: GitOpsSso): string {
  return JSON.stringify({
    name: "SSO",
    issuer: sso.issuer,
    clientID: sso.clientId,
    clientSecret: `$${ARGOCD_SSO_SECRET.name}:${ARGOCD_SSO_SECRET.key}`,
    requestedScopes: ["openid", "profile", "email", "groups"],
  });
}

/** Groups to Argo CD's built-in roles; everyone else gets nothing (`policy.default` is empty). */
function rbacPolicy(sso: GitOpsSso): string {
  return [
    ...sso.adminGroups.map((g) => `g, ${g}, role:admin`),
    ...(sso.readOnlyGroups ?? []).map((g) => `g, ${g}, role:readonly`),
  ].join("\n");
}
