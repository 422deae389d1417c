import { Construct } from "constructs";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { PolicyStatement } from "../core/policy";
import { check, checkUniqueList } from "../core/validation";
import { GithubActionsRole, GithubJob, GithubOidcProvider, GithubRepository, githubSubject } from "./index";

/** Where the environment's Terraform state lives (created by the bootstrap stack). */
export interface TerraformStateRef {
  readonly bucketArn: string;
  /** Keys are `<keyPrefix>/<stack>.tfstate`, lock files `<…>.tfstate.tflock`. */
  readonly keyPrefix: string;
  readonly kmsKeyArn: string;
  /**
   * Region of the bucket: S3 calls KMS from there (`kms:ViaService`).
   * @default the environment's region
   */
  readonly region?: string;
}

/**
 * Workflow files (paths in the repository) whose jobs assume an environment's CI roles; each
 * role's trust names the file, so no other workflow of the repository can assume it.
 */
export interface CiWorkflows {
  /** Reusable workflow of the main pipeline: plans a stack (no environment), applies it (in the environment). */
  readonly applyStack: string;
  /** Scheduled drift plans on the main branch. */
  readonly drift: string;
  /** Pull-request plans. */
  readonly pullRequest: string;
}

/** The repository's workflow files (.github/workflows/). */
export const DEFAULT_CI_WORKFLOWS: CiWorkflows = {
  applyStack: ".github/workflows/apply-stack.yml",
  drift: ".github/workflows/drift.yml",
  pullRequest: ".github/workflows/pull-request.yml",
};

/** Shared resources no environment's apply role may change. */
export interface ProtectedResources {
  readonly bucketArns: readonly string[];
  readonly kmsKeyArns: readonly string[];
  readonly ecrRepositoryArns: readonly string[];
}

export interface TerraformCiRolesProps {
  readonly provider: GithubOidcProvider;
  /** The environment's naming (`<project>-<env>`): roles are `<prefix>-github-pr-plan` / `-plan` / `-apply`. */
  readonly naming: Naming;
  readonly repository: GithubRepository;
  /** GitHub environment whose jobs may apply (in the token's subject). */
  readonly githubEnvironment: string;
  /**
   * GitHub environment pull-request plans of this environment run in (in the token's
   * subject). Its protection rules decide who may run PR code with the PR plan role: required
   * reviewers for any environment whose state and secrets matter (production).
   * @default `<githubEnvironment>-plan`
   */
  readonly pullRequestPlanEnvironment?: string;
  /** @default DEFAULT_CI_WORKFLOWS */
  readonly workflows?: CiWorkflows;
  /** Stacks (state keys) of the environment, e.g. `production`, `production-platform`. */
  readonly stacks: readonly string[];
  readonly state: TerraformStateRef;
  /** Region the environment runs in; the apply role is denied other regions (global services excepted). */
  readonly region: string;
  readonly protect: ProtectedResources;
  /**
   * The branch that applies: its pushes plan and apply, its schedules check drift. Trust
   * policies require it in the token's `ref`.
   * @default "main"
   */
  readonly mainBranch?: string;
  /**
   * Longest apply session, in seconds: a first apply of an environment (EKS, RDS Multi-AZ,
   * OpenSearch, CloudFront) can take two hours or more. It matches the apply job's
   * `timeout-minutes` (180) so the credentials outlive the job and Terraform is never cut off
   * mid-apply with an expired token (a test ties the two together).
   * @default 10800
   */
  readonly applySessionSeconds?: number;
  /** AWS managed policies of the apply role (a DNS-only environment needs Route53 alone). @default ["PowerUserAccess"] */
  readonly applyManagedPolicies?: readonly string[];
}

/**
 * Names of an environment's CI roles (`<prefix>-github-pr-plan`, `-github-plan`, `-github-apply`): the
 * one place the bootstrap stack, the environment's cluster access entries and the workflows'
 * role ARNs (`openedx-<env>-github-plan`) agree on.
 */
export function ciRoleNames(naming: Naming): { readonly plan: string; readonly prPlan: string; readonly apply: string } {
  return { plan: naming.name("github-plan", "iamRole"), prPlan: naming.name("github-pr-plan", "iamRole"), apply: naming.name("github-apply", "iamRole") };
}

/**
 * Data-plane reads a read-only plan never needs, denied because pull-request code runs with
 * the PR plan role: ReadOnlyAccess alone would let a PR's `data` source or external program
 * read table items, queue messages or log lines and print them in the plan.
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
 * The three roles CI uses for one environment. Every trust names the repository, the ref, the
 * workflow file and the GitHub environment (customized `sub`, see SUB_CLAIM_KEYS), so the
 * README's threat model holds in IAM, not only in workflow YAML a pull request can change.
 *
 * - **pr-plan** (`<prefix>-github-pr-plan`): pull-request plans, only for jobs of
 *   `workflows.pullRequest` in the GitHub environment `pullRequestPlanEnvironment` (a PR's
 *   code, workflow YAML and synthesized JSON are the author's: an external data source or a
 *   provider runs with these credentials). So the environment is the gate: production's has
 *   required reviewers, and nothing of production is reachable from a PR before one approves.
 *   After approval it may do what a speculative plan needs and no more: AWS `ReadOnlyAccess`
 *   minus data-plane reads; its own state keys read (never written: PR plans run with
 *   `-lock=false`, and every S3 write and delete is denied, lock files included); KMS decrypt
 *   only through S3 (the state) and Secrets Manager (its own generated secrets, whose refresh
 *   reads the value, and the on-call endpoint its alerting reads), every other decrypt
 *   denied (SSM SecureStrings, direct ciphertexts); no other secret, no other object.
 * - **plan** (`<prefix>-github-plan`): the main pipeline's plan before apply
 *   (`workflows.applyStack` on `mainBranch`, no environment) and drift checks
 *   (`workflows.drift` on `mainBranch`): reviewed code only. The same reads as pr-plan, plus
 *   writing and deleting its lock files (`use_lockfile`) and the state key's data keys for them.
 *   Cluster read access comes from the environment stack (`planReaderRoles`).
 * - **apply** (`<prefix>-github-apply`): only `workflows.applyStack` on `mainBranch` in the
 *   GitHub environment `githubEnvironment` (so main-branch jobs that passed the environment's
 *   reviewers). It manages the whole environment (VPC, EKS, RDS, KMS, IAM roles …), so it is
 *   honestly broad: AWS `PowerUserAccess` plus IAM limited to `<prefix>-*` roles, policies and
 *   instance profiles, PassRole of those, and EKS OIDC providers. Guard rails instead of a list
 *   that would rot: resources tagged with another `Environment` are denied, other regions are
 *   denied, the CI roles, the GitHub OIDC provider, the state bucket and key and the ECR
 *   repositories cannot be changed; the environment stack makes it a cluster admin
 *   (`adminRoles`) for the platform stack. Residual risk, accepted and documented: a role it
 *   creates under `<prefix>-*` could carry more rights than the apply role (no permissions
 *   boundary is enforced, because the modules' roles would all need one); reviews of `iam`
 *   changes in the plan are the control.
 */
export class TerraformCiRoles extends Construct {
  public readonly planRole: GithubActionsRole;
  public readonly prPlanRole: GithubActionsRole;
  public readonly applyRole: GithubActionsRole;
  /** ARN pattern matching the three roles (for the state bucket policy). */
  public readonly roleArnPattern: string;
  /** Jobs (as their OIDC tokens describe them) each role trusts: what the workflows must match. */
  public readonly trustedJobs: Readonly<Record<"plan" | "prPlan" | "apply", readonly GithubJob[]>>;

  constructor(scope: Construct, id: string, props: TerraformCiRolesProps) {
    super(scope, id);
    const where = `TerraformCiRoles ${id}`;
    checkUniqueList(where, "stacks", props.stacks);
    check(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(props.state.keyPrefix), where, "state.keyPrefix", props.state.keyPrefix,
      "must be a key prefix such as learning-platform (no leading or trailing slash)");
    const branch = props.mainBranch ?? "main";
    const workflows = props.workflows ?? DEFAULT_CI_WORKFLOWS;
    const prEnvironment = props.pullRequestPlanEnvironment ?? `${props.githubEnvironment}-plan`;
    check(prEnvironment !== props.githubEnvironment, where, "pullRequestPlanEnvironment", prEnvironment,
      `must differ from githubEnvironment: the apply environment's branch rule (${branch} only) would refuse PR jobs, and sharing it would mix apply and PR reviewers`);
    const { accountId, partition } = awsContext(this);
    const prefix = props.naming.prefix;
    const iam = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
    const stateKeys = props.stacks.map((s) => `${props.state.bucketArn}/${props.state.keyPrefix}/${s}.tfstate`);
    const lockKeys = stateKeys.map((k) => `${k}.tflock`);
    // The environment's own secrets are named `<prefix>-...`; Secrets Manager appends `-XXXXXX` to the ARN.
    const ownSecrets = `arn:${partition}:secretsmanager:${props.region}:${accountId}:secret:${prefix}-*`;
    const viaS3 = `s3.${props.state.region ?? props.region}.amazonaws.com`;
    const viaSecretsManager = `secretsmanager.${props.region}.amazonaws.com`;
    this.roleArnPattern = iam(`role/${prefix}-github-*`);

    const repository = props.repository;
    const onMain = { branch };
    this.trustedJobs = {
      prPlan: [{ repository, on: "pull_request", environment: prEnvironment, workflow: { path: workflows.pullRequest } }],
      plan: [
        { repository, on: onMain, workflow: { path: workflows.applyStack } },
        { repository, on: onMain, workflow: { path: workflows.drift } },
      ],
      apply: [{ repository, on: onMain, environment: props.githubEnvironment, workflow: { path: workflows.applyStack } }],
    };

    const stateStatements = (access: "read" | "lock" | "write"): PolicyStatement[] => [
      {
        Sid: "StateList",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: props.state.bucketArn,
        Condition: { StringLike: { "s3:prefix": `${props.state.keyPrefix}/*` } },
      },
      { Sid: "StateObjects", Effect: "Allow", Action: access === "write" ? ["s3:GetObject", "s3:PutObject"] : "s3:GetObject", Resource: stateKeys },
      ...(access === "read" ? [] : [{ Sid: "StateLocks", Effect: "Allow" as const, Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: lockKeys }]),
      {
        Sid: "StateKey",
        Effect: "Allow",
        Action: access === "write" ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
          : access === "lock" ? ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"] : "kms:Decrypt",
        Resource: props.state.kmsKeyArn,
        // Through S3 only: the key decrypts state objects, never a ciphertext handed to KMS directly.
        Condition: { StringEquals: { "kms:ViaService": viaS3 } },
      },
    ];

    // What both plan roles read, and the fences around it.
    const readStatements = (objects: string[]): PolicyStatement[] => [
      // The on-call endpoint data source reads its value (no stack generates a password any
      // more: stores use service-managed secrets or IAM authentication). No other secret: the deny below
      // covers every secret outside the environment's name prefix.
      { Sid: "OwnSecretsRefresh", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ownSecrets },
      {
        Sid: "OwnSecretsDecrypt",
        Effect: "Allow",
        Action: "kms:Decrypt",
        // The environment's keys are created after this role, so they are matched by use, not by ARN.
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": viaSecretsManager },
          StringLike: { "kms:EncryptionContext:SecretARN": ownSecrets },
        },
      },
      { Sid: "DenyOtherSecrets", Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: ownSecrets },
      { Sid: "DenyDataPlaneReads", Effect: "Deny", Action: DATA_PLANE_READS, Resource: "*" },
      // Every object outside its own state (and, for the main plan, lock) keys: no reading backups or media.
      { Sid: "DenyObjectsOutsideState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: objects },
      // Decrypt only as S3 (state) and Secrets Manager (own secrets, fenced above) do it: no SSM
      // SecureString, no ciphertext handed to KMS directly. A missing kms:ViaService (a direct
      // call) makes StringNotEquals true, so direct calls are denied too.
      {
        Sid: "DenyDecryptOutsideStateAndSecrets",
        Effect: "Deny",
        Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
        Resource: "*",
        Condition: { StringNotEquals: { "kms:ViaService": [viaS3, viaSecretsManager] } },
      },
    ];

    this.prPlanRole = new GithubActionsRole(this, "pr-plan", {
      provider: props.provider,
      roleName: ciRoleNames(props.naming).prPlan,
      description: `Speculative Terraform plans of ${prefix} for pull requests, in the GitHub environment ${prEnvironment}`,
      subjects: this.trustedJobs.prPlan.map(githubSubject),
      managedPolicies: ["ReadOnlyAccess"],
      statements: [
        ...stateStatements("read"),
        ...readStatements(stateKeys),
        // No lock, no state write, nothing written or deleted anywhere in S3 (PR plans run
        // with -lock=false; a PR must never be able to block or corrupt an apply on main).
        { Sid: "DenyObjectWrites", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"], Resource: "*" },
      ],
    });

    this.planRole = new GithubActionsRole(this, "plan", {
      provider: props.provider,
      roleName: ciRoleNames(props.naming).plan,
      description: `Read-only Terraform plans of ${prefix} from GitHub Actions (${branch}: before apply, drift checks)`,
      subjects: this.trustedJobs.plan.map(githubSubject),
      managedPolicies: ["ReadOnlyAccess"],
      statements: [...stateStatements("lock"), ...readStatements([...stateKeys, ...lockKeys])],
    });

    this.applyRole = new GithubActionsRole(this, "apply", {
      provider: props.provider,
      roleName: ciRoleNames(props.naming).apply,
      description: `Terraform applies of ${prefix} from the GitHub environment ${props.githubEnvironment} on ${branch}`,
      subjects: this.trustedJobs.apply.map(githubSubject),
      managedPolicies: props.applyManagedPolicies ?? ["PowerUserAccess"],
      maxSessionDurationSeconds: props.applySessionSeconds ?? 10800,
      statements: [
        ...stateStatements("write"),
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
