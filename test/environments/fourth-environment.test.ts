import { Testing } from "cdktf";
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { parse } from "yaml";
import { BootstrapStack, RegistryEnvironment, addEnvironment, bootstrap, environmentOrder, environments, environmentStacks, validateRegistry } from "../../environments";
import { resources, synth } from "../helpers";
import { qa } from "../fixtures/environments/qa";

/**
 * Adding an environment is one data file (environments/<name>.ts, here a fixture) and one
 * registry line: everything else follows from the registry. The fixture `qa` is added the way
 * registry.ts would list it, and the app's stacks, the bootstrap's CI roles and the apply chain
 * main.yml is checked against (test/environments/registry.test.ts) follow.
 */

const ROOT = join(__dirname, "..", "..");
const registry: Readonly<Record<string, RegistryEnvironment>> = { ...environments, qa };

describe("a fourth environment from one data file and one registry line", () => {
  it("passes the registry's rules and builds its two stacks, the platform after the AWS stack", () => {
    expect(() => validateRegistry(registry)).not.toThrow();
    const app = Testing.app();
    const { aws, platform } = addEnvironment(app, qa);
    expect([aws.node.id, platform.node.id]).toEqual(environmentStacks("qa"));
    expect(platform.dependencies).toContain(aws);
    const json = synth(aws);
    expect(resources(json, "aws_eks_cluster").map((c) => c.name)).toEqual(["openedx-qa-eks"]);
    expect(json.provider!.aws[0].default_tags[0].tags.Environment).toBe("qa");
  });

  it("gets its PR-plan, plan and apply roles in the bootstrap stack, after the registry's others", () => {
    const order = Object.keys(registry);
    const stack = new BootstrapStack(Testing.app(), { ...bootstrap, environments: order }, { registry });
    expect(Object.keys(stack.ciRoles)).toEqual([...environmentOrder, "qa"]);
    const roles = resources(synth(stack), "aws_iam_role").map((r) => String(r.name)).filter((n) => n.startsWith("openedx-qa-"));
    expect(roles.sort()).toEqual(["openedx-qa-github-apply", "openedx-qa-github-plan", "openedx-qa-github-pr-plan"]);
  });

  it("extends the apply chain main.yml is held to by exactly its two stacks, last", () => {
    const applyStacks = Object.values(parse(readFileSync(join(ROOT, ".github", "workflows", "main.yml"), "utf8")).jobs as Record<string, any>)
      .filter((j) => j.uses === "./.github/workflows/apply-stack.yml").map((j) => j.with.stack as string);
    const chain = (names: readonly string[]) => names.flatMap((n) => environmentStacks(n));
    expect(applyStacks.sort()).toEqual(chain(environmentOrder).slice().sort());
    // The registry test walks main.yml against this chain and prints it: the two new jobs are what it asks for.
    expect(chain(Object.keys(registry))).toEqual([...chain(environmentOrder), "qa", "qa-platform"]);
  });

  it.each<[string, Readonly<Record<string, RegistryEnvironment>>, string]>([
    ["an entry whose name is not its key", { ...environments, qa: { ...qa, name: "qa2" } },
      'environment registry: qa.name = "qa2" is invalid; must equal its registry key "qa"'],
    ["two clusters of one name in one account and region", { ...environments, qa: { ...qa, clusterName: "openedx-staging-eks" } },
      'environment registry: qa.clusterName = "openedx-staging-eks" is invalid; must differ from environment staging\'s: one account holds one EKS cluster of a name per region (us-east-1)'],
    ["two keys holding the same environment", { ...environments, staging2: environments.staging },
      'environment registry: staging2.name = "staging" is invalid; must equal its registry key "staging2"'],
  ])("rejects %s", (_n, bad, message) => {
    expect(() => validateRegistry(bad)).toThrow(message);
  });

  it("names no environment in code outside its data file and the registry (no list to forget)", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const p = join(dir, entry);
        if (entry === "node_modules" || entry === "dist") continue;
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    ["environments", "modules", "pipelines"].forEach((d) => walk(join(ROOT, d)));
    files.push(join(ROOT, "main.ts"));
    const hits: string[] = [];
    for (const file of files) {
      const rel = relative(ROOT, file);
      readFileSync(file, "utf8").split("\n").forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line) || /protection|PROTECTION_TIERS/.test(line)) return; // comments; tier names
        for (const name of environmentOrder) {
          if (rel === `environments/${name}.ts`) continue;
          if (new RegExp(`["'\`]${name}["'\`-]`).test(line)) hits.push(`${rel}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });
});
