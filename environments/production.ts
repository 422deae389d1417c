import type { EnvironmentConfig } from "./config";
import { addressPlan, backupRotation, clusterDefaults, mediaAccessPoints, platformDefaults, s3State, shared } from "./shared";

/** Production: seed 001's address plan, every AZ with its own NAT, everything protected. */
export const production: EnvironmentConfig = {
  ...shared,
  name: "production",
  domain: "learn.example.org",
  state: s3State,
  clusterName: "openedx-eks",
  multiAz: true,
  deletionProtection: true,
  forceDestroy: false,
  logRetentionDays: 365,
  network: { ...addressPlan("10.0", ["us-east-1a", "us-east-1b", "us-east-1c"]), natGateways: "per-az" },
  cluster: {
    ...clusterDefaults,
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
  platform: {
    ...platformDefaults("production"),
    appNamespace: "openedx-prod",
    ingress: { replicas: 3, minAvailable: 2 },
    observability: { prometheusReplicas: 2, prometheusRetentionDays: 15, prometheusStorageGi: 200, alertmanagerReplicas: 3, lokiReplicas: 3, lokiRetentionDays: 30 },
    backupSchedules: backupRotation,
    highAvailability: true,
    mediaSizeGi: 500,
  },
};
