import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { KmsKey as KmsKeyResource } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { KEY_ENCRYPT_DECRYPT_ACTIONS, KeyRef, keyGrant } from "../core/refs";
import { PolicyDocument, PolicyStatement } from "../core/policy";
import { suppress } from "../core/suppress";
import { checkInt } from "../core/validation";

export interface KmsKeyProps {
  readonly naming: Naming;
  /** Component the key protects; the alias is `alias/<project>-<env>-<component>`. */
  readonly component: string;
  /** What the key is for, shown in the console. */
  readonly description: string;
  /**
   * Let CloudWatch Logs in this region use the key for log groups of this account (the only
   * way to encrypt a log group with a CMK).
   * @default false
   */
  readonly allowCloudWatchLogs?: boolean;
  /**
   * Days AWS waits before deleting the key after it is scheduled for deletion (7-30).
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * AWS provider to create the key with, for a key in another region than the stack's (the
   * edge's WAF logs live in us-east-1). Give `region` with it.
   * @default the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Region of `provider`, for the CloudWatch Logs service principal.
   * @default the stack's region
   */
  readonly region?: string;
}

const USE_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/**
 * A customer-managed KMS key with yearly rotation and a key policy that starts with only the
 * account root (so IAM policies decide access) and grows through `allowServicePrincipal`
 * as modules attach services that must call KMS themselves (Logs, SNS publishers, CloudFront).
 */
export class KmsKey extends Construct implements KeyRef {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly aliasName: string;
  private readonly policy: PolicyDocument;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const window = props.deletionWindowInDays ?? 30;
    checkInt(`KmsKey ${props.component}`, "deletionWindowInDays", window, 7, 30);
    const context = awsContext(this);
    const { accountId, partition } = context;
    const region = props.region ?? context.region;
    this.region = region;

    this.policy = new PolicyDocument([
      {
        Sid: "AccountRootManagesKey",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ]);
    if (props.allowCloudWatchLogs) {
      this.allowServicePrincipal(`logs.${region}.amazonaws.com`, {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` },
      }, "CloudWatchLogs");
    }

    const key = new KmsKeyResource(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: window,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      policy: this.policy.toJson(),
      provider: props.provider,
    });
    if (props.provider) {
      suppress(key, { id: "AVD-AWS-0065", reason: "False positive: Trivy does not read the attributes of a key created through an aliased provider; "
        + "enable_key_rotation is true (Checkov CKV_AWS_7 verifies it)" });
    }
    this.aliasName = `alias/${props.naming.name(props.component, "kmsAlias")}`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: key.keyId, provider: props.provider });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }

  /**
   * Lets an AWS service principal use the key. A condition is required (source account,
   * source ARN or encryption context) so another account's resource cannot use the key
   * through the same service (confused deputy).
   */
  public allowServicePrincipal(service: string, condition: NonNullable<PolicyStatement["Condition"]>, sid?: string): void {
    if (Object.keys(condition).length === 0) {
      throw new Error(`KmsKey ${this.node.id}: allowServicePrincipal(${service}) needs a condition scoping it to this account`);
    }
    this.policy.addStatements({
      Sid: sid ?? `Service${service.replace(/[^A-Za-z0-9]/g, "")}`,
      Effect: "Allow",
      Principal: { Service: service },
      Action: USE_ACTIONS,
      Resource: "*",
      Condition: condition,
    });
  }

  /**
   * Lets one IAM principal of this account (by ARN) use the key, for principals whose own
   * policies cannot grant it, such as the EC2 Auto Scaling service-linked role that creates
   * CMK-encrypted node volumes. `allowGrantsForAwsResources` adds `kms:CreateGrant`, limited
   * to grants AWS services create for their resources (EBS attaching a volume).
   */
  public allowAwsPrincipal(principalArn: string, sid: string, options: { readonly allowGrantsForAwsResources?: boolean } = {}): void {
    this.policy.addStatements({ Sid: sid, Effect: "Allow", Principal: { AWS: principalArn }, Action: USE_ACTIONS, Resource: "*" });
    if (options.allowGrantsForAwsResources) {
      this.policy.addStatements({
        Sid: `${sid}Grants`,
        Effect: "Allow",
        Principal: { AWS: principalArn },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
      });
    }
  }

  public grantEncryptDecrypt(sid: string, service: string): PolicyStatement {
    return keyGrant(this.keyArn, this.region, sid, service, KEY_ENCRYPT_DECRYPT_ACTIONS);
  }

  public grantDecrypt(sid: string, service: string): PolicyStatement {
    return keyGrant(this.keyArn, this.region, sid, service, ["kms:Decrypt"]);
  }
}
