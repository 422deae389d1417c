import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Fn } from "cdktf";
import { OnCallTarget, checkOnCall } from "../core/on-call";
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
  /**
   * Who is paged: e-mail subscriptions and/or an HTTPS endpoint (PagerDuty, Opsgenie, webhook)
   * whose URL is read from Secrets Manager at plan time, never from config.
   * @default none: nobody is subscribed (the environment stack warns where that matters)
   */
  readonly onCall?: OnCallTarget;
}

/**
 * The environment's alarm topic: one SNS topic, encrypted with its own customer-managed key,
 * that every store's CloudWatch alarms and RDS/DocumentDB event subscriptions publish to.
 * `onCall` subscribes the people: each e-mail address (confirmed once by its owner) and one
 * HTTPS endpoint. The endpoint URL embeds the integration key, so config only names the
 * Secrets Manager secret holding it; it is read with a data source at plan time. SNS keeps
 * the URL as the subscription's endpoint, so it is in Terraform state (encrypted, in the
 * state bucket), as with any SNS https subscription; it is never in Git or the synthesized
 * JSON. PagerDuty and Opsgenie confirm subscriptions themselves; a webhook must answer
 * SNS's SubscriptionConfirmation.
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

    const onCall = props.onCall;
    if (onCall) {
      checkOnCall(`AlarmTopic ${id}`, "onCall", onCall);
      (onCall.emails ?? []).forEach((email, i) => {
        new SnsTopicSubscription(this, `email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
      });
      const endpoint = onCall.endpoint;
      if (endpoint) {
        const secret = new DataAwsSecretsmanagerSecretVersion(this, "on-call-endpoint", { secretId: endpoint.secretName });
        new SnsTopicSubscription(this, "on-call", {
          topicArn: topic.arn,
          protocol: "https",
          endpoint: Fn.lookup(Fn.jsondecode(secret.secretString), "url"),
          endpointAutoConfirms: endpoint.kind !== "webhook",
          // Keep retrying through a paging service's brief outage (SNS default: 3 tries in 60 s).
          deliveryPolicy: JSON.stringify({
            healthyRetryPolicy: { numRetries: 20, numNoDelayRetries: 0, minDelayTarget: 5, maxDelayTarget: 300, numMinDelayRetries: 2, numMaxDelayRetries: 10, backoffFunction: "exponential" },
            throttlePolicy: { maxReceivesPerSecond: 10 },
          }),
        });
      }
    }
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
