import { Ingress } from "../../modules/ingress";
import { platformCharts } from "../../environments/shared";
import { resources, synth } from "../helpers";
import { chart, k8sStack } from "./k8s-stack";

describe("Ingress", () => {
  it("Ingress keeps a PDB that allows drains and protects HA", () => {
    const make = (replicas: number, minAvailable: number) => () => new Ingress(k8sStack(), "ingress", { chart: platformCharts.nginxGatewayFabric, rawChart: platformCharts.raw, appNamespace: "openedx", replicas, minAvailable });
    expect(make(2, 2)).toThrow("Ingress ingress: minAvailable = 2 is invalid; must be below replicas (2)");
    expect(make(3, 0)).toThrow("minAvailable = 0 is invalid; must be at least 1 when replicas >= 2");
    expect(make(0, 0)).toThrow("replicas = 0 is invalid; must be an integer from 1 to 50");
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { chart: "Bad Name" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('charts.nginxGatewayFabric.chart = "Bad Name" is invalid; must be a chart name');
    // The Gateway API CRDs move with the controller: an unknown minor fails until they are updated.
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { version: "2.7.0" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('Ingress i: charts.nginxGatewayFabric.version = "2.7.0" is invalid; must be a release whose Gateway API version is the vendored v1.5.1 (known: 2.6.x -> v1.5.1)');
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { version: "2.6.9" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 })).not.toThrow();
    expect(() => new Ingress(k8sStack(), "i", { chart: chart(platformCharts.nginxGatewayFabric, { repository: "ghcr.io/nginx/charts" }), rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 }))
      .toThrow('charts.nginxGatewayFabric.repository = "ghcr.io/nginx/charts" is invalid; must be an https:// chart repository URL or an oci:// registry path');
  });
});

describe("Ingress (Gateway) certificate", () => {
  const base = { chart: platformCharts.nginxGatewayFabric, rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 };
  const gatewayDocs = (json: ReturnType<typeof synth>) =>
    JSON.parse(resources(json, "helm_release").find((r) => r.name === "platform-gateway")!.values[0]).resources as Array<Record<string, any>>;

  it("terminates TLS with the named Secret and redirects HTTP", () => {
    const s = k8sStack();
    new Ingress(s, "ingress", { ...base, defaultCertificateSecret: "origin-tls" });
    const json = synth(s);
    // The origin's NLB name is the AWS stack's now: nothing reads the data plane's Service.
    expect(json.data?.kubernetes_service_v1).toBeUndefined();
    const [gateway] = gatewayDocs(json).filter((d) => d.kind === "Gateway");
    expect(gateway!.spec.listeners[1].tls).toEqual({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "origin-tls" }] });
    expect(gatewayDocs(json).map((d) => d.kind)).toContain("HTTPRoute");
  });

  it("without a certificate has only the HTTP listener and no redirect", () => {
    const s = k8sStack();
    new Ingress(s, "ingress", base);
    const docs = gatewayDocs(synth(s));
    expect(docs.find((d) => d.kind === "Gateway")!.spec.listeners.map((l: { name: string }) => l.name)).toEqual(["http"]);
    expect(docs.map((d) => d.kind)).not.toContain("HTTPRoute");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a Secret reference that is not a name", { defaultCertificateSecret: "nginx-gateway/origin-tls" },
      'Ingress i: defaultCertificateSecret = "nginx-gateway/origin-tls" is invalid; must be the name of a Secret in the Gateway\'s namespace'],
    ["an HSTS max-age over two years", { hstsMaxAge: 63072001 }, "Ingress i: hstsMaxAge = 63072001 is invalid; must be an integer from 0 to 63072000"],
    ["a bad app namespace", { appNamespace: "Open edX" }, 'Ingress i: appNamespace = "Open edX" is invalid; must be a namespace name'],
    ["a VPC CIDR that is not one", { aws: { clusterName: "c", region: "us-east-1", vpcId: "vpc-1", vpcCidr: "10.0.0.0/33", loadBalancerControllerChart: platformCharts.awsLoadBalancerController, targetGroupArns: {} } },
      'Ingress i: aws.vpcCidr = "10.0.0.0/33" is invalid'],
  ])("rejects %s", (_, over, message) => {
    expect(() => new Ingress(k8sStack(), "i", { ...base, ...over })).toThrow(message);
  });
});
