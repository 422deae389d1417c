import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbOptionGroup } from "@cdktf/provider-aws/lib/db-option-group";
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
import { checkVersionLifecycle, ExtendedSupport } from "../core/lifecycle";

/**
 * MySQL 8.4, the LTS line: RDS standard support until 2029-07-31 (8.0's ended 2026-07-31,
 * after which RDS bills Extended Support).
 */
// renovate: datasource=endoflife-date depName=amazon-rds-mysql versioning=loose
export const DEFAULT_MYSQL_VERSION = "8.4";

/** Alarm thresholds; seed 001's alerting rules are the defaults. */
export interface RdsMysqlAlarmThresholds {
  /** Average CPU over 5 minutes. @default 80 */
  readonly cpuPercent?: number;
  /** Free storage below this (GiB); autoscaling should act first. @default 10 */
  readonly freeStorageGiB?: number;
  /** Freeable memory below this (MiB). @default 1024 */
  readonly freeableMemoryMiB?: number;
  /** Read-replica lag above this (seconds). @default 60 */
  readonly replicaLagSeconds?: number;
}

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface RdsMysqlSettings {
  /** DB instance class, e.g. `db.r7g.4xlarge`. */
  readonly instanceClass: string;
  /**
   * Major version only; AWS applies minor versions in the maintenance window, so Terraform
   * never sees a drift it would try to "downgrade". "8.0" is past its end of standard support
   * (2026-07-31): protected environments refuse it unless `extendedSupport` accepts it.
   * @default DEFAULT_MYSQL_VERSION ("8.4")
   */
  readonly engineVersion?: "8.0" | "8.4";
  /**
   * Accept paid RDS Extended Support for an `engineVersion` past its end of standard support,
   * with the reason (e.g. while the blue/green upgrade to 8.4 is prepared).
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
  readonly alarmThresholds?: RdsMysqlAlarmThresholds;
  /**
   * Create the primary from a snapshot or a point in time of another instance (README "Disaster recovery").
   * @default undefined: an empty database
   */
  readonly restore?: StoreRestore;
}

export interface RdsMysqlProps extends DataStoreProps, RdsMysqlSettings {}

/** Families offered for MySQL 8.0/8.4 with encryption, gp3 and Performance Insights. */
const FAMILIES = ["t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7g", "m7i", "m8g", "r5", "r5b", "r5d", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "x2g"];
const NO_PERFORMANCE_INSIGHTS = /^db\.t[34]g?\.(micro|small)$/;
const LOG_EXPORTS = ["error", "slowquery", "audit"] as const;
const PORT = 3306;

/**
 * Open edX's relational database: RDS for MySQL in the database subnets.
 *
 * - MySQL 8.4 (the LTS line; RDS standard support until 2029-07-31), major version pinned,
 *   minor upgrades automatic (`engine_version = "8.4"`). The parameter group family follows
 *   the version (`mysql8.4`); its TLS settings are valid on 8.4: `require_secure_transport`
 *   (still OFF by default on RDS 8.4) and `tls_version = TLSv1.2,TLSv1.3` (8.4 removed TLS 1.0
 *   and 1.1; RDS builds it on AWS-LC). 8.4 disables `mysql_native_password` by default: Open
 *   edX's mysqlclient speaks `caching_sha2_password`, so its users need nothing else.
 * - Upgrading an existing 8.0 database: an RDS blue/green deployment, never an in-place
 *   major upgrade of the live instance. Until it is done, keep `engineVersion: "8.0"` with
 *   `extendedSupport: { reason }` (protected environments refuse 8.0 otherwise).
 *   1. Check readiness on blue: MySQL Shell 8.4 `util.checkForServerUpgrade()`, and no user
 *      left on `mysql_native_password` (`SELECT user, plugin FROM mysql.user`).
 *   2. Create the 8.4 groups green will use, with this module's settings and names
 *      (`<project>-<env>-mysql84`, family `mysql8.4`; `<project>-<env>-mysql84-audit`).
 *   3. `aws rds create-blue-green-deployment --source <primary ARN> --target-engine-version 8.4
 *      --target-db-parameter-group-name <project>-<env>-mysql84` (then set the option group
 *      on green); green replicates from blue, read replicas included.
 *   4. Point a staging copy of Open edX at the green endpoint and run its checks; then
 *      `switchover-blue-green-deployment` (writes pause about a minute; endpoint names stay).
 *   5. Set `engineVersion: "8.4"`, drop `extendedSupport`, `terraform import` the two groups,
 *      and check the plan changes nothing on the instances; delete the old blue instances.
 * - Multi-AZ from config; gp3 with storage autoscaling; storage, Performance Insights and
 *   the master secret under one CMK; master password managed by RDS in Secrets Manager
 *   (`manage_master_user_password`, rotated by RDS), so no credential is ever in code.
 * - TLS enforced server-side (`require_secure_transport`), IAM database authentication on,
 *   never publicly accessible, only reachable on 3306 from the allowed security groups.
 * - Logs: error, slow query and audit (MariaDB audit plugin via option group, supported on
 *   MySQL 8.0.28+ and 8.4) exported to CMK-encrypted log groups created beforehand.
 * - Production sizes (seed 002 asks for db.r5.4xlarge): the config uses db.r7g.4xlarge —
 *   the same 16 vCPU / 128 GiB shape on Graviton3, roughly 20-30 % better price/performance
 *   than r5 (Intel, two generations old) and supported by every MySQL 8.4 minor AWS offers.
 * - Failover, failure, low-storage and recovery events go to the alarm topic through an RDS
 *   event subscription; CPU, storage, memory and replica-lag alarms use the shared helper.
 */
export class RdsMysql extends Construct {
  public readonly identifier: string;
  public readonly endpoint: string;
  public readonly address: string;
  public readonly port = PORT;
  /** Secrets Manager ARN of the RDS-managed master credential. */
  public readonly masterUserSecretArn: string;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  /** Customer-managed key of the store (storage, snapshots and its credential secret): readers of the secret need kms:Decrypt on it through Secrets Manager. */
  public readonly kmsKeyArn: string;
  public readonly replicaAddresses: string[] = [];
  /** The primary instance (for scanner suppressions and dependencies). */
  public readonly instance: DbInstance;

  constructor(scope: Construct, id: string, props: RdsMysqlProps) {
    super(scope, id);
    const where = `RdsMysql ${id}`;
    const d = dataStoreDefaults(this, where, "mysql", props, KmsKey);
    const version = props.engineVersion ?? DEFAULT_MYSQL_VERSION;
    const backups = props.backupRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS;
    const replicas = props.readReplicas ?? 0;
    const piRetention = props.performanceInsightsRetentionDays ?? 7;
    const monitoring = props.monitoringIntervalSeconds ?? 60;
    validate(where, props, version, backups, replicas, piRetention, monitoring);
    const restore = props.restore;
    if (restore) checkRestore(where, "restore", restore, ["snapshot", "point-in-time"]);
    checkVersionLifecycle(this, {
      where, prop: "engineVersion", product: "rdsMysql", version,
      protectedEnvironment: d.requireStandardSupport, extendedSupport: props.extendedSupport,
    });

    const { naming } = props;
    const { accountId, partition, region } = awsContext(this);
    this.identifier = naming.name("mysql", "rdsIdentifier");
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: "mysql", vpcId: props.network.vpcId, port: PORT,
      allowFrom: props.allowFrom, description: "RDS MySQL",
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: PORT, description: "RDS MySQL" };
    this.kmsKeyArn = d.key.keyArn;
    const subnets = new DbSubnetGroup(this, "subnets", {
      name: naming.name("mysql", "rdsIdentifier"),
      description: "Database tier (no internet route)",
      subnetIds: [...props.network.databaseSubnetIds],
    });
    const family = `mysql${version}`;
    const params = new DbParameterGroup(this, "params", {
      name: naming.name(`mysql${version.replace(".", "")}`, "rdsIdentifier"),
      family,
      description: "TLS-only connections, slow query log",
      parameter: [
        { name: "require_secure_transport", value: "1" },
        { name: "tls_version", value: "TLSv1.2,TLSv1.3", applyMethod: "pending-reboot" },
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: "2" },
        { name: "log_output", value: "FILE" },
      ],
    });
    const options = new DbOptionGroup(this, "options", {
      name: naming.name(`mysql${version.replace(".", "")}-audit`, "rdsIdentifier"),
      optionGroupDescription: "MariaDB audit plugin: connections, DDL and DCL",
      engineName: "mysql",
      majorEngineVersion: version,
      option: [{
        optionName: "MARIADB_AUDIT_PLUGIN",
        optionSettings: [
          { name: "SERVER_AUDIT_EVENTS", value: "CONNECT,QUERY_DDL,QUERY_DCL" },
          { name: "SERVER_AUDIT_EXCL_USERS", value: "rdsadmin" },
        ],
      }],
    });
    const monitoringRole = new IamRole(this, "monitoring-role", {
      name: naming.name("mysql-monitoring", "iamRole"),
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
      optionGroupName: options.name,
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
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      maintenanceWindow: "sun:05:00-sun:06:00",
    };
    const logGroups = (instanceId: string, key: string) =>
      LOG_EXPORTS.map((log) => storeLogGroup(this, `${key}-log-${log}`, `/aws/rds/instance/${instanceId}/${log}`, d));

    const primary = new DbInstance(this, "primary", {
      ...common,
      identifier: this.identifier,
      engine: "mysql",
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
      const replicaId = naming.name(`mysql-replica-${i}`, "rdsIdentifier");
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
      name: naming.name("mysql-events"),
      snsTopic: props.alarms.topicArn,
      sourceType: "db-instance",
      sourceIds: instanceIds,
      eventCategories: ["availability", "failover", "failure", "low storage", "recovery"],
      dependsOn: [primary],
    });

    const th = { cpuPercent: 80, freeStorageGiB: 10, freeableMemoryMiB: 1024, replicaLagSeconds: 60, ...props.alarmThresholds };
    const specs: AlarmSpec[] = instanceIds.flatMap((dbId, i) => {
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
    metricAlarms(this, props.alarms, naming, "mysql", specs);
  }
}

function validate(where: string, props: RdsMysqlProps, version: string, backups: number, replicas: number, pi: number, monitoring: number): void {
  checkOneOf(where, "engineVersion", version, ["8.0", "8.4"]);
  const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(props.instanceClass);
  check(m !== null && FAMILIES.includes(m[1]!), where, "instanceClass", props.instanceClass,
    `must be a db.<family>.<size> class of a family RDS offers for MySQL ${version} (${FAMILIES.join(", ")})`);
  check(!NO_PERFORMANCE_INSIGHTS.test(props.instanceClass), where, "instanceClass", props.instanceClass,
    "does not support Performance Insights for MySQL; use db.t4g.medium or larger");
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
