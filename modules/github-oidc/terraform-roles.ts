import { Construct } from "constructs";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { PolicyStatement } from "../core/policy";
import { check, checkUniqueList } from "../core/validation";
import { GithubActionsRole, GithubOidcProvider, GithubRepository, githubSubject } from "./index";

/** Where the environment's Terraform state lives (created by the bootstrap stack). */
export interface TerraformStateRef {
  readonly bucketArn: string;
  /** Keys are `<keyPrefix>/<stack>.tfstate`, lock files `<…>.tfstate.tflock`. */
  readonly keyPrefix: string;
  readonly kmsKeyArn: string;
}

/** Shared resources no environment's apply role may change. */
export interface ProtectedResources {
  readonly bucketArns: readonly string[];
  readonly kmsKeyArns: readonly string[];
  readonly ecrRepositoryArns: readonly string[];
}

export interface TerraformCiRolesProps {
  readonly provider: GithubOidcProvider;
  /** The environment's naming (`<project>-<env>`): roles are `<prefix>-github-plan` / `-apply`. */
  readonly naming: Naming;
  readonly repository: GithubRepository;
  /** GitHub environment whose jobs may apply (in the token's subject). */
  readonly githubEnvironment: string;
  /** Stacks (state keys) of the environment, e.g. `production`, `production-platform`. */
  readonly stacks: readonly string[];
  readonly state: TerraformStateRef;
  /** Region the environment runs in; the apply role is denied other regions (global services excepted). */
  readonly region: string;
  readonly protect: ProtectedResources;
  /**
   * Branch whose pushes and schedules may plan (main-branch plans before apply, drift checks).
   * @default "main"
   */
  readonly planBranch?: string;
  /**
   * Longest apply session, in seconds: a first apply of an environment (EKS, RDS, CloudFront)
   * takes well over an hour.
   * @default 7200
   */
  readonly applySessionSeconds?: number;
}

/**
 * Names of an environment's CI roles (`<prefix>-github-plan`, `<prefix>-github-apply`): the
 * one place the bootstrap stack, the environment's cluster access entries and the workflows'
 * role ARNs (`openedx-<env>-github-plan`) agree on.
 */
export function ciRoleNames(naming: Naming): { readonly plan: string; readonly apply: string } {
  return { plan: naming.name("github-plan", "iamRole"), apply: naming.name("github-apply", "iamRole") };
}

/**
 * Data-plane reads a read-only plan never needs, denied because pull-request code runs with
 * the plan role: ReadOnlyAccess alone would let a PR's `data` source or external program read
 * secrets, table items, queue messages or log lines and print them in the plan.
 */
export const DATA_PLANE_READS = [
  "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
  "sqs:ReceiveMessage", "kinesis:GetRecords",
  "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults",
  "ec2:GetPasswordData", "ecr:GetDownloadUrlForLayer", "lambda:InvokeFunction",
];

/** Services with a global endpoint, exempt from the region guard. */
const GLOBAL_SERVICES = ["iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*", "route53domains:*", "waf:*", "shield:*",
  "globalaccelerator:*", "support:*", "budgets:*", "ce:*", "health:*", "pricing:*", "account:*", "tag:*"];

/** IAM actions on the environment's own roles, policies and instance profiles. */
const IAM_MANAGE = [
  "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
  "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies",
  "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
  "iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
  "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
  "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile", "iam:AddRoleToInstanceProfile",
  "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile",
];

/**
 * The two roles CI uses for one environment.
 *
 * - **plan** (`<prefix>-github-plan`): pull requests of the repository and pushes/schedules on
 *   `planBranch`. AWS `ReadOnlyAccess` (Terraform refresh reads every attribute of every
 *   resource type; a hand-written list would miss some and break plans) minus data-plane reads
 *   (see DATA_PLANE_READS), every secret value outside the environment's own generated
 *   secrets (whose refresh needs them; the state holds them anyway) and every S3 object
 *   outside its own state; read of its own state keys, write of their lock files only
 *   (`use_lockfile`). Cluster read access comes from the environment stack (`planReaderRoles`).
 * - **apply** (`<prefix>-github-apply`): only jobs in the GitHub environment (`environment:<env>`
 *   subject, so main-branch jobs that passed the environment's reviewers). It manages the whole
 *   environment (VPC, EKS, RDS, KMS, IAM roles …), so it is honestly broad: AWS `PowerUserAccess`
 *   plus IAM limited to `<prefix>-*` roles, policies and instance profiles, PassRole of those, and
 *   EKS OIDC providers. Guard rails instead of a list that would rot: resources tagged with
 *   another `Environment` are denied, other regions are denied, the CI roles, the GitHub OIDC
 *   provider, the state bucket and key and the ECR repositories cannot be changed; the
 *   environment stack makes it a cluster admin (`adminRoles`) for the platform stack. Residual
 *   risk, accepted and documented: a role it creates under `<prefix>-*` could carry more
 *   rights than the apply role (no permissions boundary is enforced, because the modules'
 *   roles would all need one); reviews of `iam` changes in the plan are the control.
 */
export class TerraformCiRoles extends Construct {
  public readonly planRole: GithubActionsRole;
  public readonly applyRole: GithubActionsRole;
  /** ARN pattern matching both roles (for the state bucket policy). */
  public readonly roleArnPattern: string;

  constructor(scope: Construct, id: string, props: TerraformCiRolesProps) {
    super(scope, id);
    const where = `TerraformCiRoles ${id}`;
    checkUniqueList(where, "stacks", props.stacks);
    check(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(props.state.keyPrefix), where, "state.keyPrefix", props.state.keyPrefix,
      "must be a key prefix such as learning-platform (no leading or trailing slash)");
    const branch = props.planBranch ?? "main";
    const { accountId, partition } = awsContext(this);
    const prefix = props.naming.prefix;
    const iam = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
    const stateKeys = props.stacks.map((s) => `${props.state.bucketArn}/${props.state.keyPrefix}/${s}.tfstate`);
    const lockKeys = stateKeys.map((k) => `${k}.tflock`);
    // GeneratedSecret names are `<prefix>-<component>`; Secrets Manager appends `-XXXXXX` to the ARN.
    const ownSecrets = `arn:${partition}:secretsmanager:${props.region}:${accountId}:secret:${prefix}-*`;
    this.roleArnPattern = iam(`role/${prefix}-github-*`);

    const stateStatements = (write: boolean): PolicyStatement[] => [
      {
        Sid: "StateList",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: props.state.bucketArn,
        Condition: { StringLike: { "s3:prefix": `${props.state.keyPrefix}/*` } },
      },
      { Sid: "StateObjects", Effect: "Allow", Action: write ? ["s3:GetObject", "s3:PutObject"] : "s3:GetObject", Resource: stateKeys },
      { Sid: "StateLocks", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: lockKeys },
      {
        Sid: "StateKey",
        Effect: "Allow",
        Action: write ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] : ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: props.state.kmsKeyArn,
      },
    ];

    this.planRole = new GithubActionsRole(this, "plan", {
      provider: props.provider,
      roleName: ciRoleNames(props.naming).plan,
      description: `Read-only Terraform plans of ${prefix} from GitHub Actions (pull requests, ${branch})`,
      subjects: [githubSubject(props.repository, "pull_request"), githubSubject(props.repository, { branch })],
      managedPolicies: ["ReadOnlyAccess"],
      statements: [
        ...stateStatements(false),
        // Refreshing the environment's own generated secrets (aws_secretsmanager_secret_version)
        // reads their value; the state this role already reads holds the same values. No other
        // secret: the deny below covers every secret outside the environment's name prefix.
        { Sid: "OwnSecretsRefresh", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ownSecrets },
        {
          Sid: "OwnSecretsDecrypt",
          Effect: "Allow",
          Action: "kms:Decrypt",
          // The environment's keys are created after this role, so they are matched by use, not by ARN.
          Resource: "*",
          Condition: {
            StringEquals: { "kms:ViaService": `secretsmanager.${props.region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:SecretARN": ownSecrets },
          },
        },
        // data.aws_secretsmanager_random_password (GeneratedSecret) is read at plan time; the API has no resource, so "*".
        { Sid: "GeneratePasswords", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
        { Sid: "DenyOtherSecrets", Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: ownSecrets },
        { Sid: "DenyDataPlaneReads", Effect: "Deny", Action: DATA_PLANE_READS, Resource: "*" },
        // Every object outside its own state and lock keys: no reading backups or media through a PR.
        { Sid: "DenyObjectsOutsideState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [...stateKeys, ...lockKeys] },
      ],
    });

    this.applyRole = new GithubActionsRole(this, "apply", {
      provider: props.provider,
      roleName: ciRoleNames(props.naming).apply,
      description: `Terraform applies of ${prefix} from the GitHub environment ${props.githubEnvironment}`,
      subjects: [githubSubject(props.repository, { environment: props.githubEnvironment })],
      managedPolicies: ["PowerUserAccess"],
      maxSessionDurationSeconds: props.applySessionSeconds ?? 7200,
      statements: [
        ...stateStatements(true),
        {
          Sid: "EnvironmentIam",
          Effect: "Allow",
          Action: IAM_MANAGE,
          Resource: [iam(`role/${prefix}-*`), iam(`policy/${prefix}-*`), iam(`instance-profile/${prefix}-*`)],
        },
        { Sid: "PassEnvironmentRoles", Effect: "Allow", Action: "iam:PassRole", Resource: iam(`role/${prefix}-*`) },
        {
          Sid: "EksOidcProviders",
          Effect: "Allow",
          Action: ["iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:GetOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint"],
          Resource: iam(`oidc-provider/oidc.eks.${props.region}.amazonaws.com/id/*`),
        },
        { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: iam("role/aws-service-role/*") },
        // Read-only IAM for refreshes and data sources (managed policies, account settings); IAM has no narrower read scope.
        { Sid: "IamRead", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
        {
          Sid: "DenyOtherEnvironments",
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: {
            Null: { "aws:ResourceTag/Environment": "false" },
            StringNotEquals: { "aws:ResourceTag/Environment": [props.naming.environment, "bootstrap"] },
          },
        },
        {
          Sid: "DenyOtherRegions",
          Effect: "Deny",
          NotAction: GLOBAL_SERVICES,
          Resource: "*",
          // us-east-1 too: CloudFront's certificates and WAF web ACLs live there whatever the region.
          Condition: { StringNotEquals: { "aws:RequestedRegion": [...new Set([props.region, "us-east-1"])] } },
        },
        {
          Sid: "DenyCiIdentityChanges",
          Effect: "Deny",
          NotAction: ["iam:Get*", "iam:List*"],
          Resource: [iam("role/*-github-*"), iam(`oidc-provider/token.actions.githubusercontent.com`)],
        },
        {
          Sid: "DenyBootstrapBucketChanges",
          Effect: "Deny",
          Action: ["s3:DeleteBucket*", "s3:PutBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration"],
          Resource: [...props.protect.bucketArns],
        },
        {
          Sid: "DenyBootstrapKeyChanges",
          Effect: "Deny",
          Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant", "kms:DisableKeyRotation", "kms:UpdateAlias", "kms:DeleteAlias"],
          Resource: [...props.protect.kmsKeyArns],
        },
        ...(props.protect.ecrRepositoryArns.length ? [{
          Sid: "DenyEcrChanges",
          Effect: "Deny" as const,
          Action: ["ecr:DeleteRepository", "ecr:DeleteRepositoryPolicy", "ecr:SetRepositoryPolicy", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
            "ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration", "ecr:BatchDeleteImage", "ecr:PutImage"],
          Resource: [...props.protect.ecrRepositoryArns],
        }] : []),
      ],
    });
  }
}
