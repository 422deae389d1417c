import type { PolicyDocument, PolicyStatement } from "./policy";
import type { EncryptionKeyRef } from "./types";

/**
 * A customer-managed KMS key as modules take it in props (after aws-cdk-lib's `IKey`): its ARN,
 * the methods that grow its key policy, and grants for identity policies. The kms-key module's
 * `KmsKey` implements it; modules depend on this interface, not on that class.
 */
export interface KeyRef extends EncryptionKeyRef {
  readonly keyId: string;
  /** Lets an AWS service principal use the key, scoped by `condition` (confused deputy). */
  allowServicePrincipal(service: string, condition: NonNullable<PolicyStatement["Condition"]>, sid?: string): void;
  /** Lets one IAM principal of this account use the key through the key policy. */
  allowAwsPrincipal(principalArn: string, sid: string, options?: { readonly allowGrantsForAwsResources?: boolean }): void;
  /**
   * An identity-policy statement letting its holder encrypt and decrypt data keys with this key
   * through `service` only (`kms:ViaService`), e.g. `"s3"` for SSE-KMS objects.
   */
  grantEncryptDecrypt(sid: string, service: string): PolicyStatement;
  /** Like `grantEncryptDecrypt`, decrypt only (readers of SSE-KMS data). */
  grantDecrypt(sid: string, service: string): PolicyStatement;
}

/** Actions a holder of SSE-KMS data needs from the key (S3 generates and decrypts the data key for it). */
export const KEY_ENCRYPT_DECRYPT_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** The grant statements of a key, for `KeyRef` implementations (the key's ARN and its region). */
export function keyGrant(keyArn: string, region: string, sid: string, service: string, actions: readonly string[]): PolicyStatement {
  return { Sid: sid, Effect: "Allow", Action: [...actions], Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } } };
}

/**
 * An S3 bucket as modules take it in props (after aws-cdk-lib's `IBucket`): names, its policy
 * document, the key that encrypts it, and grants for identity policies that include the key's
 * grant through S3, so a reader or writer is never granted the bucket without its key.
 */
export interface BucketRef {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketRegionalDomainName: string;
  /** The bucket policy; add statements before synth (e.g. CloudFront OAC read). */
  readonly policy: PolicyDocument;
  /** SSE-KMS key, or undefined for the SSE-S3 access-log target. */
  readonly key?: KeyRef;
  /** List the bucket and read objects (and decrypt through S3); Sids start with `sidPrefix`. */
  grantRead(sidPrefix?: string): PolicyStatement[];
  /** List, read, write and delete objects, including multipart uploads (and use the key through S3). */
  grantReadWrite(sidPrefix?: string): PolicyStatement[];
}

/** Object actions of `BucketRef.grantReadWrite`. */
export const BUCKET_READ_WRITE_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] as const;

/** The statements of `BucketRef.grantRead`/`grantReadWrite`, for implementations. */
export function bucketGrant(bucket: Pick<BucketRef, "bucketArn" | "key">, sidPrefix: string, write: boolean): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    { Sid: `${sidPrefix}ListBucket`, Effect: "Allow", Action: "s3:ListBucket", Resource: bucket.bucketArn },
    { Sid: `${sidPrefix}Objects`, Effect: "Allow", Action: write ? [...BUCKET_READ_WRITE_ACTIONS] : ["s3:GetObject"], Resource: `${bucket.bucketArn}/*` },
  ];
  if (bucket.key) {
    statements.push(write ? bucket.key.grantEncryptDecrypt(`${sidPrefix}KeyViaS3`, "s3") : bucket.key.grantDecrypt(`${sidPrefix}KeyViaS3`, "s3"));
  }
  return statements;
}
