import { Testing } from "cdktf";
import { environmentOrder } from "../../environments";
import { BootstrapStack, bootstrap, BootstrapConfig } from "../../environments/bootstrap";
import { s3State } from "../../environments/shared";
import { policy, resource, resources, synth } from "../helpers";

const build = (config: BootstrapConfig = bootstrap) => new BootstrapStack(Testing.app(), config);
const trust = (r: any) => policy(r.assume_role_policy).Statement[0];
const inline = (json: any, path: string) => policy(resource(json, "aws_iam_role_policy", path).policy).Statement as any[];

describe("bootstrap stack", () => {
  const stack = build();
  const json = synth(stack);

  it("keeps its own state in the bucket it creates (see bootstrap-plan.test.ts) and tags everything as bootstrap", () => {
    expect(Object.keys(json.terraform!.backend!)).toEqual(["s3"]);
    expect(json.provider!.aws[0].default_tags[0].tags).toMatchObject({ Environment: "bootstrap", Project: "openedx", ManagedBy: "cdktf" });
  });

  it("creates the state bucket the environments use: versioned, CMK, TLS-only, private, logged, old versions expire, undeletable", () => {
    if (s3State.backend !== "s3") throw new Error("environments must use S3 state");
    const bucket = resource(json, "aws_s3_bucket", "state/bucket");
    expect(bucket.bucket).toBe(s3State.bucket);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
    expect(resource(json, "aws_s3_bucket_versioning", "state/").versioning_configuration.status).toBe("Enabled");
    const sse = resource(json, "aws_s3_bucket_server_side_encryption_configuration", "state/").rule[0];
    expect(sse.apply_server_side_encryption_by_default).toMatchObject({ sse_algorithm: "aws:kms" });
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\.state-key_\w+\.arn/);
    expect(resource(json, "aws_s3_bucket_public_access_block", "state/")).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(resource(json, "aws_s3_bucket_logging", "state/").target_prefix).toBe("terraform-state/");
    const rules = resource(json, "aws_s3_bucket_lifecycle_configuration", "state/").rule as any[];
    expect(rules.find((r) => r.id === "expire-noncurrent-versions").noncurrent_version_expiration[0].noncurrent_days).toBe(90);
    const doc = policy(resource(json, "aws_s3_bucket_policy", "state/").policy);
    expect(doc.Statement.find((s: any) => s.Sid === "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    expect(resource(json, "aws_kms_key", "state-key").enable_key_rotation).toBe(true);
  });

  it("confines each environment's CI roles to that environment's state keys", () => {
    const doc = policy(resource(json, "aws_s3_bucket_policy", "state/").policy);
    for (const env of environmentOrder.map((e) => e[0]!.toUpperCase() + e.slice(1))) {
      const s = doc.Statement.find((x: any) => x.Sid === `Confine${env}CiToItsState`);
      expect(s.Effect).toBe("Deny");
      expect(s.Condition.ArnLike["aws:PrincipalArn"]).toMatch(new RegExp(`:role/openedx-${env.toLowerCase()}-github-\\*$`));
      expect(s.NotResource).toHaveLength(4);
      expect(s.NotResource[0]).toMatch(new RegExp(`/learning-platform/${env.toLowerCase()}\\.tfstate$`));
      expect(s.NotResource[3]).toMatch(new RegExp(`/learning-platform/${env.toLowerCase()}-platform\\.tfstate\\.tflock$`));
    }
  });

  it("denies every PR plan role any write or delete in the state bucket, in the bucket policy too", () => {
    const doc = policy(resource(json, "aws_s3_bucket_policy", "state/").policy);
    expect(doc.Statement.find((x: any) => x.Sid === "DenyPullRequestPlanWrites")).toMatchObject({
      Effect: "Deny", Principal: "*", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      Resource: expect.stringMatching(/^\$\{aws_s3_bucket\.state_bucket_\w+\.arn\}\/\*$/),
      Condition: { ArnLike: { "aws:PrincipalArn": expect.stringMatching(/:role\/openedx-\*-github-pr-plan$/) } },
    });
  });

  it("registers GitHub's OIDC provider for the STS audience", () => {
    const p = resource(json, "aws_iam_openid_connect_provider", "github-oidc");
    expect(p.url).toBe("https://token.actions.githubusercontent.com");
    expect(p.client_id_list).toEqual(["sts.amazonaws.com"]);
  });

  const INFRA = "openedx-platform/learning-platform-infra";
  const sub = (context: string, ref: string, workflow: string, workflowRef = ref) =>
    `repo:${INFRA}:${context}:ref:${ref}:job_workflow_ref:${INFRA}/.github/workflows/${workflow}@${workflowRef}`;

  it.each(environmentOrder)("%s: PR plan role trusts only pull-request.yml jobs of PRs in the `<env>-plan` environment, reads without locks", (env) => {
    const role = resource(json, "aws_iam_role", `ci-${env}/pr-plan/role`);
    expect(role.name).toBe(`openedx-${env}-github-pr-plan`);
    const statements = policy(role.assume_role_policy).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition).toEqual({
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": sub(`environment:${env}-plan`, "refs/pull/*/merge", "pull-request.yml") },
    });
    expect(resource(json, "aws_iam_role_policy_attachment", `ci-${env}/pr-plan/`).policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
    const s = inline(json, `ci-${env}/pr-plan/`);
    expect(s.find((x) => x.Sid === "StateObjects")).toMatchObject({ Effect: "Allow", Action: "s3:GetObject" });
    expect(s.find((x) => x.Sid === "StateLocks")).toBeUndefined();
    expect(s.find((x) => x.Sid === "StateKey")).toMatchObject({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } });
    expect(s.find((x) => x.Sid === "DenyObjectWrites")).toMatchObject({ Effect: "Deny", Resource: "*", Action: expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]) });
    expect(s.find((x) => x.Sid === "DenyDecryptOutsideStateAndSecrets").Condition).toEqual({
      StringNotEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"] },
    });
    // No S3 write or KMS encrypt allowed anywhere.
    for (const x of s.filter((x) => x.Effect === "Allow")) {
      expect([x.Sid, [x.Action].flat().filter((a: string) => /^s3:(Put|Delete)|^kms:(Encrypt|GenerateDataKey)/.test(a))]).toEqual([x.Sid, []]);
    }
  });

  it.each(environmentOrder)("%s: plan role trusts only the main pipeline's plan job and drift on main, read-only but for its lock", (env) => {
    const role = resource(json, "aws_iam_role", `ci-${env}/plan/role`);
    expect(role.name).toBe(`openedx-${env}-github-plan`);
    const t = trust(role);
    expect(t.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(t.Principal.Federated).toContain("aws_iam_openid_connect_provider.github-oidc_provider");
    expect(t.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [
          sub("ref:refs/heads/main", "refs/heads/main", "apply-stack.yml"),
          sub("ref:refs/heads/main", "refs/heads/main", "drift.yml"),
        ],
      },
    });
    expect(resource(json, "aws_iam_role_policy_attachment", `ci-${env}/plan/`).policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
    const s = inline(json, `ci-${env}/plan/`);
    expect(s.find((x) => x.Sid === "StateObjects")).toMatchObject({ Effect: "Allow", Action: "s3:GetObject" });
    expect(s.find((x) => x.Sid === "StateLocks").Resource.every((r: string) => r.endsWith(".tflock"))).toBe(true);
    expect(s.find((x) => x.Sid === "DenyDataPlaneReads").Action).toEqual(expect.arrayContaining(["dynamodb:Scan", "sqs:ReceiveMessage"]));
    expect(s.find((x) => x.Sid === "DenyObjectsOutsideState")).toMatchObject({ Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"] });
    // Writes: only the lock files (S3 native locking); nothing else in the account.
    for (const x of s.filter((x) => x.Effect === "Allow")) {
      const writes = [x.Action].flat().filter((a: string) => /^s3:(Put|Delete)/.test(a));
      if (writes.length) expect([x.Sid, [x.Resource].flat().every((r: string) => r.endsWith(".tfstate.tflock"))]).toEqual([x.Sid, true]);
    }
    // Secrets: the environment's own generated secrets only (refreshing their versions reads the
    // value; without this every plan fails with AccessDenied once they exist), decrypted only
    // through Secrets Manager for those secrets; every other secret value stays denied.
    const own = new RegExp(`^arn:\\$\\{[^}]+\\}:secretsmanager:us-east-1:\\$\\{data\\.aws_caller_identity\\.[\\w-]+\\.account_id\\}:secret:openedx-${env}-\\*$`);
    expect(s.find((x) => x.Sid === "OwnSecretsRefresh")).toMatchObject({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: expect.stringMatching(own) });
    expect(s.find((x) => x.Sid === "DenyOtherSecrets")).toMatchObject({ Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: expect.stringMatching(own) });
    const decrypt = s.find((x) => x.Sid === "OwnSecretsDecrypt");
    expect(decrypt).toMatchObject({ Effect: "Allow", Action: "kms:Decrypt" });
    expect(decrypt.Condition.StringEquals).toEqual({ "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" });
    expect(decrypt.Condition.StringLike["kms:EncryptionContext:SecretARN"]).toMatch(own);
    // No stack generates passwords any more (issue 14): the plan roles may not either.
    expect(s.find((x) => x.Sid === "GeneratePasswords")).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain("secretsmanager:GetRandomPassword");
  });

  it.each(environmentOrder)("%s: apply role trusts only apply-stack.yml on main in that GitHub environment", (env) => {
    const role = resource(json, "aws_iam_role", `ci-${env}/apply/role`);
    expect(role.name).toBe(`openedx-${env}-github-apply`);
    expect(role.max_session_duration).toBe(10800);
    expect(trust(role).Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": sub(`environment:${env}`, "refs/heads/main", "apply-stack.yml"),
      },
    });
  });

  it("gives a self-hosted environment's apply role Route53 only (its AWS side is the DNS zone), not PowerUserAccess", () => {
    const attached = resources(json, "aws_iam_role_policy_attachment").filter((a) => a._id.startsWith("ci-selfhosted/apply/")).map((a) => a.policy_arn);
    expect(attached).toEqual([expect.stringMatching(/policy\/AmazonRoute53FullAccess$/)]);
  });

  it("scopes the apply role: IAM only under its prefix, other environments, regions and the bootstrap denied", () => {
    expect(resource(json, "aws_iam_role_policy_attachment", "ci-production/apply/").policy_arn).toMatch(/policy\/PowerUserAccess$/);
    const s = inline(json, "ci-production/apply/");
    const iam = s.find((x) => x.Sid === "EnvironmentIam");
    expect(iam.Resource.every((r: string) => /:(role|policy|instance-profile)\/openedx-production-\*$/.test(r))).toBe(true);
    expect(iam.Action.every((a: string) => a.startsWith("iam:") && !a.includes("*"))).toBe(true);
    expect(s.find((x) => x.Sid === "PassEnvironmentRoles").Resource).toMatch(/role\/openedx-production-\*$/);
    expect(s.find((x) => x.Sid === "DenyOtherEnvironments").Condition).toEqual({
      Null: { "aws:ResourceTag/Environment": "false" },
      StringNotEquals: { "aws:ResourceTag/Environment": ["production", "bootstrap"] },
    });
    expect(s.find((x) => x.Sid === "DenyOtherRegions").Condition.StringNotEquals["aws:RequestedRegion"]).toEqual(["us-east-1"]);
    expect(s.find((x) => x.Sid === "DenyCiIdentityChanges").Resource[0]).toMatch(/role\/\*-github-\*$/);
    expect(s.find((x) => x.Sid === "DenyBootstrapKeyChanges").Action).toContain("kms:ScheduleKeyDeletion");
    expect(s.find((x) => x.Sid === "DenyEcrChanges").Resource).toHaveLength(Object.keys(bootstrap.ecr.repositories).length);
    expect(s.find((x) => x.Sid === "StateObjects").Action).toEqual(["s3:GetObject", "s3:PutObject"]);
  });

  it("creates the ECR repositories and one push role each, trusted only for the release workflow on its service's main", () => {
    const repos = Object.entries(bootstrap.ecr.repositories);
    expect(resources(json, "aws_ecr_repository").map((r) => r.name).sort()).toEqual(repos.map(([n]) => `openedx/${n}`).sort());
    for (const [name, source] of repos) {
      const push = resource(json, "aws_iam_role", `ecr-push-${name}/role`);
      expect(push.name).toBe(`openedx-bootstrap-github-ecr-push-${name}`);
      expect(trust(push).Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
        `repo:${source}:ref:refs/heads/main:ref:refs/heads/main:job_workflow_ref:${INFRA}/.github/workflows/release.yml@refs/heads/main`);
      const s = inline(json, `ecr-push-${name}/`);
      expect(s.find((x) => x.Sid === "RegistryLogin")).toEqual({ Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
      expect(s.find((x) => x.Sid === "PushImages").Resource).toMatch(/^\$\{aws_ecr_repository\.[\w-]+\.arn\}$/);
      expect(stack.ecrPushJobs[name]).toHaveLength(1);
    }
    // + the bootstrap plan and PR plan roles (bootstrap-plan.test.ts), the restore drill's and CloudTrail's log delivery (trust.test.ts)
    expect(resources(json, "aws_iam_role")).toHaveLength(environmentOrder.length * 3 + repos.length + 4);
  });

  it("creates the account-level service-linked roles once, here", () => {
    expect(resources(json, "aws_iam_service_linked_role").map((r) => r.aws_service_name).sort()).toEqual(["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com", "vpcorigin.cloudfront.amazonaws.com"]);
  });

  it("exposes the role ARNs as outputs and typed properties", () => {
    expect(Object.keys(json.output!)).toEqual(expect.arrayContaining(["production-pr-plan-role-arn", "production-plan-role-arn", "production-apply-role-arn", "ecr-push-role-arns", "state-bucket"]));
    expect(Object.keys(stack.ciRoles)).toEqual([...environmentOrder]);
  });

  it.each<[string, Partial<BootstrapConfig>, RegExp]>([
    ["state.bucket", { state: { ...bootstrap.state, bucket: "Bad_Bucket" } }, /bootstrap: state\.bucket = "Bad_Bucket" is invalid; must be a valid S3 bucket name/],
    ["state.noncurrentVersionDays", { state: { ...bootstrap.state, noncurrentVersionDays: 7 } }, /state\.noncurrentVersionDays = 7 is invalid; must be an integer from 30 to 3650/],
    ["environments", { environments: ["sandbox", "sandbox"] }, /environments = \["sandbox","sandbox"\] is invalid; must not repeat values/],
    ["environments (unknown)", { environments: ["qa" as never] }, /environments = "qa" is invalid; must be one of the registry's sandbox, staging, production/],
    ["environments (order)", { environments: ["production", "sandbox"] }, /environments = \["production","sandbox"\] is invalid; must follow the registry's apply order \(sandbox → staging → production → selfhosted\)/],
    ["ecr.repositories", { ecr: { ...bootstrap.ecr, repositories: { web: "no-slash" } } }, /ecr\.repositories\.web = "no-slash" is invalid; must be the GitHub repository that builds it, as owner\/name/],
    ["ecr.releaseWorkflow.refs (a SHA)", { ecr: { ...bootstrap.ecr, releaseWorkflow: { path: ".github/workflows/release.yml", refs: ["0123456789abcdef0123456789abcdef01234567"] } } }, /ecr\.releaseWorkflow\.refs = "0123456789abcdef0123456789abcdef01234567" is invalid; must be branch or tag refs/],
    ["serviceLinkedRoles", { serviceLinkedRoles: ["opensearch"] }, /serviceLinkedRoles = "opensearch" is invalid; must be AWS service names/],
    ["mainBranch", { mainBranch: "main branch" }, /mainBranch = "main branch" is invalid/],
  ])("rejects a bad %s", (_name, override, message) => {
    expect(() => build({ ...bootstrap, ...override })).toThrow(message);
  });
});
