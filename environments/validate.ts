import { check, checkLogRetention, checkOneOf } from "../modules/core/validation";
import { ENVIRONMENT_NAMES, EnvironmentConfig } from "./config";
import { checkDnsName } from "../modules/core/dns";

const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * Checks that span modules (module-level rules live in each module). Runs before any
 * resource is created, so a bad environment file fails with one clear message.
 */
export function validateEnvironment(config: EnvironmentConfig): void {
  const where = `environment ${config.name}`;
  checkOneOf(where, "name", config.name, ENVIRONMENT_NAMES);
  check(REGION_RE.test(config.region), where, "region", config.region, "must be an AWS region name such as us-east-1");
  checkDnsName(where, "domain", config.domain);
  check(!config.multiAz || config.network.azs.length >= 2, where, "network.azs", config.network.azs,
    "must list at least 2 AZs when multiAz is true");
  for (const az of config.network.azs) {
    check(az.startsWith(config.region) && /^[a-z]$/.test(az.slice(config.region.length)), where, "network.azs", az,
      `must be zones of region ${config.region}, e.g. ${config.region}a`);
  }
  checkLogRetention(where, "logRetentionDays", config.logRetentionDays);
  check(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(config.clusterName), where, "clusterName", config.clusterName,
    "must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit (EKS rule)");
  if (config.name === "production") {
    check(config.deletionProtection, where, "deletionProtection", config.deletionProtection, "must be true for production");
    check(!config.forceDestroy, where, "forceDestroy", config.forceDestroy, "must be false for production");
    // Seed 001: production databases keep 30 days of backups (OpenSearch's 14-day hourly
    // snapshots are fixed by AWS).
    const { mysql, redis, documentdb } = config.data;
    for (const [prop, days] of [
      ["data.mysql.backupRetentionDays", mysql.backupRetentionDays ?? 35],
      ["data.redis.snapshotRetentionDays", redis.snapshotRetentionDays ?? 35],
      ["data.documentdb.backupRetentionDays", documentdb.backupRetentionDays ?? 35],
    ] as const) {
      check(days >= 30, where, prop, days, "must be at least 30 days for production (seed 001's backup target)");
    }
    // Session cookies and tokens must never cross the internet unencrypted to the origin.
    check(config.edge.originProtocol !== "http-only", where, "edge.originProtocol", config.edge.originProtocol,
      "must be \"https-only\" for production (http-only sends cookies and session tokens unencrypted between CloudFront and the origin)");
    check(config.mediaStorage.backups, where, "mediaStorage.backups", config.mediaStorage.backups, "must be true for production");
    check(config.logRetentionDays >= 365, where, "logRetentionDays", config.logRetentionDays, "must be at least 365 for production (a year of audit and flow logs)");
  }
}
