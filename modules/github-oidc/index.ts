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
/** Exact subjects only: a wildcard would let any branch, environment or fork of a name assume the role. */
const SUBJECT_RE = /^repo:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+:(pull_request|environment:[A-Za-z0-9._ -]+|ref:refs\/(heads|tags)\/[A-Za-z0-9._/-]+)$/;

/** A GitHub repository, `owner/name`. */
export interface GithubRepository {
  readonly owner: string;
  readonly name: string;
}

/** The OIDC `sub` claim of a job: `pull_request`, `environment:<name>` or `ref:refs/heads/<branch>`. */
export function githubSubject(repo: GithubRepository, context: "pull_request" | { environment: string } | { branch: string }): string {
  check(OWNER_RE.test(repo.owner), "githubSubject", "owner", repo.owner, "must be a GitHub user or organisation name (letters, digits, hyphens)");
  check(REPO_RE.test(repo.name), "githubSubject", "name", repo.name, "must be a GitHub repository name (letters, digits, '.', '_', '-')");
  const base = `repo:${repo.owner}/${repo.name}`;
  if (context === "pull_request") return `${base}:pull_request`;
  return "environment" in context ? `${base}:environment:${context.environment}` : `${base}:ref:refs/heads/${context.branch}`;
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
  /** Exact `sub` claims that may assume the role (see `githubSubject`); wildcards are refused. */
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
 * audience and the exact subjects (repository plus pull_request, environment or branch),
 * so a fork, another branch or another environment of the same repository cannot assume it.
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
        "must be an exact GitHub OIDC subject: repo:<owner>/<repo>:pull_request, :environment:<name> or :ref:refs/heads/<branch> (no wildcards)");
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
      assumeRolePolicy: policyJson([{
        Sid: "GithubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: props.provider.providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0]! : subjects,
          },
        },
      }]),
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
