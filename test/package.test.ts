import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as ts from "typescript";

// The package as another repository uses it: its exports map follows modules/, environments/
// use only its entry points, and `npm pack` yields a package whose entry points build a stack.
const ROOT = join(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PACKAGE_NAME, expectedExports, moduleFolders } = require("../scripts/package-exports.js");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** Every `learning-platform-infra/...` specifier imported by the files of a folder. */
function packageImports(dir: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    if (!name.endsWith(".ts")) continue;
    const text = readFileSync(join(ROOT, dir, name), "utf8");
    for (const m of text.matchAll(/from "([^"]+)"/g)) out.push({ file: `${dir}/${name}`, spec: m[1]! });
  }
  return out;
}

/** Whether a subpath is exported (exact key or a `*` pattern). */
function exported(subpath: string): boolean {
  return Object.keys(pkg.exports).some((key) => {
    if (!key.includes("*")) return key === subpath;
    const [head, tail] = key.split("*") as [string, string];
    return subpath.startsWith(head) && subpath.endsWith(tail) && subpath.length > head.length + tail.length;
  });
}

describe("package", () => {
  it("is licensed Apache-2.0, publishable, and ships LICENSE and NOTICE", () => {
    expect(pkg.license).toBe("Apache-2.0");
    expect(pkg.private).toBeUndefined();
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.files).toEqual(expect.arrayContaining(["LICENSE", "NOTICE"]));
    expect(pkg.scripts.prepack).toBe("npm run build");
  });

  it("exports one subpath per module folder (derived from modules/, so a new module cannot be forgotten)", () => {
    expect(pkg.exports).toEqual(expectedExports());
    for (const name of moduleFolders()) expect(exported(`./${name}`)).toBe(true);
    expect(moduleFolders()).toEqual(expect.arrayContaining(["vpc", "eks-cluster", "rds-mysql", "kms-key"]));
    // cdktf and constructs are the consumer's: two copies of constructs break the construct tree.
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["cdktf", "constructs"]);
    expect(pkg.dependencies.cdktf).toBeUndefined();
  });

  it("environments/ and main.ts import the library only through its exported entry points", () => {
    const imports = [...packageImports("environments"), ...packageImports(".").filter((i) => i.file === "./main.ts")];
    const lib = imports.filter((i) => i.spec.startsWith(`${PACKAGE_NAME}/`));
    expect(lib.length).toBeGreaterThan(40);
    const notExported = lib.filter((i) => !exported(`./${i.spec.slice(PACKAGE_NAME.length + 1)}`));
    expect(notExported).toEqual([]);
    const relative = imports.filter((i) => /(^|\/)modules\//.test(i.spec));
    expect(relative).toEqual([]);
  });

  // Packing builds the library with tsc and type-checks a consumer (~40 s CPU): it runs when
  // PACK_E2E is set, as .ci/run and the pull-request workflow do (PACK_E2E=required); a laptop's
  // `npm test` skips it. `PACK_E2E=1 npx jest test/package.test.ts` runs it here.
  const e2e = process.env.PACK_E2E ? describe : describe.skip;
  e2e("npm pack, installed into another project", () => {
    let dir: string;
    let files: string[];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pack-"));
      // prepack builds dist/ (tsc -p tsconfig.build.json) before packing.
      const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const info = JSON.parse(out.slice(out.indexOf("[")))[0];
      files = info.files.map((f: { path: string }) => f.path);
      const consumer = join(dir, "consumer");
      const installed = join(consumer, "node_modules", PACKAGE_NAME);
      mkdirSync(installed, { recursive: true });
      execFileSync("tar", ["-xzf", join(dir, info.filename), "-C", installed, "--strip-components=1"]);
      // Its dependencies and peers as the consumer would have them (linked: nothing to download here).
      mkdirSync(join(consumer, "node_modules", "@cdktf"), { recursive: true });
      for (const dep of ["cdktf", "constructs", ...Object.keys(pkg.dependencies)]) {
        symlinkSync(join(ROOT, "node_modules", dep), join(consumer, "node_modules", dep), "dir");
      }
      for (const dep of ["@types"]) symlinkSync(join(ROOT, "node_modules", dep), join(consumer, "node_modules", dep), "dir");
    }, 300_000);
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

    it("holds the built JavaScript, declarations and licence, and no sources or tests", () => {
      expect(files).toEqual(expect.arrayContaining(["LICENSE", "NOTICE", "package.json", "dist/vpc/index.js", "dist/vpc/index.d.ts",
        "dist/eks-cluster/index.d.ts", "dist/core/naming.d.ts", "dist/ingress/gateway-api/standard-v1.5.1.json"]));
      expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
      expect(files.filter((f) => /^(test|environments|pipelines|scripts)\//.test(f))).toEqual([]);
      // Every export target is in the package.
      for (const [key, target] of Object.entries(pkg.exports as Record<string, { types: string; default: string } | string>)) {
        if (typeof target === "string" || key.includes("*")) continue;
        expect(files).toContain(target.default.slice(2));
        expect(files).toContain(target.types.slice(2));
      }
    });

    const SOURCE = `import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "learning-platform-infra/core/naming";
import { KmsKey } from "learning-platform-infra/kms-key";
import { Vpc } from "learning-platform-infra/vpc";

const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, "adopter");
new AwsProvider(stack, "aws", { region: "eu-west-1" });
const naming = new Naming("acme", "dev");
const logsKey = new KmsKey(stack, "logs-key", { naming, component: "logs", description: "flow logs", allowCloudWatchLogs: true });
const vpc: Vpc = new Vpc(stack, "network", {
  naming, logsKey, cidr: "10.1.0.0/16", azs: ["eu-west-1a", "eu-west-1b"],
  publicSubnetCidrs: ["10.1.0.0/24", "10.1.1.0/24"], privateSubnetCidrs: ["10.1.64.0/20", "10.1.80.0/20"],
  databaseSubnetCidrs: ["10.1.200.0/24", "10.1.201.0/24"],
});
const ids: readonly string[] = vpc.privateSubnetIds;
console.log(ids.length);
app.synth();
`;

    it("type-checks a consumer against the .d.ts through the exports map (node16 resolution)", () => {
      const file = join(dir, "consumer", "stack.ts");
      writeFileSync(file, SOURCE);
      const program = ts.createProgram([file], {
        module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022,
        strict: true, noEmit: true, skipLibCheck: true, types: ["node"],
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diagnostics).toEqual([]);
      // A file that is not an entry point is not importable (the exports map is the public surface).
      writeFileSync(file, `import { Vpc } from "learning-platform-infra/dist/vpc/index";\nexport const v = Vpc;\n`);
      const bad = ts.createProgram([file], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, noEmit: true, types: ["node"] });
      expect(ts.getPreEmitDiagnostics(bad).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"))
        .toMatch(/Cannot find module 'learning-platform-infra\/dist\/vpc\/index'/);
    }, 120_000);

    it("builds and synthesizes a stack with plain node from the installed package's entry points", () => {
      const js = ts.transpileModule(SOURCE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(dir, "consumer", "stack.js"), js);
      const outdir = join(dir, "consumer", "cdktf.out");
      execFileSync("node", ["stack.js", outdir], { cwd: join(dir, "consumer"), encoding: "utf8" });
      const json = JSON.parse(readFileSync(join(outdir, "stacks", "adopter", "cdk.tf.json"), "utf8"));
      expect(Object.keys(json.resource.aws_subnet)).toHaveLength(6);
      expect(Object.values(json.resource.aws_vpc as Record<string, { cidr_block: string }>)[0]!.cidr_block).toBe("10.1.0.0/16");
      expect(existsSync(join(dir, "consumer", "node_modules", PACKAGE_NAME, "dist", "vpc", "index.js"))).toBe(true);
      // Node refuses what the exports map does not name.
      expect(() => execFileSync("node", ["-e", `require("${PACKAGE_NAME}/dist/vpc/index.js")`], { cwd: join(dir, "consumer"), stdio: "pipe" }))
        .toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    }, 120_000);
  });
});
