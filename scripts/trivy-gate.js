#!/usr/bin/env node
// The pull-request Trivy gate: reads a `trivy config --format json` report of cdktf.out/stacks
// and fails on HIGH/CRITICAL findings, counting a finding as accepted only when the failing
// resource carries its check id in its "//".suppressions entry (modules/core/suppress.ts),
// exactly as `npm run scan` does. A plain `trivy --exit-code 1` cannot do this: Trivy has no
// inline skip for Terraform JSON, so it would fail every pull request on accepted findings.
//
//   node scripts/trivy-gate.js <trivy-report.json> [stacks dir, default cdktf.out/stacks]
// Writes a markdown summary to $GITHUB_STEP_SUMMARY when set. Exit 1 on an open finding.
const fs = require("fs");
const path = require("path");
const { classify, resourceIndex, TRIVY_GATE } = require("./scan");

/** Open (gating) and suppressed findings of a Trivy report, per stack. */
function gate(report, stacksDir) {
  const open = [];
  const suppressed = [];
  const indexes = new Map();
  for (const result of report.Results || []) {
    const failures = (result.Misconfigurations || []).filter((m) => m.Status === "FAIL");
    if (failures.length === 0) continue;
    // Targets are relative to the scanned directory: "<stack>/cdk.tf.json".
    const stack = String(result.Target).split(/[\\/]/)[0];
    if (!indexes.has(stack)) {
      const file = path.join(stacksDir, stack, "cdk.tf.json");
      if (!fs.existsSync(file)) throw new Error(`report target ${result.Target}: no ${file}; pass the directory Trivy scanned`);
      indexes.set(stack, resourceIndex(JSON.parse(fs.readFileSync(file, "utf8"))));
    }
    const found = failures.map((m) => ({ id: m.ID, severity: m.Severity, title: m.Title, resource: m.CauseMetadata?.Resource }));
    const c = classify(found, indexes.get(stack), new Set());
    c.open.filter((f) => TRIVY_GATE.has(f.severity)).forEach((f) => open.push({ stack, ...f }));
    c.suppressed.forEach((f) => suppressed.push({ stack, ...f }));
  }
  return { open, suppressed };
}

function main() {
  const [reportFile, stacksDir = path.join("cdktf.out", "stacks")] = process.argv.slice(2);
  if (!reportFile) {
    console.error("usage: node scripts/trivy-gate.js <trivy-report.json> [stacks dir]");
    process.exit(2);
  }
  const { open, suppressed } = gate(JSON.parse(fs.readFileSync(reportFile, "utf8")), stacksDir);
  const lines = [
    `### Trivy config gate: ${open.length ? `${open.length} open HIGH/CRITICAL finding(s)` : "passed"}`,
    "",
    ...open.map((f) => `- **${f.severity}** \`${f.stack}\` ${f.id} on \`${f.path}\`: ${f.title}`),
    ...(open.length ? [""] : []),
    `${suppressed.length} finding(s) accepted by a suppression recorded on the resource (reasons: \`npm run scan\`).`,
  ];
  console.log(lines.join("\n"));
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${lines.join("\n")}\n`);
  for (const f of open) console.log(`::error title=Trivy ${f.id} (${f.severity})::${f.stack}: ${f.path}: ${f.title}`);
  if (open.length) process.exit(1);
}

if (require.main === module) main();
module.exports = { gate };
