import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudFront, CloudFrontProps } from "../../modules/cloudfront";
import { Dns } from "../../modules/dns";
import { suppressionsOf } from "../../modules/core/suppress";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { S3Buckets } from "../../modules/s3-buckets";
import { policy, resource, resources, synth, testStack } from "../helpers";

const DOMAIN = "learn.example.org";
const HOSTS = ["lms", "studio", "apps.lms"].map((h) => `${h}.${DOMAIN}`);

function build(overrides: Partial<CloudFrontProps> = {}, region = "us-east-1") {
  const { stack, naming } = testStack("production");
  const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region });
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { static: {} } });
  const dns = new Dns(stack, "dns", { domain: DOMAIN, zone: { provider: "route53" } });
  const cdn = new CloudFront(stack, "cdn", {
    naming, provider, hostnames: HOSTS, dns, webAclArn: "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc",
    origin: { hostname: `ingress.${DOMAIN}` },
    staticAssets: { bucket: storage.buckets.static!, kmsKey: storage.kmsKey },
    logsBucket: storage.logsBucket,
    ...overrides,
  });
  return { cdn, json: synth(stack) };
}

const warnings = (cdn: CloudFront) => cdn.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));

describe("cloudfront", () => {
  const { cdn, json } = build();
  const dist = resource(json, "aws_cloudfront_distribution");
  // Every non-default option in one synth: cheaper than one stack per option.
  const variant = build({
    priceClass: "PriceClass_100", minimumProtocolVersion: "TLSv1.3_2025", originProtocol: "http-only", staticAssets: undefined,
    origin: { loadBalancerTags: { "kubernetes.io/service-name": "ingress-nginx/ingress-nginx-controller" } },
  });
  const variantDist = resource(variant.json, "aws_cloudfront_distribution");
  const variantOrigin = variantDist.origin.find((o: any) => o.origin_id === "ingress");

  it("serves the platform hostnames over IPv6 with WAF attached and the configured price class", () => {
    expect(dist.provider).toBeUndefined(); // global resource: the default provider
    expect(dist).toMatchObject({
      enabled: true, aliases: HOSTS, is_ipv6_enabled: true, http_version: "http2and3", price_class: "PriceClass_All",
      web_acl_id: "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc",
    });
    expect(variantDist.price_class).toBe("PriceClass_100");
  });

  it("redirects viewers to HTTPS with the validated certificate, SNI and TLS 1.2_2021 or newer", () => {
    expect(dist.viewer_certificate).toEqual({
      acm_certificate_arn: expect.stringContaining("aws_acm_certificate_validation.cdn_certificate-validation"),
      ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021",
    });
    expect(dist.default_cache_behavior.viewer_protocol_policy).toBe("redirect-to-https");
    expect(dist.ordered_cache_behavior.every((b: any) => b.viewer_protocol_policy === "redirect-to-https")).toBe(true);
    expect(variantDist.viewer_certificate.minimum_protocol_version).toBe("TLSv1.3_2025");
  });

  it("requests a DNS-validated us-east-1 certificate for all three hostnames and waits for validation", () => {
    const cert = resource(json, "aws_acm_certificate");
    expect(cert).toMatchObject({ domain_name: HOSTS[0], subject_alternative_names: HOSTS.slice(1), validation_method: "DNS", provider: "aws.us-east-1" });
    expect(cert.lifecycle).toEqual({ create_before_destroy: true });
    const validation = resource(json, "aws_acm_certificate_validation");
    expect(validation.provider).toBe("aws.us-east-1");
    expect(validation.validation_record_fqdns).toContain("aws_route53_record.dns_certificate-validation");
    expect(validation.depends_on).toEqual([expect.stringContaining("aws_route53_record.dns_certificate-validation")]);
  });

  it("forwards to the ingress over HTTPS only with TLS 1.2, and warns about nothing", () => {
    const origin = dist.origin.find((o: any) => o.origin_id === "ingress");
    expect(origin.domain_name).toBe(`ingress.${DOMAIN}`);
    expect(origin.custom_origin_config).toMatchObject({ origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"], https_port: 443, origin_read_timeout: 60 });
    expect(cdn.originProtocol).toBe("https-only");
    expect(warnings(cdn)).toEqual([]);
  });

  it("allows http-only to the origin only when asked, with a synth-time warning", () => {
    expect(variantOrigin.custom_origin_config.origin_protocol_policy).toBe("http-only");
    expect(warnings(variant.cdn)).toEqual([expect.stringMatching(/originProtocol is "http-only".*unencrypted between CloudFront and the load balancer/)]);
  });

  it("looks the ingress load balancer up by tags when no hostname is given", () => {
    const lb = Object.values(variant.json.data!.aws_lb!)[0];
    expect(lb.tags).toEqual({ "kubernetes.io/service-name": "ingress-nginx/ingress-nginx-controller" });
    expect(variantOrigin.domain_name).toMatch(/data\.aws_lb\.cdn_origin-lb\w*\.dns_name/);
  });

  it("never caches dynamic pages across users: TTL 0 by default, keyed on Host, Authorization, cookies and query", () => {
    const dynamic = resources(json, "aws_cloudfront_cache_policy").find((p) => p._id.includes("dynamic-cache"))!;
    expect(dynamic).toMatchObject({ min_ttl: 0, default_ttl: 0, max_ttl: 1 });
    const key = dynamic.parameters_in_cache_key_and_forwarded_to_origin;
    expect(key.headers_config).toEqual({ header_behavior: "whitelist", headers: { items: ["Authorization", "Host"] } });
    expect(key.cookies_config).toEqual({ cookie_behavior: "all" });
    expect(key.query_strings_config).toEqual({ query_string_behavior: "all" });
    expect(dist.default_cache_behavior.cache_policy_id).toContain("cdn_dynamic-cache");
    expect(dist.default_cache_behavior.allowed_methods).toEqual(expect.arrayContaining(["POST", "PUT", "PATCH", "DELETE"]));
  });

  it("forwards every viewer header, cookie and query string to Open edX", () => {
    const orp = resource(json, "aws_cloudfront_origin_request_policy");
    expect(orp.headers_config.header_behavior).toBe("allViewerAndWhitelistCloudFront");
    expect(orp.cookies_config).toEqual({ cookie_behavior: "all" });
    expect(orp.query_strings_config).toEqual({ query_string_behavior: "all" });
    expect(dist.default_cache_behavior.origin_request_policy_id).toContain("cdn_dynamic-origin-request");
  });

  it("serves /static/* from the S3 bucket through Origin Access Control, cached", () => {
    const oac = resource(json, "aws_cloudfront_origin_access_control");
    expect(oac).toMatchObject({ origin_access_control_origin_type: "s3", signing_behavior: "always", signing_protocol: "sigv4" });
    const s3 = dist.origin.find((o: any) => o.origin_id === "static-assets");
    expect(s3.domain_name).toContain("aws_s3_bucket.storage_static_bucket");
    expect(s3.origin_access_control_id).toContain("aws_cloudfront_origin_access_control.cdn_static-oac");
    expect(s3.s3_origin_config).toBeUndefined();
    const [behaviour] = dist.ordered_cache_behavior;
    expect(behaviour).toMatchObject({ path_pattern: "/static/*", target_origin_id: "static-assets", allowed_methods: ["GET", "HEAD", "OPTIONS"], compress: true });
    const cache = resources(json, "aws_cloudfront_cache_policy").find((p) => p._id.includes("static-cache"))!;
    expect(cache).toMatchObject({ default_ttl: 86400, max_ttl: 31536000 });
    expect(cache.parameters_in_cache_key_and_forwarded_to_origin.cookies_config).toEqual({ cookie_behavior: "none" });
  });

  it("lets only this distribution read the static bucket and decrypt its objects", () => {
    const bucketPolicy = policy(resource(json, "aws_s3_bucket_policy", "storage/static/").policy);
    const read = bucketPolicy.Statement.find((s) => s.Sid === "CloudFrontOacRead");
    expect(read).toMatchObject({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
    expect(read.Resource).toMatch(/aws_s3_bucket\.storage_static_bucket\w*\.arn}\/\*$/);
    expect(read.Condition.StringEquals["AWS:SourceArn"]).toContain("aws_cloudfront_distribution.cdn_distribution");
    const key = policy(resource(json, "aws_kms_key", "storage/key").policy).Statement.find((s) => s.Sid === "CloudFrontOacDecrypt");
    expect(key.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
    expect(key.Condition.StringEquals["AWS:SourceArn"]).toContain("aws_cloudfront_distribution.cdn_distribution");
  });

  it("adds HSTS and nosniff on every response and leaves framing to Open edX", () => {
    const headers = resource(json, "aws_cloudfront_response_headers_policy").security_headers_config;
    expect(headers.strict_transport_security).toEqual({ access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true });
    expect(headers.content_type_options).toEqual({ override: true });
    expect(headers.frame_options).toBeUndefined();
    expect(dist.default_cache_behavior.response_headers_policy_id).toContain("cdn_security-headers");
    expect(dist.ordered_cache_behavior[0].response_headers_policy_id).toContain("cdn_security-headers");
  });

  it("delivers access logs (standard logging v2) to the logs bucket, which accepts them from this account only", () => {
    expect(resource(json, "aws_cloudwatch_log_delivery_source")).toMatchObject({ log_type: "ACCESS_LOGS", provider: "aws.us-east-1" });
    expect(resource(json, "aws_cloudwatch_log_delivery_source").resource_arn).toContain("aws_cloudfront_distribution.cdn_distribution");
    const destination = resource(json, "aws_cloudwatch_log_delivery_destination");
    expect(destination.delivery_destination_configuration[0].destination_resource_arn).toMatch(/aws_s3_bucket\.storage_logs_bucket\w*\.arn}\/cloudfront$/);
    const delivery = resource(json, "aws_cloudwatch_log_delivery");
    expect(delivery.delivery_destination_arn).toContain("aws_cloudwatch_log_delivery_destination.");
    const grant = policy(resource(json, "aws_s3_bucket_policy", "storage/logs/").policy).Statement.find((s) => s.Sid === "CloudFrontAccessLogDelivery");
    expect(grant).toMatchObject({ Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject" });
    expect(grant.Condition.ArnLike["aws:SourceArn"]).toMatch(/^arn:\$\{data\.aws_partition.*:logs:us-east-1:.*:delivery-source:\*$/);
    expect(dist.logging_config).toBeUndefined();
  });

  it("records each accepted scanner finding on the distribution with a reason", () => {
    const distribution = cdn.node.findChild("distribution") as CloudfrontDistribution;
    expect(suppressionsOf(distribution).map((s) => s.id).sort()).toEqual(
      ["AWS-0010", "AWS-0013", "CKV2_AWS_47", "CKV_AWS_305", "CKV_AWS_310", "CKV_AWS_374", "CKV_AWS_86"]);
  });

  it("serves everything from the origin when there is no static bucket", () => {
    expect(variantDist.origin).toHaveLength(1);
    expect(variantDist.ordered_cache_behavior).toBeUndefined();
    expect(resources(variant.json, "aws_cloudfront_origin_access_control")).toHaveLength(0);
  });

  describe("validation", () => {
    it.each<[string, Partial<CloudFrontProps>, RegExp]>([
      ["no hostnames", { hostnames: [] }, /CloudFront cdn: hostnames = \[\] is invalid; must list at least 1 value/],
      ["more names than a certificate holds", { hostnames: Array.from({ length: 11 }, (_, i) => `h${i}.${DOMAIN}`) }, /must list at most 10 names/],
      ["a malformed hostname", { hostnames: ["LMS.learn.example.org"] }, /hostnames\[0\] = "LMS.learn.example.org" is invalid; must be a lower-case DNS name/],
      ["a hostname outside the validating zone", { hostnames: ["lms.example.com"] }, /hostnames\[0\] = "lms.example.com" is invalid; must be inside the DNS zone learn.example.org/],
      ["an unknown origin protocol", { originProtocol: "match-viewer" as never }, /originProtocol = "match-viewer" is invalid; must be one of "https-only", "http-only"/],
      ["an unknown price class", { priceClass: "PriceClass_50" as never }, /priceClass = "PriceClass_50" is invalid; must be one of "PriceClass_All"/],
      ["a viewer TLS policy below 1.2_2021", { minimumProtocolVersion: "TLSv1.2_2019" as never }, /minimumProtocolVersion = "TLSv1.2_2019" is invalid; must be one of "TLSv1.2_2021"/],
      ["a short HSTS max-age", { hstsMaxAgeSeconds: 3600 }, /hstsMaxAgeSeconds = 3600 is invalid; must be an integer from 31536000 to 63072000/],
      ["an origin read timeout over 180 s", { originReadTimeoutSeconds: 600 }, /originReadTimeoutSeconds = 600 is invalid; must be an integer from 1 to 180/],
      ["a malformed origin hostname", { origin: { hostname: "https://ingress" } }, /origin.hostname = "https:\/\/ingress" is invalid/],
      ["an empty load balancer lookup", { origin: { loadBalancerTags: {} } }, /origin.loadBalancerTags = \{\} is invalid; must name at least one tag/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    it("rejects a static path pattern that would shadow the dynamic default", () => {
      const { stack, naming } = testStack();
      const storage = new S3Buckets(stack, "storage", { naming, buckets: { static: {} } });
      expect(() => build({ staticAssets: { bucket: storage.buckets.static!, kmsKey: storage.kmsKey, pathPatterns: ["/*"] } }))
        .toThrow(/staticAssets.pathPatterns\[0\] = "\/\*" is invalid; must be a CloudFront path pattern starting with \//);
    });

    it("rejects a certificate provider outside us-east-1", () => {
      expect(() => build({}, "eu-central-1")).toThrow(/CloudFront cdn: provider.region = "eu-central-1" is invalid; must be us-east-1: ACM certificates for CloudFront exist only there/);
    });
  });
});
