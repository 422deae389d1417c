import { Annotations } from "cdktf";
import type { IConstruct } from "constructs";
import { check } from "learning-platform-infra/core/validation";

/**
 * The site: every value an adopter must set before a deploy, in one place. The environments,
 * the bootstrap stack and the workflows' checks read them from here; nothing else in the
 * repository names your organisation, account or domain.
 *
 * The values shipped below are placeholders. Synth warns once per placeholder still in place
 * (naming the field to change here); `npm run preflight` and the apply workflow refuse to go on
 * while any is left (see PLACEHOLDER_RULES for what counts as one).
 */
export interface SiteConfig {
  /**
   * The AWS account every stack deploys into (12 digits). Globally unique names carry it: the
   * state bucket is `<project>-terraform-state-<stateBucketSuffix>`.
   */
  readonly awsAccountId: string;
  /**
   * Suffix of the state bucket's name (S3 bucket names are global: a name without it collides
   * with every other adopter's). Lower-case letters, digits and '-'.
   * @default the account id
   */
  readonly stateBucketSuffix?: string;
  /**
   * This infrastructure repository on GitHub, `owner/name`. The CI roles' trust policies name
   * it: whoever owns this repository can plan and apply. Also the repository whose jobs the
   * in-VPC CI runner runs, and the `uses:` owner of the pinned image-bump action in release.yml.
   */
  readonly infraRepository: string;
  /**
   * The service repositories that build images (`owner/name`), by ECR repository name: each
   * one's release workflow may push its own images only.
   */
  readonly imageRepositories: Readonly<Record<string, string>>;
  /** The GitOps repository Argo CD syncs (https URL). Whoever controls it controls what runs. */
  readonly gitopsRepoUrl: string;
  /**
   * Production's domain; staging and sandbox live under it (`staging.<domain>`, `sandbox.<domain>`).
   * Let's Encrypt and ACM refuse reserved names such as example.org.
   */
  readonly domain: string;
  /** Cloudflare zone id (32 hex digits) of the sandbox domain, which is on Cloudflare DNS. */
  readonly sandboxCloudflareZoneId: string;
  /** ACME account e-mail for cert-manager (Let's Encrypt refuses example.* addresses). */
  readonly acmeEmail: string;
  /**
   * CIDRs allowed to reach the EKS API's public endpoint: the operators' VPN and the CI runners'
   * egress. Documentation ranges (RFC 5737) are placeholders.
   */
  readonly eksPublicAccessCidrs: readonly string[];
  /** The OIDC issuer (single sign-on) of the Argo CD and Grafana UIs. */
  readonly ssoIssuer: string;
  /** Who receives production's and staging's alarms by e-mail. */
  readonly onCallEmails: readonly string[];
}

/** The placeholders this repository ships. Replace every value; `npm run preflight` lists what is left. */
export const site: SiteConfig = {
  awsAccountId: "123456789012",
  infraRepository: "openedx-platform/learning-platform-infra",
  imageRepositories: {
    lms: "openedx-platform/openedx-images",
    cms: "openedx-platform/openedx-images",
    mfe: "openedx-platform/openedx-images",
    "course-service": "openedx-platform/course-service",
    "user-service": "openedx-platform/user-service",
    "notification-service": "openedx-platform/notification-service",
    frontend: "openedx-platform/frontend",
  },
  gitopsRepoUrl: "https://github.com/example-org/openedx-gitops.git",
  domain: "learn.example.org",
  sandboxCloudflareZoneId: "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
  acmeEmail: "platform-sre@example.org",
  eksPublicAccessCidrs: ["198.51.100.0/24", "203.0.113.0/24"],
  ssoIssuer: "https://login.example.org/realms/platform",
  onCallEmails: ["platform-oncall@example.org"],
};

/**
 * Values this repository ships as examples. They are ordinary names someone else may own (a
 * GitHub organisation anyone can register): left in place, the CI roles and Argo CD would trust
 * whoever owns them, so a value equal to one of these is a placeholder even when it looks real.
 */
export const SHIPPED_EXAMPLES = {
  githubOwners: ["openedx-platform", "example-org"],
  awsAccountIds: ["123456789012", "000000000000", "111111111111"],
  cloudflareZoneIds: ["5f1e2d3c4b5a69788796a5b4c3d2e1f0"],
} as const;

/** Reserved for documentation and testing (RFC 2606, RFC 6761): no one can own them or get a certificate. */
const RESERVED_DOMAIN = /(^|[.@])(example\.(org|com|net)|[a-z0-9-]+\.(example|test|invalid|localhost))$/i;
/** Documentation address ranges (RFC 5737, RFC 3849). */
const DOCUMENTATION_RANGE = /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)|^2001:db8:/i;

/** One placeholder still in the site config. */
export interface Placeholder {
  /** The field of `site` (environments/site.ts) to change. */
  readonly field: string;
  readonly value: string;
  /** Why it cannot be deployed as it is. */
  readonly why: string;
}

const owner = (repo: string) => repo.split("/")[0] ?? "";
const isExampleOwner = (repo: string) => (SHIPPED_EXAMPLES.githubOwners as readonly string[]).includes(owner(repo).toLowerCase());
const hostOf = (url: string) => /^https?:\/\/([^/:]+)/.exec(url)?.[1] ?? url;

/** What counts as a placeholder, field by field: the shipped examples and reserved names or ranges. */
export function placeholders(config: SiteConfig = site): Placeholder[] {
  const found: Placeholder[] = [];
  const add = (field: string, value: string, why: string) => found.push({ field, value, why });
  if ((SHIPPED_EXAMPLES.awsAccountIds as readonly string[]).includes(config.awsAccountId)) {
    add("awsAccountId", config.awsAccountId, "the documentation account id: the state bucket name derives from it");
  }
  if (isExampleOwner(config.infraRepository)) {
    add("infraRepository", config.infraRepository, "an example GitHub owner: the CI roles (apply included) would trust whoever registers it");
  }
  for (const [name, repo] of Object.entries(config.imageRepositories)) {
    if (isExampleOwner(repo)) add(`imageRepositories.${name}`, repo, "an example GitHub owner: its releases could push images to your registry");
  }
  if (isExampleOwner(config.gitopsRepoUrl.replace(/^https:\/\/github\.com\//, "")) || RESERVED_DOMAIN.test(hostOf(config.gitopsRepoUrl))) {
    add("gitopsRepoUrl", config.gitopsRepoUrl, "an example repository: Argo CD would deploy whatever its owner pushes");
  }
  if (RESERVED_DOMAIN.test(config.domain)) add("domain", config.domain, "a reserved documentation domain: no certificate can be issued for it");
  if ((SHIPPED_EXAMPLES.cloudflareZoneIds as readonly string[]).includes(config.sandboxCloudflareZoneId)) {
    add("sandboxCloudflareZoneId", config.sandboxCloudflareZoneId, "the example zone id: the sandbox's records would go nowhere");
  }
  if (RESERVED_DOMAIN.test(config.acmeEmail)) add("acmeEmail", config.acmeEmail, "Let's Encrypt refuses example addresses, so the origin certificate never issues");
  for (const cidr of config.eksPublicAccessCidrs) {
    if (DOCUMENTATION_RANGE.test(cidr)) add("eksPublicAccessCidrs", cidr, "a documentation range (RFC 5737): no operator or runner reaches the API from it");
  }
  if (RESERVED_DOMAIN.test(hostOf(config.ssoIssuer))) add("ssoIssuer", config.ssoIssuer, "a reserved documentation domain: nobody could sign in");
  for (const email of config.onCallEmails) {
    if (RESERVED_DOMAIN.test(email)) add("onCallEmails", email, "an example address: alarms would reach nobody");
  }
  return found;
}

/** The one-line message of a placeholder, naming where to change it. */
export function placeholderMessage(p: Placeholder): string {
  return `PLACEHOLDER site.${p.field} = ${JSON.stringify(p.value)}: ${p.why}. Set it in environments/site.ts before deploying (npm run preflight refuses it).`;
}

/** Synth: one warning per placeholder, on the given construct (the app's first stack), so each shows once. */
export function warnPlaceholders(scope: IConstruct, config: SiteConfig = site): void {
  for (const p of placeholders(config)) Annotations.of(scope).addWarning(placeholderMessage(p));
}

/** Shape rules (bad input fails at synth whatever the placeholders). */
export function validateSite(config: SiteConfig = site): void {
  const where = "site (environments/site.ts)";
  check(/^\d{12}$/.test(config.awsAccountId), where, "awsAccountId", config.awsAccountId, "must be a 12-digit AWS account id");
  if (config.stateBucketSuffix !== undefined) {
    check(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/.test(config.stateBucketSuffix), where, "stateBucketSuffix", config.stateBucketSuffix,
      "must be 2-22 lower-case letters, digits or '-' (not at either end)");
  }
  const repo = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
  check(repo.test(config.infraRepository), where, "infraRepository", config.infraRepository, "must be a GitHub repository as owner/name");
  for (const [name, r] of Object.entries(config.imageRepositories)) {
    check(repo.test(r), where, `imageRepositories.${name}`, r, "must be a GitHub repository as owner/name");
  }
  check(/^https:\/\/[^\s/]+\/\S+$/.test(config.gitopsRepoUrl), where, "gitopsRepoUrl", config.gitopsRepoUrl, "must be an https URL of a git repository");
  check(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(config.domain), where, "domain", config.domain, "must be a lower-case DNS name such as learn.example.com");
  check(/^[0-9a-f]{32}$/.test(config.sandboxCloudflareZoneId), where, "sandboxCloudflareZoneId", config.sandboxCloudflareZoneId, "must be a Cloudflare zone id (32 lower-case hex digits)");
  check(/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.acmeEmail), where, "acmeEmail", config.acmeEmail, "must be an e-mail address");
  check(config.eksPublicAccessCidrs.length > 0, where, "eksPublicAccessCidrs", config.eksPublicAccessCidrs, "must list at least one CIDR");
  check(/^https:\/\/\S+$/.test(config.ssoIssuer), where, "ssoIssuer", config.ssoIssuer, "must be an https URL");
  check(config.onCallEmails.length > 0, where, "onCallEmails", config.onCallEmails, "must list at least one e-mail address");
}

/** The state bucket's name: `<project>-terraform-state-<suffix>`, the suffix defaulting to the account id. */
export function stateBucketName(project: string, config: SiteConfig = site): string {
  return `${project}-terraform-state-${config.stateBucketSuffix ?? config.awsAccountId}`;
}
