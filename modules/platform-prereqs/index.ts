import { Construct, IConstruct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AlarmTopicRef } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { PolicyStatement, policyJson } from "../core/policy";
import { suppress } from "../core/suppress";
import { PLATFORM_SERVICE_ACCOUNTS, ServiceAccountRef } from "../core/pod-identity";
import { podIdentityRole } from "../core/pod-identity-role";
import { check, checkInt } from "../core/validation";
import { DNS_LABEL_RE } from "../core/dns";
import { SecureBucket, accountScopedBucketName } from "../s3-buckets";
import { addControllerRoles } from "./controller-roles";
import type { BucketRef, KeyRef } from "../core/refs";

export interface PlatformPrereqsProps {
  readonly naming: Naming;
  /** EKS cluster the Pod Identity associations belong to. */
  readonly clusterName: string;
  /** Key for SSE-KMS on the Loki and Velero buckets (the roles may use it through S3 only). */
  readonly kmsKey: KeyRef;
  /** Server-access-log target for the new buckets. */
  readonly accessLogsBucket: BucketRef;
  /**
   * The environment's alarm topic (modules/alerting). Alertmanager publishes the cluster's
   * Prometheus alerts to it, so CloudWatch alarms and Kubernetes alerts reach on-call
   * through one subscription.
   */
  readonly alarmTopic: AlarmTopicRef;
  /**
   * Let `destroy` delete non-empty buckets (throwaway environments only).
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Days noncurrent Loki objects are kept after Loki's compactor deletes them.
   * @default 7
   */
  readonly lokiNoncurrentDays?: number;
  /**
   * Days noncurrent Velero objects are kept after Velero expires a backup (a safety net
   * against a mistaken `velero backup delete`).
   * @default 30
   */
  readonly veleroNoncurrentDays?: number;
  /**
   * KMS key of the cluster's EBS volumes; Velero needs grants on it to restore volumes from
   * snapshots of CMK-encrypted volumes.
   * @default none (snapshots are taken; restoring CMK-encrypted volumes needs this key)
   */
  readonly ebsKmsKeyArn?: string;
  /**
   * Create the Cluster Autoscaler's and AWS Load Balancer Controller's Pod Identity roles and
   * associations (controller-roles.ts). `clusterName` is the name as written in config (the
   * trust policies pin it); `movedFrom` is the construct that created them before, for `moved` blocks.
   * @default none (no controller roles)
   */
  readonly controllerRoles?: { readonly clusterName: string; readonly movedFrom?: IConstruct };
}

/** A secret the External Secrets Operator may read, and the key that encrypts it. */
export interface SecretGrant {
  readonly secretArn: string;
  /**
   * Customer-managed key of the secret; the operator may decrypt with it through Secrets Manager, for this secret only.
   * @default none: the secret uses the AWS-managed `aws/secretsmanager` key, whose policy already allows this account's principals through Secrets Manager
   */
  readonly kmsKeyArn?: string;
}

export interface ExternalSecretGrants {
  /** Secrets this stack created (data-store credentials), by ARN, with their keys. */
  readonly secrets: readonly SecretGrant[];
  /**
   * Operator-created secrets (SSO client secret, on-call keys, repository credentials), by name.
   * @default []
   */
  readonly secretNames?: readonly string[];
}

/** What the app's pods may do in AWS. */
export interface AppRoleProps {
  /** The app's service account (its namespace is the app namespace). */
  readonly serviceAccount: ServiceAccountRef;
  /**
   * The media bucket (its grant includes the key that encrypts it, through S3 only).
   * @default none (no S3 access)
   */
  readonly mediaBucket?: BucketRef;
  /**
   * SES identities (domains or addresses) the app sends mail as.
   * @default [] (no SES access)
   */
  readonly sesIdentities?: readonly string[];
}

/**
 * The AWS side of the platform stack: S3 buckets for Loki chunks and Velero backups, and the
 * least-privilege roles their pods assume through EKS Pod Identity.
 *
 * Pod Identity rather than IRSA: no OIDC trust per cluster to maintain, the association is
 * an AWS resource reviewed in the AWS plan, and the service account needs no annotation, so
 * the Kubernetes side cannot point a pod at a role it was not granted. Each role may only
 * touch its own bucket, and the KMS key only through S3 (`kms:ViaService`); each trusts only
 * its own cluster, namespace and service account (Pod Identity session tags). Alertmanager's
 * role may only publish to the alarm topic and use that topic's key through SNS (Alertmanager
 * 0.28's SNS notifier uses the AWS SDK's default credential chain, whose container provider
 * serves Pod Identity). `allowDns01` adds cert-manager's DNS-01 role for a Route53 zone.
 */
export class PlatformPrereqs extends Construct {
  public readonly lokiBucket: SecureBucket;
  public readonly veleroBucket: SecureBucket;
  public readonly lokiRoleArn: string;
  public readonly veleroRoleArn: string;
  /** Role Alertmanager publishes to the alarm topic with. */
  public readonly alertmanagerRoleArn: string;
  /** Bucket names, for the platform stack's chart values. */
  public readonly lokiBucketName: string;
  public readonly veleroBucketName: string;
  /** Pod Identity role of the Cluster Autoscaler (`kube-system/cluster-autoscaler`), when `controllerRoles` is set. */
  public readonly clusterAutoscalerRoleArn?: string;
  /** Pod Identity role of the AWS Load Balancer Controller, when `controllerRoles` is set. */
  public readonly loadBalancerControllerRoleArn?: string;
  /** ARN of the key encrypting both buckets (Velero sets it as its SSE key). */
  public readonly kmsKeyArn: string;
  private readonly naming: Naming;
  private readonly clusterName: string;
  private readonly ctx: { accountId: string; partition: string; region: string };
  private dns01Role?: string;
  private externalSecretsRole?: string;
  private app?: IamRole;

  constructor(scope: Construct, id: string, props: PlatformPrereqsProps) {
    super(scope, id);
    const where = `PlatformPrereqs ${id}`;
    const { naming, kmsKey } = props;
    this.naming = naming;
    const lokiNoncurrent = props.lokiNoncurrentDays ?? 7;
    const veleroNoncurrent = props.veleroNoncurrentDays ?? 30;
    checkInt(where, "lokiNoncurrentDays", lokiNoncurrent, 1, 3650);
    checkInt(where, "veleroNoncurrentDays", veleroNoncurrent, 1, 3650);
    const { accountId, partition, region } = awsContext(this);
    this.clusterName = props.clusterName;
    this.ctx = { accountId, partition, region };
    const forceDestroy = props.forceDestroy ?? false;

    this.lokiBucket = new SecureBucket(this, "loki", {
      bucketName: accountScopedBucketName(naming, "loki", accountId),
      kmsKey,
      forceDestroy,
      accessLogs: { bucket: props.accessLogsBucket, prefix: "loki/" },
      // Loki's compactor owns retention; Loki reads chunks at query time, so no cold tiers.
      lifecycle: { noncurrentVersionExpirationDays: lokiNoncurrent, transitions: [] },
    });
    this.veleroBucket = new SecureBucket(this, "velero", {
      bucketName: accountScopedBucketName(naming, "velero", accountId),
      kmsKey,
      forceDestroy,
      accessLogs: { bucket: props.accessLogsBucket, prefix: "velero/" },
      // Glacier Instant Retrieval only: a restore must not wait hours for a thaw.
      lifecycle: { noncurrentVersionExpirationDays: veleroNoncurrent, transitions: [{ days: 30, storageClass: "GLACIER_IR" }] },
    });
    suppress(this.lokiBucket.resource,
      { id: "CKV_AWS_144", reason: "Loki chunks are operational telemetry with a 30-day horizon; a cross-region replica costs more than losing logs during a regional outage" },
      { id: "CKV2_AWS_62", reason: "Only Loki reads and writes this bucket; nothing consumes object events, and access is audited through server access logs" });
    suppress(this.veleroBucket.resource,
      { id: "CKV_AWS_144", reason: "Single-region DR by design (seed 001: in-region restore, RTO 4 h, RPO 24 h); versioning keeps deleted backups, S3 stores across AZs" },
      { id: "CKV2_AWS_62", reason: "Only Velero reads and writes this bucket; nothing consumes object events, and access is audited through server access logs" });
    this.lokiBucketName = this.lokiBucket.bucketName;
    this.veleroBucketName = this.veleroBucket.bucketName;
    this.kmsKeyArn = kmsKey.keyArn;

    // Each role may only touch its own bucket, and the key only through S3 (the bucket's grant).
    this.lokiRoleArn = this.podRole("loki", PLATFORM_SERVICE_ACCOUNTS.loki, this.lokiBucket.grantReadWrite());

    const ec2 = (type: string) => `arn:${partition}:ec2:${region}:${accountId}:${type}/*`;
    const ec2Snapshot = `arn:${partition}:ec2:${region}::snapshot/*`;
    const veleroStatements: PolicyStatement[] = [
      ...this.veleroBucket.grantReadWrite(),
      // Describe calls have no resource-level permissions in EC2; AWS requires "*".
      { Sid: "DescribeVolumesAndSnapshots", Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], Resource: "*" },
      { Sid: "SnapshotVolumes", Effect: "Allow", Action: ["ec2:CreateSnapshot", "ec2:CreateVolume"], Resource: [ec2("volume"), ec2Snapshot] },
      {
        Sid: "TagOnCreateOnly", Effect: "Allow", Action: "ec2:CreateTags", Resource: [ec2("volume"), ec2Snapshot],
        Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } },
      },
      {
        // Only snapshots Velero made (it tags each with its backup name).
        Sid: "DeleteOwnSnapshots", Effect: "Allow", Action: "ec2:DeleteSnapshot", Resource: ec2Snapshot,
        Condition: { Null: { "aws:ResourceTag/velero.io/backup": "false" } },
      },
    ];
    if (props.ebsKmsKeyArn) {
      veleroStatements.push({
        Sid: "RestoreEncryptedVolumes", Effect: "Allow",
        Action: ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*", "kms:DescribeKey"],
        Resource: props.ebsKmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `ec2.${region}.amazonaws.com` } },
      });
    }
    this.veleroRoleArn = this.podRole("velero", PLATFORM_SERVICE_ACCOUNTS.velero, veleroStatements);

    // Alertmanager → the environment's alarm topic. The topic policy already lets this
    // account's principals publish (AccountManagesTopic) and the key policy delegates to IAM
    // (account root), so this identity policy is the whole grant.
    this.alertmanagerRoleArn = this.podRole("alertmanager", PLATFORM_SERVICE_ACCOUNTS.alertmanager, [
      { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: props.alarmTopic.topicArn },
      {
        // Publishing to an SSE-KMS topic: SNS generates and decrypts the data key on the caller's behalf.
        Sid: "TopicKeyViaSns", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: props.alarmTopic.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com` } },
      },
    ]);

    if (props.controllerRoles) {
      const roles = addControllerRoles(this, {
        naming, clusterName: props.controllerRoles.clusterName, clusterRef: props.clusterName, partition, region, accountId,
        movedFrom: props.controllerRoles.movedFrom,
      });
      this.clusterAutoscalerRoleArn = roles.clusterAutoscalerRole.arn;
      this.loadBalancerControllerRoleArn = roles.loadBalancerControllerRole.arn;
    }
  }

  private podRole(component: string, sa: ServiceAccountRef, statements: PolicyStatement[]): string {
    return this.podIamRole(component, sa, statements).arn;
  }

  /** A role pinned to this cluster and `sa` (modules/core/pod-identity-role.ts), with its association. */
  private podIamRole(component: string, sa: ServiceAccountRef, statements: PolicyStatement[]): IamRole {
    return podIdentityRole(this, component, {
      naming: this.naming, component, clusterName: this.clusterName, serviceAccount: sa, statements,
      description: `${component} pods (${sa.namespace}/${sa.name}) through EKS Pod Identity`,
      maxSessionDuration: 3600,
    });
  }

  /**
   * Lets cert-manager solve ACME DNS-01 challenges in a Route53 hosted zone: a Pod Identity
   * role for its controller that may only upsert and delete `_acme-challenge` TXT records in
   * that zone (plus reading the zone and change status). Call once, with the zone's id.
   * @returns the role's ARN
   */
  public allowDns01(hostedZoneId: string): string {
    check(this.dns01Role === undefined, `PlatformPrereqs ${this.node.id}`, "allowDns01", hostedZoneId, "may be called once (one DNS-01 role per cluster)");
    const { partition } = this.ctx;
    const zoneArn = `arn:${partition}:route53:::hostedzone/${hostedZoneId}`;
    this.dns01Role = this.podRole("cert-manager-dns01", PLATFORM_SERVICE_ACCOUNTS.certManager, [
      { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zoneArn },
      {
        Sid: "AcmeChallengeRecordsOnly", Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: zoneArn,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      },
      { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
    ]);
    return this.dns01Role;
  }

  /**
   * The External Secrets Operator's role: read exactly the listed secrets of this environment
   * (service-managed ones by ARN, operator-created ones by name plus the 6-character suffix Secrets
   * Manager appends) and decrypt them only through Secrets Manager, only for those secrets
   * (the `SecretARN` encryption context Secrets Manager binds each data key to). Operator-
   * created secrets under the AWS-managed `aws/secretsmanager` key need no key statement.
   * Call once. @returns the role's ARN
   */
  public allowExternalSecrets(grants: ExternalSecretGrants): string {
    const where = `PlatformPrereqs ${this.node.id}`;
    check(this.externalSecretsRole === undefined, where, "allowExternalSecrets", "second call", "may be called once (one role for the operator)");
    const names = [...new Set(grants.secretNames ?? [])];
    check(grants.secrets.length + names.length > 0, where, "allowExternalSecrets", grants, "must grant at least one secret");
    names.forEach((n, i) => check(/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(n), where, `allowExternalSecrets.secretNames[${i}]`, n, "must be a Secrets Manager secret name (not an ARN)"));
    const { partition, accountId, region } = this.ctx;
    const secretArns = [
      ...grants.secrets.map((s) => s.secretArn),
      ...names.map((n) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${n}-??????`),
    ];
    const keyArns = [...new Set(grants.secrets.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])))];
    const statements: PolicyStatement[] = [
      { Sid: "ReadListedSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArns },
    ];
    if (keyArns.length > 0) {
      statements.push({
        Sid: "DecryptThroughSecretsManager", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArns,
        Condition: {
          StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
          ArnLike: { "kms:EncryptionContext:SecretARN": secretArns },
        },
      });
    }
    this.externalSecretsRole = this.podRole("external-secrets", PLATFORM_SERVICE_ACCOUNTS.externalSecrets, statements);
    return this.externalSecretsRole;
  }

  /**
   * The app's role (Open edX pods, through their service account): read and write objects in
   * the media bucket and use its key only through S3 when given; send mail through the listed
   * SES identities when given; and, through `allowAppDataStores`, connect to the IAM-
   * authenticated data stores (OpenSearch, ElastiCache). MySQL and DocumentDB credentials
   * reach the app as Kubernetes Secrets (External Secrets), not through this role. Call once.
   * @returns the role's ARN
   */
  public appRole(props: AppRoleProps): string {
    const where = `PlatformPrereqs ${this.node.id}`;
    check(this.app === undefined, where, "appRole", "second call", "may be called once (one app role per environment)");
    check(DNS_LABEL_RE.test(props.serviceAccount.namespace) && DNS_LABEL_RE.test(props.serviceAccount.name), where, "appRole.serviceAccount",
      props.serviceAccount, "must name a namespace and service account (DNS labels)");
    const { partition, accountId, region } = this.ctx;
    const ses = props.sesIdentities ?? [];
    ses.forEach((id, i) => check(/^([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$|^[^@\s]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$/.test(id), where, `appRole.sesIdentities[${i}]`, id,
      "must be an SES identity: a domain or an e-mail address"));
    const statements: PolicyStatement[] = [];
    if (props.mediaBucket) {
      statements.push(...props.mediaBucket.grantReadWrite("Media"));
    }
    if (ses.length > 0) {
      statements.push({
        Sid: "SendMail", Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: ses.map((id) => `arn:${partition}:ses:${region}:${accountId}:identity/${id}`),
      });
    }
    this.app = this.podIamRole("app", props.serviceAccount, statements);
    return this.app.arn;
  }

  /**
   * Lets the app's role connect to the IAM-authenticated data stores: the stores' own
   * statements (`es:ESHttp*` on the search domain, `elasticache:Connect` on the cache and its
   * user), as a second policy on the role. Call once, after `appRole`.
   */
  public allowAppDataStores(statements: readonly PolicyStatement[]): void {
    const where = `PlatformPrereqs ${this.node.id}`;
    check(this.app !== undefined, where, "allowAppDataStores", "before appRole", "must be called after appRole (it adds to the app's role)");
    check(statements.length > 0, where, "allowAppDataStores", statements, "must grant at least one statement");
    check(this.node.tryFindChild("app-data-stores-policy") === undefined, where, "allowAppDataStores", "second call", "may be called once");
    new IamRolePolicy(this, "app-data-stores-policy", { role: this.app!.id, name: "app-data-stores", policy: policyJson([...statements]) });
  }

  /** ARN of cert-manager's DNS-01 role, once `allowDns01` has made it. */
  public get dns01RoleArn(): string | undefined {
    return this.dns01Role;
  }
}
