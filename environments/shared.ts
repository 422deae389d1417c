import type { EdgeConfig, EnvironmentConfig, StateConfig } from "./config";

/**
 * What every environment shares. Environment files spread this and state only what
 * differs, so a change here reaches all three.
 */
export const shared = {
  project: "openedx",
  region: "us-east-1",
  owner: "platform-sre",
  costCenter: "learning-platform",
  buckets: {
    static: {},
    media: {},
    backups: { purpose: "backup" },
  },
} as const satisfies Partial<EnvironmentConfig>;

/**
 * Edge settings every environment starts from: seed 000's hostnames, HTTPS to the origin,
 * and the WAF common rule set's 8 KB body limit counted rather than blocking, because Studio
 * uploads course archives and saves large XBlock bodies through it.
 */
export function edgeDefaults(domain: string) {
  return {
    subdomains: ["lms", "studio", "apps.lms"],
    originHostname: `ingress.${domain}`,
    originProtocol: "https-only",
    waf: { rateLimit: 2000, countOnlyRules: ["SizeRestrictions_BODY"] },
  } as const satisfies Partial<EdgeConfig>;
}

/** S3 state in the bucket the `bootstrap` stack creates, one key per stack, with S3 native locking. */
export const s3State: StateConfig = {
  backend: "s3",
  bucket: "openedx-terraform-state",
  keyPrefix: "learning-platform",
  region: "us-east-1",
};

/**
 * Seed 001's address layout inside a /16: public x.y.0-2.0/24, private x.y.100-102.0/24,
 * database x.y.200-202.0/24, one subnet per AZ.
 */
export function addressPlan(firstTwoOctets: string, azs: readonly string[]) {
  const tier = (base: number) => azs.map((_, i) => `${firstTwoOctets}.${base + i}.0/24`);
  return {
    cidr: `${firstTwoOctets}.0.0/16`,
    azs,
    publicSubnetCidrs: tier(0),
    privateSubnetCidrs: tier(100),
    databaseSubnetCidrs: tier(200),
  };
}
