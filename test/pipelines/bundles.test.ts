import { execFileSync } from "child_process";
import { readFileSync, readdirSync, existsSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "./run-action";

const actions = readdirSync(join(ROOT, "pipelines")).filter((n) => existsSync(join(ROOT, "pipelines", n, "action.yml")));

describe("action bundles", () => {
  it("are committed and identical to a fresh esbuild build (npm run bundle)", () => {
    const out = execFileSync(process.execPath, [join(ROOT, "scripts", "bundle.mjs"), "--check"], { encoding: "utf8" });
    expect(out).toContain(`bundles up to date: ${actions.join(", ")}`);
  });

  it.each(actions)("%s: action.yml runs its committed bundle on node24 and documents every input", (name) => {
    const meta = parse(readFileSync(join(ROOT, "pipelines", name, "action.yml"), "utf8"));
    expect(meta.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(existsSync(join(ROOT, "pipelines", name, "dist", "index.js"))).toBe(true);
    const src = readFileSync(join(ROOT, "pipelines", name, "src", "index.ts"), "utf8");
    const used = [...src.matchAll(/(?:input|intInput|boolInput)\("([a-z-]+)"/g)].map((m) => m[1]);
    expect(Object.keys(meta.inputs).sort()).toEqual([...new Set(used)].sort());
    for (const [, spec] of Object.entries<any>(meta.inputs)) expect(spec.description).toBeTruthy();
  });
});
