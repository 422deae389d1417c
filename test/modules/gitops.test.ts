import { GitOps } from "../../modules/gitops";
import { platformCharts } from "../../environments/shared";
import { resource, resources, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("GitOps", () => {
  it("GitOps without HA runs single replicas and plain Redis", () => {
    const stack = k8sStack();
    new GitOps(stack, "gitops", {
      chart: platformCharts.argoCd, appsChart: platformCharts.argocdApps, appNamespace: "openedx-sandbox", highAvailability: false,
      source: { repoUrl: "ssh://git@git.example.org/ops/gitops.git", path: "envs/sandbox", revision: "v1.2.3" },
    });
    const values = JSON.parse(resources(synth(stack), "helm_release").find((r) => r.name === "argocd")!.values[0]);
    expect(values).toMatchObject({ "redis-ha": { enabled: false }, redis: { enabled: true }, server: { replicas: 1 } });
  });

  it("keeps Argo CD's admin login off and has no UI login without SSO", () => {
    const stack = k8sStack();
    const g = new GitOps(stack, "g", { chart: platformCharts.argoCd, appsChart: platformCharts.argocdApps, appNamespace: "app", source: { repoUrl: "https://github.com/o/r.git", path: "p", revision: "main" } });
    const cm = JSON.parse(resource(synth(stack), "helm_release", "argo-cd").values[0]).configs.cm;
    expect(g.projectName).toBe("openedx");
    expect(cm["admin.enabled"]).toBe(false);
    expect(cm["oidc.config"]).toBeUndefined();
  });
});
