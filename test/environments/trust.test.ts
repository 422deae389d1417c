import { bootstrap, environmentOrder } from "../../environments";
import { SUB_CLAIM_KEYS } from "../../modules/github-oidc";
import { appStacks, policy, resources, TfJson } from "../helpers";
import { Decision, READ_ONLY_ACCESS, Request, Statement, WebIdentity, canAssumeWithWebIdentity, evaluate, resolveTokens } from "../iam-eval";

/**
 * The bootstrap stack's trust and permission policies, tried as an attacker would: tokens shaped
 * the way GitHub mints them (built here from GitHub's documented rules, not with the library's
 * githubSubject) are run through an IAM evaluator against the synthesized JSON, and so are the
 * requests a role's holder could make.
 */

const INFRA = `${bootstrap.github.owner}/${bootstrap.github.name}`;
const ACCOUNT = "123456789012";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

interface Job {
  /** owner/name of the repository the run belongs to. */
  readonly repository: string;
  readonly event: "push" | "pull_request" | "schedule" | "workflow_dispatch" | "pull_request_target";
  readonly ref: string;
  readonly environment?: string;
  /** owner/name/path@ref of the file that defines the job. */
  readonly jobWorkflowRef: string;
  readonly audience?: string;
}

/**
 * The token GitHub mints for a job. `customized`: the repository set SUB_CLAIM_KEYS; else the
 * default `repo:<r>:<context>`. Context: the environment when the job names one, else
 * `pull_request` for PR events, else `ref:<ref>`. `:` inside a value is sent as `%3A`.
 */
function token(job: Job, customized = true): WebIdentity {
  const esc = (v: string) => v.replace(/:/g, "%3A");
  const context = job.environment !== undefined ? `environment:${esc(job.environment)}`
    : job.event === "pull_request" || job.event === "pull_request_target" ? "pull_request" : `ref:${esc(job.ref)}`;
  const parts: Record<(typeof SUB_CLAIM_KEYS)[number], string> = {
    repo: `repo:${esc(job.repository)}`, context, ref: `ref:${esc(job.ref)}`, job_workflow_ref: `job_workflow_ref:${esc(job.jobWorkflowRef)}`,
  };
  const sub = customized ? SUB_CLAIM_KEYS.map((k) => parts[k]).join(":") : `repo:${job.repository}:${context}`;
  return { providerArn: PROVIDER, claims: { iss: "https://token.actions.githubusercontent.com", aud: job.audience ?? "sts.amazonaws.com", sub } };
}

const wf = (file: string, ref: string, repo = INFRA) => `${repo}/.github/workflows/${file}@${ref}`;
const MAIN = "refs/heads/main";
const PR = "refs/pull/42/merge";

describe("CI role trust, tried with attacker tokens", () => {
  const json = appStacks().bootstrap!;
  const roles = resources(json, "aws_iam_role").map((r) => ({ name: String(r.name), trust: policy(resolveTokens(r.assume_role_policy, json, ACCOUNT)) }));
  const assumable = (t: WebIdentity) => roles.filter((r) => canAssumeWithWebIdentity(r.trust, t)).map((r) => r.name).sort();
  const ci = (env: string, kind: "plan" | "pr-plan" | "apply") => `openedx-${env}-github-${kind}`;

  it("every role is a GitHub OIDC role (no other principal can assume any) but CloudTrail's delivery role", () => {
    // The one service role: CloudTrail writing the trail to CloudWatch Logs, for this account's trail only.
    const service = roles.filter((r) => r.trust.Statement.some((s) => s.Principal.Service));
    expect(service.map((r) => [r.name, r.trust.Statement])).toEqual([["openedx-bootstrap-cloudtrail-logs", [{
      Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/openedx-bootstrap-trail` } },
    }]]]);
    // Three per environment, one push role per ECR repository, bootstrap's own plan and PR plan roles, the restore drill's.
    const github = roles.filter((r) => !service.includes(r));
    expect(github.length).toBe(environmentOrder.length * 3 + Object.keys(bootstrap.ecr.repositories).length + 3);
    for (const r of github) {
      for (const s of r.trust.Statement) {
        expect([r.name, s.Principal]).toEqual([r.name, { Federated: PROVIDER }]);
        expect(s.Condition.StringEquals["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com");
      }
    }
  });

  it.each(environmentOrder)("%s: a PR plan in the `<env>-plan` environment (its reviewers approved) gets that PR plan role and nothing else", (env) => {
    expect(assumable(token({ repository: INFRA, event: "pull_request", ref: PR, environment: `${env}-plan`, jobWorkflowRef: wf("pull-request.yml", PR) })))
      .toEqual([ci(env, "pr-plan")]);
  });

  it("the main pipeline's plan and drift jobs on main get the plan roles only", () => {
    const plans = environmentOrder.map((e) => ci(e, "plan")).sort();
    expect(assumable(token({ repository: INFRA, event: "push", ref: MAIN, jobWorkflowRef: wf("apply-stack.yml", MAIN) }))).toEqual(plans);
    // The drift check also plans bootstrap (read-only, its own state only).
    expect(assumable(token({ repository: INFRA, event: "schedule", ref: MAIN, jobWorkflowRef: wf("drift.yml", MAIN) }))).toEqual(["openedx-bootstrap-github-plan", ...plans]);
  });

  it.each(environmentOrder)("%s: only the apply-stack workflow on main, in the environment, gets the apply role", (env) => {
    expect(assumable(token({ repository: INFRA, event: "push", ref: MAIN, environment: env, jobWorkflowRef: wf("apply-stack.yml", MAIN) })))
      .toEqual([ci(env, "apply")]);
  });

  // What a pull-request author (or anyone who can push a branch) can mint, and more.
  const attacks: [string, Job, boolean?][] = [
    ["a PR job without an environment (any PR can add one)", { repository: INFRA, event: "pull_request", ref: PR, jobWorkflowRef: wf("pull-request.yml", PR) }],
    ["a PR job naming the production apply environment", { repository: INFRA, event: "pull_request", ref: PR, environment: "production", jobWorkflowRef: wf("pull-request.yml", PR) }],
    ["a PR that calls apply-stack.yml itself, in the production environment", { repository: INFRA, event: "pull_request", ref: PR, environment: "production", jobWorkflowRef: wf("apply-stack.yml", PR) }],
    ["a PR plan from another workflow file the PR adds", { repository: INFRA, event: "pull_request", ref: PR, environment: "production-plan", jobWorkflowRef: wf("evil.yml", PR) }],
    ["a pushed branch running apply-stack.yml in the production environment", { repository: INFRA, event: "workflow_dispatch", ref: "refs/heads/feature", environment: "production", jobWorkflowRef: wf("apply-stack.yml", "refs/heads/feature") }],
    ["a pushed branch posing as main in its workflow ref", { repository: INFRA, event: "push", ref: "refs/heads/feature", environment: "production", jobWorkflowRef: wf("apply-stack.yml", MAIN) }],
    ["another workflow on main in the production environment", { repository: INFRA, event: "push", ref: MAIN, environment: "production", jobWorkflowRef: wf("release.yml", MAIN) }],
    ["pull_request_target on main (runs main's code for a PR) in the production environment", { repository: INFRA, event: "pull_request_target", ref: MAIN, environment: "production", jobWorkflowRef: wf("other.yml", MAIN) }],
    ["the production-plan environment from a push (not a PR)", { repository: INFRA, event: "push", ref: MAIN, environment: "production-plan", jobWorkflowRef: wf("pull-request.yml", MAIN) }],
    ["a tag run of apply-stack.yml", { repository: INFRA, event: "push", ref: "refs/tags/v1", environment: "production", jobWorkflowRef: wf("apply-stack.yml", "refs/tags/v1") }],
    ["a fork of the repository", { repository: `attacker/${bootstrap.github.name}`, event: "push", ref: MAIN, environment: "production", jobWorkflowRef: wf("apply-stack.yml", MAIN, `attacker/${bootstrap.github.name}`) }],
    ["another repository of the organisation", { repository: `${bootstrap.github.owner}/other`, event: "push", ref: MAIN, environment: "production", jobWorkflowRef: wf("apply-stack.yml", MAIN, INFRA) }],
    ["the right job with another audience", { repository: INFRA, event: "push", ref: MAIN, environment: "production", jobWorkflowRef: wf("apply-stack.yml", MAIN), audience: "https://github.com/openedx-platform" }],
    ["an environment name smuggling a suffix", { repository: INFRA, event: "push", ref: MAIN, environment: "production:ref:refs/heads/main", jobWorkflowRef: wf("apply-stack.yml", MAIN) }],
  ];
  it.each(attacks)("denies %s every role", (_what, job) => {
    expect(assumable(token(job))).toEqual([]);
  });

  it("denies every legitimate job whose repository forgot the sub customization (default subject format)", () => {
    const legit: Job[] = [
      { repository: INFRA, event: "pull_request", ref: PR, environment: "production-plan", jobWorkflowRef: wf("pull-request.yml", PR) },
      { repository: INFRA, event: "pull_request", ref: PR, jobWorkflowRef: wf("pull-request.yml", PR) },
      { repository: INFRA, event: "push", ref: MAIN, jobWorkflowRef: wf("apply-stack.yml", MAIN) },
      { repository: INFRA, event: "push", ref: MAIN, environment: "production", jobWorkflowRef: wf("apply-stack.yml", MAIN) },
      { repository: "openedx-platform/course-service", event: "push", ref: MAIN, jobWorkflowRef: wf("release.yml", MAIN) },
    ];
    for (const job of legit) expect([job, assumable(token(job, false))]).toEqual([job, []]);
  });

  describe("ECR push roles: one per repository, the release workflow on a service's main only", () => {
    const release = (service: string, over: Partial<Job> = {}) =>
      assumable(token({ repository: service, event: "push", ref: MAIN, jobWorkflowRef: wf("release.yml", MAIN), ...over }));

    it("each service repository gets exactly the push roles of the ECR repositories it builds", () => {
      const bySource = new Map<string, string[]>();
      for (const [name, source] of Object.entries(bootstrap.ecr.repositories)) bySource.set(source, [...(bySource.get(source) ?? []), `openedx-bootstrap-github-ecr-push-${name}`]);
      for (const [source, expected] of bySource) expect(release(source)).toEqual(expected.sort());
      expect(release("openedx-platform/course-service")).toEqual(["openedx-bootstrap-github-ecr-push-course-service"]);
    });

    it.each<[string, Partial<Job>]>([
      ["the service's own workflow instead of the release workflow", { jobWorkflowRef: wf("release.yml", MAIN, "openedx-platform/course-service") }],
      ["the release workflow pinned to a commit (any commit, an unmerged PR's too)", { jobWorkflowRef: wf("release.yml", "0123456789abcdef0123456789abcdef01234567") }],
      ["the release workflow from another branch of the infrastructure repository", { jobWorkflowRef: wf("release.yml", "refs/heads/feature") }],
      ["a service branch", { ref: "refs/heads/feature", event: "push" }],
      ["a service pull request", { ref: PR, event: "pull_request" }],
      ["a repository that builds no image", { repository: "openedx-platform/unknown" }],
    ])("denies %s", (_what, over) => {
      expect(release("openedx-platform/course-service", over)).toEqual([]);
    });

    it("a push role can push to its own repository only", () => {
      const stmts = inline(json, "openedx-bootstrap-github-ecr-push-course-service");
      const repo = (n: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/openedx/${n}`;
      expect(evaluate(stmts, { action: "ecr:PutImage", resource: repo("course-service") })).toBe("allow");
      expect(evaluate(stmts, { action: "ecr:PutImage", resource: repo("lms") })).toBe("implicit-deny");
      expect(evaluate(stmts, { action: "ecr:DeleteRepository", resource: repo("course-service") })).toBe("implicit-deny");
      expect(evaluate(stmts, { action: "ecr:GetAuthorizationToken", resource: "*" })).toBe("allow");
    });
  });
});

/** The inline statements of a role, by role name, with references resolved. */
function inline(json: TfJson, roleName: string): Statement[] {
  const role = resources(json, "aws_iam_role").find((r) => r.name === roleName);
  if (!role) throw new Error(`no role ${roleName}`);
  const logical = Object.entries(json.resource!.aws_iam_role!).find(([, r]) => r.name === roleName)![0];
  const attached = resources(json, "aws_iam_role_policy").filter((p) => String(p.role).includes(`aws_iam_role.${logical}.`));
  expect(attached).toHaveLength(1);
  return policy(resolveTokens(attached[0]!.policy, json, ACCOUNT)).Statement;
}

describe("what each CI role can do, tried as requests", () => {
  const json = appStacks().bootstrap!;
  const bucket = `arn:aws:s3:::${bootstrap.state.bucket}`;
  const key = (stack: string) => `${bucket}/${bootstrap.state.keyPrefix}/${stack}.tfstate`;
  const stateKms = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${Object.keys(json.resource!.aws_kms_key!).find((k) => k.startsWith("state-key"))}`;
  const otherKms = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0000-app-key`;
  const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
  const via = (service: string, extra: Record<string, string> = {}) => ({ "kms:ViaService": `${service}.us-east-1.amazonaws.com`, ...extra });
  const decide = (role: string, r: Request): Decision => evaluate(inline(json, role), r, READ_ONLY_ACCESS);

  const readRequests = (env: string): [string, Request, Decision][] => [
    ["read its own state", { action: "s3:GetObject", resource: key(env) }, "allow"],
    ["read its platform stack's state", { action: "s3:GetObject", resource: key(`${env}-platform`) }, "allow"],
    ["read another environment's state", { action: "s3:GetObject", resource: key(env === "production" ? "staging" : "production") }, "explicit-deny"],
    ["read any other object (backups, media)", { action: "s3:GetObject", resource: `arn:aws:s3:::openedx-${env}-backups/db.dump` }, "explicit-deny"],
    ["decrypt the state through S3", { action: "kms:Decrypt", resource: stateKms, context: via("s3") }, "allow"],
    ["decrypt with the state key directly", { action: "kms:Decrypt", resource: stateKms }, "explicit-deny"],
    ["decrypt an SSM SecureString", { action: "kms:Decrypt", resource: otherKms, context: via("ssm") }, "explicit-deny"],
    ["decrypt any key directly", { action: "kms:Decrypt", resource: otherKms }, "explicit-deny"],
    ["read its own generated secret", { action: "secretsmanager:GetSecretValue", resource: secret(`openedx-${env}-mysql`) }, "allow"],
    ["decrypt its own secret through Secrets Manager", { action: "kms:Decrypt", resource: otherKms, context: via("secretsmanager", { "kms:EncryptionContext:SecretARN": secret(`openedx-${env}-mysql`) }) }, "allow"],
    ["decrypt another environment's secret through Secrets Manager", { action: "kms:Decrypt", resource: otherKms, context: via("secretsmanager", { "kms:EncryptionContext:SecretARN": secret("openedx-other-mysql") }) }, "implicit-deny"],
    ["read another environment's secret", { action: "secretsmanager:GetSecretValue", resource: secret(env === "production" ? "openedx-staging-mysql" : "openedx-production-mysql") }, "explicit-deny"],
    ["read an unrelated secret", { action: "secretsmanager:GetSecretValue", resource: secret("github-token") }, "explicit-deny"],
    ["scan a DynamoDB table", { action: "dynamodb:Scan", resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/x` }, "explicit-deny"],
    ["read log events", { action: "logs:GetLogEvents", resource: "*" }, "explicit-deny"],
    ["describe the VPC (refresh)", { action: "ec2:DescribeVpcs", resource: "*" }, "allow"],
    ["pass a role", { action: "iam:PassRole", resource: `arn:aws:iam::${ACCOUNT}:role/openedx-${env}-x` }, "implicit-deny"],
  ];

  describe.each(environmentOrder)("%s", (env) => {
    it.each(readRequests(env))("pr-plan: %s", (_what, request, expected) => {
      expect(decide(`openedx-${env}-github-pr-plan`, request)).toBe(expected);
    });

    it.each<[string, Request, Decision]>([
      ["take the state lock", { action: "s3:PutObject", resource: `${key(env)}.tflock` }, "explicit-deny"],
      ["delete the state lock (unblock or break an apply)", { action: "s3:DeleteObject", resource: `${key(env)}.tflock` }, "explicit-deny"],
      ["delete a state version", { action: "s3:DeleteObjectVersion", resource: key(env) }, "explicit-deny"],
      ["read the lock file", { action: "s3:GetObject", resource: `${key(env)}.tflock` }, "explicit-deny"],
      ["encrypt with the state key (write a lock)", { action: "kms:GenerateDataKey", resource: stateKms, context: via("s3") }, "implicit-deny"],
      ["write its state", { action: "s3:PutObject", resource: key(env) }, "explicit-deny"],
    ])("pr-plan: cannot %s", (_what, request, expected) => {
      expect(decide(`openedx-${env}-github-pr-plan`, request)).toBe(expected);
    });

    it("the state bucket's own policy refuses the PR plan role any write, and leaves the main plan role its lock", () => {
      const bucketPolicy = policy(resolveTokens(resources(json, "aws_s3_bucket_policy").find((p) => String(p.bucket).includes("aws_s3_bucket.state_bucket"))!.policy, json, ACCOUNT)).Statement;
      const as = (role: string, action: string, resource: string) =>
        evaluate(bucketPolicy, { action, resource, context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/${role}`, "aws:SecureTransport": "true" } });
      expect(as(`openedx-${env}-github-pr-plan`, "s3:PutObject", `${key(env)}.tflock`)).toBe("explicit-deny");
      expect(as(`openedx-${env}-github-pr-plan`, "s3:DeleteObject", `${key(env)}.tflock`)).toBe("explicit-deny");
      expect(as(`openedx-${env}-github-plan`, "s3:PutObject", `${key(env)}.tflock`)).not.toBe("explicit-deny");
      expect(as(`openedx-${env}-github-plan`, "s3:GetObject", key(env === "production" ? "staging" : "production"))).toBe("explicit-deny");
    });

    it.each(readRequests(env))("plan (main, drift): %s", (_what, request, expected) => {
      expect(decide(`openedx-${env}-github-plan`, request)).toBe(expected);
    });

    it("plan (main, drift): takes and releases its own lock, never another's, never writes state", () => {
      const role = `openedx-${env}-github-plan`;
      expect(decide(role, { action: "s3:PutObject", resource: `${key(env)}.tflock` })).toBe("allow");
      expect(decide(role, { action: "s3:DeleteObject", resource: `${key(`${env}-platform`)}.tflock` })).toBe("allow");
      expect(decide(role, { action: "kms:GenerateDataKey", resource: stateKms, context: via("s3") })).toBe("allow");
      expect(decide(role, { action: "s3:DeleteObject", resource: `${key(env === "production" ? "sandbox" : "production")}.tflock` })).toBe("implicit-deny");
      expect(decide(role, { action: "s3:PutObject", resource: key(env) })).toBe("implicit-deny");
    });
  });
});

describe("restore drill role, tried with attacker tokens and requests", () => {
  const json = appStacks().bootstrap!;
  const drill = resources(json, "aws_iam_role").find((r) => r.name === "openedx-bootstrap-github-restore-drill")!;
  const trust = policy(resolveTokens(drill.assume_role_policy, json, ACCOUNT));
  const job = (over: Partial<Job>): Job => ({ repository: INFRA, event: "workflow_dispatch", ref: MAIN, environment: "restore-drill", jobWorkflowRef: wf("restore-drill.yml", MAIN), ...over });
  const rds = (type: string, name: string) => `arn:aws:rds:us-east-1:${ACCOUNT}:${type}:${name}`;
  const stmts = inline(json, "openedx-bootstrap-github-restore-drill");

  it("only restore-drill.yml on main, in the restore-drill environment, assumes it", () => {
    expect(canAssumeWithWebIdentity(trust, token(job({})))).toBe(true);
    expect(canAssumeWithWebIdentity(trust, token(job({ ref: "refs/heads/feature", jobWorkflowRef: wf("restore-drill.yml", "refs/heads/feature") })))).toBe(false);
    expect(canAssumeWithWebIdentity(trust, token(job({ environment: "sandbox" })))).toBe(false);
    expect(canAssumeWithWebIdentity(trust, token(job({ jobWorkflowRef: wf("apply-stack.yml", MAIN) })))).toBe(false);
    expect(canAssumeWithWebIdentity(trust, token(job({ event: "pull_request", ref: PR, environment: undefined, jobWorkflowRef: wf("restore-drill.yml", PR) })))).toBe(false);
  });

  it("restores into and deletes the drill instance only; never touches production's instance or reads secrets", () => {
    expect(evaluate(stmts, { action: "rds:RestoreDBInstanceFromDBSnapshot", resource: rds("db", "openedx-sandbox-restore-drill") })).toBe("allow");
    expect(evaluate(stmts, { action: "rds:RestoreDBInstanceFromDBSnapshot", resource: rds("snapshot", "rds:openedx-production-mysql-2026-12-02-03-05") })).toBe("allow");
    expect(evaluate(stmts, { action: "rds:DeleteDBInstance", resource: rds("db", "openedx-sandbox-restore-drill") })).toBe("allow");
    expect(evaluate(stmts, { action: "rds:RestoreDBInstanceFromDBSnapshot", resource: rds("db", "openedx-production-mysql") })).toBe("implicit-deny");
    expect(evaluate(stmts, { action: "rds:DeleteDBInstance", resource: rds("db", "openedx-production-mysql") })).toBe("implicit-deny");
    expect(evaluate(stmts, { action: "rds:DeleteDBSnapshot", resource: rds("snapshot", "rds:openedx-production-mysql-2026-12-02-03-05") })).toBe("implicit-deny");
    expect(evaluate(stmts, { action: "rds:ModifyDBInstance", resource: rds("db", "openedx-production-mysql") })).toBe("implicit-deny");
    expect(evaluate(stmts, { action: "secretsmanager:GetSecretValue", resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:rds!db-1` })).toBe("explicit-deny");
  });

  it("uses production's MySQL key through RDS only", () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`;
    const viaRds = { "kms:ViaService": "rds.us-east-1.amazonaws.com", "kms:ResourceAliases": "alias/openedx-production-mysql" };
    expect(evaluate(stmts, { action: "kms:CreateGrant", resource: key, context: viaRds })).toBe("allow");
    expect(evaluate(stmts, { action: "kms:Decrypt", resource: key, context: { ...viaRds, "kms:ViaService": undefined } })).toBe("implicit-deny");
    expect(evaluate(stmts, { action: "kms:Decrypt", resource: key, context: { ...viaRds, "kms:ResourceAliases": "alias/openedx-production-documentdb" } })).toBe("implicit-deny");
  });
});
