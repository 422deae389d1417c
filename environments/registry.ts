import { check } from "learning-platform-infra/core/validation";
import type { EnvironmentConfig } from "./config";
import { production } from "./production";
import { sandbox } from "./sandbox";
import { selfhosted } from "./selfhosted";
import { SelfHostedEnvironmentConfig, isSelfHosted } from "./selfhosted-config";
import { staging } from "./staging";

/** A registry entry: an AWS environment (the library builds its cluster) or a self-hosted one (seed 003). */
export type RegistryEnvironment = EnvironmentConfig | SelfHostedEnvironmentConfig;

/**
 * The registry: every environment, in apply order (least to most critical). The one list the
 * rest derives from: main.ts's stacks, the bootstrap stack's CI roles (one set per entry, in
 * this order), and the main workflow's job chain (`<env>` then `<env>-platform`, entry after
 * entry), which a test holds to this order (test/environments/registry.test.ts).
 */
export const environments = { sandbox, staging, production, selfhosted } as const satisfies Readonly<Record<string, RegistryEnvironment>>;

/** The registry's AWS environments (those with a VPC, EKS and data stores), in apply order. */
export const awsEnvironments: Readonly<Record<string, EnvironmentConfig>> = Object.fromEntries(
  Object.entries(environments as Readonly<Record<string, RegistryEnvironment>>).filter((e): e is [string, EnvironmentConfig] => !isSelfHosted(e[1])));

/** An environment's name: a key of the registry (the type follows the registry, no second list). */
export type EnvironmentName = keyof typeof environments;

/** The registry's names, in apply order. */
export const environmentOrder: readonly EnvironmentName[] = Object.keys(environments) as EnvironmentName[];

/** The AWS environments' names, in apply order. */
export const awsEnvironmentOrder: readonly string[] = Object.keys(awsEnvironments);

/**
 * Rules across environments, for a registry deployed into one AWS account (the bootstrap stack
 * serves one account): each entry's name is its key (stack names, state keys and the
 * `<project>-<name>` prefix derive from it), names are unique, and no two environments build an
 * EKS cluster of the same name in the same region (EKS names are unique per account and region;
 * the second apply would fail).
 */
export function validateRegistry(registry: Readonly<Record<string, RegistryEnvironment>>): void {
  const where = "environment registry";
  const seen = new Map<string, string>();
  for (const [key, config] of Object.entries(registry)) {
    check(config.name === key, where, `${key}.name`, config.name, `must equal its registry key "${key}" (stacks, state keys and names derive from it)`);
    if (isSelfHosted(config)) continue; // no EKS cluster of its own
    const cluster = `${config.region}/${config.clusterName}`;
    const other = seen.get(cluster);
    check(other === undefined, where, `${key}.clusterName`, config.clusterName,
      `must differ from environment ${other}'s: one account holds one EKS cluster of a name per region (${config.region})`);
    seen.set(cluster, key);
  }
}
validateRegistry(environments);

/** The stacks of one environment, in apply order: its AWS stack, then its platform stack. */
export function environmentStacks(name: string): readonly [string, string] {
  return [name, `${name}-platform`];
}

/** Looks an environment up by name; unknown names fail with the list of known ones. */
export function getEnvironment(name: string): RegistryEnvironment {
  const config = (environments as Record<string, RegistryEnvironment | undefined>)[name];
  if (!config) {
    throw new Error(`unknown environment ${JSON.stringify(name)}; expected one of ${environmentOrder.join(", ")}`);
  }
  return config;
}
