import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { awsEnvironments } from "../environments/registry";
import { site } from "../environments/site";
import { appStacks } from "./helpers";

// The runbook and README commands, checked against the code: npm scripts exist, cdktf commands
// name real stacks (a platform stack with its AWS stack), Terraform addresses and outputs exist in
// the synthesized stacks, links and file paths resolve. A command that would fail as written fails here.
const ROOT = join(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith(".md") ? [path] : [];
  });
}
const DOCS = [join(ROOT, "README.md"), ...markdownFiles(join(ROOT, "docs"))];
const text = (file: string) => readFileSync(file, "utf8");

/** Shell commands of a file's ```sh blocks: continuation lines joined, comments dropped, split at && and ;. */
function commands(file: string): { file: string; cmd: string }[] {
  const out: { file: string; cmd: string }[] = [];
  for (const block of text(file).matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines) {
      const code = line.replace(/\s+#.*$/, "").replace(/^#.*$/, "").trim();
      for (const cmd of code.split(/\s*(?:&&|;)\s*/)) if (cmd) out.push({ file: relative(ROOT, file), cmd });
    }
  }
  return out;
}
const ALL = DOCS.flatMap(commands);
const stacks = appStacks();
const where = (c: { file: string; cmd: string }) => `${c.file}: ${c.cmd}`;

/** GitHub's heading anchors. */
function anchors(file: string): Set<string> {
  const slugs = new Set<string>();
  for (const m of text(file).matchAll(/^#{1,6} (.+)$/gm)) {
    slugs.add(m[1]!.trim().toLowerCase().replace(/`/g, "").replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-"));
  }
  return slugs;
}

describe("runbook and README commands match the code", () => {
  it("finds the runbook's commands", () => {
    expect(DOCS.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(["README.md", "docs/first-deploy.md", "docs/day-2/troubleshooting.md"]));
    expect(ALL.filter((c) => c.file === "docs/first-deploy.md").length).toBeGreaterThan(15);
  });

  it("every npm run names a script of package.json", () => {
    const runs = ALL.filter((c) => /^npm run /.test(c.cmd));
    expect(runs.length).toBeGreaterThan(10);
    const missing = runs.filter((c) => !(c.cmd.split(/\s+/)[2]! in pkg.scripts)).map(where);
    expect(missing).toEqual([]);
  });

  it("every cdktf command names stacks of the app, and deploys or destroys a platform stack only with its AWS stack", () => {
    const cdktf = ALL.filter((c) => /(^|\s)npx cdktf (deploy|destroy|diff|synth)\b/.test(c.cmd));
    expect(cdktf.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const c of cdktf) {
      const [, verb, rest] = /npx cdktf (\w+)(.*)$/.exec(c.cmd)!;
      const names = rest!.trim().split(/\s+/).filter((a) => a && !a.startsWith("-"));
      for (const n of names) if (!(n in stacks)) problems.push(`${where(c)}: no stack ${n}`);
      if (verb === "deploy" || verb === "destroy") {
        for (const n of names.filter((x) => x.endsWith("-platform"))) {
          if (!names.includes(n.replace(/-platform$/, ""))) problems.push(`${where(c)}: cdktf refuses ${n} without its dependency ${n.replace(/-platform$/, "")}`);
        }
        if (names.length === 0) problems.push(`${where(c)}: names no stack`);
      }
      if (verb === "diff" && names.length !== 1) problems.push(`${where(c)}: cdktf diff takes one stack`);
    }
    expect(problems).toEqual([]);
  });

  it("every terraform -chdir names a stack, and its -target, import and output addresses exist there", () => {
    const tf = ALL.filter((c) => /^terraform -chdir=/.test(c.cmd));
    expect(tf.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const c of tf) {
      const dir = /^terraform -chdir=(\S+)/.exec(c.cmd)![1]!;
      const stack = /^cdktf\.out\/stacks\/([\w-]+)$/.exec(dir)?.[1];
      if (!stack || !(stack in stacks)) { problems.push(`${where(c)}: ${dir} is not a synthesized stack directory`); continue; }
      const json = stacks[stack]!;
      const has = (address: string) => {
        const [type, name] = address.split(".") as [string, string];
        return Boolean(json.resource?.[type]?.[name]);
      };
      for (const m of c.cmd.matchAll(/-target=(\S+)/g)) if (!has(m[1]!)) problems.push(`${where(c)}: no resource ${m[1]} in ${stack}`);
      const imp = /\simport (\S+)/.exec(c.cmd)?.[1];
      if (imp && !has(imp)) problems.push(`${where(c)}: no resource ${imp} in ${stack}`);
      const out = /\soutput (?:-raw )?([\w-]+)/.exec(c.cmd)?.[1];
      if (out && !json.output?.[out]) problems.push(`${where(c)}: no output ${out} in ${stack}`);
      const push = /\sstate push (\S+)/.exec(c.cmd)?.[1];
      if (push && resolve(ROOT, dir, push) !== join(ROOT, `terraform.${stack}.tfstate`)) problems.push(`${where(c)}: pushes ${push}, not where local state lands`);
      if (push && json.terraform?.backend?.s3 === undefined) problems.push(`${where(c)}: ${stack} has no S3 backend to push into`);
    }
    expect(problems).toEqual([]);
  });

  it("every kubeconfig command names a cluster of the registry", () => {
    const clusters = Object.values(awsEnvironments).map((e) => e.clusterName);
    const cmds = ALL.filter((c) => /aws eks update-kubeconfig --name \S+/.test(c.cmd) && !/<\w+>/.test(c.cmd));
    expect(cmds.length).toBeGreaterThan(0);
    for (const c of cmds) expect([where(c), clusters.includes(/--name (\S+)/.exec(c.cmd)![1]!)]).toEqual([where(c), true]);
  });

  it("links between the docs and the README resolve, anchors included", () => {
    const problems: string[] = [];
    for (const file of DOCS) {
      for (const m of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^https?:/.test(target)) continue;
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const dest = path ? resolve(dirname(file), path) : file;
        if (!existsSync(dest)) { problems.push(`${relative(ROOT, file)}: ${target} (no such file)`); continue; }
        if (anchor && dest.endsWith(".md") && !anchors(dest).has(anchor)) problems.push(`${relative(ROOT, file)}: ${target} (no such heading)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every repository path the runbook and day-2 pages name exists", () => {
    const problems: string[] = [];
    for (const file of DOCS.filter((f) => f.includes(`${join(ROOT, "docs")}`))) {
      for (const m of text(file).matchAll(/`((?:environments|modules|pipelines|scripts|test|\.github)\/[\w./-]+\.(?:ts|js|yml|json|md)|\.github\/CODEOWNERS)`/g)) {
        if (!existsSync(join(ROOT, m[1]!))) problems.push(`${relative(ROOT, file)}: ${m[1]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the README's 'Values you must change' table lists every field of the site config, with its shipped value", () => {
    const source = text(join(ROOT, "environments", "site.ts"));
    const iface = source.slice(source.indexOf("export interface SiteConfig"), source.indexOf("\n}\n", source.indexOf("export interface SiteConfig")));
    const fields = [...iface.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((m) => m[1]!);
    const readme = text(join(ROOT, "README.md"));
    const section = readme.slice(readme.indexOf("## Values you must change"), readme.indexOf("\n## ", readme.indexOf("## Values you must change") + 5));
    const rows = [...section.matchAll(/^\| `(\w+)` \| (.*?) \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([f]) => f)).toEqual(fields);
    for (const [field, shipped] of rows) {
      const value = (site as unknown as Record<string, unknown>)[field];
      if (typeof value === "string") expect([field, shipped]).toEqual([field, `\`${value}\``]);
    }
  });
});
