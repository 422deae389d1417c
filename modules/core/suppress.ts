import { TerraformElement } from "cdktf";

/**
 * An accepted scanner finding: the check id (Checkov `CKV_*`/`CKV2_*`, Trivy `AWS-0089`
 * or its older `AVD-AWS-0089` form) and why it is right to accept.
 */
export interface Suppression {
  readonly id: string;
  readonly reason: string;
}

const KEY = "scan-suppressions";
/** Where the suppressions land in the synthesized resource: `"//": { "suppressions": [...] }`. */
export const SUPPRESSIONS_FIELD = "suppressions";
const ID_RE = /^(CKV2?_[A-Z0-9]+_\d+|AVD-[A-Z0-9]+-\d{4}|[A-Z0-9]+-\d{4})$/;

/**
 * Accepts a scanner finding on ONE resource, with a written reason.
 *
 * Written into the resource's `"//"` comment object in `cdk.tf.json` (Terraform ignores that
 * key), so the suppression travels with the resource it applies to, never in a global skip
 * list. Neither scanner has an inline skip that works in Terraform JSON: Checkov's
 * `terraform_json` framework passes no skip list to its checks, and Trivy's `trivy:ignore`
 * comments are matched by line, which JSON cannot place before a block. `npm run scan`
 * (scripts/scan.js) therefore reads these entries from the synthesized JSON and counts a
 * failed check as suppressed only when the failing resource itself carries its id.
 */
export function suppress(resource: TerraformElement, ...suppressions: Suppression[]): void {
  for (const s of suppressions) {
    if (!ID_RE.test(s.id)) {
      throw new Error(`suppress: "${s.id}" is not a Checkov (CKV_…) or Trivy (AWS-0000 / AVD-…) check id`);
    }
    if (s.reason.trim().length < 10) throw new Error(`suppress ${s.id}: a reason of at least 10 characters is required`);
    if (suppressionsOf(resource).some((x) => x.id === s.id)) throw new Error(`suppress ${s.id}: already suppressed on ${resource.node.path}`);
    resource.node.addMetadata(KEY, { id: s.id, reason: s.reason });
  }
  // Rewritten whole on every call, so repeated calls accumulate instead of replacing.
  resource.addOverride(`//.${SUPPRESSIONS_FIELD}`, suppressionsOf(resource));
}

/** Suppressions recorded on a resource. */
export function suppressionsOf(resource: TerraformElement): Suppression[] {
  return resource.node.metadata.filter((m) => m.type === KEY).map((m) => m.data as Suppression);
}
