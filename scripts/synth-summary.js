#!/usr/bin/env node
// Prints, per synthesized stack, the resource count by type (what `npm run synth` shows).
const fs = require("fs");
const path = require("path");

const out = process.argv[2] || "cdktf.out";
const stacksDir = path.join(out, "stacks");
for (const stack of fs.readdirSync(stacksDir).sort()) {
  const file = path.join(stacksDir, stack, "cdk.tf.json");
  if (!fs.existsSync(file)) continue;
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const counts = Object.entries(doc.resource || {}).map(([type, r]) => [type, Object.keys(r).length]);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const data = Object.values(doc.data || {}).reduce((n, r) => n + Object.keys(r).length, 0);
  console.log(`\n${stack}: ${total} resources, ${data} data sources`);
  for (const [type, c] of counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${String(c).padStart(4)}  ${type}`);
  }
}
