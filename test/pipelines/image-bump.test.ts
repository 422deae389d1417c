import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { bareRemote, git } from "./git-fixture";
import { runAction } from "./run-action";

const VALUES = `# Helm values for the web service (managed by the release pipeline)
replicaCount: 3

image:
  repository: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web   # ECR
  # bumped by CI: do not edit by hand
  tag: "v1.2.3"   # current release
  pullPolicy: IfNotPresent

resources:
  limits: { cpu: 500m, memory: 512Mi }   # flow style must survive untouched
  requests:
    cpu: 250m
`;

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  # the API image
  - name: registry.example.com/learning/api
    newName: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api
    newTag: 2.0.0
`;

const { root, remote, clone, remoteFile } = bareRemote("image-bump-test-", {
  "apps/web/values.yaml": VALUES,
  "apps/web/numeric.yaml": "image:\n  tag: 1.9  # plain number\n",
  "overlays/staging/kustomization.yaml": KUSTOMIZATION,
  ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`apps/svc${i}/values.yaml`, `# svc${i}\nimage:\n  tag: v0.0.${i} # release\n`])),
});

let failureClone: string | undefined;

const SHA = "feedfacefeedfacefeedfacefeedfacefeedface";
const noGlobalConfig = join(root, "empty-gitconfig");
writeFileSync(noGlobalConfig, "");
/** Runs the action like a fresh runner: no global or system git identity. */
const bump = (path: string, inputs: Record<string, string>) =>
  runAction("image-bump", { path, ...inputs }, { GITHUB_SHA: SHA, GITHUB_REPOSITORY: "acme/web", GIT_CONFIG_GLOBAL: noGlobalConfig, GIT_CONFIG_NOSYSTEM: "1" });

describe("image-bump against a real git repository", () => {
  it("changes only the tag, keeps comments and formatting, commits old → new with the source commit, pushes", async () => {
    const run = await bump(clone(), { file: "apps/web/values.yaml", key: "image.tag", value: "v1.2.4" });
    expect(run.stdout).not.toContain("::error::");
    expect(run.outputs).toMatchObject({ changed: "true", previous: "v1.2.3" });
    expect(run.outputs.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(remote, "rev-parse", "main").trim()).toBe(run.outputs.commit);
    expect(remoteFile("apps/web/values.yaml")).toBe(VALUES.replace('tag: "v1.2.3"', 'tag: "v1.2.4"'));
    const message = git(remote, "log", "-1", "--format=%B", "main");
    expect(message).toContain("Bump image.tag in apps/web/values.yaml: v1.2.3 → v1.2.4");
    expect(message).toContain(`Source commit: acme/web@${SHA}`);
    expect(git(remote, "log", "-1", "--format=%an", "main").trim()).toBe("github-actions[bot]");
    expect(run.summary).toContain("`v1.2.3` → `v1.2.4`");
  });

  it("does nothing when the file already has the value", async () => {
    const before = git(remote, "rev-parse", "main");
    const run = await bump(clone(), { file: "apps/web/values.yaml", key: "image.tag", value: "v1.2.4" });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ changed: "false", result: "unchanged", previous: "v1.2.4", commit: "", "pull-request": "", "pull-request-url": "" });
    expect(git(remote, "rev-parse", "main")).toBe(before);
  });

  it.each([
    ["a missing key", "apps/web/values.yaml", "image.digest", /key image\.digest not found \(image has no "digest"\)/],
    ["a non-scalar target", "apps/web/values.yaml", "image", /image is a mapping, not a scalar/],
    ["a missing file", "apps/nope/values.yaml", "image.tag", /file "apps\/nope\/values\.yaml" cannot be read in .*does not exist/],
    ["a path outside the repository", "../../etc/passwd", "image.tag", /is outside the repository/],
  ])("fails clearly on %s and commits nothing", async (_what, file, key, message) => {
    const before = git(remote, "rev-parse", "main");
    // One clone for all failure cases: each must leave it exactly as it was.
    const dir = (failureClone ??= clone());
    const run = await bump(dir, { file, key, value: "v9" });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(git(remote, "rev-parse", "main")).toBe(before);
    expect(git(dir, "status", "--porcelain")).toBe("");
    expect(git(dir, "rev-parse", "HEAD")).toBe(before);
  });

  it("bumps a kustomization image by name, and quotes a tag that would read back as a number", async () => {
    const dir = clone();
    const k = await bump(dir, { file: "overlays/staging/kustomization.yaml", key: "registry.example.com/learning/api", value: "2.1.0" });
    expect(k.outputs).toMatchObject({ changed: "true", previous: "2.0.0" });
    expect(remoteFile("overlays/staging/kustomization.yaml")).toBe(KUSTOMIZATION.replace("newTag: 2.0.0", "newTag: 2.1.0"));
    const n = await bump(dir, { file: "apps/web/numeric.yaml", key: "image.tag", value: "1.10" });
    expect(n.outputs).toMatchObject({ changed: "true", previous: "1.9" });
    expect(remoteFile("apps/web/numeric.yaml")).toBe('image:\n  tag: "1.10"  # plain number\n');
  });

  it("pushes to a new branch when asked (production through a pull request)", async () => {
    const run = await bump(clone(), { file: "apps/web/values.yaml", key: "image.tag", value: "v2.0.0", branch: "release/web-v2.0.0", message: "web: release v2.0.0" });
    expect(run.outputs.changed).toBe("true");
    expect(remoteFile("apps/web/values.yaml", "release/web-v2.0.0")).toContain('tag: "v2.0.0"');
    expect(remoteFile("apps/web/values.yaml", "main")).toContain('tag: "v1.2.4"');
    expect(git(remote, "log", "-1", "--format=%B", "release/web-v2.0.0")).toMatch(/^web: release v2\.0\.0\n\nimage\.tag in apps\/web\/values\.yaml: v1\.2\.4 → v2\.0\.0/);
  });

  it("lands 6 concurrent bumps of different files from separate clones, none lost", async () => {
    const before = Number(git(remote, "rev-list", "--count", "main").trim());
    const dirs = Array.from({ length: 6 }, () => clone());
    const runs = await Promise.all(dirs.map((dir, i) => bump(dir, { file: `apps/svc${i}/values.yaml`, key: "image.tag", value: `v1.0.${i}` })));
    for (const run of runs) {
      expect(run.stdout).not.toContain("::error::");
      expect(run.outputs.changed).toBe("true");
    }
    expect(runs.some((r) => r.stdout.includes("push rejected"))).toBe(true);
    for (let i = 0; i < 6; i++) expect(remoteFile(`apps/svc${i}/values.yaml`)).toBe(`# svc${i}\nimage:\n  tag: v1.0.${i} # release\n`);
    expect(Number(git(remote, "rev-list", "--count", "main").trim())).toBe(before + 6);
    expect(new Set(runs.map((r) => r.outputs.commit)).size).toBe(6);
  }, 20_000);

  it("refuses a checkout with uncommitted changes and a bad retries value", async () => {
    const dir = clone();
    writeFileSync(join(dir, "apps/web/values.yaml"), "dirty: true\n");
    const dirty = await bump(dir, { file: "apps/web/values.yaml", key: "image.tag", value: "v3" });
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toMatch(/uncommitted changes/);
    expect(readFileSync(join(dir, "apps/web/values.yaml"), "utf8")).toBe("dirty: true\n");
    const retries = await bump(clone(), { file: "apps/web/values.yaml", key: "image.tag", value: "v3", retries: "-1" });
    expect(retries.stdout).toMatch(/input "retries" = "-1" is invalid/);
  });
});
