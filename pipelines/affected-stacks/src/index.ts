/**
 * affected-stacks: the JSON matrix of stacks whose synthesized configuration changed between
 * base and head, so a pull request plans only what it touches. Base is a cdktf output
 * directory, or a git ref that this action checks out in a temporary worktree and synthesizes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "fs";
import { execFile } from "child_process";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { core, input, run, writeSummary } from "../../lib/action";
import { git } from "../../lib/git";
import { affectedStacks, environmentOf, readSynthOutput } from "../../lib/stacks";

run(async () => {
  const head = resolve(input("head", { fallback: "cdktf.out" }));
  const baseDir = input("base");
  const baseRef = input("base-ref");
  const all = input("all") === "true";
  const exclude = input("exclude").split(/[\s,]+/).filter(Boolean);
  const synthCommand = input("synth-command");
  if (baseDir && baseRef) throw new Error("set either base (a cdktf output directory) or base-ref (a git ref), not both");
  if (!all && !baseDir && !baseRef) throw new Error("set base, base-ref, or all: true");

  const headOut = readSynthOutput(head);
  let base = undefined;
  if (!all) base = baseDir ? readSynthOutput(resolve(baseDir)) : await synthAtRef(baseRef, synthCommand);

  const result = affectedStacks(headOut, base, exclude);
  const matrix = { include: result.stacks.map((stack) => ({ stack, environment: environmentOf(stack), directory: join("stacks", stack) })) };
  core.setOutput("matrix", JSON.stringify(matrix));
  core.setOutput("stacks", JSON.stringify(result.stacks));
  core.setOutput("count", result.stacks.length);
  core.setOutput("removed", JSON.stringify(result.removed));
  const lines = [
    `Affected stacks: ${result.stacks.length ? result.stacks.map((s) => `\`${s}\``).join(", ") : "none"}`,
    ...(result.excluded.length ? [`Changed but not planned here: ${result.excluded.map((s) => `\`${s}\``).join(", ")} (excluded)`] : []),
    ...(result.removed.length ? [`⚠️ Stacks removed from the app: ${result.removed.map((s) => `\`${s}\``).join(", ")} (their resources are not destroyed by removing the code)`] : []),
  ];
  for (const l of lines) core.info(l.replace(/`/g, ""));
  await writeSummary(`${lines.join("\n\n")}\n`);
});

function appCommand(tree: string, ref: string): string {
  const file = join(tree, "cdktf.json");
  const app = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { app?: unknown }).app : undefined;
  if (typeof app !== "string" || !app) throw new Error(`base-ref ${ref} has no cdktf.json "app" command; set synth-command`);
  return app;
}

/** Synthesizes the app as of `ref` in a temporary worktree that shares this checkout's node_modules. */
async function synthAtRef(ref: string, command: string) {
  const repo = (await git(process.cwd(), ["rev-parse", "--show-toplevel"])).trim();
  const work = mkdtempSync(join(tmpdir(), "affected-base-"));
  const tree = join(work, "tree");
  const out = join(work, "out");
  await git(repo, ["worktree", "add", "--quiet", "--detach", tree, `${ref}^{commit}`]).catch((err: Error) => {
    throw new Error(`base-ref ${JSON.stringify(ref)} cannot be checked out: ${err.message} (is the checkout deep enough? use fetch-depth: 0)`);
  });
  try {
    if (existsSync(join(repo, "node_modules")) && !existsSync(join(tree, "node_modules"))) symlinkSync(join(repo, "node_modules"), join(tree, "node_modules"), "dir");
    // By default the base synthesizes the way it says it does: the `app` of its own cdktf.json.
    if (!command) command = appCommand(tree, ref);
    await new Promise<void>((resolveRun, reject) => {
      execFile("sh", ["-c", command], { cwd: tree, env: { ...process.env, CDKTF_OUTDIR: out }, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`synth of base-ref ${ref} failed (${command}): ${String(stderr).trim().slice(-2000)}`));
        else resolveRun();
      });
    });
    return readSynthOutput(out);
  } finally {
    await git(repo, ["worktree", "remove", "--force", tree]).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
