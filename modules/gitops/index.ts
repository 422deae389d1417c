import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { check } from "../core/validation";

/** The GitOps repository Argo CD syncs (seed 001: image tags bumped there by the release pipeline). */
export interface GitOpsSource {
  /** `https://host/org/repo(.git)` or `git@host:org/repo.git` / `ssh://git@host/org/repo.git`. */
  readonly repoUrl: string;
  /** Directory of the root app-of-apps manifests, relative to the repository root. */
  readonly path: string;
  /** Branch, tag or commit. */
  readonly revision: string;
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
  readonly dependsOn?: ITerraformDependable[];
}

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
 * Hardening: no default RBAC role for logged-in users, exec off, Dex off (SSO is configured
 * per organisation), the UI not exposed (port-forward or an SSO-protected ingress added
 * deliberately). Repository credentials are never passed here (they would land in state):
 * add them as a labelled Secret out of band.
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

    this.release = chartRelease(this, "argo-cd", {
      where, prop: "charts.argoCd", chart: props.chart, name: "argocd", namespace, dependsOn: props.dependsOn,
      values: {
        configs: {
          params: { "server.insecure": false },
          cm: { "exec.enabled": false, "admin.enabled": true, "timeout.reconciliation": "180s", "statusbadge.enabled": false },
          rbac: { "policy.default": "" },
        },
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
    this.rootApp = chartRelease(this, "root-app", {
      where, prop: "charts.argocdApps", chart: props.appsChart, name: "argocd-root", namespace, dependsOn: [this.release],
      // Argo CD creates the `default` project at start-up; this release adopts it to empty it.
      takeOwnership: true,
      values: {
        projects: {
          [this.rootProjectName]: {
            namespace,
            description: "The app-of-apps root: creates the openedx Applications, nothing else",
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
            ],
          },
          // No sourceRepos and no destinations: an Application in `default` can deploy nothing.
          default: { namespace, description: "Disabled: every Application belongs to openedx-root or openedx" },
        },
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
