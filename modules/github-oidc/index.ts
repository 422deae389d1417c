import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { awsContext } from "../core/aws-context";
import { NAME_LIMITS } from "../core/naming";
import { PolicyDocument, PolicyStatement, policyJson } from "../core/policy";
import { check, checkInt, checkUniqueList } from "../core/validation";

/** GitHub Actions' OIDC issuer (github.com). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience configure-aws-credentials requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";

const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_RE = /^[A-Za-z0-9._-]{1,100}$/;
const BRANCH_RE = /^[A-Za-z0-9._/-]+$/;
const ENVIRONMENT_RE = /^[A-Za-z0-9._-]+$/;
const WORKFLOW_RE = /^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/;

/**
 * Claim keys of the customized OIDC `sub` claim every repository trusted here must use, in this
 * order (`PUT repos/{owner}/{repo}/actions/oidc/customization/sub`, a one-time step per
 * repository: see the README). The default subject (`repo:<o>/<r>:environment:<env>`) names
 * neither the branch nor the workflow, so any job of the repository that may name the
 * environment, from any branch and any workflow file, would match it. With these keys the
 * subject carries the ref the run is on and the workflow file that defines the job (the
 * reusable workflow for called jobs), and trust policies below require both. A token in the
 * default format matches none of them: forgetting the customization fails closed.
 */
export const SUB_CLAIM_KEYS = ["repo", "context", "ref", "job_workflow_ref"] as const;

/**
 * Exact subjects in the customized format; the only wildcard is the pull-request number in
 * `refs/pull/*\/merge` (every PR of the repository is the same principal; what gates PR
 * jobs is the GitHub environment in the context). Owner, repository, environment, branch and
 * workflow file are always literal.
 */
const SUBJECT_RE = new RegExp(
  "^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+" +
  ":(environment:[A-Za-z0-9._-]+|pull_request|ref:refs/heads/[A-Za-z0-9._/-]+)" +
  ":ref:(refs/heads/[A-Za-z0-9._/-]+|refs/pull/\\*/merge)" +
  ":job_workflow_ref:[A-Za-z0-9-]+/[A-Za-z0-9._-]+/\\.github/workflows/[A-Za-z0-9._-]+\\.ya?ml@(refs/(heads|tags)/[A-Za-z0-9._/-]+|refs/pull/\\*/merge)$");

/** A GitHub repository, `owner/name`. */
export interface GithubRepository {
  readonly owner: string;
  readonly name: string;
}

/** One kind of GitHub Actions job, as its OIDC token describes it (with SUB_CLAIM_KEYS). */
export interface GithubJob {
  /** Repository whose workflow run the job is part of. */
  readonly repository: GithubRepository;
  /**
   * What the run is on: a branch (pushes, schedules, dispatches on it) or any pull request
   * of the repository (`refs/pull/<n>/merge`).
   */
  readonly on: { readonly branch: string } | "pull_request";
  /**
   * GitHub environment the job names; GitHub then puts it in the subject's context, and only
   * hands the job a token after the environment's protection rules (reviewers, branches) pass.
   * @default none
   */
  readonly environment?: string;
  /**
   * Workflow file that defines the job: for a job of a reusable workflow, that workflow
   * (`job_workflow_ref`), not the caller.
   */
  readonly workflow: {
    readonly path: string;
    /** @default the job's own repository (a local reusable workflow or a top-level one) */
    readonly repository?: GithubRepository;
    /**
     * Ref of the workflow file. A local (`./…`) reusable or top-level workflow is read at the
     * run's own ref, which is the default.
     * @default the run's ref
     */
    readonly ref?: string;
  };
}

function checkRepository(where: string, prop: string, repo: GithubRepository): void {
  check(OWNER_RE.test(repo.owner), where, `${prop}.owner`, repo.owner, "must be a GitHub user or organisation name (letters, digits, hyphens)");
  check(REPO_RE.test(repo.name), where, `${prop}.name`, repo.name, "must be a GitHub repository name (letters, digits, '.', '_', '-')");
}

/**
 * The customized `sub` claim (SUB_CLAIM_KEYS) of a job, e.g.
 * `repo:acme/infra:environment:production:ref:refs/heads/main:job_workflow_ref:acme/infra/.github/workflows/apply-stack.yml@refs/heads/main`.
 */
export function githubSubject(job: GithubJob): string {
  const where = "githubSubject";
  checkRepository(where, "repository", job.repository);
  if (job.workflow.repository) checkRepository(where, "workflow.repository", job.workflow.repository);
  check(WORKFLOW_RE.test(job.workflow.path), where, "workflow.path", job.workflow.path, "must be a workflow file such as .github/workflows/apply-stack.yml");
  if (job.environment !== undefined) {
    check(ENVIRONMENT_RE.test(job.environment), where, "environment", job.environment, "must be a GitHub environment name (letters, digits, '.', '_', '-')");
  }
  if (job.on !== "pull_request") check(BRANCH_RE.test(job.on.branch) && !job.on.branch.includes("*"), where, "on.branch", job.on.branch, "must be one branch name (no wildcards)");
  const ref = job.on === "pull_request" ? "refs/pull/*/merge" : `refs/heads/${job.on.branch}`;
  const workflowRef = job.workflow.ref ?? ref;
  check(/^refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/.test(workflowRef) || workflowRef === ref, where, "workflow.ref", workflowRef,
    "must be a branch or tag ref such as refs/heads/main");
  const context = job.environment !== undefined ? `environment:${job.environment}` : job.on === "pull_request" ? "pull_request" : `ref:${ref}`;
  const wf = job.workflow.repository ?? job.repository;
  return `repo:${job.repository.owner}/${job.repository.name}:${context}:ref:${ref}` +
    `:job_workflow_ref:${wf.owner}/${wf.name}/${job.workflow.path}@${workflowRef}`;
}

export interface GithubOidcProviderProps {
  /**
   * ARN of the account's existing GitHub OIDC provider (IAM allows one per issuer and account).
   * @default a new provider is created
   */
  readonly existingProviderArn?: string;
}

/**
 * The account's identity provider for GitHub Actions OIDC tokens, audience `sts.amazonaws.com`.
 * No thumbprint: AWS validates token.actions.githubusercontent.com against its own trusted CA
 * store, and a pinned thumbprint only breaks when GitHub rotates its certificate.
 */
export class GithubOidcProvider extends Construct {
  public readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id);
    if (props.existingProviderArn !== undefined) {
      check(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(props.existingProviderArn),
        `GithubOidcProvider ${id}`, "existingProviderArn", props.existingProviderArn,
        `must be an IAM OIDC provider ARN for ${GITHUB_OIDC_HOST}`);
      this.providerArn = props.existingProviderArn;
      return;
    }
    this.providerArn = new IamOpenidConnectProvider(this, "provider", {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [STS_AUDIENCE],
    }).arn;
  }
}

export interface GithubActionsRoleProps {
  readonly provider: GithubOidcProvider;
  /** Physical role name (from `Naming.name(…, "iamRole")`). */
  readonly roleName: string;
  readonly description: string;
  /**
   * `sub` claims (customized format, see `githubSubject`) that may assume the role; the only
   * wildcard accepted is the pull-request number.
   */
  readonly subjects: readonly string[];
  /** Inline policy statements: what the job needs. */
  readonly statements: readonly PolicyStatement[];
  /**
   * AWS managed policies to attach, by name (e.g. `ReadOnlyAccess`).
   * @default none
   */
  readonly managedPolicies?: readonly string[];
  /**
   * Longest session, in seconds (3600-43200).
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * A role that GitHub Actions jobs assume with their OIDC token. The trust policy pins the
 * audience and the subjects in the customized format (repository, environment or event, ref,
 * workflow file), so a fork, another branch, another environment or another workflow of the
 * same repository cannot assume it, nor can any token in GitHub's default subject format.
 * Exact subjects are matched with StringEquals; PR subjects (number wildcard) with StringLike
 * in a statement of their own.
 */
export class GithubActionsRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  /** The inline policy; add statements before synth. */
  public readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    const where = `GithubActionsRole ${id}`;
    checkUniqueList(where, "subjects", props.subjects);
    for (const s of props.subjects) {
      check(SUBJECT_RE.test(s), where, "subjects", s,
        "must be a customized GitHub OIDC subject repo:<owner>/<repo>:<context>:ref:<ref>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@<ref> (see githubSubject; no wildcard but the PR number)");
    }
    check(props.roleName.length <= NAME_LIMITS.iamRole && /^[\w+=,.@-]+$/.test(props.roleName), where, "roleName", props.roleName,
      `must be at most ${NAME_LIMITS.iamRole} characters of letters, digits and +=,.@_-`);
    check(props.statements.length > 0, where, "statements", props.statements, "must grant what the job needs (at least one statement)");
    const duration = props.maxSessionDurationSeconds ?? 3600;
    checkInt(where, "maxSessionDurationSeconds", duration, 3600, 43200);
    const { partition } = awsContext(this);

    const subjects = [...props.subjects];
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      maxSessionDuration: duration,
      assumeRolePolicy: policyJson(trustStatements(props.provider.providerArn, subjects)),
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.policy = new PolicyDocument([...props.statements]);
    new IamRolePolicy(this, "policy", { name: "github-actions", role: role.id, policy: this.policy.toJson() });
    for (const name of props.managedPolicies ?? []) {
      check(/^[A-Za-z0-9+=,.@_/-]+$/.test(name), where, "managedPolicies", name, "must be an AWS managed policy name such as ReadOnlyAccess");
      new IamRolePolicyAttachment(this, `managed-${name.replace(/[^A-Za-z0-9]/g, "")}`, {
        role: role.name,
        policyArn: `arn:${partition}:iam::aws:policy/${name}`,
      });
    }
  }
}

/** One statement per matching operator: exact subjects (StringEquals), PR subjects (StringLike). */
function trustStatements(providerArn: string, subjects: readonly string[]): PolicyStatement[] {
  const exact = subjects.filter((s) => !s.includes("*"));
  const patterns = subjects.filter((s) => s.includes("*"));
  const statement = (sid: string, operator: "StringEquals" | "StringLike", subs: string[]): PolicyStatement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      // The audience is always matched exactly, whatever operator the subject needs.
      StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE, ...(operator === "StringEquals" ? { [`${GITHUB_OIDC_HOST}:sub`]: subs.length === 1 ? subs[0]! : subs } : {}) },
      ...(operator === "StringLike" ? { StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subs.length === 1 ? subs[0]! : subs } } : {}),
    },
  });
  return [
    ...(exact.length ? [statement("GithubActionsOidc", "StringEquals", exact)] : []),
    ...(patterns.length ? [statement("GithubActionsOidcPullRequests", "StringLike", patterns)] : []),
  ];
}
