import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "../modules/core/naming";

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
  // Testing.synth omits the "//" metadata, so the logical id (path joined by "_") stands in.
  return Object.entries(json.resource?.[type] ?? {}).map(([key, r]) => ({ ...r, _id: r["//"]?.metadata?.path ?? key.replace(/_/g, "/") }));
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
