import { Certificates, CertificatesProps } from "../../modules/certificates";
import { platformCharts } from "../../environments/shared";
import { resources, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("Certificates", () => {
  it("Certificates needs an e-mail and sane replicas", () => {
    const make = (acmeEmail: string, replicas?: number) => () => new Certificates(k8sStack(), "certs", {
      chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail, gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" }, replicas,
    });
    expect(make("not-an-email")).toThrow('Certificates certs: acmeEmail = "not-an-email" is invalid; must be an e-mail address');
    expect(make("a@b.org", 0)).toThrow("replicas = 0 is invalid");
    const stack = k8sStack();
    new Certificates(stack, "certs", { chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail: "a@b.org", gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" }, replicas: 1 });
    const values = JSON.parse(resources(synth(stack), "helm_release").find((r) => r.name === "cert-manager")!.values[0]);
    expect(values.podDisruptionBudget).toEqual({ enabled: false });
  });
});

describe("Certificates: DNS-01 and the default certificate", () => {
  const base: CertificatesProps = { chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail: "a@b.org",
    gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" } };
  const cert = { namespace: "nginx-gateway", secretName: "origin-tls", dnsNames: ["ingress.learn.example.org", "lms.learn.example.org"] };

  it("keeps HTTP-01 only and no certificate by default", () => {
    const s = k8sStack();
    const c = new Certificates(s, "certs", base);
    expect(c.defaultCertificate).toBeUndefined();
    const issuers = JSON.parse(resources(synth(s), "helm_release").find((r) => r.name === "cluster-issuers")!.values[0]).resources;
    // cert-manager's gatewayHTTPRoute solver: challenge routes attach to the Gateway's HTTP listener.
    expect(issuers[0].spec.acme.solvers).toEqual([{ http01: { gatewayHTTPRoute: { parentRefs: [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", namespace: "nginx-gateway", sectionName: "http" },
    ] } } }]);
    const values = JSON.parse(resources(synth(s), "helm_release").find((r) => r.name === "cert-manager")!.values[0]);
    expect(values.config).toEqual({ apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true });
  });

  it.each<[string, Partial<CertificatesProps>, string]>([
    ["a bad DNS-01 zone", { dns01: { provider: "route53", zone: "Learn", hostedZoneId: "Z1", region: "us-east-1" } }, 'Certificates c: dns01.zone = "Learn" is invalid'],
    ["a missing hosted zone id", { dns01: { provider: "route53", zone: "learn.example.org", hostedZoneId: "", region: "us-east-1" } }, 'dns01.hostedZoneId = "" is invalid'],
    ["a bad token Secret", { dns01: { provider: "cloudflare", zone: "learn.example.org", apiTokenSecret: { name: "CF Token", key: "t" } } },
      'dns01.apiTokenSecret = {"name":"CF Token","key":"t"} is invalid; must name an existing Secret'],
    ["a bad Gateway namespace", { gateway: { name: "platform", namespace: "Nginx Gateway", sectionName: "http" } },
      'Certificates c: gateway.namespace = "Nginx Gateway" is invalid; must be a DNS label'],
    ["a bad secret name", { defaultCertificate: { ...cert, secretName: "Origin_TLS" } }, 'defaultCertificate.secretName = "Origin_TLS" is invalid'],
    ["no names", { defaultCertificate: { ...cert, dnsNames: [] } }, "defaultCertificate.dnsNames = [] is invalid; must list at least 1"],
    ["too many names", { defaultCertificate: { ...cert, dnsNames: Array.from({ length: 101 }, (_, i) => `h${i}.learn.example.org`) } },
      "defaultCertificate.dnsNames = 101 is invalid; must list at most 100 names"],
    ["a bad name", { defaultCertificate: { ...cert, dnsNames: ["*.learn.example.org"] } }, 'defaultCertificate.dnsNames[0] = "*.learn.example.org" is invalid'],
  ])("rejects %s", (_, over, message) => {
    expect(() => new Certificates(k8sStack(), "c", { ...base, ...over })).toThrow(message);
  });
});
