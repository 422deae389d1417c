import { spawn } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export const ROOT = join(__dirname, "..", "..");
export const PLANS = join(ROOT, "test", "fixtures", "plans");

export interface ActionRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/**
 * Runs an action's committed bundle the way a runner does: `node dist/index.js` with
 * `INPUT_<NAME>` variables and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY pointing at temp files.
 */
export function runAction(action: string, inputs: Record<string, string>, env: Record<string, string> = {}, cwd = ROOT): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), `${action}-`));
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "pipelines", action, "dist", "index.js")], {
      cwd,
      env: { ...clean, ...inputEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const outputs = parseOutputs(readFileSync(outputFile, "utf8"));
      const summary = readFileSync(summaryFile, "utf8");
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, outputs, summary });
    });
  });
}

/** Parses the `name<<delimiter … delimiter` records @actions/core appends to GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out[m[1]!] = m[3]!;
  return out;
}
