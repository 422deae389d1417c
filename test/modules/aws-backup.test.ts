import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AwsBackup, AwsBackupProps, VAULT_LOCK_GRACE_DAYS } from "../../modules/aws-backup";
import { policy, resource, resources, synth, testStack } from "../helpers";

const ARNS = ["arn:aws:rds:us-east-1:1:db:openedx-test-mysql", "arn:aws:rds:us-east-1:1:cluster:openedx-test-documentdb", "arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1"];

function build(overrides: Partial<AwsBackupProps> = {}, copy = false) {
  const { stack, naming } = testStack();
  const copyProvider = copy ? new AwsProvider(stack, "west", { alias: "west", region: "us-west-2" }) : undefined;
  new AwsBackup(stack, "backup", { naming, region: "us-east-1", resourceArns: ARNS, copyProvider, ...(copy ? { copyToRegion: "us-west-2" } : {}), ...overrides });
  return synth(stack);
}

describe("AwsBackup", () => {
  it("keeps seed 004's daily recovery points 35 days and monthly ones a year, in a CMK-encrypted vault", () => {
    const json = build();
    const plan = resource(json, "aws_backup_plan");
    expect(plan.rule.map((r: any) => [r.rule_name, r.schedule, r.lifecycle.delete_after])).toEqual([
      ["daily", "cron(0 3 * * ? *)", 35], ["monthly", "cron(0 4 1 * ? *)", 365],
    ]);
    expect(plan.rule.every((r: any) => r.copy_action === undefined)).toBe(true);
    const vault = resource(json, "aws_backup_vault");
    expect(vault.name).toBe("openedx-test-backup");
    expect(vault.kms_key_arn).toMatch(/aws_kms_key\.backup_key_/);
    expect(resources(json, "aws_backup_vault_lock_configuration")).toHaveLength(0);
  });

  it("selects the stores by ARN with a role only AWS Backup can assume", () => {
    const json = build();
    expect(resource(json, "aws_backup_selection").resources).toEqual(ARNS);
    const role = resource(json, "aws_iam_role");
    expect(policy(role.assume_role_policy).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn.split("/").pop()).sort())
      .toEqual(["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]);
  });

  it("copies every recovery point to a vault in the second region under that region's own key, and locks both vaults", () => {
    const json = build({ vaultLock: true }, true);
    const home = resource(json, "aws_backup_vault", "backup/vault");
    const copy = resource(json, "aws_backup_vault", "copy-vault");
    expect([home.name, home.provider, copy.name, copy.provider]).toEqual(["openedx-test-backup", undefined, "openedx-test-backup-copy", "aws.west"]);
    expect(resource(json, "aws_kms_key", "copy-key").provider).toBe("aws.west");
    expect(copy.kms_key_arn).toMatch(/aws_kms_key\.backup_copy-key_/);
    expect(home.kms_key_arn).not.toBe(copy.kms_key_arn);
    for (const r of resource(json, "aws_backup_plan").rule) {
      expect(r.copy_action).toEqual([{ destination_vault_arn: expect.stringMatching(/aws_backup_vault\.backup_copy-vault/), lifecycle: { delete_after: r.lifecycle.delete_after } }]);
    }
    const locks = resources(json, "aws_backup_vault_lock_configuration");
    expect(locks.map((l) => [l.min_retention_days, l.max_retention_days, l.changeable_for_days])).toEqual([[35, 365, VAULT_LOCK_GRACE_DAYS], [35, 365, VAULT_LOCK_GRACE_DAYS]]);
  });

  it.each<[string, Partial<AwsBackupProps>, string]>([
    ["daily over 35", { dailyRetentionDays: 36 }, "dailyRetentionDays = 36 is invalid; must be an integer from 1 to 35"],
    ["monthly under 30", { monthlyRetentionDays: 14 }, "monthlyRetentionDays = 14 is invalid; must be an integer from 30 to 3650"],
    ["monthly not longer than daily", { dailyRetentionDays: 35, monthlyRetentionDays: 35 }, "monthlyRetentionDays = 35 is invalid; must be longer than dailyRetentionDays (35)"],
    ["nothing to back up", { resourceArns: [] }, "resourceArns = [] is invalid; must list at least one resource to back up"],
    ["a copy in the same region", { copyToRegion: "us-east-1" }, 'copyToRegion = "us-east-1" is invalid; must be an AWS region other than the stack\'s (us-east-1)'],
    ["a copy without its provider", { copyToRegion: "us-west-2" }, "copyProvider (missing) is invalid; must be an AWS provider in copyToRegion"],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => build(overrides)).toThrow(`AwsBackup backup: ${message}`);
  });
});
