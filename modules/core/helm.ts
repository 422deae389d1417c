import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { check } from "./validation";

/** A Helm chart pinned to one released version. */
export interface ChartRef {
  /** Chart repository URL: https, or an OCI registry path (`oci://ghcr.io/nginx/charts`). */
  readonly repository: string;
  readonly chart: string;
  /** Exact released version, e.g. `4.13.5` or `v1.18.2`; never a range. */
  readonly version: string;
}

/** Helm values as a typed object tree (rendered as JSON, which is valid YAML). */
export type HelmValues = { readonly [key: string]: unknown };

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * A chart must name an https repository and an exact version: a missing or ranged version
 * (`~> 4.0`, `^1`, `latest`) lets `terraform apply` pick up a new chart nobody reviewed.
 */
export function checkChart(where: string, prop: string, ref: ChartRef | undefined): ChartRef {
  check(ref !== undefined, where, prop, ref, "must name a chart with repository, chart and version");
  check(EXACT_VERSION.test(ref!.version ?? ""), where, `${prop}.version`, ref!.version,
    "must be an exact released chart version such as 4.13.5 or v1.18.2 (no ranges, no latest)");
  // OCI registries are TLS too; several charts now ship only there (NGINX Gateway Fabric on ghcr.io).
  check(/^(https|oci):\/\/[^\s]+$/.test(ref!.repository ?? ""), where, `${prop}.repository`, ref!.repository, "must be an https:// chart repository URL or an oci:// registry path");
  check(/^[a-z0-9][a-z0-9-]*$/.test(ref!.chart ?? ""), where, `${prop}.chart`, ref!.chart, "must be a chart name");
  return ref!;
}

export interface ChartReleaseProps {
  /** Used in validation messages, e.g. `Ingress ingress`. */
  readonly where: string;
  /** Config path of the chart, e.g. `charts.ingressNginx`. */
  readonly prop: string;
  readonly chart: ChartRef | undefined;
  /** Release name. */
  readonly name: string;
  readonly namespace: string;
  readonly values: HelmValues;
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** Seconds Helm waits for resources to become ready. @default 600 */
  readonly timeout?: number;
  /**
   * Adopt existing objects the chart renders instead of failing (e.g. Argo CD's `default`
   * project, which Argo CD itself creates).
   * @default false
   */
  readonly takeOwnership?: boolean;
}

/**
 * One pinned Helm release with the settings every release gets: atomic (a failed upgrade
 * rolls back instead of leaving a half-applied release), cleanup on failure, bounded
 * history, and values from a typed object rather than a YAML string.
 */
export function chartRelease(scope: Construct, id: string, props: ChartReleaseProps): Release {
  const chart = checkChart(props.where, props.prop, props.chart);
  return new Release(scope, id, {
    name: props.name,
    namespace: props.namespace,
    repository: chart.repository,
    chart: chart.chart,
    version: chart.version,
    values: [JSON.stringify(props.values)],
    atomic: true,
    cleanupOnFail: true,
    maxHistory: 10,
    timeout: props.timeout ?? 600,
    createNamespace: false,
    dependsOn: props.dependsOn,
    ...(props.takeOwnership ? { takeOwnership: true } : {}),
  });
}

export interface ManifestsReleaseProps extends Omit<ChartReleaseProps, "values" | "chart" | "prop"> {
  /** The generic `raw` chart (config `charts.raw`). */
  readonly rawChart: ChartRef | undefined;
  /** Kubernetes objects to apply, each a complete manifest. */
  readonly resources: readonly HelmValues[];
}

/**
 * Custom resources (ClusterIssuers, ClusterSecretStores, ExternalSecrets, ...) applied through
 * the `raw` chart once their CRDs exist. Not `kubernetes_manifest`: that needs the CRD at
 * plan time, so it cannot plan a fresh cluster. The raw chart writes each resource with
 * `toYaml` and never through `tpl`, so template text inside a resource (an ExternalSecret's
 * `{{ .password }}`) reaches the cluster unchanged.
 */
export function manifestsRelease(scope: Construct, id: string, props: ManifestsReleaseProps): Release {
  const { rawChart, resources, ...rest } = props;
  return chartRelease(scope, id, { ...rest, prop: "charts.raw", chart: rawChart, values: { resources } });
}

/**
 * A string a chart writes into its YAML unquoted (`description: {{ .description }}`). YAML then
 * parses it, so `: `, ` #`, a leading indicator or a line break turns it into a mapping, a
 * comment or a parse error and the release fails to render (argocd-apps 2.0.x's
 * `templates/projects.yaml` does exactly this with a project's description). Such values are
 * checked here, at synth, because nothing else sees them before `helm install`.
 */
export function checkPlainScalar(where: string, prop: string, value: string): void {
  check(typeof value === "string" && value.length > 0 && !/: |:$| #|[\r\n\t]/.test(value) && !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(value) && !/\s$/.test(value),
    where, prop, value,
    "is written unquoted into the chart's YAML: it must not contain \": \", \" #\" or line breaks, nor start with a YAML indicator (- ? : , [ ] { } # & * ! | > ' \" % @ `) or end with a space");
}
