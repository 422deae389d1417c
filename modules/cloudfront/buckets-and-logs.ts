import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { awsContext } from "../core/aws-context";
import type { Naming } from "../core/naming";
import { CLOUDFRONT_REGION } from "../core/regions";
import type { BucketRef, KeyRef } from "../core/refs";
import type { CloudFrontProps } from "./props";

/**
 * The asset buckets' side of the distribution: read through OAC only (this distribution's ARN),
 * decrypt through each bucket's key, the static publisher's write grant, and the media CORS
 * rules. Adds to `scope` (the CloudFront construct) so resources keep their addresses.
 */
export function grantBucketAccess(scope: Construct, distributionArn: string, props: Pick<CloudFrontProps, "staticAssets" | "mediaAssets">, corsOrigins: readonly string[]): void {
  const onlyThisDistribution = { StringEquals: { "AWS:SourceArn": distributionArn } };
  const keysGranted = new Set<KeyRef>();
  for (const assets of [props.staticAssets, props.mediaAssets]) {
    if (!assets) continue;
    assets.bucket.policy.addStatements({
      Sid: "CloudFrontOacRead",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: `${assets.bucket.bucketArn}/*`,
      Condition: onlyThisDistribution,
    });
    if (!keysGranted.has(assets.kmsKey)) assets.kmsKey.allowServicePrincipal("cloudfront.amazonaws.com", onlyThisDistribution, "CloudFrontOacDecrypt");
    keysGranted.add(assets.kmsKey);
  }
  if (props.staticAssets) {
    // The publisher: the release step syncs the collected static files into the bucket.
    const { bucket } = props.staticAssets;
    const publishers = [...props.staticAssets.publisherRoleArns];
    bucket.policy.addStatements(
      { Sid: "StaticPublisherList", Effect: "Allow", Principal: { AWS: publishers }, Action: "s3:ListBucket", Resource: bucket.bucketArn },
      { Sid: "StaticPublisherWrite", Effect: "Allow", Principal: { AWS: publishers }, Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucket.bucketArn}/static/*` },
    );
    publishers.forEach((arn, i) => props.staticAssets!.kmsKey.allowAwsPrincipal(arn, `StaticPublisher${i}`));
  }
  if (props.mediaAssets && corsOrigins.length > 0) {
    new S3BucketCorsConfiguration(scope, "media-cors", {
      bucket: props.mediaAssets.bucket.bucketName,
      corsRule: [{
        allowedMethods: ["GET", "HEAD", "PUT", "POST"],
        allowedOrigins: [...corsOrigins],
        allowedHeaders: ["*"],
        exposeHeaders: ["ETag"],
        maxAgeSeconds: 3000,
      }],
    });
  }
}

export interface AccessLogsProps {
  readonly naming: Naming;
  /** The us-east-1 provider the log delivery objects need. */
  readonly provider: TerraformProvider;
  readonly distributionArn: string;
  readonly logsBucket: BucketRef;
}

/** Access logs: CloudFront standard logging v2 (vended delivery) into the logs bucket, under `cloudfront/`. */
export function addAccessLogs(scope: Construct, props: AccessLogsProps): void {
  const { naming, provider, distributionArn } = props;
  const { accountId, partition } = awsContext(scope);
  const source = new CloudwatchLogDeliverySource(scope, "access-log-source", {
    provider,
    name: naming.name("cdn-access-logs"),
    logType: "ACCESS_LOGS",
    resourceArn: distributionArn,
  });
  const destination = new CloudwatchLogDeliveryDestination(scope, "access-log-destination", {
    provider,
    name: naming.name("cdn-access-logs-s3"),
    outputFormat: "json",
    deliveryDestinationConfiguration: [{ destinationResourceArn: `${props.logsBucket.bucketArn}/cloudfront` }],
  });
  props.logsBucket.policy.addStatements({
    Sid: "CloudFrontAccessLogDelivery",
    Effect: "Allow",
    Principal: { Service: "delivery.logs.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${props.logsBucket.bucketArn}/cloudfront/*`,
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId, "s3:x-amz-acl": "bucket-owner-full-control" },
      ArnLike: { "aws:SourceArn": `arn:${partition}:logs:${CLOUDFRONT_REGION}:${accountId}:delivery-source:*` },
    },
  });
  new CloudwatchLogDelivery(scope, "access-log-delivery", {
    provider,
    deliverySourceName: source.name,
    deliveryDestinationArn: destination.arn,
    s3DeliveryConfiguration: [{ suffixPath: "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}", enableHiveCompatiblePath: false }],
  });
}
