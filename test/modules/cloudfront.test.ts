import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudFront, CloudFrontProps } from "../../modules/cloudfront";
import { Dns } from "../../modules/dns";
import { suppressionsOf } from "../../modules/core/suppress";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { S3Buckets } from "../../modules/s3-buckets";
import { Naming } from "../../modules/core/naming";
import { policy, resource, resources, synth, testStack } from "../helpers";

const DOMAIN = "learn.example.org";
const HOSTS = ["lms", "studio", "apps.lms"].map((h) => `${h}.${DOMAIN}`);
const PUBLISHER = "arn:aws:iam::111122223333:role/openedx-production-release";
const NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/openedx-production-origin/0123456789abcdef";
/** `null` for staticAssets/mediaAssets: the test stack's buckets. */
type Overrides = Partial<Omit<CloudFrontProps, "staticAssets" | "mediaAssets">> & { staticAssets?: CloudFrontProps["staticAssets"] | null; mediaAssets?: CloudFrontProps["mediaAssets"] | null };

function build(overrides: Overrides = {}, region = "us-east-1") {
  const { stack, naming } = testStack("production");
  const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region });
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { static: {}, media: {} } });
  const dns = new Dns(stack, "dns", { domain: DOMAIN, zone: { provider: "route53" } });
  const cdn = new CloudFront(stack, "cdn", {
    naming, provider, hostnames: HOSTS, dns, webAclArn: "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc",
    origin: { hostname: `ingress.${DOMAIN}` },
    logsBucket: storage.logsBucket,
    ...overrides,
    ...(overrides.staticAssets === null ? { staticAssets: { bucket: storage.buckets.static!, kmsKey: storage.kmsKey, publisherRoleArns: [PUBLISHER] } } : {}),
    ...(overrides.mediaAssets === null ? { mediaAssets: { bucket: storage.buckets.media!, kmsKey: storage.kmsKey, corsAllowedOrigins: [`https://${HOSTS[0]}`] } } : {}),
  } as CloudFrontProps);
  return { cdn, json: synth(stack) };
}

const warnings = (cdn: CloudFront) => cdn.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));

describe("cloudfront", () => {
  const { cdn, json } = build();
  const dist = resource(json, "aws_cloudfront_distribution");
  // Every non-default option in one synth: cheaper than one stack per option.
  const variant = build({
    priceClass: "PriceClass_100", minimumProtocolVersion: "TLSv1.3_2025", originProtocol: "http-only",
    origin: { loadBalancerTags: { "kubernetes.io/service-name": "ingress-nginx/ingress-nginx-controller" } },
  });
  const variantDist = resource(variant.json, "aws_cloudfront_distribution");
  const variantOrigin = variantDist.origin.find((o: any) => o.origin_id === "ingress");
  // S3 static offload with a publisher, media from its bucket with CORS, and a VPC origin.
  const offload = build({ staticAssets: null, mediaAssets: null, origin: { hostname: `ingress.${DOMAIN}`, vpcOriginLoadBalancerArn: NLB_ARN } });
  const offloadDist = resource(offload.json, "aws_cloudfront_distribution");
  const behaviour = (d: any, path: string) => (d.ordered_cache_behavior ?? []).find((b: any) => b.path_pattern === path);

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

  it("by default caches /static/* from the origin for long, keyed on Host only, and leaves /media/* to the origin", () => {
    expect(dist.origin.map((o: any) => o.origin_id)).toEqual(["ingress"]);
    expect(behaviour(dist, "/static/*")).toMatchObject({ target_origin_id: "ingress", allowed_methods: ["GET", "HEAD", "OPTIONS"], compress: true });
    expect(behaviour(dist, "/static/*").origin_request_policy_id).toBeUndefined();
    const cache = resources(json, "aws_cloudfront_cache_policy").find((p) => p._id.includes("static-cache"))!;
    expect(behaviour(dist, "/static/*").cache_policy_id).toContain("cdn_static-cache");
    expect(cache).toMatchObject({ min_ttl: 1, default_ttl: 86400, max_ttl: 31536000 });
    const key = cache.parameters_in_cache_key_and_forwarded_to_origin;
    // Host routes LMS vs Studio at the origin; no cookie or query string ever reaches it.
    expect(key.headers_config).toEqual({ header_behavior: "whitelist", headers: { items: ["Host"] } });
    expect(key.cookies_config).toEqual({ cookie_behavior: "none" });
    expect(key.query_strings_config).toEqual({ query_string_behavior: "none" });
    expect(behaviour(dist, "/media/*")).toBeUndefined();
    expect(resources(json, "aws_cloudfront_origin_access_control")).toHaveLength(0);
    expect(resources(json, "aws_s3_bucket_cors_configuration")).toHaveLength(0);
    // The variant (public origin by tag lookup, http-only) caches /static/* from the origin too.
    expect(behaviour(variantDist, "/static/*").target_origin_id).toBe("ingress");
  });

  it("offloads /static/* to the S3 bucket through OAC only with a publisher that may sync it", () => {
    const s3 = offloadDist.origin.find((o: any) => o.origin_id === "static-assets");
    expect(s3.domain_name).toContain("aws_s3_bucket.storage_static_bucket");
    expect(s3.origin_access_control_id).toContain("aws_cloudfront_origin_access_control.cdn_static-oac");
    expect(behaviour(offloadDist, "/static/*")).toMatchObject({ target_origin_id: "static-assets", allowed_methods: ["GET", "HEAD", "OPTIONS"] });
    const cache = resources(offload.json, "aws_cloudfront_cache_policy").find((p) => p._id.includes("static-cache"))!;
    expect(cache.parameters_in_cache_key_and_forwarded_to_origin.headers_config).toEqual({ header_behavior: "none" });
    const bucketPolicy = policy(resource(offload.json, "aws_s3_bucket_policy", "storage/static/").policy);
    expect(bucketPolicy.Statement.find((s) => s.Sid === "StaticPublisherWrite")).toMatchObject({
      Principal: { AWS: [PUBLISHER] }, Action: ["s3:PutObject", "s3:DeleteObject"] });
    expect(bucketPolicy.Statement.find((s) => s.Sid === "StaticPublisherWrite").Resource).toMatch(/storage_static_bucket\w*\.arn}\/static\/\*$/);
    expect(bucketPolicy.Statement.find((s) => s.Sid === "StaticPublisherList")).toMatchObject({ Principal: { AWS: [PUBLISHER] }, Action: "s3:ListBucket" });
    const key = policy(resource(offload.json, "aws_kms_key", "storage/key").policy).Statement.find((s) => s.Sid === "StaticPublisher0");
    expect(key.Principal).toEqual({ AWS: PUBLISHER });
  });

  it("serves /media/* from the media bucket through OAC when configured, with CORS for browser uploads", () => {
    const media = offloadDist.origin.find((o: any) => o.origin_id === "media-assets");
    expect(media.domain_name).toContain("aws_s3_bucket.storage_media_bucket");
    expect(media.origin_access_control_id).toContain("cdn_media-oac");
    expect(behaviour(offloadDist, "/media/*")).toMatchObject({
      target_origin_id: "media-assets", cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6", allowed_methods: ["GET", "HEAD", "OPTIONS"] });
    const read = policy(resource(offload.json, "aws_s3_bucket_policy", "storage/media/").policy).Statement.find((s) => s.Sid === "CloudFrontOacRead");
    expect(read.Condition.StringEquals["AWS:SourceArn"]).toContain("aws_cloudfront_distribution.cdn_distribution");
    const cors = resource(offload.json, "aws_s3_bucket_cors_configuration");
    expect(cors.bucket).toContain("storage_media_bucket");
    expect(cors.cors_rule).toEqual([expect.objectContaining({ allowed_origins: [`https://${HOSTS[0]}`], allowed_methods: ["GET", "HEAD", "PUT", "POST"] })]);
    // One key grant for both buckets (same key).
    const grants = policy(resource(offload.json, "aws_kms_key", "storage/key").policy).Statement.filter((s) => s.Sid === "CloudFrontOacDecrypt");
    expect(grants).toHaveLength(1);
  });

  it("reaches a private load balancer as a VPC origin (https-only, TLS 1.2), with no custom origin config", () => {
    const vpcOrigin = resource(offload.json, "aws_cloudfront_vpc_origin");
    expect(vpcOrigin.vpc_origin_endpoint_config).toEqual([expect.objectContaining({
      arn: NLB_ARN, https_port: 443, origin_protocol_policy: "https-only", origin_ssl_protocols: [{ items: ["TLSv1.2"], quantity: 1 }] })]);
    const origin = offloadDist.origin.find((o: any) => o.origin_id === "ingress");
    expect(origin.domain_name).toBe(`ingress.${DOMAIN}`);
    expect(origin.custom_origin_config).toBeUndefined();
    expect(origin.vpc_origin_config.vpc_origin_id).toContain("aws_cloudfront_vpc_origin.cdn_vpc-origin");
    expect(origin.custom_header).toBeUndefined();
    expect(resources(json, "aws_cloudfront_vpc_origin")).toHaveLength(0);
  });

  it("sends the origin-verify header to a public origin", () => {
    const { json: pub } = build({ origin: { hostname: `ingress.${DOMAIN}`, verifyHeader: { name: "x-origin-verify", value: "s3cr3t" } } });
    const origin = resource(pub, "aws_cloudfront_distribution").origin.find((o: any) => o.origin_id === "ingress");
    expect(origin.custom_header).toEqual([{ name: "x-origin-verify", value: "s3cr3t" }]);
    expect(origin.custom_origin_config.origin_protocol_policy).toBe("https-only");
  });

  it("lets only this distribution read the static bucket and decrypt its objects", () => {
    const bucketPolicy = policy(resource(offload.json, "aws_s3_bucket_policy", "storage/static/").policy);
    const read = bucketPolicy.Statement.find((s) => s.Sid === "CloudFrontOacRead");
    expect(read).toMatchObject({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
    expect(read.Resource).toMatch(/aws_s3_bucket\.storage_static_bucket\w*\.arn}\/\*$/);
    expect(read.Condition.StringEquals["AWS:SourceArn"]).toContain("aws_cloudfront_distribution.cdn_distribution");
    const key = policy(resource(offload.json, "aws_kms_key", "storage/key").policy).Statement.find((s) => s.Sid === "CloudFrontOacDecrypt");
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

  describe("validation", () => {
    it.each<[string, Overrides, RegExp]>([
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
      ["a static offload without a publisher", { staticAssets: { ...({} as any), publisherRoleArns: [] } }, /staticAssets.publisherRoleArns = \[\] is invalid; must list at least 1 value/],
      ["a publisher that is not a role ARN", { staticAssets: { ...({} as any), publisherRoleArns: ["release"] } }, /staticAssets.publisherRoleArns\[0\] = "release" is invalid; must be an IAM role ARN/],
      ["a CORS origin with a path", { mediaAssets: { ...({} as any), corsAllowedOrigins: ["https://lms.learn.example.org/upload"] } }, /mediaAssets.corsAllowedOrigins\[0\] = "https:\/\/lms.learn.example.org\/upload" is invalid; must be an https:\/\/ origin/],
      ["a name over CloudFront's 64-character origin access control limit", { naming: new Naming(`openedx-${"a".repeat(40)}`, "production"), staticAssets: null },
        /cloudfrontOriginAccessControl name = "openedx-a+-production-static" is invalid; must be at most 64 characters \(got 66\)/],
      ["a verify header on a VPC origin", { origin: { hostname: `ingress.${DOMAIN}`, vpcOriginLoadBalancerArn: NLB_ARN, verifyHeader: { name: "x-origin-verify", value: "v" } } },
        /origin.verifyHeader = "x-origin-verify" is invalid; is for public origins only/],
      ["a verify header name that is not an x- header", { origin: { hostname: `ingress.${DOMAIN}`, verifyHeader: { name: "Authorization", value: "v" } } },
        /origin.verifyHeader.name = "Authorization" is invalid; must be a lower-case x- header name/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    it("rejects a static path pattern that would shadow the dynamic default or the media path", () => {
      expect(() => build({ staticPathPatterns: ["/*"] })).toThrow(/staticPathPatterns\[0\] = "\/\*" is invalid; must be a CloudFront path pattern starting with \//);
      expect(() => build({ staticPathPatterns: ["/media/*"] })).toThrow(/staticPathPatterns\[0\] = "\/media\/\*" is invalid/);
    });

    it("rejects a certificate provider outside us-east-1", () => {
      expect(() => build({}, "eu-central-1")).toThrow(/CloudFront cdn: provider.region = "eu-central-1" is invalid; must be us-east-1: ACM certificates for CloudFront exist only there/);
    });
  });
});
