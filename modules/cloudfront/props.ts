/** The CloudFront construct's props, enums and defaults (index.ts builds the distribution from them). */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "../core/naming";
import { CertificateDns } from "../core/types";
import type { BucketRef, KeyRef } from "../core/refs";

/** AWS managed cache policy "Managed-CachingOptimized" (same id in every account). */
export const MANAGED_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** Open edX's user-uploaded media path. */
export const MEDIA_PATH = "/media/*";

export const ORIGIN_PROTOCOLS = ["https-only", "http-only"] as const;
export type OriginProtocol = (typeof ORIGIN_PROTOCOLS)[number];
export const PRICE_CLASSES = ["PriceClass_All", "PriceClass_200", "PriceClass_100"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];
/** Viewer security policies at or above TLS 1.2 with 2021-era ciphers. */
export const VIEWER_TLS_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] as const;
export type ViewerTlsPolicy = (typeof VIEWER_TLS_POLICIES)[number];

/** A secret header CloudFront adds to every origin request; the ingress rejects requests without it. */
export interface OriginVerifyHeader {
  readonly name: string;
  /** The value (e.g. read from Secrets Manager by a data source: it then sits in this stack's state). */
  readonly value: string;
}

/** The ingress load balancer CloudFront forwards to. */
export type OriginConfig =
  /** A DNS name that resolves to the NLB (e.g. `ingress.<domain>`). */
  | {
      readonly hostname: string;
      /**
       * ARN of an internal NLB/ALB: CloudFront reaches it as a VPC origin (over its own
       * interfaces in the VPC's private subnets), so the origin has no public address at all.
       * @default undefined: a public custom origin
       */
      readonly vpcOriginLoadBalancerArn?: string;
      /**
       * Public origins: the shared-secret header the ingress checks, so that only this
       * distribution (not any CloudFront distribution, which the prefix list alone admits) gets through.
       * @default none
       */
      readonly verifyHeader?: OriginVerifyHeader;
    }
  /** Look the load balancer up in the stack's region by tags (it must exist before this stack is planned). */
  | { readonly loadBalancerTags: Readonly<Record<string, string>> };

/**
 * S3 static offload: the static path patterns are served from this bucket instead of the
 * origin. Only with a publisher: a bucket nothing writes would answer 403/404 for every asset.
 */
export interface StaticAssetsConfig {
  readonly bucket: BucketRef;
  /** The bucket's SSE-KMS key; CloudFront is allowed to decrypt with it. */
  readonly kmsKey: KeyRef;
  /**
   * IAM role ARNs of this account that publish the built assets (the release step runs
   * `aws s3 sync <collected static> s3://<bucket>/static/ --delete` as one of them); they get
   * list/put/delete on the bucket and encrypt with its key. At least one.
   */
  readonly publisherRoleArns: readonly string[];
}

/** The S3 bucket served under `/media/*` (user uploads), instead of the origin. */
export interface MediaAssetsConfig {
  readonly bucket: BucketRef;
  readonly kmsKey: KeyRef;
  /**
   * Browser uploads straight to the bucket (presigned PUT/POST): the origins (`https://lms.<domain>`, ...) allowed by CORS.
   * @default [] (no CORS configuration)
   */
  readonly corsAllowedOrigins?: readonly string[];
}

export interface CloudFrontProps {
  readonly naming: Naming;
  /** AWS provider in us-east-1: ACM certificates for CloudFront and log delivery sources live there. */
  readonly provider: AwsProvider;
  /** Platform hostnames (seed 000: lms., studio., apps.lms.); the first is the certificate's subject. */
  readonly hostnames: readonly string[];
  /** The zone that publishes the certificate's DNS validation records. */
  readonly dns: CertificateDns;
  readonly origin: OriginConfig;
  /**
   * Protocol CloudFront uses to the origin. `http-only` (seed 000's current state) sends
   * learners' sessions unencrypted between CloudFront and the NLB; allowed only when asked
   * for, with a synth warning.
   * @default "https-only"
   */
  readonly originProtocol?: OriginProtocol;
  /** ARN of the WAFv2 web ACL (scope CLOUDFRONT) attached to the distribution. */
  readonly webAclArn: string;
  /**
   * Path patterns of Open edX's collected static files (hashed names), cached at the edge
   * for long. Checked before the dynamic default.
   * @default ["/static/*"]
   */
  readonly staticPathPatterns?: readonly string[];
  /**
   * Serve the static path patterns from an S3 bucket (OAC) with a publisher.
   * @default none: the LMS/CMS serve `/static/` through the origin and CloudFront caches it
   */
  readonly staticAssets?: StaticAssetsConfig;
  /**
   * Serve `/media/*` from an S3 bucket (OAC).
   * @default none: `/media/*` goes to the origin like any dynamic path (uncached)
   */
  readonly mediaAssets?: MediaAssetsConfig;
  /** Bucket (no ACLs needed) that receives the access logs under `cloudfront/`. */
  readonly logsBucket: BucketRef;
  /**
   * Edge locations used, by cost.
   * @default "PriceClass_All" (learners are global)
   */
  readonly priceClass?: PriceClass;
  /**
   * Minimum TLS security policy for viewers.
   * @default "TLSv1.2_2021"
   */
  readonly minimumProtocolVersion?: ViewerTlsPolicy;
  /**
   * Strict-Transport-Security max-age in seconds (at least one year).
   * @default 63072000 (two years)
   */
  readonly hstsMaxAgeSeconds?: number;
  /**
   * Seconds CloudFront waits for the origin's response (Open edX report and export views are slow).
   * @default 60
   */
  readonly originReadTimeoutSeconds?: number;
}
