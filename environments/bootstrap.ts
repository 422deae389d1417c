import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { awsContext } from "../modules/core/aws-context";
import { Naming } from "../modules/core/naming";
import { suppress } from "../modules/core/suppress";
import { check, checkInt, checkUniqueList } from "../modules/core/validation";
import { EcrRepositories } from "../modules/ecr";
import { GithubActionsRole, GithubOidcProvider, GithubRepository, githubSubject } from "../modules/github-oidc";
import { DATA_PLANE_READS, TerraformCiRoles, ciRoleNames } from "../modules/github-oidc/terraform-roles";
import { KmsKey } from "../modules/kms-key";
import { SecureBucket } from "../modules/s3-buckets";
import { ENVIRONMENT_NAMES, EnvironmentName, StateConfig } from "./config";
import { s3State, shared } from "./shared";
import { configureState } from "./stack";

/** What the bootstrap stack needs: the account-level pieces every other stack and pipeline rely on. */
export interface BootstrapConfig {
  readonly project: string;
  readonly region: string;
  readonly owner: string;
  readonly costCenter: string;
  /** This infrastructure repository: its pull requests plan, its environments apply. */
  readonly github: GithubRepository;
  /** Branch whose pushes (main pipeline) and schedules (drift) plan with the read-only role. */
  readonly mainBranch: string;
  /** Terraform state: the bucket name and key prefix the environments' S3 backends use. */
  readonly state: { readonly bucket: string; readonly keyPrefix: string; readonly noncurrentVersionDays: number };
  /**
   * Environments deployed into this account, each getting a plan and an apply role. The
   * GitHub environment of an apply has the same name.
   */
  readonly environments: readonly EnvironmentName[];
  /** Container registry for the services' images, and who may push. */
  readonly ecr: {
    /** Repository names, created as `<project>/<name>`. */
    readonly repositories: readonly string[];
    /** Images kept per repository (how far back a rollback can go). */
    readonly keepImages: number;
    /** Service repositories (`owner/name`) whose main-branch releases may push images. */
    readonly pushFrom: readonly string[];
  };
}

/**
 * This account's bootstrap. State bucket name and prefix are the environments' (`s3State`), so
 * the two cannot drift apart.
 */
export const bootstrap: BootstrapConfig = {
  project: shared.project,
  region: shared.region,
  owner: shared.owner,
  costCenter: shared.costCenter,
  github: { owner: "openedx-platform", name: "learning-platform-infra" },
  mainBranch: "main",
  state: { bucket: s3State.backend === "s3" ? s3State.bucket : "", keyPrefix: s3State.backend === "s3" ? s3State.keyPrefix : "", noncurrentVersionDays: 90 },
  environments: ["sandbox", "staging", "production"],
  ecr: {
    repositories: ["lms", "cms", "mfe", "course-service", "user-service", "notification-service", "frontend"],
    keepImages: 50,
    pushFrom: [
      "openedx-platform/openedx-images",
      "openedx-platform/course-service",
      "openedx-platform/user-service",
      "openedx-platform/notification-service",
      "openedx-platform/frontend",
    ],
  },
};

export interface BootstrapOptions {
  /**
   * Where the stack keeps its own state. Local only for the very first deploy into an account
   * (`CDKTF_STATE_BACKEND=local`: the bucket does not exist yet); afterwards the state is
   * migrated into the bucket it created, so pull requests and drift checks can plan it.
   * @default S3: `<state.keyPrefix>/bootstrap.tfstate` in the state bucket
   */
  readonly state?: StateConfig;
}

/**
 * The `bootstrap` stack: deployed first, by hand, once per AWS account. Its first deploy uses
 * local state (it creates the bucket every other stack keeps its state in); then its state moves
 * into that bucket (`terraform init -migrate-state`), where its plan role reads it: pull
 * requests plan it and the drift check checks it, because it holds every trust policy.
 *
 * - Terraform state bucket: versioned, SSE-KMS with its own key, TLS-only, never public,
 *   access-logged to a separate SSE-S3 bucket, old versions expire, `prevent_destroy`. Its
 *   policy confines each environment's CI roles to that environment's state keys.
 * - GitHub Actions OIDC provider, and per environment a read-only plan role and an apply role
 *   (see TerraformCiRoles for what each may do and why).
 * - ECR repositories (immutable tags, scan on push, CMK, lifecycle) and a push role trusted
 *   only for the main branch of the configured service repositories.
 */
export class BootstrapStack extends TerraformStack {
  public readonly config: BootstrapConfig;
  public readonly stateBucket: SecureBucket;
  public readonly stateKey: KmsKey;
  public readonly github: GithubOidcProvider;
  public readonly ciRoles: Readonly<Partial<Record<EnvironmentName, TerraformCiRoles>>>;
  public readonly registry: EcrRepositories;
  public readonly ecrPushRole: GithubActionsRole;
  /** Read-only plans of this stack (pull requests, drift checks): `<project>-bootstrap-github-plan`. */
  public readonly planRole: GithubActionsRole;

  constructor(scope: Construct, config: BootstrapConfig = bootstrap, options: BootstrapOptions = {}) {
    validateBootstrap(config);
    super(scope, "bootstrap");
    this.config = config;
    const naming = new Naming(config.project, "bootstrap");
    configureState(this, options.state ?? { backend: "s3", bucket: config.state.bucket, keyPrefix: config.state.keyPrefix, region: config.region });
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { Project: config.project, Environment: "bootstrap", ManagedBy: "cdktf", Owner: config.owner, CostCenter: config.costCenter } }],
    });
    const { accountId, partition } = awsContext(this);

    // State: its own key and an access-log bucket of its own (log delivery needs SSE-S3).
    this.stateKey = new KmsKey(this, "state-key", { naming, component: "terraform-state", description: "Terraform state of every stack" });
    const accessLogs = new SecureBucket(this, "state-access-logs", {
      bucketName: `${naming.name("state-access-logs", "s3Bucket", 13)}-${accountId}`,
      forceDestroy: false,
      lifecycle: { noncurrentVersionExpirationDays: 30, transitions: [{ days: 30, storageClass: "STANDARD_IA" }], expirationDays: 365 },
      acceptAccessLogsFromAccount: { accountId, partition },
    });
    this.stateBucket = new SecureBucket(this, "state", {
      bucketName: config.state.bucket,
      kmsKey: this.stateKey,
      forceDestroy: false,
      accessLogs: { bucket: accessLogs, prefix: "terraform-state/" },
      lifecycle: { noncurrentVersionExpirationDays: config.state.noncurrentVersionDays, transitions: [] },
    });
    // Losing the state bucket orphans every environment: Terraform refuses to plan its destroy.
    this.stateBucket.resource.lifecycle = { preventDestroy: true };
    const sseS3 = "S3 server access log delivery only writes to SSE-S3 buckets; this bucket holds the state bucket's access logs only";
    suppress(accessLogs.resource,
      { id: "CKV_AWS_145", reason: sseS3 },
      { id: "AWS-0089", reason: "This is the access-log target; logging it into itself would loop" });
    suppress(accessLogs.encryption, { id: "AWS-0132", reason: sseS3 });
    for (const b of [this.stateBucket, accessLogs]) {
      suppress(b.resource,
        { id: "CKV_AWS_144", reason: "Single-region by design like the environments it serves: versioning keeps 90 days of state history, prevent_destroy blocks deletion, S3 stores across AZs; a replica needs a second-region bucket and key no environment runs" },
        { id: "CKV2_AWS_62", reason: "Nothing consumes object events from the state bucket; every read and write is in its server access logs" });
    }

    this.github = new GithubOidcProvider(this, "github-oidc");
    this.registry = new EcrRepositories(this, "ecr", { naming, repositories: config.ecr.repositories, keepImages: config.ecr.keepImages });
    const ecrArns = Object.values(this.registry.repositoryArns);

    const roles: Partial<Record<EnvironmentName, TerraformCiRoles>> = {};
    for (const env of config.environments) {
      const ci = new TerraformCiRoles(this, `ci-${env}`, {
        provider: this.github,
        naming: new Naming(config.project, env),
        repository: config.github,
        githubEnvironment: env,
        stacks: [env, `${env}-platform`],
        state: { bucketArn: this.stateBucket.bucketArn, keyPrefix: config.state.keyPrefix, kmsKeyArn: this.stateKey.keyArn },
        region: config.region,
        planBranch: config.mainBranch,
        protect: { bucketArns: [this.stateBucket.bucketArn, accessLogs.bucketArn], kmsKeyArns: [this.stateKey.keyArn], ecrRepositoryArns: ecrArns },
      });
      // Bucket-side fence: an environment's CI roles touch no other environment's state objects.
      this.stateBucket.policy.addStatements({
        Sid: `Confine${env.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}CiToItsState`,
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        NotResource: [env, `${env}-platform`].flatMap((s) => {
          const key = `${this.stateBucket.bucketArn}/${config.state.keyPrefix}/${s}.tfstate`;
          return [key, `${key}.tflock`];
        }),
        Condition: { ArnLike: { "aws:PrincipalArn": ci.roleArnPattern } },
      });
      roles[env] = ci;
      new TerraformOutput(this, `${env}-plan-role-arn`, { value: ci.planRole.roleArn });
      new TerraformOutput(this, `${env}-apply-role-arn`, { value: ci.applyRole.roleArn });
    }
    this.ciRoles = roles;

    this.ecrPushRole = new GithubActionsRole(this, "ecr-push", {
      provider: this.github,
      roleName: naming.name("github-ecr-push", "iamRole"),
      description: "Image pushes to ECR from the main branch of the service repositories (release workflow)",
      subjects: config.ecr.pushFrom.map((r) => {
        const [owner, name] = r.split("/") as [string, string];
        return githubSubject({ owner, name }, { branch: config.mainBranch });
      }),
      statements: [
        // GetAuthorizationToken has no resource-level permissions: AWS requires "*".
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PushImages",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
            "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"],
          Resource: ecrArns,
        },
      ],
    });
    new TerraformOutput(this, "ecr-push-role-arn", { value: this.ecrPushRole.roleArn });
    new TerraformOutput(this, "state-bucket", { value: this.stateBucket.bucketName });

    // Plans of this stack from pull requests and the drift check: it holds every trust policy,
    // so a change to it is reviewed from its plan like any other stack. Read-only like the
    // environments' plan roles, reading only this stack's state object and no secret value at
    // all (the stack creates none); lock-file write for the drift check's locked plan.
    const ownKey = `${this.stateBucket.bucketArn}/${config.state.keyPrefix}/bootstrap.tfstate`;
    this.planRole = new GithubActionsRole(this, "bootstrap-plan", {
      provider: this.github,
      roleName: ciRoleNames(naming).plan,
      description: `Read-only Terraform plans of the bootstrap stack from GitHub Actions (pull requests, ${config.mainBranch})`,
      subjects: [githubSubject(config.github, "pull_request"), githubSubject(config.github, { branch: config.mainBranch })],
      managedPolicies: ["ReadOnlyAccess"],
      statements: [
        {
          Sid: "StateList",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: this.stateBucket.bucketArn,
          Condition: { StringLike: { "s3:prefix": `${config.state.keyPrefix}/bootstrap.tfstate*` } },
        },
        { Sid: "StateObject", Effect: "Allow", Action: "s3:GetObject", Resource: ownKey },
        { Sid: "StateLock", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${ownKey}.tflock` },
        { Sid: "StateKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: this.stateKey.keyArn },
        { Sid: "DenySecretValues", Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" },
        { Sid: "DenyDataPlaneReads", Effect: "Deny", Action: [...DATA_PLANE_READS], Resource: "*" },
        // No other object: not the environments' state (their secrets), backups or media.
        { Sid: "DenyObjectsOutsideState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [ownKey, `${ownKey}.tflock`] },
      ],
    });
    new TerraformOutput(this, "plan-role-arn", { value: this.planRole.roleArn });
  }
}

/** Config rules that span modules; module-level rules live in the modules. */
export function validateBootstrap(config: BootstrapConfig): void {
  const where = "bootstrap";
  check(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.state.bucket) && !config.state.bucket.includes(".."), where, "state.bucket", config.state.bucket,
    "must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-')");
  checkInt(where, "state.noncurrentVersionDays", config.state.noncurrentVersionDays, 30, 3650);
  checkUniqueList(where, "environments", config.environments);
  for (const env of config.environments) check((ENVIRONMENT_NAMES as readonly string[]).includes(env), where, "environments", env, `must be one of ${ENVIRONMENT_NAMES.join(", ")}`);
  checkUniqueList(where, "ecr.pushFrom", config.ecr.pushFrom);
  for (const r of config.ecr.pushFrom) {
    check(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(r), where, "ecr.pushFrom", r, "must be GitHub repositories as owner/name");
  }
  check(/^[A-Za-z0-9._/-]+$/.test(config.mainBranch), where, "mainBranch", config.mainBranch, "must be a branch name");
}
