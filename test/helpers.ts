import * as fs from "fs";
import * as path from "path";
import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
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
