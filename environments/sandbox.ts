import type { EnvironmentConfig } from "./config";
import { site } from "./site";
import { addressPlan, clusterDefaults, edgeDefaults, mediaAccessPoints, platformDefaults, s3State, shared } from "./shared";

/**
 * Sandbox: cheapest useful shape. Two AZs (the minimum EKS and RDS subnet groups accept),
 * one NAT, single-AZ data, and nothing that blocks `destroy`.
 */
const domain = `sandbox.${site.domain}`;

export const sandbox: EnvironmentConfig = {
  ...shared,
  name: "sandbox",
  protection: "disposable",
  domain,
  state: s3State,
  clusterName: "openedx-sandbox-eks",
  multiAz: false,
  deletionProtection: false,
  forceDestroy: true,
  logRetentionDays: 30,
  network: { ...addressPlan("10.20", ["us-east-1a", "us-east-1b"]), natGateways: "single" },
  // Smallest sizes each service accepts with encryption, TLS and Performance Insights; one AZ.
  data: {
    mysql: { instanceClass: "db.t4g.medium", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100, backupRetentionDays: 1 },
    redis: { nodeType: "cache.t4g.small", replicasPerShard: 0, snapshotRetentionDays: 1 },
    search: { dataNodeType: "t3.small.search", dataNodeCount: 1, volumeSizeGiB: 10 },
    documentdb: { instanceClass: "db.t4g.medium", instanceCount: 1, backupRetentionDays: 1 },
    postgres: { instanceClass: "db.t4g.medium", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100, backupRetentionDays: 1 },
    rabbitmq: { instanceType: "mq.m7g.medium" },
  },
  edge: {
    ...edgeDefaults(domain),
    // External registrar DNS (seed 000) on Cloudflare; the token comes from CLOUDFLARE_API_TOKEN.
    dns: { provider: "cloudflare", zoneId: site.sandboxCloudflareZoneId },
    priceClass: "PriceClass_100",
  },
  cluster: {
    ...clusterDefaults,
    nodeGroups: {
      // One small spot pool over several equivalent types, so one spot pool running dry
      // does not empty the cluster.
      general: {
        instanceTypes: ["t3.large", "t3a.large", "m5.large", "m5a.large"], capacityType: "SPOT",
        minSize: 1, desiredSize: 2, maxSize: 3, diskSizeGiB: 30, labels: { workload: "general" },
      },
    },
  },
  mediaStorage: { backups: false, accessPoints: mediaAccessPoints },
  platform: {
    ...platformDefaults("sandbox"),
    ingress: { replicas: 1, minAvailable: 0 },
    observability: { prometheusReplicas: 1, prometheusRetentionDays: 3, prometheusStorageGi: 20, alertmanagerReplicas: 1, lokiReplicas: 1, lokiRetentionDays: 7 },
    backupSchedules: [{ name: "every-6h", cron: "0 */6 * * *", ttl: "48h" }],
    highAvailability: false,
    mediaSizeGi: 20,
  },
};
