import { Construct } from "constructs";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { DEFAULT_BACKUP_RETENTION_DAYS, DataStoreProps, StoreRestore, checkRestore, dataStoreDefaults, storeLogGroup } from "../core/data-store";
import { KmsKey } from "../kms-key";
import { PolicyStatement } from "../core/policy";
import { StoreEndpoint, storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { checkVersionLifecycle, ExtendedSupport } from "../core/lifecycle";

/** Default Valkey line (no published end of standard support on ElastiCache). */
// renovate: datasource=endoflife-date depName=valkey versioning=loose
export const DEFAULT_VALKEY_VERSION = "8.0";
/** Default Redis OSS line (7.1 is the last Redis OSS engine ElastiCache offers). */
// renovate: datasource=endoflife-date depName=amazon-elasticache-redis versioning=loose
export const DEFAULT_REDIS_VERSION = "7.1";

export type CacheEngine = "valkey" | "redis";

/** Alarm thresholds per node; seed 001's alerting rules are the defaults. */
export interface ElastiCacheAlarmThresholds {
  /** EngineCPUUtilization (the single engine thread) over 5 minutes. @default 80 */
  readonly engineCpuPercent?: number;
  /** DatabaseMemoryUsagePercentage. @default 90 */
  readonly memoryPercent?: number;
  /** ReplicationLag on replicas (seconds). @default 30 */
  readonly replicationLagSeconds?: number;
}

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface ElastiCacheSettings {
  /** Node type, e.g. `cache.r7g.2xlarge`. */
  readonly nodeType: string;
  /**
   * Valkey is wire-compatible with Redis OSS 7.2 (Open edX's redis-py, django-redis and Celery
   * work unchanged), about 20 % cheaper per node on ElastiCache, and where new major versions
   * land; `redis` stays available for teams that must stay on Redis OSS 7.
   * @default "valkey"
   */
  readonly engine?: CacheEngine;
  /**
   * Major.minor version: valkey 7.2, 8.0 or 8.1; redis 7.0 or 7.1.
   * @default DEFAULT_VALKEY_VERSION ("8.0") for valkey, DEFAULT_REDIS_VERSION ("7.1") for redis
   */
  readonly engineVersion?: string;
  /**
   * Accept paid extended support for an `engineVersion` past its end of standard support, with the reason.
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /**
   * Cluster mode shards keys over node groups. Open edX's clients (django-redis, Celery's
   * Redis transport) speak the single-endpoint protocol, so it stays off by default.
   * @default "disabled"
   */
  readonly clusterMode?: "disabled" | "enabled";
  /**
   * Node groups (shards); exactly 1 with cluster mode disabled.
   * @default 1
   */
  readonly shards?: number;
  /**
   * Replicas per shard (0-5); at least 1 for Multi-AZ failover.
   * @default 2
   */
  readonly replicasPerShard?: number;
  /**
   * Days of daily snapshots (1-35).
   * @default 35
   */
  readonly snapshotRetentionDays?: number;
  /** @default seed 001's thresholds */
  readonly alarmThresholds?: ElastiCacheAlarmThresholds;
  /**
   * Seed the cache from a snapshot (ElastiCache has no point-in-time restore): a config change
   * that replaces the group. Usually unneeded, the cache refills itself; Celery's queued tasks are
   * what a restore brings back.
   * @default undefined: an empty cache
   */
  readonly restore?: StoreRestore;
}

export interface ElastiCacheProps extends DataStoreProps, ElastiCacheSettings {}

const VERSIONS: Record<CacheEngine, readonly string[]> = { valkey: ["7.2", "8.0", "8.1"], redis: ["7.0", "7.1"] };
/** Families without encryption in transit / at rest or Multi-AZ support. */
const PREVIOUS_GENERATION = ["t1", "t2", "m1", "m2", "m3", "c1", "r3"];
const PORT = 6379;

/**
 * The cache and Celery broker: an ElastiCache replication group (Valkey by default, Redis OSS
 * 7 selectable) in the database subnets.
 *
 * - Multi-AZ with automatic failover; shards and replicas from config. Production follows
 *   seed 002's six nodes as one primary plus five replicas spread over the three AZs (cluster
 *   mode off, see `clusterMode`), on cache.r7g.2xlarge rather than the seed's r5 (same
 *   memory, Graviton3, better price/performance).
 * - Encryption at rest with the store's CMK and in transit with TLS required
 *   (`transit_encryption_mode = required`, which IAM authentication needs).
 * - Authentication: RBAC with IAM, no password anywhere. The replication group's user group
 *   holds a disabled `default` user (RBAC requires one named so; `off -@all` with no
 *   password, so nothing can log in as it) and the app's user with `authentication_mode =
 *   iam`: the client sends the user id and a SigV4-signed token (15 minutes, signed locally
 *   with its Pod Identity credentials) as the AUTH password, and `elasticache:Connect` on the
 *   group and the user (`connectStatement`) is the whole grant. Before this, an AUTH token
 *   generated into a secret version sat in plain text in the Terraform state.
 *   The clients can do it: redis-py (django-redis's cache backend) takes a
 *   `credential_provider`, and kombu 5.7's Redis transport (Celery's broker) and Celery 5.7's
 *   Redis result backend (`redis_backend_credential_provider`) accept one too, as an object
 *   or a dotted class path. What Open edX does not ship is the provider itself: the app image
 *   carries a ~20-line `ElastiCacheIAMProvider` (redis-py's documented example, signed with
 *   botocore) and points the cache, broker and result backend at it (README, data access).
 *   Migrating an existing AUTH-token group: AWS moves it to RBAC when the user group is
 *   attached; clients must switch to the provider in the same release.
 * - Daily snapshots, slow and engine logs to CMK-encrypted CloudWatch log groups, a parameter
 *   group whose `cluster-enabled` matches the cluster mode.
 * - ElastiCache has no deletion protection; outside sandbox a final snapshot is taken.
 * - Alarms per node (engine CPU, memory, replication lag). ElastiCache cannot notify
 *   KMS-encrypted SNS topics, so a failover is detected by an alarm on each shard's
 *   configured primary no longer reporting IsMaster.
 */
export class ElastiCache extends Construct {
  public readonly replicationGroupId: string;
  /** Primary endpoint (cluster mode disabled) or configuration endpoint (enabled). */
  public readonly endpoint: string;
  /** Reader endpoint (cluster mode disabled). */
  public readonly readerEndpoint: string;
  public readonly port = PORT;
  /** The IAM-authenticated user the app connects as (user id = user name). */
  public readonly appUserId: string;
  /** `elasticache:Connect` on this group as `appUserId`: add it to the client's role policy. */
  public readonly connectStatement: PolicyStatement;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  /** Customer-managed key of the store (storage, snapshots). */
  public readonly kmsKeyArn: string;
  public readonly nodeCount: number;
  /** The replication group (for scanner suppressions and dependencies). */
  public readonly replicationGroup: ElasticacheReplicationGroup;

  constructor(scope: Construct, id: string, props: ElastiCacheProps) {
    super(scope, id);
    const where = `ElastiCache ${id}`;
    if (props.restore) checkRestore(where, "restore", props.restore, ["snapshot"]);
    const d = dataStoreDefaults(this, where, "redis", props, KmsKey);
    const engine = props.engine ?? "valkey";
    const version = props.engineVersion ?? (engine === "valkey" ? DEFAULT_VALKEY_VERSION : DEFAULT_REDIS_VERSION);
    const clusterMode = props.clusterMode ?? "disabled";
    const shards = props.shards ?? 1;
    const replicas = props.replicasPerShard ?? 2;
    const retention = props.snapshotRetentionDays ?? DEFAULT_BACKUP_RETENTION_DAYS;
    validate(where, props, engine, version, clusterMode, shards, replicas, retention, d.multiAz);
    checkVersionLifecycle(this, {
      where, prop: "engineVersion", product: engine === "valkey" ? "elasticacheValkey" : "elasticacheRedis", version,
      protectedEnvironment: d.requireStandardSupport, extendedSupport: props.extendedSupport,
    });

    const { naming } = props;
    this.replicationGroupId = naming.name("redis", "elasticacheReplicationGroup");
    this.nodeCount = shards * (1 + replicas);
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: "redis", vpcId: props.network.vpcId, port: PORT,
      allowFrom: props.allowFrom, description: `ElastiCache ${engine}`,
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: PORT, description: `ElastiCache ${engine}` };
    this.kmsKeyArn = d.key.keyArn;
    const subnets = new ElasticacheSubnetGroup(this, "subnets", {
      name: this.replicationGroupId,
      description: "Database tier (no internet route)",
      subnetIds: [...props.network.databaseSubnetIds],
    });
    const major = version.split(".")[0]!;
    const params = new ElasticacheParameterGroup(this, "params", {
      name: naming.name(`redis-${engine}${major}-cluster-${clusterMode === "enabled" ? "on" : "off"}`),
      family: `${engine}${major}`,
      description: `${engine} ${major}, cluster mode ${clusterMode}`,
      parameter: [{ name: "cluster-enabled", value: clusterMode === "enabled" ? "yes" : "no" }],
    });
    // RBAC: a disabled `default` user (every user group must contain one by that name) and
    // the app's IAM-authenticated user. IAM users need user id = user name.
    const defaultUser = new ElasticacheUser(this, "default-user", {
      userId: naming.name("redis-default", "elasticacheUser"), userName: "default", engine,
      accessString: "off -@all", authenticationMode: { type: "no-password-required" },
    });
    this.appUserId = naming.name("redis-app", "elasticacheUser");
    const appUser = new ElasticacheUser(this, "app-user", {
      userId: this.appUserId, userName: this.appUserId, engine,
      // Open edX's cache and Celery use keys and pub/sub channels of every name.
      accessString: "on ~* &* +@all", authenticationMode: { type: "iam" },
    });
    const users = new ElasticacheUserGroup(this, "users", {
      userGroupId: naming.name("redis-users", "elasticacheUser"), engine, userIds: [defaultUser.userId, appUser.userId],
    });
    const logs = (["slow-log", "engine-log"] as const).map((type) => ({
      type, group: storeLogGroup(this, `log-${type}`, `/aws/elasticache/${this.replicationGroupId}/${type}`, d),
    }));

    const failover = replicas >= 1;
    const azs = props.network.azs;
    const rg = new ElasticacheReplicationGroup(this, "group", {
      replicationGroupId: this.replicationGroupId,
      description: `Open edX cache and Celery broker (${engine} ${version})`,
      engine,
      engineVersion: version,
      nodeType: props.nodeType,
      port: PORT,
      parameterGroupName: params.name,
      subnetGroupName: subnets.name,
      securityGroupIds: [sg.id],
      clusterMode,
      ...(clusterMode === "enabled"
        ? { numNodeGroups: shards, replicasPerNodeGroup: replicas }
        : { numCacheClusters: 1 + replicas, preferredCacheClusterAzs: Array.from({ length: 1 + replicas }, (_, i) => azs[d.multiAz ? i % azs.length : 0]!) }),
      automaticFailoverEnabled: failover,
      multiAzEnabled: d.multiAz,
      atRestEncryptionEnabled: "true",
      kmsKeyId: d.key.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [users.userGroupId],
      autoMinorVersionUpgrade: "true",
      snapshotRetentionLimit: retention,
      snapshotName: props.restore?.kind === "snapshot" ? props.restore.snapshotIdentifier : undefined,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      finalSnapshotIdentifier: d.deletionProtection ? `${this.replicationGroupId}-final` : undefined,
      logDeliveryConfiguration: logs.map((l) => ({
        destination: l.group.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: l.type,
      })),
      applyImmediately: false,
    });
    this.replicationGroup = rg;
    if (!failover) suppress(rg, { id: "CKV2_AWS_50", reason: "replicasPerShard = 0 set by the caller: no replica, so no failover (Multi-AZ, which the production protection tier requires, needs a replica)" });
    this.endpoint = clusterMode === "enabled" ? rg.configurationEndpointAddress : rg.primaryEndpointAddress;
    this.readerEndpoint = rg.readerEndpointAddress;
    this.connectStatement = { Sid: "ConnectToCacheAsAppUser", Effect: "Allow", Action: "elasticache:Connect", Resource: [rg.arn, appUser.arn] };

    const th = { engineCpuPercent: 80, memoryPercent: 90, replicationLagSeconds: 30, ...props.alarmThresholds };
    // Member cluster ids ElastiCache derives from the group id: -001.. (cluster mode off),
    // -0001-001.. (on). Node 001 of each shard is its configured primary.
    const members = Array.from({ length: shards }, (_, s) => Array.from({ length: 1 + replicas }, (_, n) => {
      const node = String(n + 1).padStart(3, "0");
      return clusterMode === "enabled" ? `${this.replicationGroupId}-${String(s + 1).padStart(4, "0")}-${node}` : `${this.replicationGroupId}-${node}`;
    }));
    const specs: AlarmSpec[] = members.flat().flatMap((member) => {
      const base = { namespace: "AWS/ElastiCache", dimensions: { CacheClusterId: member } };
      const label = member.slice(this.replicationGroupId.length + 1);
      const list: AlarmSpec[] = [
        { ...base, name: `${label}-engine-cpu`, metricName: "EngineCPUUtilization", statistic: "Average", comparison: ">", threshold: th.engineCpuPercent,
          description: `${member}: engine CPU above ${th.engineCpuPercent} % for 5 minutes` },
        { ...base, name: `${label}-memory`, metricName: "DatabaseMemoryUsagePercentage", statistic: "Average", comparison: ">", threshold: th.memoryPercent,
          description: `${member}: memory usage above ${th.memoryPercent} %` },
      ];
      if (failover) {
        // Only replicas report ReplicationLag; roles swap on failover, so every node is watched.
        list.push({ ...base, name: `${label}-replication-lag`, metricName: "ReplicationLag", statistic: "Maximum", comparison: ">",
          threshold: th.replicationLagSeconds, treatMissingData: "notBreaching", description: `${member}: replication lag above ${th.replicationLagSeconds} s` });
      }
      return list;
    });
    if (failover) {
      for (const shard of members) {
        const primary = shard[0]!;
        specs.push({
          name: `${primary.slice(this.replicationGroupId.length + 1)}-failover`, namespace: "AWS/ElastiCache", dimensions: { CacheClusterId: primary },
          metricName: "IsMaster", statistic: "Maximum", comparison: "<", threshold: 1, periods: 1,
          description: `${primary} is no longer the primary: a failover happened; check the cause and fail back if needed`,
        });
      }
    }
    metricAlarms(this, props.alarms, naming, "redis", specs);
  }
}

function validate(where: string, props: ElastiCacheProps, engine: CacheEngine, version: string, clusterMode: string,
  shards: number, replicas: number, retention: number, multiAz: boolean): void {
  checkOneOf(where, "engine", engine, ["valkey", "redis"] as const);
  checkOneOf(where, `engineVersion (${engine})`, version, VERSIONS[engine]);
  checkOneOf(where, "clusterMode", clusterMode, ["disabled", "enabled"]);
  const m = /^cache\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(props.nodeType);
  check(m !== null, where, "nodeType", props.nodeType, "must be a node type such as cache.r7g.large");
  check(!PREVIOUS_GENERATION.includes(m![1]!), where, "nodeType", props.nodeType,
    `is a previous-generation type without encryption in transit and at rest; use a current family (t4g, m7g, r7g, ...)`);
  checkInt(where, "replicasPerShard", replicas, 0, 5);
  if (clusterMode === "disabled") {
    check(shards === 1, where, "shards", shards, "must be 1 with clusterMode \"disabled\" (use replicasPerShard to add nodes)");
  } else {
    checkInt(where, "shards", shards, 1, 500);
    check(replicas >= 1, where, "replicasPerShard", replicas, "must be at least 1 with clusterMode \"enabled\" (cluster mode requires automatic failover)");
    check(shards * (1 + replicas) <= 500, where, "shards", shards, `times ${1 + replicas} nodes per shard must be at most 500 nodes`);
  }
  check(!multiAz || replicas >= 1, where, "replicasPerShard", replicas, "must be at least 1 when multiAz is true (failover needs a replica in another AZ)");
  check(!multiAz || props.network.databaseSubnetIds.length >= 2, where, "network.databaseSubnetIds", props.network.databaseSubnetIds.length,
    "must span at least 2 AZs for Multi-AZ");
  checkInt(where, "snapshotRetentionDays", retention, 1, 35);
}
