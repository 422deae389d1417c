import { DocumentDb, DocumentDbProps } from "../../modules/documentdb";
import { resolved, resource, resources, synth } from "../helpers";
import { dataStack, network } from "./data-fixture";

function build(overrides: Partial<DocumentDbProps> = {}) {
  const { stack, common } = dataStack();
  const docdb = new DocumentDb(stack, "documentdb", { ...common, instanceClass: "db.r6g.xlarge", instanceCount: 3, ...overrides });
  return { docdb, stack, json: synth(stack) };
}

describe("documentdb", () => {
  const { docdb, stack, json } = build();
  const cluster = resource(json, "aws_docdb_cluster");

  it("is an encrypted DocumentDB 5.0 cluster with backups and deletion protection", () => {
    expect(cluster).toMatchObject({
      engine: "docdb", engine_version: "5.0.0", storage_encrypted: true, backup_retention_period: 35, deletion_protection: true,
      skip_final_snapshot: false, final_snapshot_identifier: "openedx-production-docdb-final", port: 27017,
    });
    expect(cluster.kms_key_id).toMatch(/aws_kms_key\.documentdb_key_\w+\.arn/);
    expect(resource(json, "aws_docdb_subnet_group").subnet_ids).toEqual(network.databaseSubnetIds);
  });

  it("requires TLS and exports audit and profiler logs to CMK log groups", () => {
    const params = Object.fromEntries(resource(json, "aws_docdb_cluster_parameter_group").parameter.map((p: any) => [p.name, p.value]));
    expect(params).toMatchObject({ tls: "enabled", audit_logs: "enabled", profiler: "enabled" });
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(["audit", "profiler"]);
    expect(resources(json, "aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/docdb/")).every((g) => g.kms_key_id)).toBe(true);
  });

  it("spreads instances over the AZs with Performance Insights under the CMK", () => {
    const instances = resources(json, "aws_docdb_cluster_instance");
    expect(instances.map((i) => i.availability_zone)).toEqual(network.azs);
    expect(instances.every((i) => i.enable_performance_insights === true && i.performance_insights_kms_key_id === cluster.kms_key_id)).toBe(true);
  });

  it("lets DocumentDB manage the master password: no password in the configuration or the state", () => {
    expect(cluster).toMatchObject({ manage_master_user_password: true, master_username: "docdbadmin" });
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.master_password_wo).toBeUndefined();
    expect(resources(json, "aws_secretsmanager_secret")).toHaveLength(0);
    expect(resources(json, "aws_secretsmanager_secret_version")).toHaveLength(0);
    expect(json.data?.aws_secretsmanager_random_password).toBeUndefined();
    // The managed secret's ARN, for External Secrets; its key is aws/secretsmanager (the provider cannot choose one).
    expect(resolved(stack, docdb.masterUserSecretArn)).toMatch(/^\$\{aws_docdb_cluster\.documentdb_cluster_\w+\.master_user_secret\[0\]\.secret_arn\}$/);
    expect(docdb.masterUserSecretKmsKeyArn).toBeUndefined();
  });

  it("accepts 27017 only from the client security groups", () => {
    const sg = resource(json, "aws_security_group", "documentdb/sg");
    expect(sg.ingress.map((r: any) => [r.from_port, r.to_port, r.security_groups])).toEqual([[27017, 27017, ["sg-nodes"]]]);
  });

  it("alarms on CPU, memory and replica lag, and subscribes failover events", () => {
    expect(resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.metric_name)).toEqual(["CPUUtilization", "FreeableMemory", "DBClusterReplicaLagMaximum"]);
    expect(resource(json, "aws_docdb_event_subscription").event_categories).toContain("failover");
  });

  it("sandbox shape: one instance, no protection", () => {
    const { json: sb } = build({ multiAz: false, deletionProtection: false, instanceCount: 1, instanceClass: "db.t4g.medium", backupRetentionDays: 1 });
    expect(resources(sb, "aws_docdb_cluster_instance")).toHaveLength(1);
    expect(resource(sb, "aws_docdb_cluster")).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, backup_retention_period: 1 });
  });

  describe("validation", () => {
    it.each<[string, Partial<DocumentDbProps>, RegExp]>([
      ["an unknown engine version", { engineVersion: "3.6.0" as never }, /engineVersion = "3.6.0" is invalid; must be one of "4.0.0", "5.0.0"/],
      ["an unknown instance family", { instanceClass: "db.m5.large" }, /instanceClass = "db.m5.large" is invalid; must be a db.<family>.<size> class DocumentDB offers/],
      ["a small burstable class", { instanceClass: "db.t3.small" }, /instanceClass = "db.t3.small" is invalid; burstable DocumentDB instances exist only as medium/],
      ["Multi-AZ with one instance", { instanceCount: 1 }, /instanceCount = 1 is invalid; must be at least 2 when multiAz is true/],
      ["too many instances", { instanceCount: 17 }, /instanceCount = 17 is invalid; must be an integer from 1 to 16/],
      ["backups beyond 35 days", { backupRetentionDays: 36 }, /backupRetentionDays = 36 is invalid; must be an integer from 1 to 35/],
      ["Multi-AZ in one subnet", { network: { ...network, databaseSubnetIds: ["subnet-a"] } }, /network.databaseSubnetIds = 1 is invalid; must span at least 2 AZs/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});

describe("documentdb restore inputs (a restore is a config change)", () => {
  it("creates the cluster from a snapshot (keeping its master user) or a point in time of another cluster", () => {
    const fromSnapshot = resource(build({ restore: { kind: "snapshot", snapshotIdentifier: "openedx-production-documentdb-final" } }).json, "aws_docdb_cluster");
    expect(fromSnapshot.snapshot_identifier).toBe("openedx-production-documentdb-final");
    expect(fromSnapshot.master_username).toBeUndefined();
    const pitr = resource(build({ restore: { kind: "point-in-time", sourceIdentifier: "openedx-production-documentdb" } }).json, "aws_docdb_cluster");
    expect(pitr.restore_to_point_in_time).toEqual({ source_cluster_identifier: "openedx-production-documentdb", use_latest_restorable_time: true });
  });

  it("rejects a restore time that is not RFC 3339 UTC", () => {
    expect(() => build({ restore: { kind: "point-in-time", sourceIdentifier: "openedx-production-documentdb", restoreTime: "2026-13-01T00:00:00Z" } }))
      .toThrow('DocumentDb documentdb: restore.restoreTime = "2026-13-01T00:00:00Z" is invalid; must be an RFC 3339 UTC time');
  });
});
