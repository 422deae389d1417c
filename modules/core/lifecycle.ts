import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { ValidationError } from "./validation";

/**
 * Vendor support calendars for the versioned AWS services the modules create, and the
 * synth-time check that keeps a protected environment off a version past its end of
 * standard support (where AWS starts billing extended support, or stops patching).
 *
 * The dates come from each vendor's published calendar (source on every product) as of
 * `LIFECYCLE_CHECKED_ON`. The lifecycle test (test/lifecycle) fails 90 days before any pinned
 * version's date and synth warns 180 days before, so this table is refreshed well ahead.
 */
export const LIFECYCLE_CHECKED_ON = "2026-12-02";

/** Days before end of standard support at which synth starts warning. */
export const WARN_DAYS = 180;
/** Days before end of standard support at which the lifecycle test fails. */
export const FAIL_DAYS = 90;

/** One release line (a Kubernetes minor, an engine major) of a vendor's product. */
export interface ReleaseLine {
  /** The version string exactly as the module's prop takes it. */
  readonly version: string;
  /**
   * End of standard support (ISO date, UTC). Undefined when the vendor has not published one;
   * `policy` on the product says what applies then.
   */
  readonly endOfStandardSupport?: string;
}

export interface ProductLifecycle {
  /** Human name used in messages. */
  readonly name: string;
  /** Where the dates come from. */
  readonly source: string;
  /** The vendor's support policy in one sentence (what happens without a published date). */
  readonly policy: string;
  /** Release lines, newest first. Versions not listed are rejected at synth. */
  readonly releases: readonly ReleaseLine[];
}

export const PRODUCTS = {
  /**
   * EKS release calendar (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
   * #kubernetes-release-calendar; 1.35/1.36 rows as mirrored by endoflife.date products/amazon-eks.md):
   * 14 months of standard support from the EKS release, then 12 months of paid extended support.
   * 1.31 and older have left extended support too, so EKS no longer runs them at all.
   */
  eks: {
    name: "Amazon EKS Kubernetes",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar",
    policy: "14 months of standard support from the EKS release, then 12 months of extended support at 6x the control-plane price",
    releases: [
      { version: "1.36", endOfStandardSupport: "2027-08-02" },
      { version: "1.35", endOfStandardSupport: "2027-03-27" },
      { version: "1.34", endOfStandardSupport: "2026-12-02" },
      { version: "1.33", endOfStandardSupport: "2026-07-29" },
      { version: "1.32", endOfStandardSupport: "2026-03-23" },
    ],
  },
  /**
   * RDS for MySQL major version calendar (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/
   * MySQL.Concepts.VersionMgmt.html#MySQL.Concepts.VersionMgmt.ReleaseCalendar).
   */
  rdsMysql: {
    name: "Amazon RDS for MySQL",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html",
    policy: "major versions follow the RDS release calendar; past the end of standard support instances are enrolled in paid RDS Extended Support",
    releases: [
      { version: "8.4", endOfStandardSupport: "2029-07-31" },
      { version: "8.0", endOfStandardSupport: "2026-07-31" },
    ],
  },
  /**
   * RDS for PostgreSQL release calendar (docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/
   * postgresql-release-calendar.html): standard support ends on 28/29 February five years after
   * the community release (12 ended 2025-02-28, 13 on 2026-02-28, so neither is offered here).
   */
  rdsPostgres: {
    name: "Amazon RDS for PostgreSQL",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
    policy: "major versions follow the RDS release calendar; past the end of standard support instances are enrolled in paid RDS Extended Support",
    releases: [
      { version: "18", endOfStandardSupport: "2031-02-28" },
      { version: "17", endOfStandardSupport: "2030-02-28" },
      { version: "16", endOfStandardSupport: "2029-02-28" },
      { version: "15", endOfStandardSupport: "2028-02-29" },
      { version: "14", endOfStandardSupport: "2027-02-28" },
    ],
  },
  /**
   * Amazon MQ for RabbitMQ version support calendar (docs.aws.amazon.com/amazon-mq/latest/
   * developer-guide/rabbitmq-version-management.html): 4.2 (mq.m7g only) and 3.13 have no
   * published end of support; 3.12 ended 2025-03-17. AWS gives at least 90 days notice, then
   * upgrades brokers itself in the maintenance window within 45 days of the date.
   */
  amazonMqRabbitmq: {
    name: "Amazon MQ for RabbitMQ",
    source: "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-version-management.html",
    policy: "no published end of support for 4.2 and 3.13; AWS announces dates at least 90 days ahead and then upgrades brokers itself",
    releases: [{ version: "4.2" }, { version: "3.13" }],
  },
  /**
   * OpenSearch Service end of support table (docs.aws.amazon.com/opensearch-service/latest/
   * developerguide/what-is.html#choosing-version). The 3.x lines have no published date yet.
   */
  opensearch: {
    name: "Amazon OpenSearch Service engine",
    source: "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/what-is.html#choosing-version",
    policy: "end of standard support is announced per engine version, at least 12 months ahead; extended support is billed per normalized instance hour",
    releases: [
      { version: "OpenSearch_3.5" },
      { version: "OpenSearch_3.3" },
      { version: "OpenSearch_3.1" },
      { version: "OpenSearch_2.19", endOfStandardSupport: "2027-11-07" },
      { version: "OpenSearch_2.17", endOfStandardSupport: "2027-11-07" },
      { version: "OpenSearch_2.15", endOfStandardSupport: "2027-11-07" },
      { version: "OpenSearch_2.13", endOfStandardSupport: "2027-11-07" },
      { version: "OpenSearch_2.11", endOfStandardSupport: "2027-11-07" },
      { version: "OpenSearch_1.3", endOfStandardSupport: "2027-11-07" },
      { version: "Elasticsearch_7.10", endOfStandardSupport: "2027-11-07" },
    ],
  },
  /**
   * DocumentDB version support dates (docs.aws.amazon.com/documentdb/latest/developerguide/
   * docdb-version-support-dates.html): only 3.6 has a date (2026-03-30, past, so not offered here).
   */
  documentdb: {
    name: "Amazon DocumentDB",
    source: "https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-version-support-dates.html",
    policy: "no published end of standard support for 4.0, 5.0 and 8.0; AWS announces dates at least 12 months ahead",
    releases: [{ version: "8.0.0" }, { version: "5.0.0" }, { version: "4.0.0" }],
  },
  /**
   * ElastiCache engine versions (docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html):
   * no Valkey or Redis OSS 7 line has an end of standard support date (Redis OSS 6: 2027-01-31).
   */
  elasticacheValkey: {
    name: "Amazon ElastiCache for Valkey",
    source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
    policy: "no published end of standard support for Valkey 7.2-8.x; AWS announces dates at least 12 months ahead",
    releases: [{ version: "8.1" }, { version: "8.0" }, { version: "7.2" }],
  },
  elasticacheRedis: {
    name: "Amazon ElastiCache for Redis OSS",
    source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
    policy: "no published end of standard support for Redis OSS 7; Redis OSS 6 ends 2027-01-31 (not offered here)",
    releases: [{ version: "7.1" }, { version: "7.0" }],
  },
} as const satisfies Record<string, ProductLifecycle>;

export type ProductId = keyof typeof PRODUCTS;

/**
 * An explicit, reasoned acceptance of paid extended support for a version past its end of
 * standard support. Without it a protected environment refuses such a version at synth.
 */
export interface ExtendedSupport {
  /** Why the environment stays (e.g. "upgrade to 8.4 blocked by plugin X, ticket OPS-123, until 2027-01"). */
  readonly reason: string;
}

const DAY_MS = 86_400_000;

/** The date the checks compare against: `LIFECYCLE_TODAY` (YYYY-MM-DD) when set, else now. */
export function lifecycleToday(): Date {
  const override = process.env.LIFECYCLE_TODAY;
  if (override) {
    const d = new Date(`${override}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new Error(`LIFECYCLE_TODAY = "${override}" is invalid; must be a date such as 2026-12-02`);
    return d;
  }
  return new Date();
}

/** Whole days from `today` to `isoDate` (negative once past). */
export function daysUntil(isoDate: string, today: Date): number {
  return Math.floor((Date.parse(`${isoDate}T00:00:00Z`) - today.getTime()) / DAY_MS);
}

/** The release line of `version`, or undefined when the table does not know it. */
export function releaseLine(product: ProductId, version: string): ReleaseLine | undefined {
  return (PRODUCTS[product].releases as readonly ReleaseLine[]).find((r) => r.version === version);
}

/** Versions of a product still in standard support on `today`, newest first. */
export function supportedVersions(product: ProductId, today: Date): string[] {
  return (PRODUCTS[product].releases as readonly ReleaseLine[])
    .filter((r) => r.endOfStandardSupport === undefined || daysUntil(r.endOfStandardSupport, today) > 0)
    .map((r) => r.version);
}

/**
 * The release to move to: the newest line of the product with a later (or no) end of
 * standard support than `version`'s.
 */
export function nextVersion(product: ProductId, version: string): string {
  const releases = PRODUCTS[product].releases as readonly ReleaseLine[];
  return releases[0]!.version === version ? "(none newer known: refresh modules/core/lifecycle.ts)" : releases[0]!.version;
}

export interface VersionCheck {
  /** Construct path and prop named in messages, e.g. `RdsMysql mysql` / `engineVersion`. */
  readonly where: string;
  readonly prop: string;
  readonly product: ProductId;
  readonly version: string;
  /**
   * The caller requires standard support (`requireStandardSupport`, set by the environment's
   * protection tier): a version past end of standard support is an error unless `extendedSupport` accepts it.
   */
  readonly protectedEnvironment: boolean;
  readonly extendedSupport?: ExtendedSupport;
}

/**
 * Synth-time lifecycle check of one versioned service:
 * - a version the table does not know fails (add its dates first);
 * - past end of standard support: error in a protected environment unless `extendedSupport`
 *   gives a reason; a warning otherwise (a sandbox may run it, paying the extended fee);
 * - within `WARN_DAYS` of the date: a warning naming the date and the version to move to.
 */
export function checkVersionLifecycle(scope: Construct, c: VersionCheck): void {
  const product = PRODUCTS[c.product];
  const today = lifecycleToday();
  const supported = supportedVersions(c.product, today);
  const line = releaseLine(c.product, c.version);
  if (!line) {
    throw new ValidationError(c.where, c.prop, c.version,
      `must be a ${product.name} version listed in modules/core/lifecycle.ts (${PRODUCTS[c.product].releases.map((r) => r.version).join(", ")}); add a new version there with its end of standard support date (${product.source})`);
  }
  if (c.extendedSupport !== undefined && !c.extendedSupport.reason?.trim()) {
    throw new ValidationError(c.where, "extendedSupport.reason", c.extendedSupport.reason, "must say why the environment accepts paid extended support (and until when)");
  }
  if (line.endOfStandardSupport === undefined) return;
  const days = daysUntil(line.endOfStandardSupport, today);
  const next = nextVersion(c.product, c.version);
  if (days <= 0) {
    if (c.protectedEnvironment && !c.extendedSupport) {
      throw new ValidationError(c.where, c.prop, c.version,
        `reached the end of ${product.name} standard support on ${line.endOfStandardSupport} (${product.policy}); use a supported version (${supported.join(", ")}), or set extendedSupport: { reason } to accept paid extended support explicitly`);
    }
    Annotations.of(scope).addWarning(`${c.where}: ${c.prop} ${c.version} is past the end of ${product.name} standard support (${line.endOfStandardSupport}) and runs on paid extended support${c.extendedSupport ? ` (accepted: ${c.extendedSupport.reason})` : ""}; move to ${next}`);
    return;
  }
  if (days <= WARN_DAYS) {
    Annotations.of(scope).addWarning(`${c.where}: ${c.prop} ${c.version} leaves ${product.name} standard support on ${line.endOfStandardSupport} (in ${days} days); move to ${next}`);
  }
}

/**
 * Cluster Autoscaler image per Kubernetes minor. The autoscaler simulates scheduling with the
 * scheduler code of its own release, so its minor must equal the cluster's (autoscaler
 * README, "Releases"); the chart's default image follows the chart, not the cluster, so the
 * platform stack sets the tag from the cluster's version. Renovate bumps patches only.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.35": "v1.35.2", // renovate-ca
  "1.36": "v1.36.1", // renovate-ca
};

/** The Cluster Autoscaler image tag for a cluster's Kubernetes minor; throws naming the prop and the known minors. */
export function clusterAutoscalerImageTag(where: string, prop: string, kubernetesVersion: string): string {
  // Own keys only: "toString" must not find Object.prototype's.
  const tag = Object.hasOwn(CLUSTER_AUTOSCALER_IMAGE_TAGS, kubernetesVersion) ? CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion] : undefined;
  if (!tag) {
    throw new ValidationError(where, prop, kubernetesVersion,
      `must be a Kubernetes minor with a Cluster Autoscaler release listed in CLUSTER_AUTOSCALER_IMAGE_TAGS (modules/core/lifecycle.ts: ${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", ")}); the autoscaler's minor must equal the cluster's`);
  }
  return tag;
}
