import type { EnvironmentConfig } from "./config";
import { addressPlan, edgeDefaults, s3State, shared } from "./shared";

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
  edge: {
    ...edgeDefaults("learn.example.org"),
    dns: { provider: "route53" },
    priceClass: "PriceClass_All",
    waf: { ...edgeDefaults("learn.example.org").waf, rateLimit: 4000 },
  },
};
