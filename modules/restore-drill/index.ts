import { Construct } from "constructs";
import { awsContext } from "../core/aws-context";
import { Naming } from "../core/naming";
import { check } from "../core/validation";
import { GithubActionsRole, GithubOidcProvider, GithubRepository, githubSubject } from "../github-oidc";

/** Seed 001's recovery objectives: the platform is back within 4 hours, losing at most 24 hours of data. */
export const RECOVERY_OBJECTIVES = { rtoHours: 4, rpoHours: 24 } as const;

/** The drill's workflow file and the GitHub environment its job runs in (reviewers optional). */
export const RESTORE_DRILL_WORKFLOW = ".github/workflows/restore-drill.yml";
export const RESTORE_DRILL_ENVIRONMENT = "restore-drill";

/**
 * Names the drill works with, derived like the stacks' (modules/core/naming): the workflow's
 * `env` holds the same values (a test compares them), so it names no environment by hand.
 */
export function restoreDrillNames(project: string, source: string, target: string) {
  const src = new Naming(project, source);
  const dst = new Naming(project, target);
  return {
    role: `${project}-bootstrap-github-restore-drill`,
    /** The source MySQL instance whose latest snapshot is restored. */
    sourceInstance: src.name("mysql", "rdsIdentifier"),
    /** Alias of the source store's key (the snapshot is encrypted with it). */
    sourceKeyAlias: `alias/${src.name("mysql")}`,
    /** The restored instance, in the target environment's database subnets. */
    drillInstance: dst.name("restore-drill", "rdsIdentifier"),
    /** The target's MySQL subnet group and security group (only its cluster's nodes reach it). */
    targetSubnetGroup: dst.name("mysql", "rdsIdentifier"),
    targetSecurityGroup: dst.name("mysql", "securityGroup"),
  } as const;
}

export interface RestoreDrillRoleProps {
  readonly provider: GithubOidcProvider;
  readonly project: string;
  /** This infrastructure repository (its restore-drill workflow on `mainBranch`). */
  readonly repository: GithubRepository;
  readonly mainBranch: string;
  /** Environment whose backups are restored (a `production`-tier one). */
  readonly source: string;
  /** Disposable environment the copy is restored into. */
  readonly target: string;
}

/**
 * The role of the restore drill (`.github/workflows/restore-drill.yml`): it may read snapshot
 * metadata, restore a snapshot into exactly one instance name in the target environment, tag
 * and delete that instance, and use the source store's key through RDS only (the snapshot is
 * encrypted with it). It cannot read or change the source database, nor any other instance.
 */
export class RestoreDrillRole extends Construct {
  public readonly role: GithubActionsRole;

  constructor(scope: Construct, id: string, props: RestoreDrillRoleProps) {
    super(scope, id);
    check(props.source !== props.target, `RestoreDrillRole ${id}`, "target", props.target, `must differ from source (${props.source}): the drill never restores over the source`);
    const names = restoreDrillNames(props.project, props.source, props.target);
    const { accountId, partition, region } = awsContext(this);
    const rds = (type: string, name: string) => `arn:${partition}:rds:${region}:${accountId}:${type}:${name}`;
    this.role = new GithubActionsRole(this, "role", {
      provider: props.provider,
      roleName: names.role,
      description: `Restore drill: latest ${props.source} MySQL snapshot into ${props.target}, then deleted`,
      subjects: [githubSubject({ repository: props.repository, on: { branch: props.mainBranch }, environment: RESTORE_DRILL_ENVIRONMENT, workflow: { path: RESTORE_DRILL_WORKFLOW } })],
      maxSessionDurationSeconds: 6 * 3600,
      statements: [
        {
          Sid: "FindSnapshotsAndNetwork", Effect: "Allow",
          Action: ["rds:DescribeDBSnapshots", "rds:DescribeDBInstances", "rds:DescribeDBSubnetGroups", "ec2:DescribeSecurityGroups"],
          Resource: "*",
        },
        {
          // Restore needs the snapshot, the subnet group, and the default option and parameter groups it applies.
          Sid: "RestoreIntoDrillInstance", Effect: "Allow", Action: ["rds:RestoreDBInstanceFromDBSnapshot", "rds:AddTagsToResource"],
          Resource: [rds("db", names.drillInstance), rds("snapshot", "*"), rds("subgrp", names.targetSubnetGroup), rds("og", "*"), rds("pg", "*")],
        },
        { Sid: "DeleteDrillInstance", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: rds("db", names.drillInstance) },
        {
          Sid: "SourceKeyThroughRds", Effect: "Allow", Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
          Resource: `arn:${partition}:kms:${region}:${accountId}:key/*`,
          Condition: {
            "ForAnyValue:StringEquals": { "kms:ResourceAliases": names.sourceKeyAlias },
            StringEquals: { "kms:ViaService": `rds.${region}.amazonaws.com` },
          },
        },
        { Sid: "DenySecretValues", Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" },
      ],
    });
  }
}
