/**
 * npm run cost [-- --json] [--stacks DIR] [--stack NAME ...]: monthly cost estimate of every
 * synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json; run `npm run synth` first), per
 * component and resource, from the pinned price table in pipelines/lib/cost.ts. Exits 1 when the
 * stacks directory is missing; unknown prices are reported, not an error.
 */
import { existsSync, readdirSync, readFileSync } from "fs";
import { join } from "path";
import { costJson, costOfSynth, renderCostText } from "../pipelines/lib/cost";

const args = process.argv.slice(2);
const value = (i: number): string => {
  const v = args[i];
  if (v === undefined) { console.error(`cost: ${args[i - 1]} needs a value`); process.exit(2); }
  return v;
};
let dir = "cdktf.out/stacks";
const only: string[] = [];
let json = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--json") json = true;
  else if (args[i] === "--stacks") dir = value(++i);
  else if (args[i] === "--stack") only.push(value(++i));
  else { console.error(`cost: unknown argument ${args[i]} (allowed: --json, --stacks DIR, --stack NAME)`); process.exit(2); }
}
if (!existsSync(dir)) { console.error(`cost: ${dir} not found; run npm run synth first`); process.exit(1); }
const names = readdirSync(dir).filter((s) => existsSync(join(dir, s, "cdk.tf.json")) && (only.length === 0 || only.includes(s))).sort();
for (const s of only) if (!names.includes(s)) { console.error(`cost: stack ${s} not in ${dir} (have: ${readdirSync(dir).join(", ")})`); process.exit(1); }
const stacks = names.map((s) => costOfSynth(s, JSON.parse(readFileSync(join(dir, s, "cdk.tf.json"), "utf8"))));
process.stdout.write(json ? JSON.stringify(costJson(stacks), null, 2) + "\n" : renderCostText(stacks));
