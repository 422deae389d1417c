import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { Dns, DnsProps, DnsTarget } from "../../modules/dns";
import { ipv6Reach, isIpv6 } from "../../modules/core/dns";
import { resource, resources, synth, testStack, TfJson } from "../helpers";

const DOMAIN = "learn.example.org";
const HOSTS = ["lms", "studio", "apps.lms"].map((h) => `${h}.${DOMAIN}`);
const CF: DnsTarget = { kind: "cloudfront", domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" };
const NODES: DnsTarget = { kind: "nodes", ipv6: ["2001:db8::10", "2001:db8::11", "2001:db8::12"] };
const CLOUDFLARE_ZONE = "0123456789abcdef0123456789abcdef";

interface Build {
  readonly zone?: DnsProps["zone"];
  readonly target?: DnsTarget;
  readonly hostnames?: readonly string[];
  readonly props?: Partial<DnsProps>;
  readonly certificate?: boolean;
}

function build(b: Build = {}): TfJson {
  const { stack } = testStack();
  new CloudflareProvider(stack, "cloudflare", {});
  const dns = new Dns(stack, "dns", { domain: DOMAIN, zone: b.zone ?? { provider: "route53" }, ...b.props });
  if (b.certificate) {
    const usEast1 = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region: "us-east-1" });
    const cert = new AcmCertificate(stack, "cert", { provider: usEast1, domainName: HOSTS[0]!, subjectAlternativeNames: HOSTS.slice(1), validationMethod: "DNS" });
    dns.addCertificateValidation(cert);
  }
  dns.pointHostnames(b.hostnames ?? HOSTS, b.target ?? CF);
  return synth(stack);
}

describe("dns", () => {
  describe("route53", () => {
    const json = build({ certificate: true });
    const records = resources(json, "aws_route53_record");

    it("creates the hosted zone and alias A and AAAA records to CloudFront for every hostname", () => {
      expect(resource(json, "aws_route53_zone").name).toBe(DOMAIN);
      for (const host of HOSTS) {
        const forHost = records.filter((r) => r.name === host);
        expect(forHost.map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
        for (const r of forHost) {
          expect(r.alias).toEqual({ name: CF.domainName, zone_id: CF.hostedZoneId, evaluate_target_health: false });
          expect(r.zone_id).toContain("aws_route53_zone.");
        }
      }
    });

    it("publishes one validation record per certificate domain, keyed by domain name", () => {
      const v = resource(json, "aws_route53_record", "certificate-validation");
      expect(v.for_each).toMatch(/aws_acm_certificate\.cert\w*\.domain_validation_options\).*val\.domain_name => val/);
      expect(v).toMatchObject({ name: "${each.value.resource_record_name}", records: ["${each.value.resource_record_value}"], allow_overwrite: true });
    });

    it("uses an existing hosted zone by id without creating one", () => {
      const existing = build({ zone: { provider: "route53", existingZoneId: "Z0123456789ABCDEFGHIJ" } });
      expect(resources(existing, "aws_route53_zone")).toHaveLength(0);
      expect(resources(existing, "aws_route53_record").every((r) => r.zone_id === "Z0123456789ABCDEFGHIJ")).toBe(true);
    });

    it("never splits a hostname by weight: seed 002's migration is weighted behind CloudFront (modules/load-balancer), not in DNS", () => {
      const all = resources(build(), "aws_route53_record");
      expect(all.some((r) => r.set_identifier !== undefined || r.weighted_routing_policy !== undefined)).toBe(false);
    });

    it("validates a second certificate with its own records", () => {
      const { stack } = testStack();
      const dns = new Dns(stack, "dns", { domain: DOMAIN, zone: { provider: "route53" } });
      dns.addCertificateValidation(new AcmCertificate(stack, "a", { domainName: HOSTS[0]!, validationMethod: "DNS" }));
      dns.addCertificateValidation(new AcmCertificate(stack, "b", { domainName: `migration.${DOMAIN}`, validationMethod: "DNS" }));
      expect(resources(synth(stack), "aws_route53_record").map((r) => r._id.split("/")[1]).sort()).toEqual(["certificate-validation", "certificate-validation-2"]);
    });

    it("round-robins self-hosted nodes: one AAAA set per hostname holding every node (seed 003)", () => {
      const rr = resources(build({ target: NODES }), "aws_route53_record");
      expect(rr).toHaveLength(3);
      for (const r of rr) expect(r).toMatchObject({ type: "AAAA", records: NODES.kind === "nodes" ? [...NODES.ipv6] : [], ttl: 60 });
    });
  });

  describe("cloudflare", () => {
    const json = build({ zone: { provider: "cloudflare", zoneId: CLOUDFLARE_ZONE }, certificate: true });
    const records = resources(json, "cloudflare_dns_record");

    it("creates DNS-only CNAMEs to CloudFront in the given zone and no Route53 zone", () => {
      expect(resources(json, "aws_route53_zone")).toHaveLength(0);
      for (const host of HOSTS) {
        expect(records.find((r) => r.name === host)).toMatchObject({ zone_id: CLOUDFLARE_ZONE, type: "CNAME", content: CF.domainName, proxied: false });
      }
    });

    it("publishes validation records without ACM's trailing dots", () => {
      const v = resource(json, "cloudflare_dns_record", "certificate-validation");
      expect(v.for_each).toContain("domain_validation_options");
      expect(v.name).toBe('${trimsuffix(each.value.resource_record_name, ".")}');
      expect(v.content).toBe('${trimsuffix(each.value.resource_record_value, ".")}');
      expect(v.proxied).toBe(false);
    });

    it("creates one AAAA record per node for each hostname (seed 003)", () => {
      const rr = resources(build({ zone: { provider: "cloudflare", zoneId: CLOUDFLARE_ZONE }, target: NODES }), "cloudflare_dns_record");
      expect(rr).toHaveLength(9);
      expect(rr.filter((r) => r.name === HOSTS[2]).map((r) => r.content)).toEqual(["2001:db8::10", "2001:db8::11", "2001:db8::12"]);
      expect(rr.every((r) => r.type === "AAAA" && r.proxied === false)).toBe(true);
    });
  });

  it("recognises IPv6 addresses", () => {
    for (const ok of ["2001:db8::10", "::1", "::", "fe80::1:2:3:4", "2001:0db8:0000:0000:0000:ff00:0042:8329"]) expect(isIpv6(ok)).toBe(true);
    for (const bad of ["10.0.0.1", "2001:db8::1::2", "2001:db8:0:0:0:0:0:0:1", "12345::1", "2001:db8::g", "", "1:2:3:4:5:6:7"]) expect(isIpv6(bad)).toBe(false);
  });

  describe("validation", () => {
    it.each<[string, Build, RegExp]>([
      ["a bad domain", { props: { domain: "Learn.Example" } }, /Dns dns: domain = "Learn.Example" is invalid; must be a lower-case DNS name/],
      // A bundled synth does not type-check: any other spelling would fall through to the Route53 branch.
      ["a provider spelled differently", { zone: { provider: "Route53" } as never }, /Dns dns: zone.provider = "Route53" is invalid; must be one of "route53", "cloudflare"/],
      ["a Cloudflare zone without a zone id", { zone: { provider: "cloudflare" } as never },
        /zone.zoneId \(missing\) is invalid; a Cloudflare zone needs its 32-character hexadecimal zone id/],
      ["a malformed Cloudflare zone id", { zone: { provider: "cloudflare", zoneId: "my-zone" } }, /zone.zoneId = "my-zone" is invalid/],
      ["a malformed Route53 zone id", { zone: { provider: "route53", existingZoneId: "abc" } }, /zone.existingZoneId = "abc" is invalid; must be a Route53 hosted zone id/],
      ["a ttl out of range", { props: { ttl: 5 } }, /ttl = 5 is invalid; must be an integer from 30 to 86400/],
      ["a hostname outside the zone", { hostnames: ["lms.other.org"] }, /hostnames\[0\] = "lms.other.org" is invalid; must be a name inside the zone learn.example.org/],
      ["the zone apex as a hostname", { hostnames: [DOMAIN] }, /hostnames\[0\] = "learn.example.org" is invalid; must be a name inside the zone/],
      ["a malformed hostname", { hostnames: ["lms_.learn.example.org"] }, /hostnames\[0\] = "lms_.learn.example.org" is invalid; must be a lower-case DNS name/],
      ["repeated hostnames", { hostnames: [HOSTS[0]!, HOSTS[0]!] }, /hostnames = .* is invalid; must not repeat values/],
      ["a bad node address", { target: { kind: "nodes", ipv6: ["2001:db8::1", "10.0.0.1"] } }, /selfHostedNodes\[1\] = "10.0.0.1" is invalid; must be an IPv6 address/],
      ["no nodes", { target: { kind: "nodes", ipv6: [] } }, /selfHostedNodes = \[\] is invalid; must list at least 1 value/],
    ])("rejects %s", (_n, b, message) => {
      expect(() => build(b)).toThrow(message);
    });
  });
});

describe("dns: health-checked node records (seed 003)", () => {
  const hc = { hostname: HOSTS[0]!, path: "/heartbeat" };
  const nodes: DnsTarget = { kind: "nodes", ipv6: ["2001:db8::10", "2001:db8::11"], healthCheck: hc };

  it("checks each node over HTTPS and answers with one multivalue AAAA per node and hostname", () => {
    const json = build({ target: nodes });
    const checks = resources(json, "aws_route53_health_check");
    expect(checks.map((c) => c.ip_address)).toEqual(["2001:db8::10", "2001:db8::11"]);
    const lms = resources(json, "aws_route53_record").filter((r) => r.name === HOSTS[0]);
    expect(lms.map((r) => [r.records, r.set_identifier, r.multivalue_answer_routing_policy])).toEqual([
      [["2001:db8::10"], "2001:db8::10", true], [["2001:db8::11"], "2001:db8::11", true]]);
  });

  it("keeps one plain record set per hostname on Cloudflare (no health checks there)", () => {
    const json = build({ target: nodes, zone: { provider: "cloudflare", zoneId: CLOUDFLARE_ZONE } });
    expect(resources(json, "aws_route53_health_check")).toEqual([]);
    expect(resources(json, "cloudflare_dns_record").filter((r) => r.name === HOSTS[0])).toHaveLength(2);
  });

  it.each([["heartbeat"], ["/a b"]])("rejects the health-check path %s", (path) => {
    expect(() => build({ target: { ...nodes, healthCheck: { ...hc, path } } })).toThrow(
      `Dns dns: healthCheck.path = "${path}" is invalid; must be an absolute URL path such as /heartbeat`);
  });

  it.each<[string, ReturnType<typeof ipv6Reach>]>([
    ["2a01:4f8::1", "global"], ["2001:db8::1", "documentation"], ["4a1:e4b4::1", "mycelium"],
    ["fd00::1", "non-global"], ["fe80::1", "non-global"], ["::1", "non-global"], ["ff02::1", "non-global"],
  ])("classifies %s as %s", (ip, reach) => {
    expect(ipv6Reach(ip)).toBe(reach);
  });
});
