import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { environments } from "../../environments/registry";
import { placeholders, site, SiteConfig, validateSite, warnPlaceholders } from "../../environments/site";
import { preflight, PreflightInput, Probe } from "../../scripts/preflight-checks";

const ROOT = join(__dirname, "..", "..");

/** A site with every value an adopter would set (none of them a placeholder). */
const REAL: SiteConfig = {
  awsAccountId: "210987654321",
  infraRepository: "acme-learning/platform-infra",
  imageRepositories: { lms: "acme-learning/openedx-images", frontend: "acme-learning/frontend" },
  gitopsRepoUrl: "https://github.com/acme-learning/gitops.git",
  domain: "learn.acme-university.edu",
  sandboxCloudflareZoneId: "0123456789abcdef0123456789abcdef",
  acmeEmail: "sre@acme-university.edu",
  eksPublicAccessCidrs: ["81.2.69.0/28"],
  ssoIssuer: "https://sso.acme-university.edu/realms/staff",
  onCallEmails: ["oncall@acme-university.edu"],
};

const tools = (over: Record<string, string | undefined> = {}): Probe => (command) => {
  const answers: Record<string, string | undefined> = { terraform: JSON.stringify({ terraform_version: "1.15.9" }), aws: "aws-cli/2.31.0", ...over };
  return answers[command];
};

/** A repository root whose workflows name `repo` (release.yml's pinned action, CODEOWNERS) and pass the Cloudflare token. */
function repoRoot(repo: string, { cloudflareToken = true } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "preflight-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, ".github", "workflows", "release.yml"), `steps:\n  - uses: ${repo}/pipelines/image-bump@${"a".repeat(40)} # v0.1.0\n`);
  writeFileSync(join(dir, ".github", "CODEOWNERS"), `/environments/ @${repo.split("/")[0]}/platform-leads\n`);
  for (const f of ["apply-stack.yml", "pull-request.yml", "drift.yml"]) {
    writeFileSync(join(dir, ".github", "workflows", f), cloudflareToken ? "env:\n  CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n" : "env: {}\n");
  }
  return dir;
}

const input = (over: Partial<PreflightInput> = {}): PreflightInput => ({
  site: REAL, environments, root: repoRoot(REAL.infraRepository), requiredTerraform: ">= 1.11", nodeVersion: "v20.20.2", probe: tools(), ...over,
});
const messages = (over: Partial<PreflightInput> = {}) => preflight(input(over)).map((p) => `${p.check}: ${p.message}`);

describe("site placeholders and preflight", () => {
  it("passes a site with real values, matching workflows and the tools installed", () => {
    expect(messages()).toEqual([]);
  });

  it("finds a placeholder in every field of the shipped site (each named where to change it)", () => {
    const fields = new Set(placeholders(site).map((p) => p.field.replace(/\..*$/, "")));
    const required = Object.keys(site).filter((k) => k !== "stateBucketSuffix");
    expect([...fields].sort()).toEqual(required.sort());
  });

  // One placeholder at a time: preflight fails on each, naming the field.
  it.each<[string, Partial<SiteConfig>, string]>([
    ["awsAccountId", { awsAccountId: "123456789012" }, "site.awsAccountId"],
    ["infraRepository", { infraRepository: "openedx-platform/learning-platform-infra" }, "site.infraRepository"],
    ["imageRepositories", { imageRepositories: { lms: "example-org/openedx-images" } }, "site.imageRepositories.lms"],
    ["gitopsRepoUrl (example owner)", { gitopsRepoUrl: "https://github.com/example-org/openedx-gitops.git" }, "site.gitopsRepoUrl"],
    ["gitopsRepoUrl (reserved host)", { gitopsRepoUrl: "https://git.example.com/gitops.git" }, "site.gitopsRepoUrl"],
    ["domain", { domain: "learn.example.org" }, "site.domain"],
    ["domain (.test)", { domain: "learn.acme.test" }, "site.domain"],
    ["sandboxCloudflareZoneId", { sandboxCloudflareZoneId: "5f1e2d3c4b5a69788796a5b4c3d2e1f0" }, "site.sandboxCloudflareZoneId"],
    ["acmeEmail", { acmeEmail: "platform-sre@example.org" }, "site.acmeEmail"],
    ["eksPublicAccessCidrs", { eksPublicAccessCidrs: ["81.2.69.0/28", "192.0.2.0/24"] }, "site.eksPublicAccessCidrs"],
    ["ssoIssuer", { ssoIssuer: "https://login.example.org/realms/platform" }, "site.ssoIssuer"],
    ["onCallEmails", { onCallEmails: ["oncall@acme-university.edu", "platform-oncall@example.org"] }, "site.onCallEmails"],
  ])("refuses the placeholder %s", (_, over, field) => {
    const found = messages({ site: { ...REAL, ...over }, root: repoRoot((over.infraRepository ?? REAL.infraRepository)) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^placeholder: PLACEHOLDER ${field.replace(/\./g, "\\.")} = .*Set it in environments/site\\.ts`));
  });

  it("warns at synth once per placeholder, on the one construct it is given", () => {
    const app = Testing.app();
    warnPlaceholders(app, { ...REAL, domain: "learn.example.org", acmeEmail: "sre@example.com" });
    const warnings = app.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^PLACEHOLDER site\.domain = "learn\.example\.org": a reserved documentation domain/),
      expect.stringMatching(/^PLACEHOLDER site\.acmeEmail = "sre@example\.com": Let's Encrypt refuses/),
    ]);
    const clean = Testing.app();
    warnPlaceholders(clean, REAL);
    expect(clean.node.metadata).toEqual([]);
  });

  it("the app (main.ts) warns once per placeholder of the shipped site, on the bootstrap stack only", () => {
    const manifest = JSON.parse(readFileSync(join(process.env.APP_SYNTH_DIR!, "manifest.json"), "utf8"));
    const byStack = Object.entries(manifest.stacks as Record<string, { annotations?: { message: string }[] }>)
      .map(([name, s]) => [name, (s.annotations ?? []).filter((a) => a.message.startsWith("PLACEHOLDER ")).length]);
    expect(byStack.filter(([, n]) => n !== 0)).toEqual([["bootstrap", placeholders(site).length]]);
  });

  it("refuses workflows that name another repository or do not pass the Cloudflare token", () => {
    expect(messages({ root: repoRoot("openedx-platform/learning-platform-infra") })).toEqual([
      "workflows: .github/workflows/release.yml uses openedx-platform/learning-platform-infra/pipelines/image-bump, not this repository (site.infraRepository = acme-learning/platform-infra): point it at yours",
      "workflows: .github/CODEOWNERS names the team @openedx-platform/platform-leads of another organisation than site.infraRepository's (acme-learning): required reviews would never be satisfied by your team",
    ]);
    expect(messages({ root: repoRoot(REAL.infraRepository, { cloudflareToken: false }) })).toEqual(
      ["apply-stack.yml", "pull-request.yml", "drift.yml"].map((f) => `workflows: .github/workflows/${f} does not pass CLOUDFLARE_API_TOKEN to Terraform, which sandbox needs (DNS on Cloudflare)`));
  });

  it("passes this repository's workflows the Cloudflare token wherever Terraform runs", () => {
    expect(messages({ root: ROOT, site: { ...REAL, infraRepository: "openedx-platform/learning-platform-infra" } }).filter((m) => m.includes("CLOUDFLARE"))).toEqual([]);
  });

  it.each<[string, Partial<PreflightInput>, string]>([
    ["no terraform", { probe: tools({ terraform: undefined }) }, "tools: terraform is not on PATH: install Terraform 1.11 or newer (docs/first-deploy.md, prerequisites)"],
    ["an old terraform", { probe: tools({ terraform: JSON.stringify({ terraform_version: "1.10.5" }) }) }, "tools: terraform 1.10.5 is older than 1.11, which every stack requires (S3 native locking, write-only arguments)"],
    ["no AWS CLI", { probe: tools({ aws: undefined }) }, "tools: the AWS CLI (aws) is not on PATH: the platform stacks authenticate to EKS with `aws eks get-token`, and the runbook uses it"],
    ["an old Node.js", { nodeVersion: "v18.20.0" }, "tools: Node.js 18.20.0 is older than 20, the oldest this repository runs on"],
    ["CI without AWS_ACCOUNT_ID", { ci: { awsAccountId: undefined } }, "github: the repository variable AWS_ACCOUNT_ID is not set (Settings → Secrets and variables → Actions → Variables)"],
    ["CI with another account", { ci: { awsAccountId: "111122223333" } }, "github: the repository variable AWS_ACCOUNT_ID (111122223333) is not site.awsAccountId (210987654321): the roles and the state bucket would be another account's"],
  ])("refuses a missing prerequisite: %s", (_, over, message) => {
    expect(messages(over)).toEqual([message]);
  });

  it("in CI checks the account variable instead of local tools", () => {
    expect(messages({ ci: { awsAccountId: "210987654321" }, probe: tools({ terraform: undefined, aws: undefined }) })).toEqual([]);
  });

  it("npm run preflight exits 1 on this repository's shipped placeholders, one line each", () => {
    let out = "";
    let status = 0;
    try {
      execFileSync("npm", ["run", "--silent", "preflight"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      status = err.status;
      out = err.stderr;
    }
    expect(status).toBe(1);
    for (const p of placeholders(site)) expect(out).toContain(`preflight: placeholder: PLACEHOLDER site.${p.field} = ${JSON.stringify(p.value)}`);
    expect(out).toMatch(new RegExp(`preflight: ${placeholders(site).length}( problems|\\b)`));
    // The main workflow runs it before anything is planned or applied.
    expect(readFileSync(join(ROOT, ".github", "workflows", "main.yml"), "utf8")).toMatch(/- run: npm run preflight -- --ci\n {8}env:\n {10}AWS_ACCOUNT_ID: \$\{\{ vars\.AWS_ACCOUNT_ID \}\}\n {6}- run: npm test/);
  }, 60_000);

  it.each<[string, Partial<SiteConfig>, string]>([
    ["awsAccountId", { awsAccountId: "12345" }, 'site (environments/site.ts): awsAccountId = "12345" is invalid; must be a 12-digit AWS account id'],
    ["stateBucketSuffix", { stateBucketSuffix: "Acme_Prod" }, 'site (environments/site.ts): stateBucketSuffix = "Acme_Prod" is invalid; must be 2-22 lower-case letters, digits or \'-\' (not at either end)'],
    ["infraRepository", { infraRepository: "platform-infra" }, 'site (environments/site.ts): infraRepository = "platform-infra" is invalid; must be a GitHub repository as owner/name'],
    ["gitopsRepoUrl", { gitopsRepoUrl: "git@github.com:acme/gitops.git" }, 'site (environments/site.ts): gitopsRepoUrl = "git@github.com:acme/gitops.git" is invalid; must be an https URL of a git repository'],
    ["domain", { domain: "Learn.Acme.edu" }, 'site (environments/site.ts): domain = "Learn.Acme.edu" is invalid; must be a lower-case DNS name such as learn.example.com'],
    ["sandboxCloudflareZoneId", { sandboxCloudflareZoneId: "zone" }, 'site (environments/site.ts): sandboxCloudflareZoneId = "zone" is invalid; must be a Cloudflare zone id (32 lower-case hex digits)'],
    ["acmeEmail", { acmeEmail: "sre" }, 'site (environments/site.ts): acmeEmail = "sre" is invalid; must be an e-mail address'],
    ["eksPublicAccessCidrs", { eksPublicAccessCidrs: [] }, "site (environments/site.ts): eksPublicAccessCidrs = [] is invalid; must list at least one CIDR"],
    ["ssoIssuer", { ssoIssuer: "http://sso.acme.edu" }, 'site (environments/site.ts): ssoIssuer = "http://sso.acme.edu" is invalid; must be an https URL'],
    ["onCallEmails", { onCallEmails: [] }, "site (environments/site.ts): onCallEmails = [] is invalid; must list at least one e-mail address"],
  ])("rejects a malformed %s at synth", (_, over, message) => {
    expect(() => validateSite({ ...REAL, ...over })).toThrow(message);
  });
});
