import { execFileSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "../..");

/** Runs the project's real ESLint config on a fixture (fixtures are ignored by `npm run lint`). */
function lint(file: string): { errorCount: number; messages: { ruleId: string; message: string }[] } {
  let out: string;
  try {
    out = execFileSync("npx", ["eslint", "--no-ignore", "--format", "json", file], { cwd: root, encoding: "utf8" });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out)[0];
}

describe("lint: provider imports", () => {
  it("rejects imports from a provider package root", () => {
    const result = lint("test/fixtures/lint/root-import.ts");
    const rule = result.messages.filter((m) => m.ruleId === "no-restricted-imports");
    expect(rule).toHaveLength(2);
    expect(rule[0]!.message).toMatch(/@cdktf\/provider-<name>\/lib\/<resource>/);
  });

  it("accepts deep imports", () => {
    expect(lint("test/fixtures/lint/deep-import.ts").errorCount).toBe(0);
  });
});
