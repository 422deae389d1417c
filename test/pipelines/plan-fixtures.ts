import { readdirSync } from "fs";
import { join } from "path";
import { PLANS } from "./run-action";

/** Every plan fixture (main set and extra/), relative to test/fixtures/plans. */
export const ALL_FIXTURES = [
  ...readdirSync(PLANS).filter((f) => f.endsWith(".json")),
  ...readdirSync(join(PLANS, "extra")).filter((f) => f.endsWith(".json")).map((f) => `extra/${f}`),
];

/** Fixtures that must be refused, with the words the error must contain. */
export const MALFORMED: Record<string, RegExp> = {
  "malformed-concatenated-three-plans-ndjson.json": /holds 3 JSON documents/,
  "malformed-setup-terraform-wrapper-noise.json": /wrapper.*terraform_wrapper: false/s,
  "extra/malformed-syntax-error.json": /not valid JSON.*line 676, column 29/,
  "extra/errored-plan-no-resource-changes-opentofu.json": /errored plan/,
};

export const VALID = ALL_FIXTURES.filter((f) => !(f in MALFORMED));

/** Counts straight from resource_changes[].change.actions, independent of the library. */
export function independentCount(plan: any): { add: number; change: number; destroy: number; replace: number } {
  let add = 0, change = 0, destroy = 0, replace = 0;
  for (const rc of plan.resource_changes ?? []) {
    const a: string[] = rc.change.actions;
    if (a.includes("create")) add++;
    if (a.includes("delete")) destroy++;
    if (a.includes("create") && a.includes("delete")) replace++;
    if (a.length === 1 && a[0] === "update") change++;
  }
  return { add, change, destroy, replace };
}

/**
 * String values found under a `true` in a sensitivity mask, i.e. values that must never be
 * printed, minus those that also occur in a non-sensitive value of the same plan (a secret
 * "cc-testapi" whose name also appears in a bucket name cannot be checked by substring).
 */
export function sensitiveStrings(plan: any): string[] {
  const found: string[] = [];
  const open: string[] = [];
  const collect = (value: any, mask: any, sensitive: boolean) => {
    if (!sensitive && mask !== true && typeof value === "string") open.push(value);
    if (sensitive || mask === true) {
      const leaves = (v: any): void => {
        if (typeof v === "string") found.push(v);
        else if (v && typeof v === "object") Object.values(v).forEach(leaves);
      };
      leaves(value);
      return;
    }
    if (value && typeof value === "object" && mask && typeof mask === "object") {
      for (const k of Object.keys(value)) collect(value[k], mask[k], false);
    }
  };
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    collect(rc.change.before, rc.change.before_sensitive, false);
    collect(rc.change.after, rc.change.after_sensitive, false);
  }
  for (const [name, oc] of Object.entries<any>(plan.output_changes ?? {})) {
    const sensitive = oc.before_sensitive === true || oc.after_sensitive === true || plan.planned_values?.outputs?.[name]?.sensitive === true;
    collect(oc.before, undefined, sensitive);
    collect(oc.after, undefined, sensitive);
  }
  return found.filter((secret) => !open.some((o) => o.includes(secret)));
}

/** A synthetic plan with `n` resource changes of every kind (for size and speed tests). */
export function generatedPlan(n: number): any {
  const kinds = [["create"], ["update"], ["delete"], ["delete", "create"], ["create", "delete"], ["no-op"]];
  const resource_changes = Array.from({ length: n }, (_, i) => {
    const actions = kinds[i % kinds.length]!;
    const obj = (v: string) => ({
      bucket: `bucket-${i}-${v}`,
      tags: { Name: `resource-${i}`, Version: v, Team: "platform" },
      versioning: [{ enabled: true, mfa_delete: false }],
      password: `hunter2-${i}`,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::b-${i}/*` }] }),
    });
    return {
      address: `module.env.module.storage.aws_s3_bucket.this["bucket-${i}"]`,
      mode: "managed", type: "aws_s3_bucket", name: "this",
      change: {
        actions,
        before: actions[0] === "create" && actions.length === 1 ? null : obj("old"),
        after: actions[0] === "delete" && actions.length === 1 ? null : obj("new"),
        after_unknown: actions.includes("create") ? { arn: true, id: true } : {},
        before_sensitive: { password: true },
        after_sensitive: { password: true },
        ...(actions.length === 2 ? { replace_paths: [["bucket"]] } : {}),
      },
    };
  });
  return { format_version: "1.2", terraform_version: "1.13.5", resource_changes, resource_drift: [], output_changes: {} };
}
