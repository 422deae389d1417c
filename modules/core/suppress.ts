import { TerraformElement } from "cdktf";

/** An accepted scanner finding: the check id (Checkov `CKV_*` or Trivy `AVD-*`) and why it is right to accept. */
export interface Suppression {
  readonly id: string;
  readonly reason: string;
}

const KEY = "scan-suppressions";

/**
 * Accepts a scanner finding on one resource, with a written reason. Recorded on the
 * construct and emitted into the synthesized resource, so the suppression lives next to the
 * resource it applies to, never in a global skip list.
 */
export function suppress(resource: TerraformElement, ...suppressions: Suppression[]): void {
  for (const s of suppressions) {
    if (!/^(CKV2?_[A-Z0-9]+_\d+|AVD-[A-Z0-9]+-\d{4}|AWS-\d{4})$/.test(s.id)) {
      throw new Error(`suppress: "${s.id}" is not a Checkov (CKV_…) or Trivy (AVD-…) check id`);
    }
    if (s.reason.trim().length < 10) throw new Error(`suppress ${s.id}: a reason of at least 10 characters is required`);
    resource.node.addMetadata(KEY, s);
  }
}

/** Suppressions recorded on a resource. */
export function suppressionsOf(resource: TerraformElement): Suppression[] {
  return resource.node.metadata.filter((m) => m.type === KEY).map((m) => m.data as Suppression);
}
