import { Testing } from "cdktf";
import { suppressionsOf } from "../../modules/core/suppress";
import { EnvironmentConfig, EnvironmentStack, awsEnvironments, awsEnvironmentOrder, environments } from "../../environments";
import { resource, resources, synth, TfJson } from "../helpers";

const PORTS: Record<string, number> = { mysql: 3306, redis: 6379, search: 443, docdb: 27017 };

describe("data layer per environment", () => {
  const built = Object.fromEntries(Object.values(awsEnvironments).map((c) => {
    const stack = new EnvironmentStack(Testing.app(), c);
    return [c.name, { stack, json: synth(stack) }];
  })) as Record<string, { stack: EnvironmentStack; json: TfJson }>;
  const prod = built.production!.json;
  const sandbox = built.sandbox!.json;
  const kmsRef = /^\$\{aws_kms_key\.[\w-]+\.arn\}$/;

  describe("production", () => {
    const db = resources(prod, "aws_db_instance");
    const primary = resource(prod, "aws_db_instance", "mysql/primary");
    const redis = resource(prod, "aws_elasticache_replication_group");
    const search = resource(prod, "aws_opensearch_domain");
    const docdb = resource(prod, "aws_docdb_cluster");

    it("is Multi-AZ everywhere", () => {
      expect(primary.multi_az).toBe(true);
      expect(redis).toMatchObject({ multi_az_enabled: true, automatic_failover_enabled: true, num_cache_clusters: 6 });
      expect(new Set(redis.preferred_cache_cluster_azs).size).toBe(3);
      expect(search.cluster_config).toMatchObject({ zone_awareness_enabled: true, zone_awareness_config: { availability_zone_count: 3 }, dedicated_master_count: 3 });
      expect(new Set(resources(prod, "aws_docdb_cluster_instance").map((i) => i.availability_zone)).size).toBe(3);
    });

    it("uses seed 002's sizes (Graviton equivalents where chosen)", () => {
      expect(primary.instance_class).toBe("db.r7g.4xlarge");
      expect(redis.node_type).toBe("cache.r7g.2xlarge");
      expect(search.cluster_config.instance_type).toBe("i3.2xlarge.search");
      expect(db.filter((r) => r._id.startsWith("mysql/"))).toHaveLength(2);
      expect(db.filter((r) => r._id.startsWith("postgres/"))).toHaveLength(2);
    });

    it("encrypts every store with a customer-managed key", () => {
      for (const r of db) expect(r.kms_key_id).toMatch(kmsRef);
      expect(redis.kms_key_id).toMatch(kmsRef);
      expect(search.encrypt_at_rest).toMatchObject({ enabled: true, kms_key_id: expect.stringMatching(kmsRef) });
      expect(docdb.kms_key_id).toMatch(kmsRef);
      for (const s of resources(prod, "aws_secretsmanager_secret")) expect(s.kms_key_id).toMatch(kmsRef);
      expect(resource(prod, "aws_sns_topic").kms_master_key_id).toMatch(kmsRef);
    });

    it("keeps every store private: database subnets, no public access", () => {
      for (const r of db) expect(r.publicly_accessible).toBe(false);
      expect(search.vpc_options.subnet_ids.every((s: string) => s.includes("network_database-"))).toBe(true);
      for (const t of ["aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_docdb_subnet_group"]) {
        for (const g of resources(prod, t)) expect(g.subnet_ids.every((s: string) => s.includes("network_database-"))).toBe(true);
      }
      const broker = resource(prod, "aws_mq_broker");
      expect(broker.publicly_accessible).toBe(false);
      expect(broker.subnet_ids.every((s: string) => s.includes("network_database-"))).toBe(true);
    });

    it("requires TLS on every store", () => {
      const mysqlParams = resource(prod, "aws_db_parameter_group", "mysql/").parameter;
      expect(resource(prod, "aws_db_parameter_group", "postgres/").parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
      expect(mysqlParams).toContainEqual(expect.objectContaining({ name: "require_secure_transport", value: "1" }));
      expect(redis).toMatchObject({ transit_encryption_enabled: true, transit_encryption_mode: "required" });
      expect(search.domain_endpoint_options.enforce_https).toBe(true);
      expect(search.domain_endpoint_options.tls_security_policy).toMatch(/TLS-1-2/);
      expect(resource(prod, "aws_docdb_cluster_parameter_group").parameter).toContainEqual(expect.objectContaining({ name: "tls", value: "enabled" }));
    });

    it("keeps at least 30 days of backups where the service allows it", () => {
      expect(primary.backup_retention_period).toBeGreaterThanOrEqual(30);
      expect(redis.snapshot_retention_limit).toBeGreaterThanOrEqual(30);
      expect(docdb.backup_retention_period).toBeGreaterThanOrEqual(30);
    });

    it("protects stores from deletion and takes final snapshots", () => {
      for (const r of db) expect(r.deletion_protection).toBe(true);
      expect(primary.skip_final_snapshot).toBe(false);
      expect(docdb).toMatchObject({ deletion_protection: true, skip_final_snapshot: false });
      expect(redis.final_snapshot_identifier).toBe("openedx-production-redis-final");
      for (const s of resources(prod, "aws_secretsmanager_secret")) expect(s.recovery_window_in_days).toBe(30);
    });

    it("sends every alarm to the environment's encrypted topic", () => {
      const alarms = resources(prod, "aws_cloudwatch_metric_alarm");
      expect(alarms.length).toBeGreaterThan(30);
      for (const a of alarms) expect(a.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alarms_topic_\w+\.arn\}$/)]);
      for (const e of resources(prod, "aws_db_event_subscription")) expect(e.sns_topic).toBe(alarms[0]!.alarm_actions[0]);
      expect(alarms.find((a) => a.alarm_name === "openedx-production-mysql-primary-cpu")!.threshold).toBe(80);
    });
  });

  it("sandbox is minimal and single-AZ", () => {
    expect(resource(sandbox, "aws_db_instance", "mysql/")).toMatchObject({ instance_class: "db.t4g.medium", multi_az: false, deletion_protection: false, skip_final_snapshot: true });
    expect(resource(sandbox, "aws_elasticache_replication_group")).toMatchObject({ node_type: "cache.t4g.small", num_cache_clusters: 1, multi_az_enabled: false });
    expect(resource(sandbox, "aws_opensearch_domain").cluster_config).toMatchObject({ instance_type: "t3.small.search", instance_count: 1, zone_awareness_enabled: false, dedicated_master_enabled: false });
    expect(resources(sandbox, "aws_docdb_cluster_instance")).toHaveLength(1);
    expect(resource(sandbox, "aws_docdb_cluster").deletion_protection).toBe(false);
    expect(resources(sandbox, "aws_secretsmanager_secret").every((s) => s.recovery_window_in_days === 0)).toBe(true);
  });

  it("records why sandbox's deliberate shortcuts are accepted by the scanners, and production has none of them", () => {
    const ids = (stack: EnvironmentStack) => {
      const { mysql, redis, search, documentdb } = stack.data;
      return [mysql.instance, redis.replicationGroup, search.domain, documentdb.cluster].flatMap((r) => suppressionsOf(r).map((s) => s.id));
    };
    const trivyBlind = ["AWS-0042", "AWS-0043", "AWS-0046", "AWS-0048", "AWS-0126"]; // Trivy cannot read the nested blocks
    expect(ids(built.sandbox!.stack).sort()).toEqual([...trivyBlind, "AWS-0077", "AWS-0177", "CKV2_AWS_50", "CKV2_AWS_59", "CKV_AWS_157", "CKV_AWS_293", "CKV_AWS_318", "CKV_AWS_360"].sort());
    expect(ids(built.production!.stack).sort()).toEqual(trivyBlind);
  });

  it("staging sits between: Multi-AZ on smaller nodes", () => {
    const staging = built.staging!.json;
    expect(resource(staging, "aws_db_instance", "mysql/")).toMatchObject({ instance_class: "db.r7g.large", multi_az: true });
    expect(resource(staging, "aws_elasticache_replication_group")).toMatchObject({ num_cache_clusters: 3, multi_az_enabled: true });
    expect(resources(staging, "aws_docdb_cluster_instance")).toHaveLength(2);
  });

  it.each([["production", "CLUSTER_MULTI_AZ", "mq.m7g.large"], ["staging", "SINGLE_INSTANCE", "mq.m7g.large"], ["sandbox", "SINGLE_INSTANCE", "mq.m7g.medium"]] as const)(
    "%s: seed 004's broker runs as %s (deployment mode per protection tier) and PostgreSQL follows MySQL's Multi-AZ", (name, mode, type) => {
      const json = built[name]!.json;
      expect(resource(json, "aws_mq_broker")).toMatchObject({ deployment_mode: mode, host_instance_type: type, engine_version: "4.2" });
      const mysql = resource(json, "aws_db_instance", "mysql/primary");
      const postgres = resource(json, "aws_db_instance", "postgres/primary");
      expect(postgres).toMatchObject({ engine: "postgres", engine_version: "17", multi_az: mysql.multi_az, deletion_protection: mysql.deletion_protection, storage_encrypted: true });
      const nodeSg = Object.keys(json.resource!.aws_security_group!).find((k) => k.startsWith("cluster_node-sg"))!;
      for (const [store, port] of [["postgres", 5432], ["rabbitmq", 5671]] as const) {
        expect(resource(json, "aws_security_group", `${store}/sg`).ingress).toEqual([expect.objectContaining({ from_port: port, security_groups: [`\${aws_security_group.${nodeSg}.id}`] })]);
      }
    });

  it("rejects a single-instance broker in the production tier", () => {
    const config = { ...environments.production, data: { ...environments.production.data, rabbitmq: { instanceType: "mq.m7g.large", deploymentMode: "SINGLE_INSTANCE" as const } } };
    expect(() => new EnvironmentStack(Testing.app(), config)).toThrow(
      'environment production: data.rabbitmq.deploymentMode = "SINGLE_INSTANCE" is invalid; must be "CLUSTER_MULTI_AZ" for protection "production" (a single broker node is lost with its AZ, and its queues with it)');
  });

  it.each(awsEnvironmentOrder)("%s: security group rules are exactly seed 000's port matrix, from the cluster node security group only", (name) => {
    const json = built[name]!.json;
    const groups = resources(json, "aws_security_group");
    const nodeSgKey = Object.keys(json.resource!.aws_security_group!).find((k) => k.startsWith("cluster_node-sg"))!;
    const dataGroups = ["mysql", "redis", "search", "documentdb"];
    const stores = groups.filter((g) => dataGroups.some((d) => g._id.startsWith(`${d}/`)));
    expect(stores.map((g) => g.name.replace(`openedx-${name}-`, "")).sort()).toEqual(Object.keys(PORTS).sort());
    for (const g of stores) {
      const port = PORTS[g.name.replace(`openedx-${name}-`, "")];
      expect(g.ingress).toEqual([expect.objectContaining({ protocol: "tcp", from_port: port, to_port: port, security_groups: [`\${aws_security_group.${nodeSgKey}.id}`], cidr_blocks: [], ipv6_cidr_blocks: [] })]);
      expect(g.egress).toEqual([]);
    }
    const everyRule = [...groups.flatMap((g) => g.ingress ?? []), ...resources(json, "aws_security_group_rule"), ...resources(json, "aws_vpc_security_group_ingress_rule")];
    expect(JSON.stringify(everyRule)).not.toContain("0.0.0.0/0");
    expect(JSON.stringify(everyRule)).not.toContain("::/0");
  });

  it("takes its clients as typed Connectables: every store (and the media file system) admits the cluster's nodes, by security group", () => {
    const { stack, json } = built.production!;
    const nodes = stack.cluster.nodes;
    expect(nodes.description).toMatch(/^EKS nodes of /);
    const nodeSgKey = Object.keys(json.resource!.aws_security_group!).find((k) => k.startsWith("cluster_node-sg"))!;
    const stores = resources(json, "aws_security_group").filter((g) => ["mysql", "redis", "search", "documentdb"].some((d) => g._id.startsWith(`${d}/`)));
    for (const g of stores) expect(g.ingress.map((r: any) => r.description)).toEqual([expect.stringMatching(/clients: EKS nodes of openedx-eks/)]);
    const nfs = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r._id.startsWith("media-storage/"));
    expect(nfs.map((r) => [r.from_port, r.referenced_security_group_id, r.description])).toEqual([[2049, `\${aws_security_group.${nodeSgKey}.id}`, expect.stringMatching(/^NFS from EKS nodes of /)]]);
    // Each store exposes its port and security group as one typed endpoint (the platform's egress ports come from these).
    const { data } = stack;
    expect([data.mysql, data.redis, data.search, data.documentdb].map((s) => s.endpointRef.port)).toEqual([3306, 6379, 443, 27017]);
  });

  it("exposes the stores as typed outputs of the stack", () => {
    const { data } = built.production!.stack;
    expect(data.mysql.port).toBe(3306);
    expect(data.redis.port).toBe(6379);
    expect(data.search.port).toBe(443);
    expect(data.documentdb.port).toBe(27017);
    expect(data.alarms.topicName).toBe("openedx-production-alarms");
  });

  it("rejects production backups under seed 001's 30 days", () => {
    const p = environments.production;
    const withData = (data: Partial<EnvironmentConfig["data"]>): EnvironmentConfig => ({ ...p, data: { ...p.data, ...data } });
    expect(() => new EnvironmentStack(Testing.app(), withData({ mysql: { ...p.data.mysql, backupRetentionDays: 7 } })))
      .toThrow(/environment production: data.mysql.backupRetentionDays = 7 is invalid; must be at least 30 days for protection "production"/);
    expect(() => new EnvironmentStack(Testing.app(), withData({ redis: { ...p.data.redis, snapshotRetentionDays: 14 } })))
      .toThrow(/data.redis.snapshotRetentionDays = 14 is invalid/);
    expect(() => new EnvironmentStack(Testing.app(), withData({ documentdb: { ...p.data.documentdb, backupRetentionDays: 1 } })))
      .toThrow(/data.documentdb.backupRetentionDays = 1 is invalid/);
  });
});
