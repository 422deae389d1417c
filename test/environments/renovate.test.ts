import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { clusterDefaults, platformCharts } from "../../environments/shared";
import { workflowActions } from "../../environments/lifecycle";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../modules/core/lifecycle";
import { DEFAULT_MYSQL_VERSION } from "../../modules/rds-mysql";
import { DEFAULT_POSTGRES_VERSION } from "../../modules/rds-postgres";
import { DEFAULT_RABBITMQ_VERSION } from "../../modules/amazon-mq";
import { DEFAULT_SEARCH_ENGINE } from "../../modules/elasticsearch";
import { DEFAULT_DOCUMENTDB_VERSION } from "../../modules/documentdb";
import { DEFAULT_REDIS_VERSION, DEFAULT_VALKEY_VERSION } from "../../modules/elasticache";

/**
 * Every version pinned in code is matched by a Renovate manager: the custom regex managers of
 * renovate.json are applied here exactly as Renovate applies them (file patterns, then match
 * strings with named groups), and the built-in managers this repository relies on (npm,
 * github-actions) must stay enabled with pins in the form they read.
 */
const ROOT = join(__dirname, "..", "..");
const config = JSON.parse(readFileSync(join(ROOT, "renovate.json"), "utf8"));
const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);

interface Dep { manager: string; file: string; depName?: string; currentValue?: string; datasource?: string; registryUrl?: string }

/** A `/regex/` pattern string or a glob-free literal, as Renovate reads managerFilePatterns. */
function filePattern(p: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(p);
  if (!m) throw new Error(`renovate.json: file pattern ${p} is not a /regex/ (the test only applies regex patterns)`);
  return new RegExp(m[1]!, m[2]);
}

/** What the custom regex managers extract from the repository. */
function extract(): Dep[] {
  const deps: Dep[] = [];
  for (const [i, manager] of (config.customManagers as any[]).entries()) {
    expect(manager.customType).toBe("regex");
    const patterns = (manager.managerFilePatterns as string[]).map(filePattern);
    for (const file of files.filter((f) => patterns.some((p) => p.test(f)))) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const source of manager.matchStrings as string[]) {
        for (const m of text.matchAll(new RegExp(source, "g"))) {
          const g = m.groups ?? {};
          deps.push({
            manager: `custom.regex[${i}]`, file,
            depName: g.depName ?? manager.depNameTemplate, currentValue: g.currentValue,
            datasource: g.datasource ?? manager.datasourceTemplate, registryUrl: g.registryUrl,
          });
        }
      }
    }
  }
  return deps;
}

describe("renovate.json", () => {
  const deps = extract();
  const covered = (file: string, depName: string, currentValue: string, datasource?: string) =>
    deps.some((d) => d.file === file && d.depName === depName && d.currentValue === currentValue && (!datasource || d.datasource === datasource));

  it("matches every chart of platformCharts with its repository, name and version", () => {
    for (const chart of Object.values(platformCharts)) {
      const dep = deps.find((d) => d.file === "environments/shared.ts" && d.depName === chart.chart && d.currentValue === chart.version);
      expect([chart.chart, dep?.datasource, dep?.registryUrl]).toEqual([chart.chart, chart.repository.startsWith("oci://") ? "docker" : "helm", chart.repository.replace(/^oci:\/\//, "")]);
    }
  });

  it("matches the Kubernetes version and every engine default with a datasource that knows its releases", () => {
    expect(covered("environments/shared.ts", "amazon-eks", clusterDefaults.kubernetesVersion, "endoflife-date")).toBe(true);
    expect(covered("modules/rds-mysql/index.ts", "amazon-rds-mysql", DEFAULT_MYSQL_VERSION, "endoflife-date")).toBe(true);
    expect(covered("modules/rds-postgres/index.ts", "amazon-rds-postgresql", DEFAULT_POSTGRES_VERSION, "endoflife-date")).toBe(true);
    expect(covered("modules/amazon-mq/index.ts", "amazon-mq-rabbitmq", DEFAULT_RABBITMQ_VERSION, "endoflife-date")).toBe(true);
    // Renovate sees the version without the engine prefix (endoflife.date lists "2.19", "3.5").
    expect(covered("modules/elasticsearch/index.ts", "amazon-opensearch", DEFAULT_SEARCH_ENGINE.replace(/^OpenSearch_/, ""), "endoflife-date")).toBe(true);
    expect(covered("modules/documentdb/index.ts", "amazon-documentdb", DEFAULT_DOCUMENTDB_VERSION, "endoflife-date")).toBe(true);
    expect(covered("modules/elasticache/index.ts", "valkey", DEFAULT_VALKEY_VERSION, "endoflife-date")).toBe(true);
    expect(covered("modules/elasticache/index.ts", "amazon-elasticache-redis", DEFAULT_REDIS_VERSION, "endoflife-date")).toBe(true);
  });

  it("matches every Cluster Autoscaler image tag", () => {
    for (const tag of Object.values(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
      expect([tag, covered("modules/core/lifecycle.ts", "registry.k8s.io/autoscaling/cluster-autoscaler", tag, "docker")]).toEqual([tag, true]);
    }
  });

  it("matches every Terraform and Node.js version in the workflows", () => {
    for (const file of files.filter((f) => f.startsWith(".github/workflows/"))) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/(?:TF_VERSION|terraform_version|default):\s*(\d+\.\d+\.\d+)/g)) {
        expect([file, m[1], covered(file, "hashicorp/terraform", m[1]!, "github-releases")]).toEqual([file, m[1], true]);
      }
      for (const m of text.matchAll(/node-version:\s*(\d+)/g)) {
        expect([file, m[1], covered(file, "node", m[1]!, "node-version")]).toEqual([file, m[1], true]);
      }
    }
  });

  it("leaves npm and github-actions on, with every action pinned the way Renovate updates it (SHA + version comment)", () => {
    expect(config.enabledManagers).toBeUndefined();
    expect(config.ignoreDeps ?? []).toEqual([]);
    expect(config["github-actions"]).toEqual({ pinDigests: true });
    const pins = workflowActions(ROOT);
    expect(pins.length).toBeGreaterThan(10);
    for (const file of files.filter((f) => f.startsWith(".github/workflows/"))) {
      for (const line of readFileSync(join(ROOT, file), "utf8").split("\n").filter((l) => /^\s*(-\s+)?uses:\s+[\w-][\w.-]*\//.test(l))) {
        expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
      }
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const npmRules = (config.packageRules as any[]).filter((r) => (r.matchManagers ?? []).includes("npm"));
    expect(npmRules.some((r) => r.enabled === false)).toBe(false);
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length).toBeGreaterThan(10);
  });

  it("groups by risk: charts minor/patch together, Kubernetes and engines never grouped, nothing automerged", () => {
    const rules = config.packageRules as any[];
    expect(rules.find((r) => r.groupName === "helm charts (minor and patch)")).toMatchObject({ matchUpdateTypes: ["minor", "patch"] });
    const engines = rules.filter((r) => (r.matchDatasources ?? []).includes("endoflife-date"));
    expect(engines.every((r) => r.groupName === undefined)).toBe(true);
    expect(config.automerge).toBe(false);
    expect(rules.some((r) => r.automerge === true)).toBe(false);
  });

  it("would miss a pin written without its annotation (the test can fail)", () => {
    const annotated = (config.customManagers as any[]).find((m) => m.description.startsWith("Pins annotated"));
    const re = new RegExp(annotated.matchStrings[0], "g");
    expect([..."// renovate: datasource=endoflife-date depName=amazon-eks versioning=loose\n  kubernetesVersion: \"1.36\",".matchAll(re)].map((m) => m.groups!.currentValue)).toEqual(["1.36"]);
    expect([..."  kubernetesVersion: \"1.36\",".matchAll(re)]).toEqual([]);
    expect([..."// renovate: datasource=endoflife-date depName=amazon-opensearch versioning=loose\nexport const E = \"OpenSearch_2.19\";".matchAll(re)].map((m) => m.groups!.currentValue)).toEqual(["2.19"]);
  });
});
