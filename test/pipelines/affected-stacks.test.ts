import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { affectedStacks, readSynthOutput } from "../../pipelines/lib/stacks";
import { runAction } from "./run-action";

const root = mkdtempSync(join(tmpdir(), "affected-test-"));

/** Writes a cdktf output directory: stacks/<name>/cdk.tf.json and manifest.json. */
function synthOut(name: string, stacks: Record<string, unknown>, deps: Record<string, string[]> = {}): string {
  const dir = join(root, name);
  for (const [stack, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, "stacks", stack), { recursive: true });
    writeFileSync(join(dir, "stacks", stack, "cdk.tf.json"), JSON.stringify(json));
  }
  const manifest = { stacks: Object.fromEntries(Object.keys(stacks).map((s) => [s, { dependencies: deps[s] ?? [] }])) };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

const vpc = (cidr: string, path = "a") => ({ "//": { metadata: { path } }, resource: { aws_vpc: { v: { cidr_block: cidr } } } });
const deps = { "sandbox-platform": ["sandbox"], "staging-platform": ["staging"] };
const base = synthOut("base", { sandbox: vpc("10.20.0.0/16"), staging: vpc("10.10.0.0/16"), "sandbox-platform": vpc("x"), "staging-platform": vpc("y"), old: vpc("z") }, deps);
const head = synthOut("head", {
  sandbox: vpc("10.21.0.0/16"), staging: vpc("10.10.0.0/16", "moved-construct"), "sandbox-platform": vpc("x"), "staging-platform": vpc("y"), bootstrap: vpc("b"),
}, deps);

describe("affected-stacks", () => {
  it("finds changed and new stacks plus their dependents, ignoring cdktf metadata, dependencies first", () => {
    const r = affectedStacks(readSynthOutput(head), readSynthOutput(base), ["bootstrap"]);
    expect(r.stacks).toEqual(["sandbox", "sandbox-platform"]);
    expect(r.excluded).toEqual(["bootstrap"]);
    expect(r.removed).toEqual(["old"]);
    expect(affectedStacks(readSynthOutput(head), undefined).stacks).toEqual(["bootstrap", "sandbox", "sandbox-platform", "staging", "staging-platform"]);
  });

  it("outputs the matrix through the bundle", async () => {
    const run = await runAction("affected-stacks", { head, base, exclude: "bootstrap" });
    expect(run.stdout).not.toContain("::error::");
    expect(JSON.parse(run.outputs.matrix!)).toEqual({
      include: [
        { stack: "sandbox", environment: "sandbox", directory: "stacks/sandbox" },
        { stack: "sandbox-platform", environment: "sandbox", directory: "stacks/sandbox-platform" },
      ],
    });
    expect(run.outputs).toMatchObject({ count: "2", stacks: '["sandbox","sandbox-platform"]', removed: '["old"]' });
    expect(run.summary).toContain("excluded");
  });

  it("synthesizes a git ref in a temporary worktree", async () => {
    const repo = join(root, "repo");
    const g = (...args: string[]) => execFileSync("git", args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" } });
    mkdirSync(repo);
    g("init", "--quiet", "--initial-branch=main");
    // A stand-in app: writes one stack per line of stacks.txt into $CDKTF_OUTDIR.
    writeFileSync(join(repo, "synth.sh"), 'while read s c; do mkdir -p "$CDKTF_OUTDIR/stacks/$s"; echo "{\\"c\\":\\"$c\\"}" > "$CDKTF_OUTDIR/stacks/$s/cdk.tf.json"; done < stacks.txt\n');
    writeFileSync(join(repo, "stacks.txt"), "sandbox 1\nstaging 1\n");
    writeFileSync(join(repo, "cdktf.json"), JSON.stringify({ app: "sh synth.sh" }));
    g("add", ".");
    g("commit", "--quiet", "-m", "base");
    writeFileSync(join(repo, "stacks.txt"), "sandbox 1\nstaging 2\n");
    execFileSync("sh", ["synth.sh"], { cwd: repo, env: { ...process.env, CDKTF_OUTDIR: join(repo, "cdktf.out") } });
    // No synth-command: the base's own cdktf.json "app" synthesizes it.
    const run = await runAction("affected-stacks", { "base-ref": "HEAD" }, {}, repo);
    expect(run.stdout).not.toContain("::error::");
    expect(run.outputs.stacks).toBe('["staging"]');
    const explicit = await runAction("affected-stacks", { "base-ref": "HEAD", "synth-command": "sh synth.sh" }, {}, repo);
    expect(explicit.outputs.stacks).toBe('["staging"]');
    expect(g("worktree", "list").toString().trim().split("\n")).toHaveLength(1);
  });

  it("fails clearly without a base or with a bad ref", async () => {
    const none = await runAction("affected-stacks", { head });
    expect(none.stdout).toMatch(/::error::set base, base-ref, or all: true/);
    const badRef = await runAction("affected-stacks", { head, "base-ref": "no-such-ref" });
    expect(badRef.stdout).toMatch(/::error::base-ref "no-such-ref" cannot be checked out/);
    const notSynth = await runAction("affected-stacks", { head: root, all: "true" });
    expect(notSynth.stdout).toMatch(/is not a cdktf output directory/);
    const all = await runAction("affected-stacks", { head, all: "true", exclude: "bootstrap" });
    expect(all.outputs.count).toBe("4");
  });
});
