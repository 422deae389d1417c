import { TerraformStack } from "cdktf";
import { environmentOrder } from "../../environments";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { appStacks, synth, testStack } from "../helpers";
import { findSecretLiterals } from "../secret-scan";

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

  it("does find credentials the stacks do carry, as references (the scan looks where secrets live)", () => {
    const prod = JSON.stringify(stacks.production);
    expect(prod).toContain("\"auth_token\":\"${jsondecode(aws_secretsmanager_secret_version.");
    expect(prod).toContain("\"master_user_password\":\"${jsondecode(aws_secretsmanager_secret_version.");
    expect(prod).toContain("\"master_password_wo\":\"${jsondecode(aws_secretsmanager_secret_version.");
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
