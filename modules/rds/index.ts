import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { DbParameterGroup, DbParameterGroupParameter } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbOptionGroup, DbOptionGroupOption } from "@cdktf/provider-aws/lib/db-option-group";
import { DbEventSubscription } from "@cdktf/provider-aws/lib/db-event-subscription";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { DEFAULT_BACKUP_RETENTION_DAYS, DataStoreProps, StoreRestore, checkRestore, dataStoreDefaults, storeLogGroup } from "../core/data-store";
import { KmsKey } from "../kms-key";
import { serviceTrustPolicy } from "../core/policy";
import { StoreEndpoint, storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { checkVersionLifecycle, ExtendedSupport, ProductId } from "../core/lifecycle";

/** Alarm thresholds; seed 001's alerting rules are the defaults. */
export interface RdsAlarmThresholds {
  /** Average CPU over 5 minutes. @default 80 */
  readonly cpuPercent?: number;
  /** Free storage below this (GiB); autoscaling should act first. @default 10 */
  readonly freeStorageGiB?: number;
  /** Freeable memory below this (MiB). @default 1024 */
  readonly freeableMemoryMiB?: number;
  /** Read-replica lag above this (seconds). @default 60 */
  readonly replicaLagSeconds?: number;
}

/** Sizing and tuning shared by every RDS engine: the part of the props an environment's config provides. */
export interface RdsSizing {
  /** DB instance class, e.g. `db.r7g.4xlarge`. */
  readonly instanceClass: string;
  /**
   * Accept paid RDS Extended Support for an `engineVersion` past its end of standard support,
   * with the reason (e.g. while the blue/green upgrade to the next major is prepared).
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /** Initial gp3 storage (GiB, 20-65536). */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling (GiB); at least 10 % above the allocated storage. */
  readonly maxAllocatedStorageGiB: number;
  /**
   * Days of automated backups / point-in-time recovery (1-35).
   * @default 35
   */
  readonly backupRetentionDays?: number;
  /**
   * Read replicas of the primary (seed 004's read-replica pattern), 0-15.
   * @default 0
   */
  readonly readReplicas?: number;
  /**
   * Performance Insights retention: 7 (free), a multiple of 31 up to 713, or 731.
   * @default 7
   */
  readonly performanceInsightsRetentionDays?: number;
  /**
   * Enhanced-monitoring granularity in seconds (1, 5, 10, 15, 30 or 60).
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;
  /** @default seed 001's thresholds */
  readonly alarmThresholds?: RdsAlarmThresholds;
  /**
   * Create the primary from a snapshot or a point in time of another instance (docs/disaster-recovery.md).
   * @default undefined: an empty database
   */
  readonly restore?: StoreRestore;
}

/**
 * What differs between RDS engines; everything else (network, keys, backups, monitoring,
 * replicas, events, alarms) is the same machinery in RdsDatabase.
 */
export interface RdsEngine {
  /** The RDS `engine` argument. */
  readonly engine: "mysql" | "postgres";
  /** Engine name in messages ("MySQL"); descriptions say `RDS <name>`. */
  readonly name: string;
  /** Component of every physical name (`<project>-<env>-<component>`). */
  readonly component: string;
  readonly port: number;
  /** Major versions the module accepts (each listed in the lifecycle table). */
  readonly versions: readonly string[];
  readonly lifecycleProduct: ProductId;
  /** Instance families RDS offers for the engine with encryption, gp3 and Performance Insights. */
  readonly families: readonly string[];
  /** Parameter-group family of a major version (`mysql8.4`, `postgres17`). */
  family(version: string): string;
  readonly parameterDescription: string;
  /** Engine parameters: TLS forced, slow-query and audit logging. */
  parameters(version: string): DbParameterGroupParameter[];
  /** Option group (MySQL's audit plugin); engines without options use the default group. */
  readonly options?: { readonly suffix: string; readonly description: string; readonly option: DbOptionGroupOption[] };
  /** CloudWatch Logs exports, each into a CMK log group created beforehand. */
  readonly logExports: readonly string[];
}

export interface RdsDatabaseProps extends DataStoreProps, RdsSizing {
  /** Major version; one of the engine's `versions`. */
  readonly engineVersion: string;
}

/**
 * Instance families RDS offers for MySQL 8.0/8.4 and PostgreSQL 14-18 with encryption, gp3 and
 * Performance Insights (`aws rds describe-orderable-db-instance-options`, 2026-11).
 */
export const RDS_FAMILIES: readonly string[] = ["t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7g", "m7i", "m8g", "r5", "r5b", "r5d", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "x2g"];

const NO_PERFORMANCE_INSIGHTS = /^db\.t[34]g?\.(micro|small)$/;

/**
 * The RDS machinery every engine module shares (rds-mysql, rds-postgres): one instance in the
 * database subnets with the guarantees the data layer promises, whatever the engine.
 *
 * - Major version pinned, minor upgrades automatic (Terraform never "downgrades" a minor AWS
 *   applied); the lifecycle table refuses a version past end of standard support in a
 *   protected environment unless `extendedSupport` accepts it.
 * - Multi-AZ from config; gp3 with storage autoscaling; storage, Performance Insights and the
 *   master secret under one CMK; master password managed by RDS in Secrets Manager
 *   (`manage_master_user_password`, rotated by RDS), so no credential is in code or state.
 * - TLS enforced by the engine's parameters, IAM database authentication on, never publicly
 *   accessible, reachable on the engine's port from the allowed security groups only.
 * - Logs exported to CMK-encrypted log groups created beforehand; enhanced monitoring; PI.
 * - Read replicas (encrypted, same parameters); failover, failure, low-storage and recovery
 *   events to the alarm topic; CPU, storage, memory and replica-lag alarms.
 */
export class RdsDatabase extends Construct {
  public readonly identifier: string;
  public readonly endpoint: string;
  public readonly address: string;
  public readonly port: number;
  /** Secrets Manager ARN of the RDS-managed master credential (JSON `username`/`password`). */
  public readonly masterUserSecretArn: string;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  /** Customer-managed key of the store (storage, snapshots and its credential secret): readers of the secret need kms:Decrypt on it through Secrets Manager. */
  public readonly kmsKeyArn: string;
  public readonly replicaAddresses: string[] = [];
  /** The primary instance (for scanner suppressions and dependencies). */
  public readonly instance: DbInstance;

  constructor(scope: Construct, id: string, props: RdsDatabaseProps, engine: RdsEngine, where: string) {
    super(scope, id);
    const c = engine.component;
    const label = `RDS ${engine.name}`;
    const d = dataStoreDefaults(this, where, c, props, KmsKey);
    const version = props.engineVersion;
    const backups = props.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS;
    const replicas = props.readReplicas ?? 0;
    const piRetention = props.performanceInsightsRetentionDays ?? 7;
    const monitoring = props.monitoringIntervalSeconds ?? 60;
    validate(where, props, engine, backups, replicas, piRetention, monitoring);
    const restore = props.restore;
    if (restore) checkRestore(where, "restore", restore, ["snapshot", "point-in-time"]);
    checkVersionLifecycle(this, {
      where, prop: "engineVersion", product: engine.lifecycleProduct, version,
      protectedEnvironment: d.requireStandardSupport, extendedSupport: props.extendedSupport,
    });

    const { naming } = props;
    const { accountId, partition, region } = awsContext(this);
    this.port = engine.port;
    this.identifier = naming.name(c, "rdsIdentifier");
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: c, vpcId: props.network.vpcId, port: engine.port,
      allowFrom: props.allowFrom, description: label,
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: engine.port, description: label };
    this.kmsKeyArn = d.key.keyArn;
    const subnets = new DbSubnetGroup(this, "subnets", {
      name: naming.name(c, "rdsIdentifier"),
      description: "Database tier (no internet route)",
      subnetIds: [...props.network.databaseSubnetIds],
    });
    const family = engine.family(version);
    const params = new DbParameterGroup(this, "params", {
      name: naming.name(family.replace(".", ""), "rdsIdentifier"),
      family,
      description: engine.parameterDescription,
      parameter: engine.parameters(version),
    });
    const options = engine.options && new DbOptionGroup(this, "options", {
      name: naming.name(`${family.replace(".", "")}-${engine.options.suffix}`, "rdsIdentifier"),
      optionGroupDescription: engine.options.description,
      engineName: engine.engine,
      majorEngineVersion: version,
      option: engine.options.option,
    });
    const monitoringRole = new IamRole(this, "monitoring-role", {
      name: naming.name(`${c}-monitoring`, "iamRole"),
      assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com", { StringEquals: { "aws:SourceAccount": accountId } }),
    });
    new IamRolePolicyAttachment(this, "monitoring-policy", {
      role: monitoringRole.name,
      policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });

    // Settings every instance (primary and replicas) shares.
    const common = {
      instanceClass: props.instanceClass,
      storageType: "gp3",
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: d.key.keyArn,
      vpcSecurityGroupIds: [sg.id],
      parameterGroupName: params.name,
      optionGroupName: options?.name,
      publiclyAccessible: false,
      iamDatabaseAuthenticationEnabled: true,
      autoMinorVersionUpgrade: true,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      copyTagsToSnapshot: true,
      backupRetentionPeriod: backups,
      deletionProtection: d.deletionProtection,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: d.key.keyArn,
      performanceInsightsRetentionPeriod: piRetention,
      monitoringInterval: monitoring,
      monitoringRoleArn: monitoringRole.arn,
      enabledCloudwatchLogsExports: [...engine.logExports],
      maintenanceWindow: "sun:05:00-sun:06:00",
    };
    const logGroups = (instanceId: string, key: string) =>
      engine.logExports.map((log) => storeLogGroup(this, `${key}-log-${log}`, `/aws/rds/instance/${instanceId}/${log}`, d));

    const primary = new DbInstance(this, "primary", {
      ...common,
      identifier: this.identifier,
      engine: engine.engine,
      engineVersion: version,
      allocatedStorage: props.allocatedStorageGiB,
      dbSubnetGroupName: subnets.name,
      multiAz: d.multiAz,
      // A restored instance keeps the snapshot's master user name (RDS refuses a new one).
      username: restore ? undefined : "dbadmin",
      snapshotIdentifier: restore?.kind === "snapshot" ? restore.snapshotIdentifier : undefined,
      restoreToPointInTime: restore?.kind === "point-in-time" ? {
        sourceDbInstanceIdentifier: restore.sourceIdentifier,
        ...(restore.restoreTime ? { restoreTime: restore.restoreTime } : { useLatestRestorableTime: true }),
      } : undefined,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: d.key.keyArn,
      backupWindow: "03:00-04:00",
      deleteAutomatedBackups: !d.deletionProtection,
      skipFinalSnapshot: !d.deletionProtection,
      finalSnapshotIdentifier: d.deletionProtection ? `${this.identifier}-final` : undefined,
      dependsOn: logGroups(this.identifier, "primary"),
    });
    this.instance = primary;
    if (!d.multiAz) suppress(primary, { id: "CKV_AWS_157", reason: "multiAz = false set by the caller: one instance in one AZ (the production protection tier requires Multi-AZ)" });
    if (!d.deletionProtection) {
      const reason = "deletionProtection = false set by the caller, so destroy may delete the instance (the production and standard protection tiers require it on)";
      suppress(primary, { id: "CKV_AWS_293", reason }, { id: "AWS-0177", reason });
    }
    if (backups < 7) suppress(primary, { id: "AWS-0077", reason: `backupRetentionDays = ${backups} set by the caller, below the 7 days the check asks (the production protection tier requires 30+)` });
    this.endpoint = primary.endpoint;
    this.address = primary.address;
    this.masterUserSecretArn = primary.masterUserSecret.get(0).secretArn;

    const instanceIds = [this.identifier];
    for (let i = 1; i <= replicas; i++) {
      const replicaId = naming.name(`${c}-replica-${i}`, "rdsIdentifier");
      const replica = new DbInstance(this, `replica-${i}`, {
        ...common,
        identifier: replicaId,
        replicateSourceDb: primary.identifier,
        // A replica is rebuilt from the primary, never restored from its own final snapshot.
        skipFinalSnapshot: true,
        dependsOn: logGroups(replicaId, `replica-${i}`),
      });
      suppress(replica, {
        id: "CKV_AWS_157",
        reason: "A read replica is a read-scaling copy of the Multi-AZ primary; if its AZ fails it is recreated from the primary, so a standby for it would double its cost for no durability",
      });
      instanceIds.push(replicaId);
      this.replicaAddresses.push(replica.address);
    }

    props.alarms.allowEventPublisher("events.rds.amazonaws.com", `arn:${partition}:rds:${region}:${accountId}:es:*`);
    new DbEventSubscription(this, "events", {
      name: naming.name(`${c}-events`),
      snsTopic: props.alarms.topicArn,
      sourceType: "db-instance",
      sourceIds: instanceIds,
      eventCategories: ["availability", "failover", "failure", "low storage", "recovery"],
      dependsOn: [primary],
    });
    metricAlarms(this, props.alarms, naming, c, alarmSpecs(instanceIds, props.alarmThresholds));
  }
}

function alarmSpecs(instanceIds: readonly string[], thresholds: RdsAlarmThresholds | undefined): AlarmSpec[] {
  const th = { cpuPercent: 80, freeStorageGiB: 10, freeableMemoryMiB: 1024, replicaLagSeconds: 60, ...thresholds };
  return instanceIds.flatMap((dbId, i) => {
    const dims = { DBInstanceIdentifier: dbId };
    const label = i === 0 ? "primary" : `replica-${i}`;
    const base = { namespace: "AWS/RDS", dimensions: dims };
    const list: AlarmSpec[] = [
      { ...base, name: `${label}-cpu`, metricName: "CPUUtilization", statistic: "Average", comparison: ">", threshold: th.cpuPercent,
        description: `${dbId}: CPU above ${th.cpuPercent} % for 5 minutes` },
      { ...base, name: `${label}-free-storage`, metricName: "FreeStorageSpace", statistic: "Minimum", comparison: "<", threshold: th.freeStorageGiB * 1024 ** 3,
        description: `${dbId}: free storage below ${th.freeStorageGiB} GiB (autoscaling ceiling reached?)` },
      { ...base, name: `${label}-freeable-memory`, metricName: "FreeableMemory", statistic: "Average", comparison: "<", threshold: th.freeableMemoryMiB * 1024 ** 2,
        description: `${dbId}: freeable memory below ${th.freeableMemoryMiB} MiB` },
    ];
    if (i > 0) {
      list.push({ ...base, name: `${label}-lag`, metricName: "ReplicaLag", statistic: "Maximum", comparison: ">", threshold: th.replicaLagSeconds,
        description: `${dbId}: replication lag above ${th.replicaLagSeconds} s`, treatMissingData: "breaching" });
    }
    return list;
  });
}

function validate(where: string, props: RdsDatabaseProps, engine: RdsEngine, backups: number, replicas: number, pi: number, monitoring: number): void {
  const version = props.engineVersion;
  checkOneOf(where, "engineVersion", version, engine.versions);
  const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(props.instanceClass);
  check(m !== null && engine.families.includes(m[1]!), where, "instanceClass", props.instanceClass,
    `must be a db.<family>.<size> class of a family RDS offers for ${engine.name} ${version} (${engine.families.join(", ")})`);
  check(!NO_PERFORMANCE_INSIGHTS.test(props.instanceClass), where, "instanceClass", props.instanceClass,
    `does not support Performance Insights for ${engine.name}; use db.t4g.medium or larger`);
  checkInt(where, "allocatedStorageGiB", props.allocatedStorageGiB, 20, 65536);
  check(Number.isInteger(props.maxAllocatedStorageGiB) && props.maxAllocatedStorageGiB >= Math.ceil(props.allocatedStorageGiB * 1.1) && props.maxAllocatedStorageGiB <= 65536,
    where, "maxAllocatedStorageGiB", props.maxAllocatedStorageGiB,
    `must be an integer from ${Math.ceil(props.allocatedStorageGiB * 1.1)} (10 % above allocatedStorageGiB) to 65536`);
  checkInt(where, "backupRetentionDays", backups, 1, 35);
  checkInt(where, "readReplicas", replicas, 0, 15);
  check(pi === 7 || pi === 731 || (pi % 31 === 0 && pi >= 31 && pi <= 713), where, "performanceInsightsRetentionDays", pi,
    "must be 7, a multiple of 31 from 31 to 713, or 731");
  checkOneOf(where, "monitoringIntervalSeconds", monitoring, [1, 5, 10, 15, 30, 60]);
  check(!(props.multiAz ?? true) || props.network.databaseSubnetIds.length >= 2, where, "network.databaseSubnetIds",
    props.network.databaseSubnetIds.length, "must span at least 2 AZs for Multi-AZ");
}
