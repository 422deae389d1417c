import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { awsContext } from "../core/aws-context";
import { AlarmTarget, AlarmTopicRef } from "../core/alarms";
import { Naming } from "../core/naming";
import { PolicyDocument } from "../core/policy";
import { KmsKey } from "../kms-key";

export interface AlarmTopicProps {
  readonly naming: Naming;
  /**
   * Component name of the topic and its key.
   * @default "alarms"
   */
  readonly component?: string;
}

/**
 * The environment's alarm topic: one SNS topic, encrypted with its own customer-managed key,
 * that every store's CloudWatch alarms and RDS/DocumentDB event subscriptions publish to.
 * Subscriptions (PagerDuty, e-mail, chat) are attached by whoever owns on-call routing, from
 * `topicArn`.
 *
 * Encrypted topics need the key policy to let each publishing service use the key, which an
 * AWS-managed key cannot grant — hence the CMK. Publishers are scoped to this account and to
 * their source ARNs (confused deputy). IAM principals of this account (Alertmanager's role)
 * publish through `AccountManagesTopic` plus their own identity policy; the key policy's
 * account-root statement lets that identity policy grant the key. ElastiCache is deliberately not a publisher: it cannot
 * deliver to KMS-encrypted topics, so its failovers are detected by a CloudWatch alarm instead.
 */
export class AlarmTopic extends Construct implements AlarmTarget, AlarmTopicRef {
  public readonly topicArn: string;
  public readonly kmsKeyArn: string;
  public readonly topicName: string;
  public readonly key: KmsKey;
  private readonly policy: PolicyDocument;
  private readonly publishers = new Set<string>();
  private readonly account: { accountId: string; partition: string; region: string };

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const component = props.component ?? "alarms";
    const { accountId, partition, region } = awsContext(this);
    this.account = { accountId, partition, region };
    this.key = new KmsKey(this, "key", { naming: props.naming, component, description: `${props.naming.name(component)} SNS topic` });
    this.topicName = props.naming.name(component, "snsTopic");
    const topic = new SnsTopic(this, "topic", { name: this.topicName, kmsMasterKeyId: this.key.keyArn });
    this.topicArn = topic.arn;
    this.kmsKeyArn = this.key.keyArn;

    this.policy = new PolicyDocument([
      {
        Sid: "AccountManagesTopic",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        Resource: topic.arn,
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topic.arn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    this.allowEventPublisher("cloudwatch.amazonaws.com", `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*`);
    new SnsTopicPolicy(this, "policy", { arn: topic.arn, policy: this.policy.toJson() });
  }

  public allowEventPublisher(service: string, sourceArnPattern: string): void {
    if (this.publishers.has(service)) return;
    this.publishers.add(service);
    const sid = service.split(".").slice(0, -2).map((p) => p.replace(/[^A-Za-z0-9]/g, "")).join("");
    const condition = {
      StringEquals: { "aws:SourceAccount": this.account.accountId },
      ArnLike: { "aws:SourceArn": sourceArnPattern },
    };
    this.policy.addStatements({
      Sid: `Publish${sid}`,
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sns:Publish",
      Resource: this.topicArn,
      Condition: condition,
    });
    this.key.allowServicePrincipal(service, { StringEquals: { "aws:SourceAccount": this.account.accountId } }, `Publish${sid}`);
  }
}
