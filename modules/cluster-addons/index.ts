import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { check } from "../core/validation";

/**
 * Cluster Autoscaler release per Kubernetes minor (the newest patch of each line). The
 * autoscaler simulates scheduling with the scheduler code of its own release, so its minor
 * must be the cluster's; the chart ships one default (9.59.0: v1.35.0) and passes the same
 * flags to every release here, so the image follows the cluster instead of the chart.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
  "1.36": "v1.36.1",
};

export interface ClusterAddonsProps {
  /**
   * metrics-server chart (the resource metrics API HPAs scale on), or undefined where the
   * distribution ships its own (k3s bundles metrics-server; a second one would fight over
   * the `v1beta1.metrics.k8s.io` APIService).
   */
  readonly metricsServerChart?: ChartRef;
  /**
   * Cluster autoscaler on EKS: discovers the cluster's managed node groups by tag and runs
   * with the role the eks-cluster module binds to its service account (Pod Identity).
   * @default undefined: no node autoscaling (clusters whose nodes are not in AWS)
   */
  readonly clusterAutoscaler?: {
    readonly chart: ChartRef | undefined;
    readonly clusterName: string;
    readonly region: string;
    /** The cluster's Kubernetes minor, e.g. `1.35`: picks the autoscaler release (`CLUSTER_AUTOSCALER_IMAGE_TAGS`). */
    readonly kubernetesVersion: string;
  };
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Scaling add-ons: metrics-server for HPA (seed 000/001: HPA on lms/cms and every service)
 * and the cluster autoscaler for nodes. The autoscaler over Karpenter because the eks
 * module runs managed node groups with fixed instance types (seed 002's sizing tables) and
 * the autoscaler scales exactly those groups; `least-waste` expander and balanced similar
 * groups keep zones even.
 */
export class ClusterAddons extends Construct {
  public readonly metricsServer?: Release;
  public readonly clusterAutoscaler?: Release;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const where = `ClusterAddons ${id}`;
    if (props.metricsServerChart) {
      this.metricsServer = chartRelease(this, "metrics-server", {
        where, prop: "charts.metricsServer", chart: props.metricsServerChart, name: "metrics-server", namespace: "kube-system",
        dependsOn: props.dependsOn,
        values: {
          replicas: 2,
          podDisruptionBudget: { enabled: true, minAvailable: 1 },
          metrics: { enabled: true },
          serviceMonitor: { enabled: true },
        },
      });
    }
    if (props.clusterAutoscaler) {
      const sa = PLATFORM_SERVICE_ACCOUNTS.clusterAutoscaler;
      const k8s = props.clusterAutoscaler.kubernetesVersion;
      const tag = Object.hasOwn(CLUSTER_AUTOSCALER_IMAGE_TAGS, k8s) ? CLUSTER_AUTOSCALER_IMAGE_TAGS[k8s] : undefined;
      check(tag !== undefined, where, "clusterAutoscaler.kubernetesVersion", k8s,
        `must be a Kubernetes minor with a Cluster Autoscaler release listed in CLUSTER_AUTOSCALER_IMAGE_TAGS (${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", ")})`);
      this.clusterAutoscaler = chartRelease(this, "cluster-autoscaler", {
        where, prop: "charts.clusterAutoscaler", chart: props.clusterAutoscaler.chart, name: "cluster-autoscaler", namespace: sa.namespace,
        dependsOn: props.dependsOn,
        values: {
          image: { tag },
          cloudProvider: "aws",
          awsRegion: props.clusterAutoscaler.region,
          autoDiscovery: { clusterName: props.clusterAutoscaler.clusterName },
          rbac: { serviceAccount: { create: true, name: sa.name } },
          extraArgs: { expander: "least-waste", "balance-similar-node-groups": true, "skip-nodes-with-local-storage": false },
          podDisruptionBudget: { maxUnavailable: 1 },
          serviceMonitor: { enabled: true, namespace: sa.namespace },
        },
      });
    }
  }
}
