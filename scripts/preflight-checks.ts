/**
 * What `npm run preflight` checks before a deploy, offline: no placeholder left in the site
 * config (environments/site.ts), the workflows agree with it, and the tools a deploy needs are
 * installed at a version the stacks accept. Pure functions over their inputs, so each check is
 * tested on its own (test/scripts/preflight.test.ts); scripts/preflight.ts runs them.
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import type { RegistryEnvironment } from "../environments/registry";
import { isSelfHosted } from "../environments/selfhosted-config";
import { placeholderMessage, placeholders, SiteConfig } from "../environments/site";

/** One reason not to deploy. */
export interface Problem {
  readonly check: string;
  readonly message: string;
}

/** Runs a command and returns its stdout, or undefined when it is not installed or fails. */
export type Probe = (command: string, args: readonly string[]) => string | undefined;

export interface PreflightInput {
  readonly site: SiteConfig;
  readonly environments: Readonly<Record<string, RegistryEnvironment>>;
  /** The repository root (workflows and CODEOWNERS are read from it). */
  readonly root: string;
  /** Oldest Terraform the stacks accept, as `>= x.y` (environments/stack.ts REQUIRED_TERRAFORM_VERSION). */
  readonly requiredTerraform: string;
  /**
   * In CI (the main workflow): the repository variable AWS_ACCOUNT_ID must be the site's account,
   * and local tools are not checked (each job installs its own).
   */
  readonly ci?: { readonly awsAccountId: string | undefined };
  readonly nodeVersion: string;
  readonly probe: Probe;
}

const read = (root: string, file: string) => (existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8") : "");

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Every problem found; empty means ready to deploy. */
export function preflight(input: PreflightInput): Problem[] {
  const problems: Problem[] = [];
  const add = (check: string, message: string) => problems.push({ check, message });

  for (const p of placeholders(input.site)) add("placeholder", placeholderMessage(p));

  // The workflows name this repository where a variable cannot go (a `uses:` reference).
  const release = read(input.root, ".github/workflows/release.yml");
  for (const m of release.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)\/pipelines\/image-bump@/g)) {
    if (m[1]!.toLowerCase() !== input.site.infraRepository.toLowerCase()) {
      add("workflows", `.github/workflows/release.yml uses ${m[1]}/pipelines/image-bump, not this repository (site.infraRepository = ${input.site.infraRepository}): point it at yours`);
    }
  }
  const owner = input.site.infraRepository.split("/")[0]!.toLowerCase();
  for (const m of read(input.root, ".github/CODEOWNERS").matchAll(/@([\w.-]+)\/[\w.-]+/g)) {
    if (m[1]!.toLowerCase() !== owner) {
      add("workflows", `.github/CODEOWNERS names the team @${m[0].slice(1)} of another organisation than site.infraRepository's (${owner}): required reviews would never be satisfied by your team`);
      break;
    }
  }
  const cloudflare = Object.values(input.environments).filter((e) => (isSelfHosted(e) ? e.dns.zone.provider : e.edge?.dns.provider) === "cloudflare").map((e) => e.name);
  if (cloudflare.length > 0) {
    for (const file of ["apply-stack.yml", "pull-request.yml", "drift.yml"]) {
      if (!/CLOUDFLARE_API_TOKEN: \$\{\{ secrets\.CLOUDFLARE_API_TOKEN \}\}/.test(read(input.root, `.github/workflows/${file}`))) {
        add("workflows", `.github/workflows/${file} does not pass CLOUDFLARE_API_TOKEN to Terraform, which ${cloudflare.join(", ")} need${cloudflare.length === 1 ? "s" : ""} (DNS on Cloudflare)`);
      }
    }
  }

  if (input.ci) {
    if (!input.ci.awsAccountId) add("github", "the repository variable AWS_ACCOUNT_ID is not set (Settings → Secrets and variables → Actions → Variables)");
    else if (input.ci.awsAccountId !== input.site.awsAccountId) {
      add("github", `the repository variable AWS_ACCOUNT_ID (${input.ci.awsAccountId}) is not site.awsAccountId (${input.site.awsAccountId}): the roles and the state bucket would be another account's`);
    }
    return problems;
  }

  const node = input.nodeVersion.replace(/^v/, "");
  if (!versionAtLeast(node, "20")) add("tools", `Node.js ${node} is older than 20, the oldest this repository runs on`);
  const minimum = input.requiredTerraform.replace(/^>=\s*/, "");
  const tf = input.probe("terraform", ["version", "-json"]);
  if (tf === undefined) add("tools", `terraform is not on PATH: install Terraform ${minimum} or newer (docs/first-deploy.md, prerequisites)`);
  else {
    const version = (() => { try { return String(JSON.parse(tf).terraform_version); } catch { return ""; } })();
    if (!versionAtLeast(version, minimum)) add("tools", `terraform ${version || "(unknown version)"} is older than ${minimum}, which every stack requires (S3 native locking, write-only arguments)`);
  }
  if (input.probe("aws", ["--version"]) === undefined) {
    add("tools", "the AWS CLI (aws) is not on PATH: the platform stacks authenticate to EKS with `aws eks get-token`, and the runbook uses it");
  }
  return problems;
}
