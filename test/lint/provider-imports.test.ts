import { execFileSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "../..");
const eslint = path.join(root, "node_modules", ".bin", "eslint");

/**
 * Runs the project's real ESLint config on source given on stdin, as if it were a .ts file of
 * the project (the offending source exists only here, never as a committed file).
 */
function lint(source: string): { errorCount: number; messages: { ruleId: string; message: string }[] } {
  let out: string;
  try {
    out = execFileSync(eslint, ["--stdin", "--stdin-filename", "modules/lint-probe.ts", "--format", "json"], { cwd: root, encoding: "utf8", input: source });
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
