import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { OriginDns, OriginDnsProps } from "../../modules/origin-dns";
import { Certificates, CertificatesProps } from "../../modules/certificates";
import { Ingress } from "../../modules/ingress";
import { PlatformPrereqs } from "../../modules/platform-prereqs";
import { S3Buckets } from "../../modules/s3-buckets";
import { platformCharts } from "../../environments/shared";
import { resource, resources, synth, testStack } from "../helpers";

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "k8s");
  new AwsProvider(s, "aws", { region: "us-east-1" });
  new CloudflareProvider(s, "cloudflare", {});
  new KubernetesProvider(s, "k8s", { configPath: "~/.kube/config" });
  new HelmProvider(s, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  return s;
}

describe("OriginDns", () => {
  const base: OriginDnsProps = {
    hostname: "ingress.learn.example.org", domain: "learn.example.org", zone: { provider: "route53", zoneId: "Z0123456789ABCDEFGHIJ" },
    target: "k8s-ingress-abc.elb.us-east-1.amazonaws.com", reservedHostnames: ["lms.learn.example.org"],
  };

  it("writes a Route53 CNAME or a DNS-only Cloudflare CNAME, never overwriting", () => {
    const s = stack();
    new OriginDns(s, "r53", base);
    new OriginDns(s, "cf", { ...base, zone: { provider: "cloudflare", zoneId: "5f1e2d3c4b5a69788796a5b4c3d2e1f0" }, ttl: 300 });
    const json = synth(s);
    expect(resource(json, "aws_route53_record")).toMatchObject({
      zone_id: "Z0123456789ABCDEFGHIJ", name: "ingress.learn.example.org", type: "CNAME", ttl: 60,
      records: ["k8s-ingress-abc.elb.us-east-1.amazonaws.com"], allow_overwrite: false,
    });
    expect(resource(json, "cloudflare_dns_record")).toMatchObject({
      zone_id: "5f1e2d3c4b5a69788796a5b4c3d2e1f0", type: "CNAME", content: "k8s-ingress-abc.elb.us-east-1.amazonaws.com", proxied: false, ttl: 300,
    });
  });

  it.each<[string, Partial<OriginDnsProps>, string]>([
    ["a name outside the zone", { hostname: "ingress.example.com" }, 'OriginDns o: hostname = "ingress.example.com" is invalid; must be a name inside the zone learn.example.org'],
    ["the zone apex", { hostname: "learn.example.org" }, "(not its apex: a CNAME cannot sit at the apex)"],
    ["a platform hostname", { hostname: "lms.learn.example.org" }, 'hostname = "lms.learn.example.org" is invalid; must differ from the hostnames CloudFront serves'],
    ["an upper-case name", { hostname: "Ingress.learn.example.org" }, "must be a lower-case DNS name"],
    ["a bad domain", { domain: "localhost" }, 'domain = "localhost" is invalid'],
    ["an empty zone id", { zone: { provider: "route53", zoneId: "" } }, 'zone.zoneId = "" is invalid'],
    ["a provider spelled differently", { zone: { provider: "CloudFlare" as never, zoneId: "z" } }, 'OriginDns o: zone.provider = "CloudFlare" is invalid; must be one of "route53", "cloudflare"'],
    ["a too-short TTL", { ttl: 5 }, "ttl = 5 is invalid; must be an integer from 30 to 86400"],
  ])("rejects %s", (_, over, message) => {
    expect(() => new OriginDns(stack(), "o", { ...base, ...over })).toThrow(message);
  });
});

describe("Certificates: DNS-01 and the default certificate", () => {
  const base: CertificatesProps = { chart: platformCharts.certManager, rawChart: platformCharts.raw, acmeEmail: "a@b.org",
    gateway: { name: "platform", namespace: "nginx-gateway", sectionName: "http" } };
  const cert = { namespace: "nginx-gateway", secretName: "origin-tls", dnsNames: ["ingress.learn.example.org", "lms.learn.example.org"] };

  it("keeps HTTP-01 only and no certificate by default", () => {
    const s = stack();
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
    expect(() => new Certificates(stack(), "c", { ...base, ...over })).toThrow(message);
  });
});

describe("Ingress (Gateway) certificate", () => {
  const base = { chart: platformCharts.nginxGatewayFabric, rawChart: platformCharts.raw, appNamespace: "openedx", replicas: 1, minAvailable: 0 };
  const gatewayDocs = (json: ReturnType<typeof synth>) =>
    JSON.parse(resources(json, "helm_release").find((r) => r.name === "platform-gateway")!.values[0]).resources as Array<Record<string, any>>;

  it("terminates TLS with the named Secret and redirects HTTP", () => {
    const s = stack();
    new Ingress(s, "ingress", { ...base, defaultCertificateSecret: "origin-tls" });
    const json = synth(s);
    // The origin's NLB name is the AWS stack's now: nothing reads the data plane's Service.
    expect(json.data?.kubernetes_service_v1).toBeUndefined();
    const [gateway] = gatewayDocs(json).filter((d) => d.kind === "Gateway");
    expect(gateway!.spec.listeners[1].tls).toEqual({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "origin-tls" }] });
    expect(gatewayDocs(json).map((d) => d.kind)).toContain("HTTPRoute");
  });

  it("without a certificate has only the HTTP listener and no redirect", () => {
    const s = stack();
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
    expect(() => new Ingress(stack(), "i", { ...base, ...over })).toThrow(message);
  });
});

describe("PlatformPrereqs.allowDns01", () => {
  it("makes one role per cluster", () => {
    const { stack: s, naming } = testStack("staging");
    const storage = new S3Buckets(s, "storage", { naming, buckets: { media: {} } });
    const prereqs = new PlatformPrereqs(s, "p", { naming, clusterName: "c", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket,
      alarmTopic: { topicArn: "arn:aws:sns:us-east-1:111122223333:t", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k" } });
    expect(prereqs.dns01RoleArn).toBeUndefined();
    const arn = prereqs.allowDns01("Z0123456789ABCDEFGHIJ");
    expect(prereqs.dns01RoleArn).toBe(arn);
    expect(() => prereqs.allowDns01("Z0123456789ABCDEFGHIJ")).toThrow('PlatformPrereqs p: allowDns01 = "Z0123456789ABCDEFGHIJ" is invalid; may be called once');
    expect(resource(synth(s), "aws_iam_role", "cert-manager-dns01").name).toBe("openedx-staging-cert-manager-dns01");
  });
});
