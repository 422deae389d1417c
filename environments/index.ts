import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName } from "./config";
import { production } from "./production";
import { sandbox } from "./sandbox";
import { staging } from "./staging";

export * from "./config";
export { EnvironmentStack } from "./stack";
export { PlatformStack } from "./platform-stack";
export { addEnvironment } from "./app";
export { BootstrapStack, bootstrap } from "./bootstrap";
export type { BootstrapConfig } from "./bootstrap";

/** Every environment, in apply order (least to most critical). */
export const environments: Readonly<Record<EnvironmentName, EnvironmentConfig>> = { sandbox, staging, production };

/** Looks an environment up by name; unknown names fail with the list of known ones. */
export function getEnvironment(name: string): EnvironmentConfig {
  const config = (environments as Record<string, EnvironmentConfig | undefined>)[name];
  if (!config) {
    throw new Error(`unknown environment ${JSON.stringify(name)}; expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
  }
  return config;
}
