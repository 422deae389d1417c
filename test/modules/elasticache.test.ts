import { ElastiCache, ElastiCacheProps } from "../../modules/elasticache";
import { resolved, resource, resources, synth } from "../helpers";
import { dataStack, network } from "./data-fixture";

function build(overrides: Partial<ElastiCacheProps> = {}) {
  const { stack, common } = dataStack();
  const redis = new ElastiCache(stack, "redis", { ...common, nodeType: "cache.r7g.2xlarge", replicasPerShard: 5, ...overrides });
  return { redis, stack, json: synth(stack) };
}

describe("elasticache", () => {
  const { redis, stack, json } = build();
  const rg = resource(json, "aws_elasticache_replication_group");

  it("is a Multi-AZ Valkey replication group with automatic failover: seed 002's six nodes over three AZs", () => {
    expect(rg).toMatchObject({
      engine: "valkey", engine_version: "8.0", node_type: "cache.r7g.2xlarge", cluster_mode: "disabled",
      num_cache_clusters: 6, multi_az_enabled: true, automatic_failover_enabled: true, replication_group_id: "openedx-production-redis",
    });
    expect(rg.preferred_cache_cluster_azs).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(redis.nodeCount).toBe(6);
    expect(resource(json, "aws_elasticache_subnet_group").subnet_ids).toEqual(network.databaseSubnetIds);
  });

  it("encrypts at rest with the CMK and requires TLS in transit", () => {
    expect(rg).toMatchObject({ at_rest_encryption_enabled: "true", transit_encryption_enabled: true, transit_encryption_mode: "required" });
    expect(rg.kms_key_id).toMatch(/aws_kms_key\.redis_key_\w+\.arn/);
  });

  it("authenticates with RBAC and IAM: a disabled default user and the app's IAM user, no password anywhere", () => {
    expect(rg.auth_token).toBeUndefined();
    expect(rg.user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\.redis_users_\w+\.user_group_id\}$/)]);
    const group = resource(json, "aws_elasticache_user_group");
    expect(group).toMatchObject({ engine: "valkey", user_group_id: "openedx-production-redis-users" });
    const users = resources(json, "aws_elasticache_user");
    expect(users).toHaveLength(2);
    const byName = Object.fromEntries(users.map((u) => [u.user_name, u]));
    // RBAC needs a user named "default"; it is switched off, so nobody logs in without IAM.
    expect(byName.default).toMatchObject({ access_string: "off -@all", authentication_mode: { type: "no-password-required" }, engine: "valkey" });
    expect(byName.default.passwords).toBeUndefined();
    // IAM users need user id = user name.
    const app = byName["openedx-production-redis-app"];
    expect(app).toMatchObject({ user_id: "openedx-production-redis-app", authentication_mode: { type: "iam" }, access_string: "on ~* &* +@all" });
    expect(app.passwords).toBeUndefined();
    expect(group.user_ids).toHaveLength(2);
    expect(redis.appUserId).toBe("openedx-production-redis-app");
    // IAM auth needs TLS.
    expect(rg.transit_encryption_enabled).toBe(true);
    expect(resources(json, "aws_secretsmanager_secret")).toHaveLength(0);
    expect(json.data?.aws_secretsmanager_random_password).toBeUndefined();
  });

  it("grants elasticache:Connect on the group and the app user only, for the app's role", () => {
    const stmt = resolved(stack, redis.connectStatement);
    expect(stmt).toMatchObject({ Effect: "Allow", Action: "elasticache:Connect" });
    const res = stmt.Resource as string[];
    expect(res).toHaveLength(2);
    expect(res[0]).toMatch(/aws_elasticache_replication_group\.redis_group_\w+\.arn/);
    expect(res[1]).toMatch(/aws_elasticache_user\.redis_app-user_\w+\.arn/);
  });

  it("exposes its port and security group as a store endpoint", () => {
    expect(resolved(stack, redis.endpointRef)).toMatchObject({ port: 6379, securityGroupId: expect.stringMatching(/^\$\{aws_security_group\.redis_sg_\w+\.id\}$/) });
  });

  it("keeps 35 days of snapshots, a final snapshot, and a parameter group matching the cluster mode", () => {
    expect(rg).toMatchObject({ snapshot_retention_limit: 35, final_snapshot_identifier: "openedx-production-redis-final" });
    const params = resource(json, "aws_elasticache_parameter_group");
    expect(params.family).toBe("valkey8");
    expect(params.parameter).toEqual([{ name: "cluster-enabled", value: "no" }]);
  });

  it("delivers slow and engine logs to CMK-encrypted log groups", () => {
    expect(rg.log_delivery_configuration.map((l: any) => l.log_type)).toEqual(["slow-log", "engine-log"]);
    const groups = resources(json, "aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/elasticache/"));
    expect(groups).toHaveLength(2);
    expect(groups.every((g) => String(g.kms_key_id).includes("redis_key"))).toBe(true);
  });

  it("accepts 6379 only from the client security groups", () => {
    const sg = resource(json, "aws_security_group", "redis/sg");
    expect(sg.ingress.map((r: any) => [r.from_port, r.to_port, r.security_groups])).toEqual([[6379, 6379, ["sg-nodes"]]]);
    expect(sg.egress).toEqual([]);
  });

  it("alarms per node on engine CPU, memory and replication lag, and on a failover", () => {
    const names = resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(names.filter((n) => n.endsWith("-engine-cpu"))).toHaveLength(6);
    expect(names.filter((n) => n.endsWith("-replication-lag"))).toHaveLength(6);
    const failover = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "openedx-production-redis-001-failover");
    expect(failover).toMatchObject({ metric_name: "IsMaster", dimensions: { CacheClusterId: "openedx-production-redis-001" }, comparison_operator: "LessThanThreshold" });
  });

  it("supports cluster mode with shards, and Redis OSS 7", () => {
    const { json: cm } = build({ engine: "redis", clusterMode: "enabled", shards: 3, replicasPerShard: 1 });
    const group = resource(cm, "aws_elasticache_replication_group");
    expect(group).toMatchObject({ engine: "redis", engine_version: "7.1", cluster_mode: "enabled", num_node_groups: 3, replicas_per_node_group: 1 });
    expect(resource(cm, "aws_elasticache_parameter_group")).toMatchObject({ family: "redis7", parameter: [{ name: "cluster-enabled", value: "yes" }] });
    const dims = resources(cm, "aws_cloudwatch_metric_alarm").filter((a) => a.metric_name === "IsMaster").map((a) => a.dimensions.CacheClusterId);
    expect(dims).toEqual(["openedx-production-redis-0001-001", "openedx-production-redis-0002-001", "openedx-production-redis-0003-001"]);
  });

  it("sandbox shape: one node, no failover", () => {
    const { json: sb } = build({ multiAz: false, deletionProtection: false, replicasPerShard: 0, nodeType: "cache.t4g.small" });
    expect(resource(sb, "aws_elasticache_replication_group")).toMatchObject({ num_cache_clusters: 1, multi_az_enabled: false, automatic_failover_enabled: false });
    expect(resource(sb, "aws_elasticache_replication_group").final_snapshot_identifier).toBeUndefined();
  });

  describe("validation", () => {
    it.each<[string, Partial<ElastiCacheProps>, RegExp]>([
      ["an unknown engine", { engine: "memcached" as never }, /engine = "memcached" is invalid; must be one of "valkey", "redis"/],
      ["a version of the other engine", { engine: "redis", engineVersion: "8.0" }, /engineVersion \(redis\) = "8.0" is invalid; must be one of "7.0", "7.1"/],
      ["a malformed node type", { nodeType: "r7g.large" }, /nodeType = "r7g.large" is invalid; must be a node type such as cache.r7g.large/],
      ["a previous-generation node type", { nodeType: "cache.t2.micro" }, /nodeType = "cache.t2.micro" is invalid; is a previous-generation type without encryption/],
      ["shards without cluster mode", { shards: 2 }, /shards = 2 is invalid; must be 1 with clusterMode "disabled"/],
      ["cluster mode without replicas", { clusterMode: "enabled", shards: 2, replicasPerShard: 0 }, /replicasPerShard = 0 is invalid; must be at least 1 with clusterMode "enabled"/],
      ["too many shards", { clusterMode: "enabled", shards: 501, replicasPerShard: 1 }, /shards = 501 is invalid; must be an integer from 1 to 500/],
      ["too many nodes", { clusterMode: "enabled", shards: 300, replicasPerShard: 1 }, /shards = 300 is invalid; times 2 nodes per shard must be at most 500 nodes/],
      ["more than 5 replicas", { replicasPerShard: 6 }, /replicasPerShard = 6 is invalid; must be an integer from 0 to 5/],
      ["Multi-AZ without a replica", { replicasPerShard: 0 }, /replicasPerShard = 0 is invalid; must be at least 1 when multiAz is true/],
      ["Multi-AZ in one subnet", { network: { ...network, databaseSubnetIds: ["subnet-a"] } }, /network.databaseSubnetIds = 1 is invalid; must span at least 2 AZs/],
      ["snapshots beyond 35 days", { snapshotRetentionDays: 40 }, /snapshotRetentionDays = 40 is invalid; must be an integer from 1 to 35/],
      ["an unknown cluster mode", { clusterMode: "on" as never }, /clusterMode = "on" is invalid/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});

describe("elasticache restore input", () => {
  it("seeds the group from a snapshot", () => {
    expect(resource(build({ restore: { kind: "snapshot", snapshotIdentifier: "openedx-production-redis-2026-12-02" } }).json, "aws_elasticache_replication_group").snapshot_name)
      .toBe("openedx-production-redis-2026-12-02");
  });

  it("refuses a point-in-time restore, which ElastiCache does not offer", () => {
    expect(() => build({ restore: { kind: "point-in-time", sourceIdentifier: "openedx-production-redis" } }))
      .toThrow('ElastiCache redis: restore.kind = "point-in-time" is invalid; must be one of "snapshot" for this store');
  });
});
