import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { ChartRef } from "../../modules/core/helm";

/** A bare stack with the Kubernetes and Helm providers, for the chart and Kubernetes modules' tests. */
export function k8sStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "k8s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  return stack;
}

/** A chart reference with some fields changed (a bad name, version or repository). */
export const chart = (c: ChartRef, patch: Partial<ChartRef> = {}): ChartRef => ({ ...c, ...patch });
