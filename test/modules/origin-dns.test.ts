import { TerraformStack, Testing } from "cdktf";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { OriginDns, OriginDnsProps } from "../../modules/origin-dns";
import { resource, synth } from "../helpers";

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "k8s");
  new AwsProvider(s, "aws", { region: "us-east-1" });
  new CloudflareProvider(s, "cloudflare", {});
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
