import * as fs from "fs";
import * as path from "path";
import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "../modules/core/naming";
import type { NetworkRef } from "../modules/core/types";
import type { KubeconfigTargetConfig } from "../environments/config";
import type { DataStoreEndpoints, EksPlatformTarget } from "../environments/platform-stack";

/** A synthesized stack: the Terraform JSON document. */
export interface TfJson {
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
}

/** A resource's properties plus `_id`, its construct path (`network/public-us-east-1a/<hash>`). */
export type Res = Record<string, any> & { _id: string };

export function synth(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** Every resource of a Terraform type, e.g. `resources(json, "aws_subnet")`. */
export function resources(json: TfJson, type: string): Res[] {
  // The logical id (construct path joined by "_"), the same whether the JSON came from
  // Testing.synth (no "//" metadata) or from the app (appStacks).
  return Object.entries(json.resource?.[type] ?? {}).map(([key, r]) => ({ ...r, _id: key.replace(/_/g, "/") }));
}

/** The single resource of a type whose construct path contains `pathPart`; throws otherwise. */
export function resource(json: TfJson, type: string, pathPart = ""): Res {
  const found = resources(json, type).filter((r) => r._id.includes(pathPart));
  if (found.length !== 1) throw new Error(`expected one ${type} matching "${pathPart}", found ${found.length}: ${found.map((r) => r._id).join(", ")}`);
  return found[0]!;
}

/** A parsed IAM/KMS/bucket policy attribute. */
export function policy(value: string): { Statement: any[] } {
  return JSON.parse(value);
}

/** A bare stack with an AWS provider, for module tests. */
export function testStack(name = "test"): { app: App; stack: TerraformStack; naming: Naming } {
  const app = Testing.app();
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return { app, stack, naming: new Naming("openedx", name) };
}

/**
 * Every stack of the real app (main.ts), as synthesized once per test run by
 * test/global-setup.js: name -> Terraform JSON (with cdktf's "//" metadata).
 */
export function appStacks(): Record<string, TfJson> {
  const dir = process.env.APP_SYNTH_DIR;
  if (!dir) throw new Error("APP_SYNTH_DIR is not set: run the tests through jest.config.js (globalSetup synthesizes the app)");
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.fromEntries(Object.entries(manifest.stacks).map(([name, s]) =>
    [name, JSON.parse(fs.readFileSync(path.join(dir, s.synthesizedStackPath), "utf8")) as TfJson]));
}

/**
 * What `value` (a module output holding tokens) synthesizes to in `stack`, through a
 * Terraform output: references come back as `${aws_x.y.attr}`, as in the synthesized JSON.
 */
export function resolved(stack: TerraformStack, value: unknown): any {
  const id = `resolved-${stack.node.children.length}`;
  new TerraformOutput(stack, id, { value });
  return JSON.parse(Testing.synth(stack)).output[id].value;
}

/** A network as the vpc module hands it over, over the first `azCount` AZs of us-east-1 (subnet ids `pub-a`, `priv-a`, `db-a`, ...). */
export function testNetwork(azCount = 3): NetworkRef {
  const letters = ["a", "b", "c"].slice(0, azCount);
  return {
    vpcId: "vpc-1",
    vpcCidr: "10.0.0.0/16",
    azs: letters.map((l) => `us-east-1${l}`),
    publicSubnetIds: letters.map((l) => `pub-${l}`),
    privateSubnetIds: letters.map((l) => `priv-${l}`),
    databaseSubnetIds: letters.map((l) => `db-${l}`),
  };
}

/** Data-store endpoints as the AWS stack would pass them to the platform stack. */
export const EKS_DATA_STORES: DataStoreEndpoints = {
  mysql: { host: "db.internal", port: 3306, secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:rds!db-1-AbCdEf" },
  redis: { host: "redis.internal", port: 6379, iamUserId: "openedx-production-redis-app", cacheName: "openedx-production-redis" },
  search: { host: "search.internal", port: 443 },
  documentdb: { host: "docdb.internal", port: 27017, secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:docdb-AbCdEf" },
};

/** An EKS target as literals, for PlatformStack tests built without the AWS stack. */
export const EKS_TARGET: EksPlatformTarget = {
  clusterName: "c", region: "us-east-1", vpcId: "vpc-1", lokiBucketName: "l", veleroBucketName: "v",
  backupKmsKeyArn: "arn:aws:kms:us-east-1:1:key/x", dnsZoneId: "Z0123456789ABCDEFGHIJ", alarmTopicArn: "arn:aws:sns:us-east-1:1:alarms",
  volumeKmsKeyArn: "arn:aws:kms:us-east-1:1:key/v", dataStores: EKS_DATA_STORES,
};

/** Seed 003's k3s cluster as a kubeconfig target. */
export const K3S_TARGET: KubeconfigTargetConfig = {
  path: "~/.kube/k3s.yaml",
  context: "k3s-ha",
  mediaStorageClass: "longhorn-rwx",
  volumeStorageClass: "local-path",
  apiServerCidrs: ["192.168.10.0/24", "10.42.0.0/16"],
  installMetricsServer: false,
  backups: { bucketName: "openedx-backups", region: "eu-central-1", s3Url: "https://minio.backup.internal:9000", credentialsSecret: "velero-s3" },
};
