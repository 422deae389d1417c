import { Construct } from "constructs";
import { LocalBackend, S3Backend, S3BackendConfig, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "../modules/core/naming";
import { PlatformPrereqs } from "../modules/platform-prereqs";
import { S3Buckets } from "../modules/s3-buckets";
import { Vpc } from "../modules/vpc";
import { EnvironmentConfig, StateConfig } from "./config";
import { validateEnvironment } from "./validate";

export interface EnvironmentStackOptions {
  /**
   * Override the configured state backend, e.g. `{ backend: "local" }` for a first deploy
   * into a personal account that has no state bucket yet.
   * @default the environment's `state`
   */
  readonly state?: StateConfig;
}

/**
 * The AWS stack of one environment (network, storage, and later cluster, data and edge),
 * built only from its config. Stack name = environment name.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly config: EnvironmentConfig;
  public readonly naming: Naming;
  public readonly network: Vpc;
  public readonly storage: S3Buckets;
  /** Loki/Velero buckets and Pod Identity roles (EKS environments only). */
  public readonly platformPrereqs?: PlatformPrereqs;

  constructor(scope: Construct, config: EnvironmentConfig, options: EnvironmentStackOptions = {}) {
    validateEnvironment(config);
    super(scope, config.name);
    this.config = config;
    this.naming = new Naming(config.project, config.name);
    configureState(this, options.state ?? config.state);

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: defaultTags(config) }],
    });

    this.network = new Vpc(this, "network", {
      naming: this.naming,
      ...config.network,
      flowLogRetentionDays: config.logRetentionDays,
      clusterNames: [config.clusterName],
    });

    this.storage = new S3Buckets(this, "storage", {
      naming: this.naming,
      buckets: config.buckets,
      forceDestroy: config.forceDestroy,
    });

    // --- platform prerequisites: AWS side of the <env>-platform stack (skipped when it targets a kubeconfig cluster) ---
    if (!config.platform.kubeconfig) {
      this.platformPrereqs = new PlatformPrereqs(this, "platform-prereqs", {
        naming: this.naming,
        clusterName: config.clusterName, // lead: this.cluster.clusterName once the eks module lands (orders the associations after the cluster)
        kmsKey: this.storage.kmsKey,
        accessLogsBucket: this.storage.logsBucket,
        forceDestroy: config.forceDestroy,
      });
    }
    // --- end platform prerequisites ---
  }
}

/** Tags every AWS resource of the environment gets through the provider, never per resource. */
export function defaultTags(config: EnvironmentConfig): Record<string, string> {
  return {
    Project: config.project,
    Environment: config.name,
    ManagedBy: "cdktf",
    Owner: config.owner,
    CostCenter: config.costCenter,
  };
}

/** S3 state with native lockfile locking (Terraform >= 1.10), or local state when asked. */
export function configureState(stack: TerraformStack, state: StateConfig): void {
  const name = stack.node.id;
  if (state.backend === "local") {
    new LocalBackend(stack, { path: `terraform.${name}.tfstate` });
    return;
  }
  // cdktf 0.21's S3BackendConfig predates `use_lockfile`; unknown keys pass through snake_cased.
  const config: S3BackendConfig & { readonly useLockfile: boolean } = {
    bucket: state.bucket,
    key: `${state.keyPrefix}/${name}.tfstate`,
    region: state.region,
    encrypt: true,
    useLockfile: true,
  };
  new S3Backend(stack, config);
}
