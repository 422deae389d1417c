import type { EnvironmentConfig } from "./config";
import { addressPlan, backupRotation, platformDefaults, s3State, shared } from "./shared";

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
