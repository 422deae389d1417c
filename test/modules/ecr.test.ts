import { EcrRepositories } from "../../modules/ecr";
import { KmsKey } from "../../modules/kms-key";
import { resource, resources, synth, testStack } from "../helpers";

describe("ecr", () => {
  const { stack, naming } = testStack("bootstrap");
  new EcrRepositories(stack, "ecr", { naming, repositories: ["web", "team/api"], keepImages: 20 });
  const json = synth(stack);

  it("creates immutable, scanned, CMK-encrypted repositories under the project namespace", () => {
    expect(resources(json, "aws_ecr_repository").map((r) => r.name).sort()).toEqual(["openedx/team/api", "openedx/web"]);
    for (const r of resources(json, "aws_ecr_repository")) {
      expect(r.image_tag_mutability).toBe("IMMUTABLE");
      expect(r.image_scanning_configuration).toEqual({ scan_on_push: true });
      expect(r.encryption_configuration[0].encryption_type).toBe("KMS");
      expect(r.encryption_configuration[0].kms_key).toContain("aws_kms_key.ecr_key");
      expect(r.force_delete).toBe(false);
    }
  });

  it("keeps the last N images and expires untagged ones", () => {
    const rules = JSON.parse(resource(json, "aws_ecr_lifecycle_policy", "ecr/web-lifecycle").policy).rules;
    expect(rules[0].selection).toEqual({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 });
    expect(rules[1]).toMatchObject({ rulePriority: 2, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } });
  });

  it("uses a given key", () => {
    const t = testStack("bootstrap");
    const key = new KmsKey(t.stack, "shared", { naming: t.naming, component: "shared", description: "d" });
    new EcrRepositories(t.stack, "ecr", { naming: t.naming, repositories: ["web"], kmsKey: key });
    const j = synth(t.stack);
    expect(resources(j, "aws_kms_key")).toHaveLength(1);
    expect(resource(j, "aws_ecr_repository", "ecr/").encryption_configuration[0].kms_key).toContain("aws_kms_key.shared_key");
  });

  it.each<[string, object, RegExp]>([
    ["an upper-case name", { repositories: ["Web"] }, /EcrRepositories e: repositories = "Web" is invalid; must be lower-case/],
    ["a duplicate", { repositories: ["web", "web"] }, /must not repeat values/],
    ["keepImages 0", { repositories: ["web"], keepImages: 0 }, /keepImages = 0 is invalid; must be an integer from 1 to 10000/],
    ["untaggedExpiryDays 0", { repositories: ["web"], untaggedExpiryDays: 0 }, /untaggedExpiryDays = 0 is invalid/],
  ])("refuses %s", (_what, props, message) => {
    const t = testStack("bootstrap");
    expect(() => new EcrRepositories(t.stack, "e", { naming: t.naming, repositories: [], ...props })).toThrow(message);
  });
});
