import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { BackupPlan, BackupPlanRule } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { check, checkInt } from "../core/validation";
import { KmsKey } from "../kms-key";

/** Retention and copies of the AWS Backup plan (environment config). */
export interface AwsBackupSettings {
  /**
   * Days each daily recovery point is kept (seed 004: 30-35).
   * @default 35
   */
  readonly dailyRetentionDays?: number;
  /**
   * Days each monthly recovery point is kept (seed 004: one year).
   * @default 365
   */
  readonly monthlyRetentionDays?: number;
  /**
   * Copy every recovery point to a vault in this region, encrypted with a key of its own there,
   * so a regional outage or a lost key in the home region leaves a restorable copy.
   * @default undefined: no copy
   */
  readonly copyToRegion?: string;
  /**
   * Vault Lock in compliance mode after a 3-day grace period: nobody, root included, can
   * delete a recovery point before its retention ends or shorten the retention (ransomware and
   * fat-finger protection). Irreversible once the grace period is over.
   * @default false
   */
  readonly vaultLock?: boolean;
}

export interface AwsBackupProps extends AwsBackupSettings {
  readonly naming: Naming;
  /** The stack's region (where the vault is); `copyToRegion` must differ. */
  readonly region: string;
  /** ARNs of what the plan backs up (RDS instances, DocumentDB clusters, EFS file systems). */
  readonly resourceArns: readonly string[];
  /** Provider in `copyToRegion` (required with it). @default none */
  readonly copyProvider?: TerraformProvider;
}

const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Days of the lock's grace period, during which the lock can still be removed (AWS: at least 3). */
export const VAULT_LOCK_GRACE_DAYS = 3;

/**
 * AWS Backup for the stores whose own snapshots stop short of seed 004's policy: RDS and
 * DocumentDB keep automated snapshots 35 days at most and EFS has none of its own. One vault
 * with its own customer-managed key, a plan with a daily rule (kept 30-35 days) and a monthly
 * rule (kept a year), each optionally copied to a vault in a second region under a key of its
 * own there, and Vault Lock in the production tier. The stores' automated backups stay on
 * (point-in-time restore within their window); this plan adds the long tail and the copy.
 * Restores are `aws backup start-restore-job` into a new resource, or a snapshot identifier in
 * the store's config (docs/disaster-recovery.md).
 */
export class AwsBackup extends Construct {
  public readonly vault: BackupVault;
  public readonly plan: BackupPlan;
  public readonly key: KmsKey;
  /** The copy vault in `copyToRegion`, when set. */
  public readonly copyVault?: BackupVault;

  constructor(scope: Construct, id: string, props: AwsBackupProps) {
    super(scope, id);
    const where = `AwsBackup ${id}`;
    const daily = props.dailyRetentionDays ?? 35;
    const monthly = props.monthlyRetentionDays ?? 365;
    checkInt(where, "dailyRetentionDays", daily, 1, 35);
    checkInt(where, "monthlyRetentionDays", monthly, 30, 3650);
    check(monthly > daily, where, "monthlyRetentionDays", monthly, `must be longer than dailyRetentionDays (${daily})`);
    check(props.resourceArns.length > 0, where, "resourceArns", props.resourceArns, "must list at least one resource to back up");
    const { region } = props;
    if (props.copyToRegion !== undefined) {
      check(REGION_RE.test(props.copyToRegion) && props.copyToRegion !== region, where, "copyToRegion", props.copyToRegion,
        `must be an AWS region other than the stack's (${region}), such as us-west-2`);
      check(props.copyProvider !== undefined, where, "copyProvider", undefined, "must be an AWS provider in copyToRegion when copyToRegion is set");
    }
    const { naming } = props;

    this.key = new KmsKey(this, "key", { naming, component: "backup", description: "AWS Backup vault: recovery points of the data stores" });
    this.vault = new BackupVault(this, "vault", { name: naming.name("backup"), kmsKeyArn: this.key.keyArn });
    if (props.vaultLock) {
      new BackupVaultLockConfiguration(this, "lock", {
        backupVaultName: this.vault.name,
        minRetentionDays: daily,
        maxRetentionDays: monthly,
        changeableForDays: VAULT_LOCK_GRACE_DAYS,
      });
    }

    let copy: { destinationVaultArn: string } | undefined;
    if (props.copyToRegion !== undefined && props.copyProvider) {
      const copyKey = new KmsKey(this, "copy-key", {
        naming, component: "backup-copy", description: `AWS Backup copies of ${naming.prefix} (from ${region})`,
        provider: props.copyProvider, region: props.copyToRegion,
      });
      this.copyVault = new BackupVault(this, "copy-vault", { provider: props.copyProvider, name: naming.name("backup-copy"), kmsKeyArn: copyKey.keyArn });
      if (props.vaultLock) {
        new BackupVaultLockConfiguration(this, "copy-lock", {
          provider: props.copyProvider, backupVaultName: this.copyVault.name,
          minRetentionDays: daily, maxRetentionDays: monthly, changeableForDays: VAULT_LOCK_GRACE_DAYS,
        });
      }
      copy = { destinationVaultArn: this.copyVault.arn };
    }

    const rule = (ruleName: string, schedule: string, days: number): BackupPlanRule => ({
      ruleName,
      targetVaultName: this.vault.name,
      schedule,
      scheduleExpressionTimezone: "Etc/UTC",
      startWindow: 60,
      completionWindow: 480,
      lifecycle: { deleteAfter: days },
      copyAction: copy ? [{ destinationVaultArn: copy.destinationVaultArn, lifecycle: { deleteAfter: days } }] : undefined,
    });
    this.plan = new BackupPlan(this, "plan", {
      name: naming.name("backup-plan"),
      // 03:00 UTC: after the stores' own backup windows, outside the platform's busiest hours.
      rule: [rule("daily", "cron(0 3 * * ? *)", daily), rule("monthly", "cron(0 4 1 * ? *)", monthly)],
    });

    const role = new IamRole(this, "role", {
      name: naming.name("backup", "iamRole"),
      description: "AWS Backup: back up and restore the environment's data stores",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    const { partition } = awsContext(this);
    for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
      new IamRolePolicyAttachment(this, `role-${policy}`, { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/service-role/${policy}` });
    }
    new BackupSelection(this, "selection", {
      name: naming.name("backup-stores"),
      planId: this.plan.id,
      iamRoleArn: role.arn,
      resources: [...props.resourceArns],
    });
  }
}
