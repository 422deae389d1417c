import type { EnvironmentConfig } from "./config";
import { addressPlan, platformDefaults, s3State, shared } from "./shared";

/**
 * Sandbox: cheapest useful shape. Two AZs (the minimum EKS and RDS subnet groups accept),
 * one NAT, single-AZ data, and nothing that blocks `destroy`.
 */
export const sandbox: EnvironmentConfig = {
  ...shared,
  name: "sandbox",
  domain: "sandbox.learn.example.org",
  state: s3State,
  clusterName: "openedx-sandbox-eks",
  multiAz: false,
  deletionProtection: false,
  forceDestroy: true,
  logRetentionDays: 30,
  network: { ...addressPlan("10.20", ["us-east-1a", "us-east-1b"]), natGateways: "single" },
  platform: {
    ...platformDefaults("sandbox"),
    ingress: { replicas: 1, minAvailable: 0 },
    observability: { prometheusReplicas: 1, prometheusRetentionDays: 3, prometheusStorageGi: 20, alertmanagerReplicas: 1, lokiReplicas: 1, lokiRetentionDays: 7 },
    backupSchedules: [{ name: "every-6h", cron: "0 */6 * * *", ttl: "48h" }],
    highAvailability: false,
    mediaSizeGi: 20,
  },
};
