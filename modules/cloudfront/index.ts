import { Construct } from "constructs";
import { Annotations } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { CloudfrontDistribution, CloudfrontDistributionOrderedCacheBehavior, CloudfrontDistributionOrigin } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontCachePolicy } from "@cdktf/provider-aws/lib/cloudfront-cache-policy";
import { CloudfrontOriginRequestPolicy } from "@cdktf/provider-aws/lib/cloudfront-origin-request-policy";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontVpcOrigin } from "@cdktf/provider-aws/lib/cloudfront-vpc-origin";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { checkDnsName, isWithinDomain } from "../core/dns";
import { suppress } from "../core/suppress";
import { checkCloudFrontProvider } from "../core/regions";
import { check, checkInt, checkOneOf, checkUniqueList } from "../core/validation";
import type { BucketRef } from "../core/refs";
import { addAccessLogs, grantBucketAccess } from "./buckets-and-logs";
import { MANAGED_CACHING_OPTIMIZED, MEDIA_PATH, ORIGIN_PROTOCOLS, PRICE_CLASSES, VIEWER_TLS_POLICIES } from "./props";
import type { OriginProtocol, CloudFrontProps } from "./props";

export { MANAGED_CACHING_OPTIMIZED, MEDIA_PATH, ORIGIN_PROTOCOLS, PRICE_CLASSES, VIEWER_TLS_POLICIES } from "./props";
export type { OriginProtocol, PriceClass, ViewerTlsPolicy, OriginVerifyHeader, OriginConfig, StaticAssetsConfig, MediaAssetsConfig, CloudFrontProps } from "./props";
/**
 * The platform's CloudFront distribution: the platform hostnames with an ACM certificate
 * (us-east-1, DNS-validated), the WAF web ACL, HTTPS-only viewers at TLS 1.2+ and IPv6, the
 * ingress NLB as origin (a VPC origin when it is internal, HTTPS with TLS 1.2 by default),
 * `/static/*` cached from the origin (or an S3 bucket with a publisher), `/media/*` from the
 * origin (or an S3 bucket), security response headers and access logging.
 *
 * Why the WAF cannot be bypassed: with `vpcOriginLoadBalancerArn` the NLB has no public
 * address, so CloudFront (and its WAF, rate limit and Shield) is the only way in. A public
 * origin is admitted only with the origin-facing prefix list on its security group (shared by
 * every distribution) and `verifyHeader`, the secret the ingress requires.
 *
 * Choices where the seeds leave gaps:
 * - Dynamic LMS traffic is effectively uncached: the cache policy honours the origin's
 *   Cache-Control up to 1 second with a default TTL of 0, and keys on Host, Authorization,
 *   every cookie and query string, so an authenticated page can never be served to someone
 *   else. (A policy with all TTLs 0 cannot forward Authorization, which Open edX's APIs use.)
 *   The origin request policy forwards every viewer header, cookie and query string: Open edX
 *   routes by Host and checks CSRF against Origin/Referer.
 * - Origin TLS: CloudFront validates the origin certificate against the forwarded Host
 *   header, so the ingress certificates cert-manager issues for the platform hostnames are
 *   the ones that must be valid; the origin hostname needs no certificate of its own.
 * - Static files: Open edX's collected static files have content-hashed names and are served
 *   by the LMS/CMS, so by default CloudFront caches `/static/*` from the origin (long TTLs, no
 *   cookies or query strings, keyed on Host because the origin routes LMS and Studio by it).
 *   S3 offload needs publisher roles: a bucket nothing writes answers every asset with 403.
 * - Security headers: HSTS and nosniff are enforced at the edge; X-Frame-Options and CSP
 *   are left to Open edX, which exempts XBlock views that the learning MFE frames from
 *   another hostname (an edge-wide SAMEORIGIN would break courseware).
 * - The distribution and its policies are global and use the stack's default provider; only
 *   the certificate and the log delivery objects need the us-east-1 provider.
 * - Access logs use CloudFront standard logging v2 (CloudWatch Logs vended delivery) into
 *   the logs bucket: legacy logging writes through bucket ACLs, which the BucketOwnerEnforced
 *   logs bucket disables. S3 is the cheapest destination for high-volume access logs and the
 *   logs bucket's lifecycle already sets their retention.
 */
export class CloudFront extends Construct {
  public readonly distributionId: string;
  public readonly distributionArn: string;
  /** `dxxxx.cloudfront.net`, what the platform hostnames point at. */
  public readonly domainName: string;
  /** Route53 zone id of CloudFront, for alias records. */
  public readonly hostedZoneId: string;
  public readonly certificateArn: string;
  /** Origin protocol in effect. */
  public readonly originProtocol: OriginProtocol;

  constructor(scope: Construct, id: string, props: CloudFrontProps) {
    super(scope, id);
    const where = `CloudFront ${id}`;
    const { naming, provider } = props;
    checkCloudFrontProvider(where, provider, "ACM certificates");
    checkUniqueList(where, "hostnames", props.hostnames);
    // ACM's default quota is 10 names per certificate.
    check(props.hostnames.length <= 10, where, "hostnames", props.hostnames, "must list at most 10 names (ACM's names-per-certificate quota)");
    props.hostnames.forEach((h, i) => {
      checkDnsName(where, `hostnames[${i}]`, h);
      check(isWithinDomain(h, props.dns.domain), where, `hostnames[${i}]`, h, `must be inside the DNS zone ${props.dns.domain} that validates the certificate`);
    });
    this.originProtocol = props.originProtocol ?? "https-only";
    checkOneOf(where, "originProtocol", this.originProtocol, ORIGIN_PROTOCOLS);
    const priceClass = props.priceClass ?? "PriceClass_All";
    checkOneOf(where, "priceClass", priceClass, PRICE_CLASSES);
    const minimumProtocolVersion = props.minimumProtocolVersion ?? "TLSv1.2_2021";
    checkOneOf(where, "minimumProtocolVersion", minimumProtocolVersion, VIEWER_TLS_POLICIES);
    const hstsMaxAge = props.hstsMaxAgeSeconds ?? 63_072_000;
    checkInt(where, "hstsMaxAgeSeconds", hstsMaxAge, 31_536_000, 63_072_000);
    const readTimeout = props.originReadTimeoutSeconds ?? 60;
    checkInt(where, "originReadTimeoutSeconds", readTimeout, 1, 180);
    const staticPatterns = props.staticPathPatterns ?? ["/static/*"];
    checkUniqueList(where, "staticPathPatterns", staticPatterns);
    staticPatterns.forEach((p, i) => check(/^\/[A-Za-z0-9_\-.*$/&@:+]*$/.test(p) && p !== "/*" && p !== MEDIA_PATH, where, `staticPathPatterns[${i}]`, p,
      `must be a CloudFront path pattern starting with / (other than /*, the dynamic default, and ${MEDIA_PATH}), e.g. /static/*`));
    if (props.staticAssets) {
      checkUniqueList(where, "staticAssets.publisherRoleArns", props.staticAssets.publisherRoleArns, 1);
      props.staticAssets.publisherRoleArns.forEach((arn, i) => check(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn), where, `staticAssets.publisherRoleArns[${i}]`, arn,
        "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) that syncs the built assets"));
    }
    const corsOrigins = props.mediaAssets?.corsAllowedOrigins ?? [];
    corsOrigins.forEach((o, i) => check(/^https:\/\/[a-z0-9.-]+$/.test(o), where, `mediaAssets.corsAllowedOrigins[${i}]`, o, "must be an https:// origin without a path, e.g. https://lms.example.org"));

    let originHostname: string;
    if ("hostname" in props.origin) {
      checkDnsName(where, "origin.hostname", props.origin.hostname);
      originHostname = props.origin.hostname;
      const header = props.origin.verifyHeader;
      if (header) {
        check(/^x-[a-z0-9-]{1,60}$/.test(header.name), where, "origin.verifyHeader.name", header.name, "must be a lower-case x- header name, e.g. x-origin-verify");
        check(props.origin.vpcOriginLoadBalancerArn === undefined, where, "origin.verifyHeader", header.name,
          "is for public origins only (a VPC origin is unreachable except through CloudFront)");
      }
    } else {
      check(Object.keys(props.origin.loadBalancerTags).length > 0, where, "origin.loadBalancerTags", props.origin.loadBalancerTags,
        "must name at least one tag, e.g. { \"kubernetes.io/service-name\": \"nginx-gateway/platform-nginx\" }");
      // The NLB lives in the stack's region, so the default provider looks it up.
      originHostname = new DataAwsLb(this, "origin-lb", { tags: { ...props.origin.loadBalancerTags } }).dnsName;
    }
    if (this.originProtocol === "http-only") {
      Annotations.of(this).addWarning(
        `${where}: originProtocol is "http-only": requests, cookies and session tokens travel unencrypted between CloudFront and ${"hostname" in props.origin ? originHostname : "the load balancer"}. ` +
        "Use \"https-only\" once the ingress serves certificates for the platform hostnames.");
    }

    // --- certificate (us-east-1, DNS-validated) ---
    const [subject, ...alternatives] = props.hostnames;
    const certificate = new AcmCertificate(this, "certificate", {
      provider,
      domainName: subject!,
      subjectAlternativeNames: alternatives,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      // A replacement must be issued before the distribution lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    const validationRecords = props.dns.addCertificateValidation(certificate);
    const validation = new AcmCertificateValidation(this, "certificate-validation", {
      provider,
      certificateArn: certificate.arn,
      validationRecordFqdns: validationRecords.fqdns,
      dependsOn: [...validationRecords.records],
    });
    this.certificateArn = validation.certificateArn;

    // --- policies ---
    const dynamicCache = new CloudfrontCachePolicy(this, "dynamic-cache", {
      name: naming.name("dynamic"),
      comment: "Open edX pages and APIs: not cached unless the origin says so (max 1 s), keyed per user",
      minTtl: 0,
      defaultTtl: 0,
      maxTtl: 1,
      parametersInCacheKeyAndForwardedToOrigin: {
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
        headersConfig: { headerBehavior: "whitelist", headers: { items: ["Authorization", "Host"] } },
        cookiesConfig: { cookieBehavior: "all" },
        queryStringsConfig: { queryStringBehavior: "all" },
      },
    });
    const dynamicOriginRequest = new CloudfrontOriginRequestPolicy(this, "dynamic-origin-request", {
      name: naming.name("dynamic"),
      comment: "Every viewer header (Host, Origin, Referer, X-CSRFToken, ...), cookie and query string, plus the viewer's address",
      headersConfig: { headerBehavior: "allViewerAndWhitelistCloudFront", headers: { items: ["CloudFront-Viewer-Address", "CloudFront-Forwarded-Proto"] } },
      cookiesConfig: { cookieBehavior: "all" },
      queryStringsConfig: { queryStringBehavior: "all" },
    });
    const headers = new CloudfrontResponseHeadersPolicy(this, "security-headers", {
      name: naming.name("security-headers"),
      comment: "HSTS, nosniff and referrer policy on every response",
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: hstsMaxAge, includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: false },
      },
      removeHeadersConfig: { items: [{ header: "Server" }, { header: "X-Powered-By" }] },
    });

    // --- origins and behaviours ---
    const ingressOriginId = "ingress";
    const staticOriginId = "static-assets";
    const mediaOriginId = "media-assets";
    const vpcOriginArn = "hostname" in props.origin ? props.origin.vpcOriginLoadBalancerArn : undefined;
    const verifyHeader = "hostname" in props.origin ? props.origin.verifyHeader : undefined;
    let vpcOriginId: string | undefined;
    if (vpcOriginArn) {
      // The origin domain stays `origin.hostname` (a name in the zone resolving to the internal
      // NLB): CloudFront validates the origin certificate against it or the forwarded Host.
      vpcOriginId = new CloudfrontVpcOrigin(this, "vpc-origin", {
        vpcOriginEndpointConfig: [{
          name: naming.name("ingress"),
          arn: vpcOriginArn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: this.originProtocol,
          originSslProtocols: [{ items: ["TLSv1.2"], quantity: 1 }],
        }],
      }).id;
    }
    const origins: CloudfrontDistributionOrigin[] = [{
      originId: ingressOriginId,
      domainName: originHostname,
      connectionAttempts: 3,
      connectionTimeout: 10,
      ...(verifyHeader ? { customHeader: [{ name: verifyHeader.name, value: verifyHeader.value }] } : {}),
      ...(vpcOriginId
        ? { vpcOriginConfig: { vpcOriginId, originReadTimeout: readTimeout, originKeepaliveTimeout: 5 } }
        : {
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: this.originProtocol,
              originSslProtocols: ["TLSv1.2"],
              originReadTimeout: readTimeout,
              originKeepaliveTimeout: 5,
            },
          }),
    }];
    const orderedCacheBehavior: CloudfrontDistributionOrderedCacheBehavior[] = [];
    const bucketOrigin = (originId: string, component: string, bucket: BucketRef) => {
      const oac = new CloudfrontOriginAccessControl(this, `${component}-oac`, {
        name: naming.name(component, "cloudfrontOriginAccessControl"),
        description: `CloudFront reads the ${component} bucket with SigV4`,
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      });
      origins.push({ originId, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id });
    };
    // Open edX's collected static files have content-hashed names: cached up to a year, a day
    // when the response says nothing. Keyed on Host only (LMS and Studio each serve their own
    // /static/ through the same origin, which routes by Host; the managed CachingOptimized
    // policy would drop Host and send every request to the origin's own name), no cookies or
    // query strings forwarded, so a session cookie can never make a static response private.
    const staticCache = new CloudfrontCachePolicy(this, "static-cache", {
      name: naming.name("static"),
      comment: "Hashed static assets: cached a day by default, up to a year when the origin allows; keyed on Host only",
      minTtl: 1,
      defaultTtl: 86_400,
      maxTtl: 31_536_000,
      parametersInCacheKeyAndForwardedToOrigin: {
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
        headersConfig: props.staticAssets ? { headerBehavior: "none" } : { headerBehavior: "whitelist", headers: { items: ["Host"] } },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      },
    });
    if (props.staticAssets) bucketOrigin(staticOriginId, "static", props.staticAssets.bucket);
    for (const pathPattern of staticPatterns) {
      orderedCacheBehavior.push({
        pathPattern,
        targetOriginId: props.staticAssets ? staticOriginId : ingressOriginId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: staticCache.id,
        responseHeadersPolicyId: headers.id,
      });
    }
    if (props.mediaAssets) {
      bucketOrigin(mediaOriginId, "media", props.mediaAssets.bucket);
      // User uploads change under the same name: the managed CachingOptimized policy (a day by
      // default), no cookies or query strings.
      orderedCacheBehavior.push({
        pathPattern: MEDIA_PATH,
        targetOriginId: mediaOriginId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: MANAGED_CACHING_OPTIMIZED,
        responseHeadersPolicyId: headers.id,
      });
    }

    const distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${naming.prefix} platform edge`,
      aliases: [...props.hostnames],
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass,
      webAclId: props.webAclArn,
      origin: origins,
      defaultCacheBehavior: {
        targetOriginId: ingressOriginId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: dynamicCache.id,
        originRequestPolicyId: dynamicOriginRequest.id,
        responseHeadersPolicyId: headers.id,
      },
      orderedCacheBehavior: orderedCacheBehavior.length > 0 ? orderedCacheBehavior : undefined,
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: this.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion,
      },
    });
    suppress(distribution,
      { id: "CKV_AWS_86", reason: "Access logs are on through CloudFront standard logging v2 (aws_cloudwatch_log_delivery into the logs bucket); the check only sees legacy logging_config, which needs bucket ACLs" },
      { id: "AWS-0010", reason: "Access logs are on through CloudFront standard logging v2 (aws_cloudwatch_log_delivery into the logs bucket); the check only sees legacy logging_config" },
      { id: "AWS-0013", reason: "minimum_protocol_version is TLSv1.2_2021 or newer (validated at synth, asserted in tests); Trivy does not read viewer_certificate from Terraform JSON (the same block in HCL passes)" },
      { id: "CKV_AWS_374", reason: "Learners are worldwide; abuse is handled by the WAF (IP reputation, rate limit), not by blocking countries" },
      { id: "CKV_AWS_310", reason: "One origin (the multi-AZ ingress NLB) serves the dynamic site; origin-group failover only covers GET/HEAD and there is no second origin to fail over to" },
      { id: "CKV2_AWS_47", reason: "Log4j protection is AWSManagedRulesKnownBadInputsRuleSet, attached in block mode; the check also demands AWSManagedRulesAnonymousIpList, which would block learners on VPNs and Tor" },
      { id: "CKV_AWS_305", reason: "The site root is served dynamically by the LMS behind the ingress, not by an S3 index object" });
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;

    grantBucketAccess(this, distribution.arn, props, corsOrigins);
    addAccessLogs(this, { naming, provider, distributionArn: distribution.arn, logsBucket: props.logsBucket });
  }
}
