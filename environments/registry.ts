import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName } from "./config";
import { production } from "./production";
import { sandbox } from "./sandbox";
import { staging } from "./staging";

/**
 * The registry: every environment, in apply order (least to most critical). The one list the
 * rest derives from: main.ts's stacks, the bootstrap stack's CI roles (one set per entry, in
 * this order), and the main workflow's job chain (`<env>` then `<env>-platform`, entry after
 * entry), which a test holds to this order (test/environments/registry.test.ts).
 */
export const environments: Readonly<Record<EnvironmentName, EnvironmentConfig>> = { sandbox, staging, production };

/** The registry's names, in apply order. */
export const environmentOrder: readonly EnvironmentName[] = Object.keys(environments) as EnvironmentName[];

/** The stacks of one environment, in apply order: its AWS stack, then its platform stack. */
export function environmentStacks(name: EnvironmentName): readonly [string, string] {
  return [name, `${name}-platform`];
}

/** Looks an environment up by name; unknown names fail with the list of known ones. */
export function getEnvironment(name: string): EnvironmentConfig {
  const config = (environments as Record<string, EnvironmentConfig | undefined>)[name];
  if (!config) {
    throw new Error(`unknown environment ${JSON.stringify(name)}; expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
  }
  return config;
}
