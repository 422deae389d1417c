export * from "./config";
export { EnvironmentStack } from "./stack";
export { PlatformStack } from "./platform-stack";
export { addEnvironment } from "./app";
export { BootstrapStack, bootstrap } from "./bootstrap";
export type { BootstrapConfig } from "./bootstrap";
export { environments, environmentOrder, environmentStacks, getEnvironment, validateRegistry } from "./registry";
export type { EnvironmentName } from "./registry";
