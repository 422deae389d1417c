import type { EnvironmentConfig } from "./config";
import { addressPlan, backupRotation, platformDefaults, s3State, shared } from "./shared";

/** Staging: production's shape on its own range; one NAT is enough for a pre-release stage. */
export const staging: EnvironmentConfig = {
  ...shared,
  name: "staging",
  domain: "staging.learn.example.org",
  state: s3State,
  clusterName: "openedx-staging-eks",
  multiAz: true,
  deletionProtection: true,
  forceDestroy: false,
  logRetentionDays: 90,
  network: { ...addressPlan("10.10", ["us-east-1a", "us-east-1b", "us-east-1c"]), natGateways: "single" },
  platform: {
    ...platformDefaults("staging"),
    ingress: { replicas: 2, minAvailable: 1 },
    observability: { prometheusReplicas: 1, prometheusRetentionDays: 7, prometheusStorageGi: 50, alertmanagerReplicas: 2, lokiReplicas: 2, lokiRetentionDays: 14 },
    backupSchedules: backupRotation.slice(0, 2),
    highAvailability: true,
    mediaSizeGi: 100,
  },
};
