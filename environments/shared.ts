import type { AddonVersions } from "../modules/eks-cluster";
import type { ClusterConfig, EnvironmentConfig, StateConfig } from "./config";

/**
 * What every environment shares. Environment files spread this and state only what
 * differs, so a change here reaches all three.
 */
export const shared = {
  project: "openedx",
  region: "us-east-1",
  owner: "platform-sre",
  costCenter: "learning-platform",
  buckets: {
    static: {},
    media: {},
    backups: { purpose: "backup" },
  },
} as const satisfies Partial<EnvironmentConfig>;

/** S3 state in the bucket the `bootstrap` stack creates, one key per stack, with S3 native locking. */
export const s3State: StateConfig = {
  backend: "s3",
  bucket: "openedx-terraform-state",
  keyPrefix: "learning-platform",
  region: "us-east-1",
};

/**
 * Seed 001's address layout inside a /16: public x.y.0-2.0/24, private x.y.100-102.0/24,
 * database x.y.200-202.0/24, one subnet per AZ.
 */
export function addressPlan(firstTwoOctets: string, azs: readonly string[]) {
  const tier = (base: number) => azs.map((_, i) => `${firstTwoOctets}.${base + i}.0/24`);
  return {
    cidr: `${firstTwoOctets}.0.0/16`,
    azs,
    publicSubnetCidrs: tier(0),
    privateSubnetCidrs: tier(100),
    databaseSubnetCidrs: tier(200),
  };
}

/**
 * EKS add-on versions built for Kubernetes 1.33 (from `aws eks describe-addon-versions
 * --kubernetes-version 1.33`, cross-checked against public production configs on 1.33).
 * Bump them together with `kubernetesVersion`; synth checks kube-proxy matches it.
 */
export const addonVersions133: AddonVersions = {
  "vpc-cni": "v1.20.1-eksbuild.1",
  "kube-proxy": "v1.33.3-eksbuild.4",
  "coredns": "v1.12.2-eksbuild.4",
  "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
  "aws-ebs-csi-driver": "v1.47.0-eksbuild.1",
  "aws-efs-csi-driver": "v2.1.10-eksbuild.1",
};

/**
 * What every cluster shares. The public endpoint is open only to the operators' VPN and the
 * CI runners' egress (seed 000: private access + public CIDR restricted). The two ranges
 * here are documentation placeholders (RFC 5737): replace them with your real egress CIDRs.
 * `platform-admin` is the operators' IAM role in each account (cluster-admin).
 */
export const clusterDefaults = {
  kubernetesVersion: "1.33",
  upgradeSupportType: "STANDARD",
  endpointPublicAccess: true,
  publicAccessCidrs: ["198.51.100.0/24", "203.0.113.0/24"],
  adminRoles: ["platform-admin"],
  addonVersions: addonVersions133,
} as const satisfies Omit<ClusterConfig, "nodeGroups">;

/** Seed 000's shared media volume: `/openedx/media`, owned by the Open edX app user (1000). */
export const mediaAccessPoints = { media: { path: "/openedx/media", uid: 1000, gid: 1000 } } as const;
