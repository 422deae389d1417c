import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, chartRelease } from "../core/helm";
import { PLATFORM_SERVICE_ACCOUNTS } from "../core/pod-identity";
import { clusterAutoscalerImageTag } from "../core/lifecycle";

export interface ClusterAddonsProps {
  /**
   * metrics-server chart (the resource metrics API HPAs scale on), or undefined where the
   * distribution ships its own (k3s bundles metrics-server; a second one would fight over
   * the `v1beta1.metrics.k8s.io` APIService).
   */
  readonly metricsServerChart?: ChartRef;
  /**
   * Cluster autoscaler on EKS: discovers the cluster's managed node groups by tag and runs
   * with the role the eks-cluster module binds to its service account (Pod Identity). Its
   * image is the autoscaler release of the cluster's Kubernetes minor (`kubernetesVersion`).
   * @default undefined: no node autoscaling (clusters whose nodes are not in AWS)
   */
  readonly clusterAutoscaler?: {
    readonly chart: ChartRef | undefined; readonly clusterName: string; readonly region: string;
    /** The cluster's Kubernetes minor, e.g. "1.36": the autoscaler image must be the same minor. */
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
      this.clusterAutoscaler = chartRelease(this, "cluster-autoscaler", {
        where, prop: "charts.clusterAutoscaler", chart: props.clusterAutoscaler.chart, name: "cluster-autoscaler", namespace: sa.namespace,
        dependsOn: props.dependsOn,
        values: {
          cloudProvider: "aws",
          // Same minor as the cluster: the autoscaler schedules with its own release's code.
          image: { tag: clusterAutoscalerImageTag(where, "clusterAutoscaler.kubernetesVersion", props.clusterAutoscaler.kubernetesVersion) },
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
