#!/usr/bin/env node
// npm run scan:selftest: proves the gate can fail. Runs scripts/scan.js on a deliberately
// insecure stack (public, unencrypted bucket; test/fixtures/insecure-stack) and workflow
// (test/fixtures/insecure-workflow) and fails unless the scan exits non-zero AND every
// scanner (Trivy at HIGH/CRITICAL, Checkov, actionlint, zizmor) reported failures of its own.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-selftest-"));
try {
  const stacks = path.join(tmp, "stacks");
  fs.mkdirSync(path.join(stacks, "insecure"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "test/fixtures/insecure-stack/cdk.tf.json"), path.join(stacks, "insecure", "cdk.tf.json"));
  const summaryFile = path.join(tmp, "summary.json");
  const r = spawnSync(process.execPath, [
    path.join(__dirname, "scan.js"), "--stacks", stacks,
    "--repo", path.join(ROOT, "test/fixtures/insecure-workflow"), "--summary", summaryFile,
  ], { stdio: "inherit" });

  const s = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  const st = s.stacks.insecure || {};
  const expectations = [
    ["scan exits non-zero", r.status !== 0],
    ["every scanner installed", !s.problems.some((p) => p.startsWith("install:"))],
    ["trivy fails HIGH/CRITICAL checks", (st.trivy?.gating ?? 0) > 0],
    ["checkov fails checks", (st.checkov?.gating ?? 0) > 0],
    ["a suppression on another resource hides nothing (trivy AWS-0086 still fails)", (st.trivy?.suppressed ?? -1) === 0],
    ["actionlint reports findings", (s.workflows.actionlint?.findings ?? 0) > 0],
    ["zizmor reports findings", (s.workflows.zizmor?.findings ?? 0) > 0],
  ];
  console.log("\n== scan self-test (the gate must fail on insecure input)");
  for (const [what, ok] of expectations) console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  const failed = expectations.filter(([, ok]) => !ok).length;
  console.log(`scan self-test: ${expectations.length - failed} of ${expectations.length} expectations met`);
  process.exitCode = failed ? 1 : 0;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
