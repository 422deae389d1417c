import { ClusterAddons } from "../../modules/cluster-addons";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../modules/core/lifecycle";
import { platformCharts } from "../../environments/shared";
import { resource, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("ClusterAddons", () => {
  it("ClusterAddons runs the autoscaler release of the cluster's minor and refuses a minor without one", () => {
    const make = (kubernetesVersion: string) => {
      const stack = k8sStack();
      new ClusterAddons(stack, "addons", { clusterAutoscaler: { chart: platformCharts.clusterAutoscaler, clusterName: "c", region: "us-east-1", kubernetesVersion } });
      return JSON.parse(resource(synth(stack), "helm_release").values[0]);
    };
    for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
      expect(tag.startsWith(`v${minor}.`)).toBe(true);
      expect(make(minor).image).toEqual({ tag });
    }
    expect(() => make("1.30")).toThrow('ClusterAddons addons: clusterAutoscaler.kubernetesVersion = "1.30" is invalid; must be a Kubernetes minor with a Cluster Autoscaler release listed in CLUSTER_AUTOSCALER_IMAGE_TAGS (modules/core/lifecycle.ts: 1.35, 1.36)');
    expect(() => make("toString")).toThrow('clusterAutoscaler.kubernetesVersion = "toString" is invalid');
  });
});
