import type { OnCallTarget } from "learning-platform-infra/core/on-call";
import { check } from "learning-platform-infra/core/validation";
import type { EdgeConfig, EnvironmentConfig, PlatformCharts, PlatformConfig, StateConfig } from "./config";
import { AWS_ONLY_CHARTS, AwsOnlyChart } from "./selfhosted-config";

/**
 * What the `<env>-platform` stack reads from an environment: an AWS environment's config is
 * one, and a self-hosted environment maps onto one (environments/selfhosted-stack.ts). The
 * fields only an EKS target uses are optional here and required by `requireEksFields`.
 */
export interface PlatformEnvironment {
  readonly name: string;
  readonly project: string;
  readonly owner: string;
  readonly costCenter: string;
  readonly domain: string;
  readonly state: StateConfig;
  readonly onCall?: OnCallTarget;
  readonly edge: Pick<EdgeConfig, "subdomains" | "dns" | "selfHostedNodes"> & Partial<Pick<EdgeConfig, "originHostname" | "origin">>;
  readonly platform: Omit<PlatformConfig, "charts" | "veleroAwsPluginTag" | "backupSchedules"> & {
    readonly charts: Omit<PlatformCharts, AwsOnlyChart | "velero"> & Partial<Pick<PlatformCharts, AwsOnlyChart | "velero">>;
    readonly veleroAwsPluginTag?: string;
    readonly backupSchedules?: PlatformConfig["backupSchedules"];
  };
  /** EKS only: the VPC range (egress rules), the cluster's version, the volume reclaim policy. */
  readonly network?: Pick<EnvironmentConfig["network"], "cidr">;
  readonly cluster?: Pick<EnvironmentConfig["cluster"], "kubernetesVersion">;
  readonly deletionProtection?: boolean;
}

/** The EKS-only fields, present: a platform stack on EKS is an AWS environment's. */
export interface EksPlatformEnvironment extends PlatformEnvironment {
  readonly network: Pick<EnvironmentConfig["network"], "cidr">;
  readonly cluster: Pick<EnvironmentConfig["cluster"], "kubernetesVersion">;
  readonly deletionProtection: boolean;
  readonly platform: PlatformEnvironment["platform"] & { readonly charts: PlatformCharts };
}

export function requireEksFields(where: string, config: PlatformEnvironment): EksPlatformEnvironment {
  const missing = [
    ...(config.network ? [] : ["network"]),
    ...(config.cluster ? [] : ["cluster"]),
    ...(config.deletionProtection === undefined ? ["deletionProtection"] : []),
    ...AWS_ONLY_CHARTS.filter((c) => config.platform.charts[c] === undefined).map((c) => `platform.charts.${c}`),
  ];
  check(missing.length === 0, where, "eks", missing, "needs an AWS environment's network, cluster, deletionProtection and AWS charts (a self-hosted environment targets its cluster with kubeconfig)");
  return config as EksPlatformEnvironment;
}
