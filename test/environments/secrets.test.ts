import { TerraformStack } from "cdktf";
import { environmentOrder } from "../../environments";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataAwsSecretsmanagerRandomPassword } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { appStacks, synth, testStack } from "../helpers";
import { findSecretLiterals } from "../secret-scan";

/** Arguments through which a Terraform-held password reaches a store (issue 14: none may be set). */
const PASSWORD_ARGUMENTS: Record<string, readonly string[]> = {
  aws_elasticache_replication_group: ["auth_token"],
  aws_elasticache_user: ["passwords"],
  aws_opensearch_domain: ["advanced_security_options.master_user_options.master_user_password"],
  aws_docdb_cluster: ["master_password", "master_password_wo"],
  aws_db_instance: ["password", "password_wo"],
  aws_rds_cluster: ["master_password", "master_password_wo"],
  aws_secretsmanager_secret_version: ["secret_string", "secret_string_wo", "secret_binary"],
  aws_mq_broker: ["user.0.password"],
};

/**
 * The one password argument accepted, and why: Amazon MQ needs the broker user's password in
 * `aws_mq_broker.user`, which has no write-only form (hashicorp/terraform-provider-aws#48180).
 * It is never generated: it comes from the operator-created secret, read at plan time
 * (modules/amazon-mq), so it is in the state (KMS-encrypted bucket, CI roles only) but not in code.
 */
const ACCEPTED = /^resource\.aws_mq_broker\.rabbitmq_broker_\w+\.user\.0\.password$/;

/** Where a stack generates or hands over a password: the data source, and every password argument that is set. */
function generatedSecrets(doc: any): string[] {
  const found = Object.keys(doc.data?.aws_secretsmanager_random_password ?? {}).map((k) => `data.aws_secretsmanager_random_password.${k}`);
  for (const [type, paths] of Object.entries(PASSWORD_ARGUMENTS)) {
    for (const [key, res] of Object.entries(doc.resource?.[type] ?? {})) {
      for (const path of paths) {
        const value = path.split(".").reduce((v: any, p) => (v === undefined ? v : v[p]), res);
        if (value !== undefined) found.push(`resource.${type}.${key}.${path}`);
      }
    }
  }
  return found.sort();
}

/**
 * Scans every stack of the real app (main.ts, synthesized once per run by
 * test/global-setup.js from its manifest), so stacks added to the app later are scanned
 * without touching this test.
 */
describe("no secret literals in any synthesized stack", () => {
  const stacks: Record<string, any> = appStacks();

  it("synthesizes every environment's stack through the app", () => {
    expect(Object.keys(stacks)).toEqual(expect.arrayContaining([...environmentOrder]));
  });

  it("finds no password, token or secret attribute that is a literal", () => {
    for (const [name, doc] of Object.entries(stacks)) {
      expect({ stack: name, findings: findSecretLiterals(doc) }).toEqual({ stack: name, findings: [] });
    }
  });

  it("generates no password in any stack: no random_password data source, no secret version written by Terraform, no password argument", () => {
    for (const [name, doc] of Object.entries(stacks)) {
      expect({ stack: name, generated: generatedSecrets(doc).filter((g) => !ACCEPTED.test(g)) }).toEqual({ stack: name, generated: [] });
      // The accepted one is the operator's secret, by reference, never a generated value.
      for (const broker of Object.values(doc.resource?.aws_mq_broker ?? {}) as any[]) {
        expect(broker.user[0].password).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.rabbitmq_admin_\w+\.secret_string\)\.password\}$/);
      }
    }
    expect(generatedSecrets(stacks.production).filter((g) => ACCEPTED.test(g))).toHaveLength(1);
    // The stores carry references to service-managed secrets or IAM identities instead.
    const prod = stacks.production;
    expect(Object.values(prod.resource.aws_docdb_cluster)).toEqual([expect.objectContaining({ manage_master_user_password: true })]);
    // MySQL's and PostgreSQL's primaries.
    expect(Object.values(prod.resource.aws_db_instance).filter((i: any) => !i.replicate_source_db)).toEqual([
      expect.objectContaining({ engine: "mysql", manage_master_user_password: true }), expect.objectContaining({ engine: "postgres", manage_master_user_password: true })]);
    expect(Object.values(prod.resource.aws_opensearch_domain).map((d: any) => d.advanced_security_options.internal_user_database_enabled)).toEqual([false]);
    expect(Object.values(prod.resource.aws_elasticache_user).map((u: any) => u.authentication_mode.type).sort()).toEqual(["iam", "no-password-required"]);
  });

  it("would catch a generated password (the check above can fail)", () => {
    const { stack } = testStack();
    const random = new DataAwsSecretsmanagerRandomPassword(stack, "random", { passwordLength: 40 });
    new SecretsmanagerSecretVersion(stack, "version", { secretId: "s", secretString: random.randomPassword });
    new ElasticacheReplicationGroup(stack, "rg", { replicationGroupId: "x", description: "x", authToken: random.randomPassword });
    expect(generatedSecrets(synth(stack as TerraformStack))).toEqual([
      "data.aws_secretsmanager_random_password.random",
      "resource.aws_elasticache_replication_group.rg.auth_token",
      "resource.aws_secretsmanager_secret_version.version.secret_string",
    ]);
  });

  it("flags literals, mixed literal+reference values, and credential-shaped values", () => {
    const { stack } = testStack();
    new SecretsmanagerSecretVersion(stack, "v", { secretId: "s", secretString: "hunter2" });
    new DbInstance(stack, "db", { instanceClass: "db.t4g.medium", password: "p4ss${var.x}", tags: { note: "AKIAABCDEFGHIJKLMNOP", creation_token: "idempotency" } });
    const findings = findSecretLiterals(synth(stack as TerraformStack)).map((f) => f.path);
    expect(findings).toEqual([
      "resource.aws_db_instance.db.password",
      "resource.aws_db_instance.db.tags.note",
      "resource.aws_secretsmanager_secret_version.v.secret_string",
    ]);
  });
});
