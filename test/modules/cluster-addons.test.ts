import { ClusterAddons } from "../../modules/cluster-addons";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../modules/core/lifecycle";
import { platformCharts } from "../../environments/shared";
import { resource, resources, synth } from "../helpers";
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

describe("ClusterAddons releases", () => {
  const build = (props: ConstructorParameters<typeof ClusterAddons>[2]) => {
    const stack = k8sStack();
    new ClusterAddons(stack, "addons", props);
    return Object.fromEntries(resources(synth(stack), "helm_release").map((r) => [r.name, { release: r, values: JSON.parse(r.values[0]) }]));
  };

  it("installs nothing when the distribution brings its own metrics-server and nodes are not in AWS", () => {
    expect(build({})).toEqual({});
  });

  it("runs two metrics-server replicas that survive a drain, in kube-system", () => {
    const { "metrics-server": ms } = build({ metricsServerChart: platformCharts.metricsServer });
    expect(ms!.release.namespace).toBe("kube-system");
    expect(ms!.values).toEqual({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 }, metrics: { enabled: true }, serviceMonitor: { enabled: true } });
  });

  it("discovers the cluster's node groups by name, balances zones and runs as the Pod Identity service account", () => {
    const minor = Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS)[0]!;
    const { "cluster-autoscaler": ca } = build({ clusterAutoscaler: { chart: platformCharts.clusterAutoscaler, clusterName: "openedx-eks", region: "eu-west-1", kubernetesVersion: minor } });
    expect(ca!.release.namespace).toBe("kube-system");
    expect(ca!.values).toMatchObject({
      cloudProvider: "aws", awsRegion: "eu-west-1", autoDiscovery: { clusterName: "openedx-eks" },
      rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
      extraArgs: { expander: "least-waste", "balance-similar-node-groups": true },
    });
  });
});
