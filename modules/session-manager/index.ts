import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { awsContext } from "../core/aws-context";
import { encryptedLogGroup } from "../core/log-group";
import { Naming } from "../core/naming";
import { PolicyStatement } from "../core/policy";
import { check, checkLogRetention } from "../core/validation";
import { KmsKey } from "../kms-key";

/** Names every stack derives the same way, so instance roles need no cross-stack reference. */
export function sessionManagerNames(project: string) {
  return {
    keyAlias: `alias/${project}-bootstrap-session-manager`,
    logGroup: `/aws/ssm/${project}-sessions`,
    operatorPolicy: `${project}-session-manager-operator`,
    /** Tag an instance must carry (value `true`) for operators to open a session on it. */
    accessTag: "SessionManagerAccess",
  } as const;
}

export interface SessionManagerProps {
  readonly naming: Naming;
  /** Days session transcripts are kept in CloudWatch Logs. */
  readonly logRetentionDays: number;
  /**
   * Minutes of inactivity after which a session ends (1-60).
   * @default 20
   */
  readonly idleTimeoutMinutes?: number;
}

/**
 * SSM Session Manager instead of a bastion (seed 004's "bastion (optional)"): no inbound port,
 * no SSH key, every session authenticated by IAM, encrypted with a key of our own and recorded
 * in CloudWatch Logs. Account-level (bootstrap): the preferences document
 * `SSM-SessionManagerRunShell` is one per account and region. Operators get the managed policy
 * `<project>-session-manager-operator` (shell and port forwarding, e.g. to a database, only on
 * instances tagged `SessionManagerAccess=true`, and only their own sessions to end or resume);
 * instances get `instanceStatements()` on their role.
 */
export class SessionManager extends Construct {
  public readonly key: KmsKey;
  public readonly operatorPolicy: IamPolicy;
  public readonly preferences: SsmDocument;

  constructor(scope: Construct, id: string, props: SessionManagerProps) {
    super(scope, id);
    const where = `SessionManager ${id}`;
    const idle = props.idleTimeoutMinutes ?? 20;
    check(Number.isInteger(idle) && idle >= 1 && idle <= 60, where, "idleTimeoutMinutes", idle, "must be an integer from 1 to 60 (Session Manager's range)");
    checkLogRetention(where, "logRetentionDays", props.logRetentionDays);
    const names = sessionManagerNames(props.naming.project);
    const { accountId, partition, region } = awsContext(this);

    this.key = new KmsKey(this, "key", { naming: props.naming, component: "session-manager", description: "Session Manager sessions and transcripts", allowCloudWatchLogs: true });
    const logGroup = encryptedLogGroup(this, "logs", { name: names.logGroup, retentionDays: props.logRetentionDays, kmsKeyArn: this.key.keyArn, retentionProp: "sessionManager.logRetentionDays" });

    this.preferences = new SsmDocument(this, "preferences", {
      name: "SSM-SessionManagerRunShell",
      documentType: "Session",
      documentFormat: "JSON",
      content: JSON.stringify({
        schemaVersion: "1.0",
        description: "Session Manager preferences: KMS-encrypted sessions, transcripts to CloudWatch Logs",
        sessionType: "Standard_Stream",
        inputs: {
          kmsKeyId: this.key.keyArn,
          cloudWatchLogGroupName: names.logGroup,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
          s3EncryptionEnabled: true,
          idleSessionTimeout: String(idle),
          runAsEnabled: false,
          shellProfile: { linux: "", windows: "" },
        },
      }),
      dependsOn: [logGroup],
    });

    const documents = ["SSM-SessionManagerRunShell", "AWS-StartPortForwardingSession", "AWS-StartPortForwardingSessionToRemoteHost"]
      .map((d) => d.startsWith("AWS-") ? `arn:${partition}:ssm:${region}::document/${d}` : `arn:${partition}:ssm:${region}:${accountId}:document/${d}`);
    this.operatorPolicy = new IamPolicy(this, "operator-policy", {
      name: names.operatorPolicy,
      description: "Session Manager shells and port forwarding on instances tagged SessionManagerAccess=true; own sessions only",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "StartOnTaggedInstances", Effect: "Allow", Action: "ssm:StartSession",
            Resource: `arn:${partition}:ec2:${region}:${accountId}:instance/*`,
            Condition: { StringEquals: { [`ssm:resourceTag/${names.accessTag}`]: "true" } },
          },
          { Sid: "WithOurDocuments", Effect: "Allow", Action: "ssm:StartSession", Resource: documents, Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } } },
          { Sid: "OwnSessions", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: `arn:${partition}:ssm:*:${accountId}:session/\${aws:userid}-*` },
          { Sid: "SessionKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: this.key.keyArn },
          { Sid: "FindInstances", Effect: "Allow", Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus", "ec2:DescribeInstances"], Resource: "*" },
        ],
      }),
    });
  }
}

/**
 * What an instance role needs for Session Manager (the agent's channels, the session key
 * looked up by alias, its transcript log group): a minimal policy in place of
 * AmazonSSMManagedInstanceCore, which also reads every SSM parameter of the account.
 */
export function instanceStatements(project: string, scope: Construct): PolicyStatement[] {
  const names = sessionManagerNames(project);
  const { accountId, partition, region } = awsContext(scope);
  return [
    {
      Sid: "SessionManagerAgent", Effect: "Allow",
      Action: ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
      Resource: "*",
    },
    {
      Sid: "SessionManagerKey", Effect: "Allow", Action: "kms:Decrypt", Resource: `arn:${partition}:kms:${region}:${accountId}:key/*`,
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": names.keyAlias } },
    },
    {
      Sid: "SessionManagerTranscripts", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:${names.logGroup}:*`,
    },
    { Sid: "SessionManagerLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
  ];
}
