import type { EnvironmentConfig } from "./config";
import { site } from "./site";
import { seedSlos, addressPlan, backupRotation, clusterDefaults, edgeDefaults, mediaAccessPoints, migrationDefaults, platformDefaults, s3State, shared, ssoDefaults } from "./shared";

/** Production: seed 001's address plan, every AZ with its own NAT, everything protected. */
const domain = site.domain;

export const production: EnvironmentConfig = {
  ...shared,
  name: "production",
  protection: "production",
  domain,
  state: s3State,
  clusterName: "openedx-eks",
  multiAz: true,
  deletionProtection: true,
  forceDestroy: false,
  logRetentionDays: 365,
  network: { ...addressPlan("10.0", ["us-east-1a", "us-east-1b", "us-east-1c"]), natGateways: "per-az" },
  // Seed 002's production sizes, on Graviton where AWS offers the same shape (see module docs);
  // seed 001's 30-day database backups, taken to the 35-day maximum.
  data: {
    mysql: {
      instanceClass: "db.r7g.4xlarge",
      allocatedStorageGiB: 500,
      maxAllocatedStorageGiB: 4000,
      backupRetentionDays: 35,
      readReplicas: 1,
      performanceInsightsRetentionDays: 31,
      monitoringIntervalSeconds: 15,
      alarmThresholds: { cpuPercent: 80, freeStorageGiB: 50, freeableMemoryMiB: 4096, replicaLagSeconds: 30 },
    },
    redis: {
      nodeType: "cache.r7g.2xlarge",
      replicasPerShard: 5,
      snapshotRetentionDays: 35,
      alarmThresholds: { engineCpuPercent: 80, memoryPercent: 90, replicationLagSeconds: 30 },
    },
    search: {
      dataNodeType: "i3.2xlarge.search",
      dataNodeCount: 6,
      dedicatedMasters: { type: "m6g.large.search", count: 3 },
      alarmThresholds: { cpuPercent: 80, jvmMemoryPressurePercent: 80, freeStorageMiB: 102400 },
    },
    documentdb: {
      instanceClass: "db.r6g.xlarge",
      instanceCount: 3,
      backupRetentionDays: 35,
      alarmThresholds: { cpuPercent: 80, freeableMemoryMiB: 2048 },
    },
    // Seed 004's service database and broker: the MySQL guarantees on PostgreSQL 17, and a
    // three-node RabbitMQ cluster (the production tier's deployment mode).
    postgres: { instanceClass: "db.r7g.xlarge", allocatedStorageGiB: 200, maxAllocatedStorageGiB: 1000, backupRetentionDays: 35, readReplicas: 1, performanceInsightsRetentionDays: 31 },
    rabbitmq: { instanceType: "mq.m7g.large" },
  },
  edge: {
    ...edgeDefaults(domain),
    dns: { provider: "route53" },
    priceClass: "PriceClass_All",
    waf: { ...edgeDefaults(domain).waf, rateLimit: 4000 },
    // Seed 002: 10 % of requests to EKS, the rest to the legacy EC2 service, all through the WAF.
    migration: migrationDefaults(domain, "eks-10", {
      amiId: "ami-0123456789abcdef0", instanceType: "m5.xlarge", minSize: 3, maxSize: 9, desiredCapacity: 3,
    }),
  },
  cluster: {
    ...clusterDefaults,
    // Production changes reach the app namespace through Argo CD only (it reverts manual edits).
    developerRoles: [],
    nodeGroups: {
      // Seed 002's sizing. Minimum = the seed's size (the capacity production is sized for);
      // the autoscaler may double it. Specialised pools are tainted so only pods that ask for
      // them (tolerations) land there.
      general: { instanceTypes: ["m5.2xlarge"], minSize: 20, desiredSize: 20, maxSize: 40, diskSizeGiB: 100, labels: { workload: "general" } },
      compute: {
        instanceTypes: ["c5.4xlarge"], minSize: 10, desiredSize: 10, maxSize: 20, diskSizeGiB: 100,
        labels: { workload: "compute" }, taints: [{ key: "workload", value: "compute", effect: "NO_SCHEDULE" }],
      },
      memory: {
        instanceTypes: ["r5.2xlarge"], minSize: 10, desiredSize: 10, maxSize: 20, diskSizeGiB: 100,
        labels: { workload: "memory" }, taints: [{ key: "workload", value: "memory", effect: "NO_SCHEDULE" }],
      },
    },
  },
  mediaStorage: { backups: true, accessPoints: mediaAccessPoints },
  // Seed 004: daily kept 35 days, monthly a year; copies in us-west-2 under their own key; locked.
  awsBackup: { dailyRetentionDays: 35, monthlyRetentionDays: 365, copyToRegion: "us-west-2", vaultLock: true },
  onCall: { emails: site.onCallEmails, endpoint: { kind: "pagerduty", secretName: `${shared.project}-production-on-call` } },
  platform: {
    ...platformDefaults("production"),
    appNamespace: "openedx-prod",
    ingress: { replicas: 3, minAvailable: 2 },
    observability: { prometheusReplicas: 2, prometheusRetentionDays: 31, prometheusStorageGi: 300, alertmanagerReplicas: 3, lokiReplicas: 3, lokiRetentionDays: 30 },
    // Seed 002's SLOs over 30 days (Prometheus keeps at least that long).
    slos: { windowDays: 30, objectives: seedSlos },
    backupSchedules: backupRotation,
    highAvailability: true,
    sso: ssoDefaults("production", domain),
    mediaSizeGi: 500,
  },
};
