import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { synth, testStack } from "../helpers";
import { findSecretLiterals } from "../secret-scan";

/**
 * Runs the real app (main.ts) into a temporary output directory and scans every stack its
 * manifest lists — so stacks added to the app later are scanned without touching this test.
 */
describe("no secret literals in any synthesized stack", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-scan-"));
  let stacks: Record<string, any> = {};

  beforeAll(() => {
    const previous = process.env.CDKTF_OUTDIR;
    process.env.CDKTF_OUTDIR = outdir;
    try {
      // main.ts synthesizes on load, exactly as `cdktf synth` runs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jest.isolateModules(() => require("../../main"));
    } finally {
      if (previous === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = previous;
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    stacks = Object.fromEntries(Object.entries<any>(manifest.stacks).map(([name, s]) =>
      [name, JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8"))]));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it("synthesizes every environment's stack through the app", () => {
    expect(Object.keys(stacks)).toEqual(expect.arrayContaining(["production", "staging", "sandbox"]));
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
