import { Construct } from "constructs";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { NAME_LIMITS, Naming } from "../core/naming";
import { suppress } from "../core/suppress";
import { check, checkInt, checkUniqueList } from "../core/validation";
import { KmsKey } from "../kms-key";
import type { KeyRef } from "../core/refs";

export interface EcrRepositoriesProps {
  readonly naming: Naming;
  /**
   * Repository names under the project namespace: `web` becomes `<project>/web`. Lower-case
   * letters, digits and `._-`, with `/` for deeper namespaces.
   */
  readonly repositories: readonly string[];
  /**
   * Images kept per repository; older ones expire. Releases are tagged with commit SHAs, so
   * this is how many releases can be rolled back to.
   * @default 50
   */
  readonly keepImages?: number;
  /**
   * Days an untagged image (a failed push, a replaced manifest list) is kept.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * Key for image encryption.
   * @default a new customer-managed key for the registry
   */
  readonly kmsKey?: KeyRef;
}

const REPO_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * The container registry the release pipeline pushes to (seed 001: build → ECR → GitOps).
 * Immutable tags (a tag names one image forever, so the GitOps repo's tag is the deployed
 * image), scan on push, CMK encryption, and a lifecycle that keeps the last N images.
 *
 * Repositories are shared by every environment (the image tested in staging is the one that
 * runs in production), so they are named `<project>/<name>`, not per environment.
 */
export class EcrRepositories extends Construct {
  /** Repository URL by the names given in props. */
  public readonly repositoryUrls: Readonly<Record<string, string>>;
  /** Repository ARN by the names given in props. */
  public readonly repositoryArns: Readonly<Record<string, string>>;
  public readonly kmsKey: KeyRef;

  constructor(scope: Construct, id: string, props: EcrRepositoriesProps) {
    super(scope, id);
    const where = `EcrRepositories ${id}`;
    checkUniqueList(where, "repositories", props.repositories);
    const keep = props.keepImages ?? 50;
    const untagged = props.untaggedExpiryDays ?? 7;
    checkInt(where, "keepImages", keep, 1, 10000);
    checkInt(where, "untaggedExpiryDays", untagged, 1, 3650);
    this.kmsKey = props.kmsKey ?? new KmsKey(this, "key", { naming: props.naming, component: "ecr", description: `${props.naming.project} container images` });

    const urls: Record<string, string> = {};
    const arns: Record<string, string> = {};
    for (const repo of props.repositories) {
      const name = `${props.naming.project}/${repo}`;
      check(REPO_RE.test(repo) && name.length <= NAME_LIMITS.ecrRepository, where, "repositories", repo,
        `must be lower-case letters, digits, '.', '_', '-' and '/' separators, at most ${NAME_LIMITS.ecrRepository} characters with the project prefix`);
      const r = new EcrRepository(this, repo.replace(/[^a-z0-9]+/g, "-"), {
        name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: this.kmsKey.keyArn }],
        forceDelete: false,
      });
      // Trivy reads neither nested block in Terraform JSON; Checkov checks both (CKV_AWS_163, CKV_AWS_136).
      suppress(r,
        { id: "AWS-0030", reason: "False positive: Trivy does not read nested blocks in Terraform JSON; image_scanning_configuration.scan_on_push = true here (Checkov CKV_AWS_163 verifies it)" },
        { id: "AWS-0033", reason: "False positive: Trivy does not read nested blocks in Terraform JSON; encryption_configuration uses KMS with a customer-managed key (Checkov CKV_AWS_136 verifies it)" });
      new EcrLifecyclePolicy(this, `${repo.replace(/[^a-z0-9]+/g, "-")}-lifecycle`, {
        repository: r.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Expire untagged images after ${untagged} days`,
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untagged },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Keep the last ${keep} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
              action: { type: "expire" },
            },
          ],
        }),
      });
      urls[repo] = r.repositoryUrl;
      arns[repo] = r.arn;
    }
    this.repositoryUrls = urls;
    this.repositoryArns = arns;
  }
}
