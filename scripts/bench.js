#!/usr/bin/env node
// Times synth of every stack by the app alone and through the cdktf CLI, and the test
// suite, and prints the figures (budgets: app synth <= 1.5 s, npm test <= 30 s).
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

function time(label, cmd, args, env = {}) {
  const runs = [];
  for (let i = 0; i < (label.startsWith("npm test") ? 1 : 3); i++) {
    const start = process.hrtime.bigint();
    execFileSync(cmd, args, { stdio: "ignore", env: { ...process.env, ...env } });
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const best = Math.min(...runs);
  console.log(`${label.padEnd(34)} best ${best.toFixed(2)} s  (runs: ${runs.map((r) => r.toFixed(2)).join(", ")})`);
  return best;
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const app = time("synth, app alone (bundle + run)", "sh", ["scripts/app.sh"], { CDKTF_OUTDIR: out });
time("synth, app alone (run prebuilt bundle)", process.execPath, [".gen/main.js"], { CDKTF_OUTDIR: out });
time("synth, cdktf CLI (all stacks)", "npx", ["cdktf", "synth", "--output", out]);
const tests = time("npm test (full suite, coverage)", "npm", ["test", "--silent"]);
fs.rmSync(out, { recursive: true, force: true });
console.log(`\nbudgets: app synth ${app <= 1.5 ? "OK" : "OVER"} (<= 1.5 s), npm test ${tests <= 30 ? "OK" : "OVER"} (<= 30 s)`);
