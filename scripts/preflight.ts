/**
 * npm run preflight [-- --ci]: refuses to go on while the site config (environments/site.ts)
 * holds a placeholder, the workflows disagree with it, or a tool a deploy needs is missing or too
 * old. Offline: reads files and runs `terraform version` and `aws --version`. Exits 1 with one
 * line per problem. `--ci` (the main workflow): checks AWS_ACCOUNT_ID instead of local tools.
 */
import { execFileSync } from "child_process";
import { join } from "path";
import { environments } from "../environments/registry";
import { site } from "../environments/site";
import { REQUIRED_TERRAFORM_VERSION } from "../environments/stack";
import { preflight, Probe } from "./preflight-checks";

const args = process.argv.slice(2);
for (const a of args) if (a !== "--ci") { console.error(`preflight: unknown argument ${a} (allowed: --ci)`); process.exit(2); }
const probe: Probe = (command, argv) => {
  try { return execFileSync(command, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 }); } catch { return undefined; }
};
const problems = preflight({
  site,
  environments,
  root: join(__dirname, ".."),
  requiredTerraform: REQUIRED_TERRAFORM_VERSION,
  ci: args.includes("--ci") ? { awsAccountId: process.env.AWS_ACCOUNT_ID } : undefined,
  nodeVersion: process.version,
  probe,
});
if (problems.length === 0) {
  console.log("preflight: ready (no placeholder in environments/site.ts, workflows agree, tools present)");
} else {
  for (const p of problems) console.error(`preflight: ${p.check}: ${p.message}`);
  console.error(`preflight: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing may be deployed until they are fixed`);
  process.exit(1);
}
