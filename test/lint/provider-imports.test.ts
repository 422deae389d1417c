import { execFileSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "../..");
const eslint = path.join(root, "node_modules", ".bin", "eslint");

/**
 * Runs the project's real ESLint config on source given on stdin, as if it were a .ts file of
 * the project (the offending source exists only here, never as a committed file).
 */
function lint(source: string, filename = "modules/lint-probe.ts"): { errorCount: number; messages: { ruleId: string; message: string }[] } {
  let out: string;
  try {
    out = execFileSync(eslint, ["--stdin", "--stdin-filename", filename, "--format", "json"], { cwd: root, encoding: "utf8", input: source });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out)[0];
}

// Package names assembled at run time so no committed line imports a provider root.
const aws = ["@cdktf", "provider-aws"].join("/");
const k8s = ["@cdktf", "provider-kubernetes"].join("/");

describe("lint: provider imports", () => {
  it("rejects imports from a provider package root (and its lib index)", () => {
    const result = lint(`import { Vpc } from "${aws}";\nimport * as k8s from "${k8s}/lib";\nexport const used = [Vpc, k8s];\n`);
    const rule = result.messages.filter((m) => m.ruleId === "no-restricted-imports");
    expect(rule).toHaveLength(2);
    expect(rule[0]!.message).toMatch(/@cdktf\/provider-<name>\/lib\/<resource>/);
  });

  it("accepts deep imports", () => {
    expect(lint(`import { Vpc } from "${aws}/lib/vpc";\nexport const used = [Vpc];\n`).errorCount).toBe(0);
  });
});

describe("lint: modules/core imports no module", () => {
  it("rejects a module import from core, and still rejects provider roots there", () => {
    const result = lint(`import { KmsKey } from "../kms-key";\nimport { Vpc } from "${aws}";\nexport const used = [KmsKey, Vpc];\n`, "modules/core/lint-probe.ts");
    const rule = result.messages.filter((m) => m.ruleId === "no-restricted-imports");
    expect(rule).toHaveLength(2);
    expect(rule[0]!.message).toMatch(/modules\/core depends on no module/);
    expect(rule[1]!.message).toMatch(/@cdktf\/provider-<name>\/lib\/<resource>/);
  });

  it("accepts core-internal imports in core and module imports elsewhere", () => {
    expect(lint(`import { Naming } from "./naming";\nexport type N = Naming;\n`, "modules/core/lint-probe.ts").errorCount).toBe(0);
    expect(lint(`import { KmsKey } from "../kms-key";\nexport const used = [KmsKey];\n`, "modules/vpc/lint-probe.ts").errorCount).toBe(0);
  });
});
