import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { awsContext } from "learning-platform-infra/core/aws-context";
import { Naming } from "learning-platform-infra/core/naming";
import { PolicyStatement } from "learning-platform-infra/core/policy";
import { suppress } from "learning-platform-infra/core/suppress";
import { check, checkInt, checkUniqueList } from "learning-platform-infra/core/validation";
import { EcrRepositories } from "learning-platform-infra/ecr";
import { GithubActionsRole, GithubJob, GithubOidcProvider, GithubRepository, githubSubject } from "learning-platform-infra/github-oidc";
import { CiWorkflows, DATA_PLANE_READS, DEFAULT_CI_WORKFLOWS, TerraformCiRoles, ciRoleNames } from "learning-platform-infra/github-oidc/terraform-roles";
import { KmsKey } from "learning-platform-infra/kms-key";
import { SecurityBaseline, SecurityBaselineSettings } from "learning-platform-infra/security-baseline";
import { SessionManager } from "learning-platform-infra/session-manager";
import { RestoreDrillRole } from "learning-platform-infra/restore-drill";
import { SecureBucket } from "learning-platform-infra/s3-buckets";
import { CodeconnectionsConnection } from "@cdktf/provider-aws/lib/codeconnections-connection";
import type { StateConfig } from "./config";
import { RegistryEnvironment, environmentOrder, environmentStacks, environments } from "./registry";
import { isSelfHosted } from "./selfhosted-config";
import { ciRunner, s3State, shared } from "./shared";
import { site } from "./site";
import { configureState } from "./stack";

/** What the bootstrap stack needs: the account-level pieces every other stack and pipeline rely on. */
export interface BootstrapConfig {
  readonly project: string;
  readonly region: string;
  readonly owner: string;
  readonly costCenter: string;
  /** This infrastructure repository: its pull requests plan, its environments apply. */
  readonly github: GithubRepository;
  /** The branch that applies: main-pipeline and drift jobs must run on it (the roles' trust requires it). */
  readonly mainBranch: string;
  /** Workflow files of this repository whose jobs assume the CI roles (named in the roles' trust). */
  readonly workflows: CiWorkflows;
  /** Terraform state: the bucket name and key prefix the environments' S3 backends use. */
  readonly state: { readonly bucket: string; readonly keyPrefix: string; readonly noncurrentVersionDays: number };
  /**
   * Environments deployed into this account, each getting a PR plan, a plan and an apply role.
   * The registry's (environments/registry.ts), in its order; an account that holds only some of
   * them lists those, still in registry order. GitHub environments: `<env>` (apply) and
   * `<env>-plan` (pull-request plans).
   */
  readonly environments: readonly string[];
  /**
   * Account-level service-linked roles (AWS service names) the environments need before their
   * first apply. IAM allows one per account, so an environment stack creating one would make the
   * second environment in the account fail; they live here. `opensearchservice` lets the search
   * domain place its ENIs in the VPC; `autoscaling` is named by the EKS node volume key's policy
   * (a key policy naming a missing principal is refused); `vpcorigin.cloudfront` is the role
   * CloudFront VPC origins (the environments' origin NLB) create their interfaces with. One that already exists in the account
   * (any Auto Scaling group ever created makes that one) is imported or dropped from the list.
   */
  readonly serviceLinkedRoles: readonly string[];
  /** Account-level audit and threat detection: CloudTrail, GuardDuty, optionally Shield Advanced. */
  readonly security: SecurityBaselineSettings;
  /**
   * The restore drill (`restore-drill.yml`): which environment's backups are restored into which
   * (a `production`-tier source, a `disposable` target, both in the registry).
   * @default none: no drill role
   */
  readonly restoreDrill?: { readonly source: string; readonly target: string };
  /** Container registry for the services' images, and who may push. */
  readonly ecr: {
    /**
     * Repository (created as `<project>/<name>`) → the one GitHub repository (`owner/name`)
     * whose main-branch releases may push to it. Each repository gets its own push role, so a
     * service can only ever push its own images.
     */
    readonly repositories: Readonly<Record<string, string>>;
    /** Images kept per repository (how far back a rollback can go). */
    readonly keepImages: number;
    /**
     * The reusable release workflow pushes must run in (`job_workflow_ref`): this repository's
     * file, at one of these refs. Not a commit SHA: a SHA may name any commit, an unmerged
     * pull request's included, while `refs/heads/main` (or a tag a ruleset protects) is reviewed code.
     */
    readonly releaseWorkflow: { readonly path: string; readonly refs: readonly string[] };
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
  github: { owner: site.infraRepository.split("/")[0]!, name: site.infraRepository.split("/")[1]! },
  mainBranch: "main",
  workflows: DEFAULT_CI_WORKFLOWS,
  state: { bucket: s3State.backend === "s3" ? s3State.bucket : "", keyPrefix: s3State.backend === "s3" ? s3State.keyPrefix : "", noncurrentVersionDays: 90 },
  environments: environmentOrder,
  // Seed 001: a year of audit trail online, then Glacier Instant Retrieval up to 7 years.
  restoreDrill: restoreDrillPair(environments),
  security: { trailRetentionDays: 2557, trailLogGroupRetentionDays: 365, shieldAdvanced: false },
  serviceLinkedRoles: ["opensearchservice.amazonaws.com", "autoscaling.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com"],
  ecr: {
    repositories: site.imageRepositories,
    keepImages: 50,
    releaseWorkflow: { path: ".github/workflows/release.yml", refs: ["refs/heads/main"] },
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
  /**
   * The environment registry the CI roles follow (their names and regions).
   * @default the registry (environments/registry.ts)
   */
  readonly registry?: Readonly<Record<string, RegistryEnvironment>>;
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
 * - GitHub Actions OIDC provider, and per environment a pull-request plan role, a plan role and
 *   an apply role (see TerraformCiRoles for what each may do and why), each trusting customized
 *   OIDC subjects only (repository, environment, ref and workflow file: SUB_CLAIM_KEYS).
 * - The account-level service-linked roles the environments need (`serviceLinkedRoles`).
 * - ECR repositories (immutable tags, scan on push, CMK, lifecycle) and per repository a push
 *   role trusted only for the release workflow on the main branch of the one service repository
 *   that builds it.
 */
export class BootstrapStack extends TerraformStack {
  public readonly config: BootstrapConfig;
  public readonly stateBucket: SecureBucket;
  public readonly stateKey: KmsKey;
  public readonly github: GithubOidcProvider;
  public readonly ciRoles: Readonly<Partial<Record<string, TerraformCiRoles>>>;
  public readonly registry: EcrRepositories;
  /** Push role by ECR repository name (config `ecr.repositories`). */
  public readonly ecrPushRoles: Readonly<Record<string, GithubActionsRole>>;
  /** Jobs each ECR push role trusts, by repository name. */
  public readonly ecrPushJobs: Readonly<Record<string, readonly GithubJob[]>>;
  /** Read-only plans of this stack on main (drift checks): `<project>-bootstrap-github-plan`. */
  public readonly planRole: GithubActionsRole;
  /** CloudTrail, GuardDuty (and Shield Advanced): once per account. */
  public readonly security: SecurityBaseline;
  /** Session Manager preferences and the operators' policy (no bastion): once per account and region. */
  public readonly sessionManager: SessionManager;
  /** The restore drill's role (when `restoreDrill` is set). */
  public readonly restoreDrill?: RestoreDrillRole;
  /** Pull-request plans of this stack, in the GitHub environment `bootstrap-plan`: `<project>-bootstrap-github-pr-plan`. */
  public readonly prPlanRole: GithubActionsRole;

  constructor(scope: Construct, config: BootstrapConfig = bootstrap, options: BootstrapOptions = {}) {
    const registry: Readonly<Record<string, RegistryEnvironment>> = options.registry ?? environments;
    validateBootstrap(config, Object.keys(registry));
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

    for (const env of config.environments) {
      const e = registry[env];
      check(!(e && !isSelfHosted(e) && e.edge.shieldAdvanced) || config.security.shieldAdvanced === true, "bootstrap", "security.shieldAdvanced", config.security.shieldAdvanced,
        `must be true: environment ${env} sets edge.shieldAdvanced, and Shield Advanced protections need the account's subscription`);
    }
    this.security = new SecurityBaseline(this, "security", { naming, accessLogs, ...config.security });
    this.sessionManager = new SessionManager(this, "session-manager", { naming, logRetentionDays: config.security.trailLogGroupRetentionDays });

    this.github = new GithubOidcProvider(this, "github-oidc");
    for (const service of config.serviceLinkedRoles) {
      new IamServiceLinkedRole(this, `service-linked-role-${service.split(".")[0]}`, {
        awsServiceName: service,
        description: "Account-level: created once here, never per environment",
      });
    }
    const drill = config.restoreDrill;
    if (drill) {
      check(registry[drill.source]?.protection === "production", "bootstrap", "restoreDrill.source", drill.source, "must be a registry environment of protection \"production\"");
      check(registry[drill.target]?.protection === "disposable", "bootstrap", "restoreDrill.target", drill.target, "must be a registry environment of protection \"disposable\" (the drill creates and deletes an instance there)");
      this.restoreDrill = new RestoreDrillRole(this, "restore-drill", { provider: this.github, project: config.project, repository: config.github, mainBranch: config.mainBranch, ...drill });
      new TerraformOutput(this, "restore-drill-role-arn", { value: this.restoreDrill.role.roleArn });
    }
    this.registry = new EcrRepositories(this, "ecr", { naming, repositories: Object.keys(config.ecr.repositories), keepImages: config.ecr.keepImages });
    const ecrArns = Object.values(this.registry.repositoryArns);

    const roles: Partial<Record<string, TerraformCiRoles>> = {};
    for (const env of config.environments) {
      const stacks = environmentStacks(env);
      const ci = new TerraformCiRoles(this, `ci-${env}`, {
        provider: this.github,
        naming: new Naming(config.project, env),
        repository: config.github,
        githubEnvironment: env,
        pullRequestPlanEnvironment: `${env}-plan`,
        workflows: config.workflows,
        stacks,
        state: { bucketArn: this.stateBucket.bucketArn, keyPrefix: config.state.keyPrefix, kmsKeyArn: this.stateKey.keyArn, region: config.region },
        region: registry[env]!.region,
        // A self-hosted environment's AWS side is its DNS zone (Route53) or nothing (Cloudflare), besides the state.
        applyManagedPolicies: selfHostedApplyPolicies(registry[env]!),
        mainBranch: config.mainBranch,
        protect: { bucketArns: [this.stateBucket.bucketArn, accessLogs.bucketArn], kmsKeyArns: [this.stateKey.keyArn], ecrRepositoryArns: ecrArns },
      });
      // Bucket-side fence: an environment's CI roles touch no other environment's state objects.
      this.stateBucket.policy.addStatements({
        Sid: `Confine${env.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}CiToItsState`,
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        NotResource: stacks.flatMap((s) => {
          const key = `${this.stateBucket.bucketArn}/${config.state.keyPrefix}/${s}.tfstate`;
          return [key, `${key}.tflock`];
        }),
        Condition: { ArnLike: { "aws:PrincipalArn": ci.roleArnPattern } },
      });
      roles[env] = ci;
      new TerraformOutput(this, `${env}-pr-plan-role-arn`, { value: ci.prPlanRole.roleArn });
      new TerraformOutput(this, `${env}-plan-role-arn`, { value: ci.planRole.roleArn });
      new TerraformOutput(this, `${env}-apply-role-arn`, { value: ci.applyRole.roleArn });
    }
    this.ciRoles = roles;
    // Bucket-side too: no pull-request plan role writes or deletes anything here (state or lock),
    // whatever its identity policy becomes.
    this.stateBucket.policy.addStatements({
      Sid: "DenyPullRequestPlanWrites",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      Resource: `${this.stateBucket.bucketArn}/*`,
      Condition: { ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/${config.project}-*-github-pr-plan` } },
    });

    // One push role per repository: a service's release can push its own images and nothing else.
    const pushRoles: Record<string, GithubActionsRole> = {};
    const pushJobs: Record<string, GithubJob[]> = {};
    for (const [name, source] of Object.entries(config.ecr.repositories)) {
      const [owner, repo] = source.split("/") as [string, string];
      const jobs: GithubJob[] = config.ecr.releaseWorkflow.refs.map((ref) => ({
        repository: { owner, name: repo },
        on: { branch: config.mainBranch },
        workflow: { repository: config.github, path: config.ecr.releaseWorkflow.path, ref },
      }));
      pushJobs[name] = jobs;
      pushRoles[name] = new GithubActionsRole(this, `ecr-push-${name.replace(/[^a-z0-9-]/g, "-")}`, {
        provider: this.github,
        roleName: ecrPushRoleName(config.project, name),
        description: `Image pushes to ${config.project}/${name} from ${source}'s ${config.mainBranch} through the release workflow`,
        subjects: jobs.map(githubSubject),
        statements: [
          // GetAuthorizationToken has no resource-level permissions: AWS requires "*".
          { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Sid: "PushImages",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
              "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"],
            Resource: this.registry.repositoryArns[name]!,
          },
        ],
      });
    }
    this.ecrPushRoles = pushRoles;
    this.ecrPushJobs = pushJobs;
    new TerraformOutput(this, "ecr-push-role-arns", { value: Object.fromEntries(Object.entries(pushRoles).map(([n, r]) => [n, r.roleArn])) });
    new TerraformOutput(this, "state-bucket", { value: this.stateBucket.bucketName });

    // Account-level: the GitHub connection every environment's in-VPC CI runner uses
    // (modules/ci-runner). Created PENDING; a person completes the handshake once in the
    // console (Developer Tools → Settings → Connections) before the first environment apply.
    const connection = new CodeconnectionsConnection(this, "github-connection", { name: ciRunner.connectionName, providerType: "GitHub" });
    new TerraformOutput(this, "github-connection-arn", { value: connection.arn });

    // Plans of this stack from pull requests and the drift check: it holds every trust policy,
    // so a change to it is reviewed from its plan like any other stack. Read-only like the
    // environments' plan roles and trusted the same way (PR jobs only in the `bootstrap-plan`
    // environment, drift only on main), reading only this stack's state object and no secret
    // value at all (the stack creates none); the lock file only for the drift check's locked plan.
    const ownKey = `${this.stateBucket.bucketArn}/${config.state.keyPrefix}/bootstrap.tfstate`;
    const bootstrapPlanStatements = (lock: boolean): PolicyStatement[] => [
      {
        Sid: "StateList",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: this.stateBucket.bucketArn,
        Condition: { StringLike: { "s3:prefix": `${config.state.keyPrefix}/bootstrap.tfstate*` } },
      },
      { Sid: "StateObject", Effect: "Allow", Action: "s3:GetObject", Resource: ownKey },
      ...(lock ? [{ Sid: "StateLock", Effect: "Allow" as const, Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${ownKey}.tflock` }] : []),
      { Sid: "StateKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey", ...(lock ? ["kms:GenerateDataKey"] : [])], Resource: this.stateKey.keyArn },
      { Sid: "DenySecretValues", Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" },
      { Sid: "DenyDataPlaneReads", Effect: "Deny", Action: [...DATA_PLANE_READS], Resource: "*" },
      // No other object: not the environments' state (their secrets), backups or media.
      { Sid: "DenyObjectsOutsideState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [ownKey, `${ownKey}.tflock`] },
      ...(lock ? [] : [{ Sid: "DenyObjectWrites", Effect: "Deny" as const, Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"], Resource: "*" }]),
    ];
    const bootstrapRoles = ciRoleNames(naming);
    this.prPlanRole = new GithubActionsRole(this, "bootstrap-pr-plan", {
      provider: this.github,
      roleName: bootstrapRoles.prPlan,
      description: "Speculative Terraform plans of the bootstrap stack for pull requests, in the GitHub environment bootstrap-plan",
      subjects: [githubSubject({ repository: config.github, on: "pull_request", environment: "bootstrap-plan", workflow: { path: DEFAULT_CI_WORKFLOWS.pullRequest } })],
      managedPolicies: ["ReadOnlyAccess"],
      statements: bootstrapPlanStatements(false),
    });
    this.planRole = new GithubActionsRole(this, "bootstrap-plan", {
      provider: this.github,
      roleName: bootstrapRoles.plan,
      description: `Read-only Terraform plans of the bootstrap stack on ${config.mainBranch} (drift checks)`,
      subjects: [githubSubject({ repository: config.github, on: { branch: config.mainBranch }, workflow: { path: DEFAULT_CI_WORKFLOWS.drift } })],
      managedPolicies: ["ReadOnlyAccess"],
      statements: bootstrapPlanStatements(true),
    });
    new TerraformOutput(this, "plan-role-arn", { value: this.planRole.roleArn });
    new TerraformOutput(this, "pr-plan-role-arn", { value: this.prPlanRole.roleArn });
  }
}

/** The drill restores the registry's first production-tier AWS environment into its first disposable one (none without both). */
function restoreDrillPair(registry: Readonly<Record<string, RegistryEnvironment>>): BootstrapConfig["restoreDrill"] {
  const names = Object.keys(registry).filter((n) => !isSelfHosted(registry[n]!)); // a self-hosted cluster has no RDS snapshot
  const source = names.find((n) => registry[n]!.protection === "production");
  const target = names.find((n) => registry[n]!.protection === "disposable");
  return source && target ? { source, target } : undefined;
}

/** Config rules that span modules; module-level rules live in the modules. */
export function validateBootstrap(config: BootstrapConfig, order: readonly string[] = environmentOrder): void {
  const where = "bootstrap";
  check(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.state.bucket) && !config.state.bucket.includes(".."), where, "state.bucket", config.state.bucket,
    "must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-')");
  checkInt(where, "state.noncurrentVersionDays", config.state.noncurrentVersionDays, 30, 3650);
  checkUniqueList(where, "environments", config.environments);
  for (const env of config.environments) check(order.includes(env), where, "environments", env, `must be one of the registry's ${order.join(", ")}`);
  const inOrder = order.filter((e) => config.environments.includes(e));
  check(inOrder.every((e, i) => config.environments[i] === e), where, "environments", config.environments,
    `must follow the registry's apply order (${order.join(" → ")})`);
  for (const service of config.serviceLinkedRoles) {
    check(/^[a-z0-9.-]+\.amazonaws\.com$/.test(service), where, "serviceLinkedRoles", service, "must be AWS service names such as opensearchservice.amazonaws.com");
  }
  checkUniqueList(where, "serviceLinkedRoles", config.serviceLinkedRoles, 0);
  for (const [name, source] of Object.entries(config.ecr.repositories)) {
    check(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(source), where, `ecr.repositories.${name}`, source, "must be the GitHub repository that builds it, as owner/name");
    check(ecrPushRoleName(config.project, name).length <= 64, where, "ecr.repositories", name,
      `must be short enough for its push role name ${ecrPushRoleName(config.project, name)} (at most 64 characters)`);
  }
  const roleNames = Object.keys(config.ecr.repositories).map((n) => ecrPushRoleName(config.project, n));
  checkUniqueList(where, "ecr.repositories (push role names)", roleNames);
  check(config.ecr.releaseWorkflow.refs.length > 0, where, "ecr.releaseWorkflow.refs", config.ecr.releaseWorkflow.refs, "must list at least one ref");
  for (const ref of config.ecr.releaseWorkflow.refs) {
    check(/^refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/.test(ref), where, "ecr.releaseWorkflow.refs", ref,
      "must be branch or tag refs such as refs/heads/main (not a commit SHA: any commit, an unmerged pull request's too, has one)");
  }
  check(/^[A-Za-z0-9._/-]+$/.test(config.mainBranch), where, "mainBranch", config.mainBranch, "must be a branch name");
}

/** Name of the role that may push to ECR repository `<project>/<name>`. */
export function ecrPushRoleName(project: string, repository: string): string {
  return `${project}-bootstrap-github-ecr-push-${repository.replace(/[^a-z0-9-]/g, "-")}`;
}

/** The apply role's managed policies for a self-hosted environment; undefined (the default) for an AWS one. */
function selfHostedApplyPolicies(config: RegistryEnvironment): string[] | undefined {
  if (!isSelfHosted(config)) return undefined;
  return config.dns.zone.provider === "route53" ? ["AmazonRoute53FullAccess"] : [];
}
