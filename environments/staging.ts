import type { EnvironmentConfig } from "./config";
import { site } from "./site";
import { seedSlos, addressPlan, backupRotation, clusterDefaults, edgeDefaults, mediaAccessPoints, migrationDefaults, platformDefaults, s3State, shared, ssoDefaults } from "./shared";

/** Staging: production's shape on its own range; one NAT is enough for a pre-release stage. */
const domain = `staging.${site.domain}`;

export const staging: EnvironmentConfig = {
  ...shared,
  name: "staging",
  protection: "standard",
  domain,
  state: s3State,
  clusterName: "openedx-staging-eks",
  multiAz: true,
  deletionProtection: true,
  forceDestroy: false,
  logRetentionDays: 90,
  network: { ...addressPlan("10.10", ["us-east-1a", "us-east-1b", "us-east-1c"]), natGateways: "single" },
  // Production's topology (Multi-AZ, replicas, masters) on smaller nodes and shorter retention.
  data: {
    mysql: { instanceClass: "db.r7g.large", allocatedStorageGiB: 100, maxAllocatedStorageGiB: 500, backupRetentionDays: 14 },
    redis: { nodeType: "cache.r7g.large", replicasPerShard: 2, snapshotRetentionDays: 7 },
    search: {
      dataNodeType: "r6g.large.search",
      dataNodeCount: 3,
      volumeSizeGiB: 100,
      dedicatedMasters: { type: "m6g.large.search", count: 3 },
    },
    documentdb: { instanceClass: "db.r6g.large", instanceCount: 2, backupRetentionDays: 14 },
    postgres: { instanceClass: "db.r7g.large", allocatedStorageGiB: 100, maxAllocatedStorageGiB: 500, backupRetentionDays: 14, readReplicas: 1 },
    // The standard tier's broker is a single instance (environments/validate.ts, rabbitMqMode).
    rabbitmq: { instanceType: "mq.m7g.large" },
  },
  edge: {
    ...edgeDefaults(domain),
    dns: { provider: "route53" },
    priceClass: "PriceClass_100",
    // Seed 002 rehearsal, one phase ahead of production: half of the requests still go to legacy.
    migration: migrationDefaults(domain, "eks-50", {
      amiId: "ami-0123456789abcdef0", instanceType: "m5.large", minSize: 2, maxSize: 4, desiredCapacity: 2,
    }),
  },
  cluster: {
    ...clusterDefaults,
    nodeGroups: {
      // Production's three pools (same labels and taints, so scheduling is rehearsed) at a
      // fraction of the size.
      general: { instanceTypes: ["m5.xlarge"], minSize: 2, desiredSize: 3, maxSize: 6, labels: { workload: "general" } },
      compute: {
        instanceTypes: ["c5.2xlarge"], minSize: 1, desiredSize: 2, maxSize: 4,
        labels: { workload: "compute" }, taints: [{ key: "workload", value: "compute", effect: "NO_SCHEDULE" }],
      },
      memory: {
        instanceTypes: ["r5.xlarge"], minSize: 1, desiredSize: 2, maxSize: 4,
        labels: { workload: "memory" }, taints: [{ key: "workload", value: "memory", effect: "NO_SCHEDULE" }],
      },
    },
  },
  mediaStorage: { backups: true, accessPoints: mediaAccessPoints },
  // The production plan without the copy and the lock: restores are rehearsed here too.
  awsBackup: { dailyRetentionDays: 35, monthlyRetentionDays: 365 },
  onCall: { emails: site.onCallEmails },
  platform: {
    ...platformDefaults("staging"),
    ingress: { replicas: 2, minAvailable: 1 },
    observability: { prometheusReplicas: 1, prometheusRetentionDays: 7, prometheusStorageGi: 50, alertmanagerReplicas: 2, lokiReplicas: 2, lokiRetentionDays: 14 },
    // Seed 002's SLOs over the 7 days staging's Prometheus keeps: a release that burns them shows before production.
    slos: { windowDays: 7, objectives: seedSlos },
    backupSchedules: backupRotation.slice(0, 2),
    highAvailability: true,
    sso: ssoDefaults("staging", domain),
    mediaSizeGi: 100,
  },
};
