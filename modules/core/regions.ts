import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { check } from "./validation";

/**
 * CloudFront is global but reads its ACM certificates, CLOUDFRONT-scoped WAF web ACLs and
 * log delivery sources only from us-east-1, whatever the home region.
 */
export const CLOUDFRONT_REGION = "us-east-1";

/** Throws unless `provider` is configured for us-east-1, naming what needs it. */
export function checkCloudFrontProvider(where: string, provider: AwsProvider, what: string): void {
  check(provider.region === CLOUDFRONT_REGION, where, "provider.region", provider.region,
    `must be ${CLOUDFRONT_REGION}: ${what} for CloudFront exist only there (pass an AWS provider aliased to ${CLOUDFRONT_REGION})`);
}
