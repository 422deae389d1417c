import { RdsMysql, RdsMysqlProps } from "../../modules/rds-mysql";
import { suppressionsOf } from "../../modules/core/suppress";
import { policy, resource, resources, synth } from "../helpers";
import { dataStack } from "./data-fixture";

function build(overrides: Partial<RdsMysqlProps> = {}) {
  const { stack, common } = dataStack();
  const mysql = new RdsMysql(stack, "mysql", {
    ...common, instanceClass: "db.r7g.4xlarge", allocatedStorageGiB: 500, maxAllocatedStorageGiB: 2000, readReplicas: 1, ...overrides,
  });
  return { mysql, json: synth(stack) };
}

describe("rds-mysql", () => {
  const { mysql, json } = build();
  const primary = resource(json, "aws_db_instance", "mysql/primary");
  const replica = resource(json, "aws_db_instance", "mysql/replica-1");

  it("runs MySQL 8.4 with only the major version pinned and automatic minor upgrades", () => {
    expect(primary).toMatchObject({ engine: "mysql", engine_version: "8.4", auto_minor_version_upgrade: true, identifier: "openedx-production-mysql" });
    const params = resource(json, "aws_db_parameter_group");
    expect(params).toMatchObject({ family: "mysql8.4", name: "openedx-production-mysql84" });
    // TLS only, 1.2/1.3: the protocols 8.4 supports (TLS 1.0/1.1 were removed).
    expect(params.parameter).toEqual(expect.arrayContaining([
      { name: "require_secure_transport", value: "1" },
      { name: "tls_version", value: "TLSv1.2,TLSv1.3", apply_method: "pending-reboot" },
    ]));
    expect(resource(json, "aws_db_option_group")).toMatchObject({ major_engine_version: "8.4", name: "openedx-production-mysql84-audit" });
  });

  it("is Multi-AZ, private, CMK-encrypted gp3 with autoscaling and IAM auth", () => {
    expect(primary).toMatchObject({
      multi_az: true, publicly_accessible: false, storage_encrypted: true, storage_type: "gp3",
      allocated_storage: 500, max_allocated_storage: 2000, iam_database_authentication_enabled: true,
    });
    expect(primary.kms_key_id).toMatch(/aws_kms_key\.mysql_key_\w+\.arn/);
    expect(resource(json, "aws_db_subnet_group").subnet_ids).toEqual(["subnet-db-a", "subnet-db-b", "subnet-db-c"]);
  });

  it("lets RDS manage the master password in Secrets Manager under the CMK", () => {
    expect(primary.manage_master_user_password).toBe(true);
    expect(primary.master_user_secret_kms_key_id).toBe(primary.kms_key_id);
    expect(primary.password).toBeUndefined();
    expect(mysql.masterUserSecretArn).toBeDefined();
  });

  it("requires TLS and logs slow queries", () => {
    const params = Object.fromEntries(resource(json, "aws_db_parameter_group").parameter.map((p: any) => [p.name, p.value]));
    expect(params).toMatchObject({ require_secure_transport: "1", slow_query_log: "1" });
  });

  it("keeps 35 days of backups, deletion protection and a final snapshot", () => {
    expect(primary).toMatchObject({ backup_retention_period: 35, deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: "openedx-production-mysql-final" });
  });

  it("turns on Performance Insights (CMK), enhanced monitoring and error/slow/audit log exports to CMK log groups", () => {
    expect(primary).toMatchObject({ performance_insights_enabled: true, performance_insights_retention_period: 7, monitoring_interval: 60 });
    expect(primary.performance_insights_kms_key_id).toBe(primary.kms_key_id);
    expect(primary.enabled_cloudwatch_logs_exports).toEqual(["error", "slowquery", "audit"]);
    expect(resource(json, "aws_db_option_group").option[0].option_name).toBe("MARIADB_AUDIT_PLUGIN");
    const groups = resources(json, "aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/rds/instance/openedx-production-mysql/"));
    expect(groups).toHaveLength(3);
    expect(groups.every((g) => g.kms_key_id && g.retention_in_days === 365)).toBe(true);
    const role = resource(json, "aws_iam_role", "mysql/monitoring-role");
    expect(policy(role.assume_role_policy).Statement[0].Principal.Service).toBe("monitoring.rds.amazonaws.com");
  });

  it("adds an encrypted read replica of the primary", () => {
    expect(replica.replicate_source_db).toMatch(/aws_db_instance\.mysql_primary_\w+\.identifier/);
    expect(replica).toMatchObject({ storage_encrypted: true, publicly_accessible: false, identifier: "openedx-production-mysql-replica-1" });
    expect(replica.manage_master_user_password).toBeUndefined();
    expect(mysql.replicaAddresses).toHaveLength(1);
    const replicaConstruct = mysql.node.findChild("replica-1") as any;
    expect(suppressionsOf(replicaConstruct).map((x) => x.id)).toEqual(["CKV_AWS_157"]);
  });

  it("accepts 3306 only from the client security groups", () => {
    const sg = resource(json, "aws_security_group", "mysql/sg");
    expect(sg.ingress).toHaveLength(1);
    expect(sg.ingress[0]).toMatchObject({ from_port: 3306, to_port: 3306, protocol: "tcp", security_groups: ["sg-nodes"], cidr_blocks: [] });
    expect(sg.egress).toEqual([]);
  });

  it("alarms on CPU, storage, memory and replica lag, and subscribes failover events", () => {
    const alarms = resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(alarms).toEqual(expect.arrayContaining([
      "openedx-production-mysql-primary-cpu", "openedx-production-mysql-primary-free-storage",
      "openedx-production-mysql-primary-freeable-memory", "openedx-production-mysql-replica-1-lag",
    ]));
    const events = resource(json, "aws_db_event_subscription");
    expect(events.event_categories).toContain("failover");
    expect(events.source_ids).toEqual(["openedx-production-mysql", "openedx-production-mysql-replica-1"]);
  });

  it("refuses MySQL 8.0 (past standard support) on a protected database unless extended support is accepted with a reason", () => {
    expect(() => build({ engineVersion: "8.0" })).toThrow(
      /RdsMysql mysql: engineVersion = "8.0" is invalid; reached the end of Amazon RDS for MySQL standard support on 2026-07-31 .*use a supported version \(8.4\), or set extendedSupport/);
    const { mysql, json: old } = build({ engineVersion: "8.0", extendedSupport: { reason: "blue/green to 8.4 scheduled 2027-01-10 (OPS-77)" } });
    expect(resource(old, "aws_db_parameter_group").family).toBe("mysql8.0");
    expect(mysql.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)))
      .toEqual([expect.stringMatching(/engineVersion 8.0 is past the end .*\(2026-07-31\).*accepted: blue\/green.*move to 8.4/)]);
  });

  it("sandbox shape: single-AZ, no deletion protection, no final snapshot", () => {
    const { json: sb } = build({ multiAz: false, deletionProtection: false, readReplicas: 0, instanceClass: "db.t4g.medium", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100, backupRetentionDays: 1 });
    expect(resource(sb, "aws_db_instance")).toMatchObject({ multi_az: false, deletion_protection: false, skip_final_snapshot: true, backup_retention_period: 1 });
  });

  describe("validation", () => {
    it.each<[string, Partial<RdsMysqlProps>, RegExp]>([
      ["a minor engine version", { engineVersion: "8.0.35" as never }, /engineVersion = "8.0.35" is invalid; must be one of "8.0", "8.4"/],
      ["an unknown instance family", { instanceClass: "db.m4.large" }, /instanceClass = "db.m4.large" is invalid; must be a db.<family>.<size> class/],
      ["a class without Performance Insights", { instanceClass: "db.t4g.micro" }, /instanceClass = "db.t4g.micro" is invalid; does not support Performance Insights/],
      ["storage below gp3's minimum", { allocatedStorageGiB: 10 }, /allocatedStorageGiB = 10 is invalid; must be an integer from 20 to 65536/],
      ["an autoscaling ceiling too close", { maxAllocatedStorageGiB: 510 }, /maxAllocatedStorageGiB = 510 is invalid; must be an integer from 550/],
      ["backups beyond 35 days", { backupRetentionDays: 36 }, /backupRetentionDays = 36 is invalid; must be an integer from 1 to 35/],
      ["backups off", { backupRetentionDays: 0 }, /backupRetentionDays = 0 is invalid/],
      ["too many replicas", { readReplicas: 16 }, /readReplicas = 16 is invalid; must be an integer from 0 to 15/],
      ["a bad Performance Insights retention", { performanceInsightsRetentionDays: 30 }, /performanceInsightsRetentionDays = 30 is invalid; must be 7, a multiple of 31/],
      ["a bad monitoring interval", { monitoringIntervalSeconds: 0 }, /monitoringIntervalSeconds = 0 is invalid; must be one of 1, 5, 10, 15, 30, 60/],
      ["Multi-AZ in one subnet", { network: { ...dataStack().common.network, databaseSubnetIds: ["subnet-a"] } }, /network.databaseSubnetIds = 1 is invalid; must span at least 2 AZs/],
      ["no client", { allowFrom: [] }, /allowFrom = \[\] is invalid; must list at least 1 client/],
      ["a CIDR as a client", { allowFrom: [{ securityGroupId: "0.0.0.0/0", description: "anyone" }] }, /allowFrom\[0\]\.securityGroupId = "0\.0\.0\.0\/0" is invalid; must be a security group id/],
      ["a bad log retention", { logRetentionDays: 10 }, /logRetentionDays = 10 is invalid; must be a CloudWatch Logs retention period/],
      ["a negative alarm threshold", { alarmThresholds: { cpuPercent: -1 } }, /alarm mysql-primary-cpu: threshold = -1 is invalid/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});

describe("rds-mysql restore inputs (a restore is a config change)", () => {
  it("creates the primary from a snapshot, keeping the snapshot's master user, replicas from the restored primary", () => {
    const { json } = build({ restore: { kind: "snapshot", snapshotIdentifier: "rds:openedx-production-mysql-2026-12-02-03-05" } });
    const primary = resource(json, "aws_db_instance", "mysql/primary");
    expect(primary.snapshot_identifier).toBe("rds:openedx-production-mysql-2026-12-02-03-05");
    expect(primary.username).toBeUndefined();
    expect(primary.manage_master_user_password).toBe(true);
    expect(resource(json, "aws_db_instance", "mysql/replica-1").snapshot_identifier).toBeUndefined();
  });

  it("restores to a point in time of another instance, the latest restorable one unless a time is given", () => {
    const latest = resource(build({ restore: { kind: "point-in-time", sourceIdentifier: "openedx-production-mysql" } }).json, "aws_db_instance", "mysql/primary");
    expect(latest.restore_to_point_in_time).toEqual({ source_db_instance_identifier: "openedx-production-mysql", use_latest_restorable_time: true });
    const at = resource(build({ restore: { kind: "point-in-time", sourceIdentifier: "openedx-production-mysql", restoreTime: "2026-12-01T03:15:00Z" } }).json, "aws_db_instance", "mysql/primary");
    expect(at.restore_to_point_in_time).toEqual({ source_db_instance_identifier: "openedx-production-mysql", restore_time: "2026-12-01T03:15:00Z" });
  });

  it.each<[string, RdsMysqlProps["restore"], string]>([
    ["a snapshot name with spaces", { kind: "snapshot", snapshotIdentifier: "my snapshot" }, 'restore.snapshotIdentifier = "my snapshot" is invalid; must be a snapshot identifier'],
    ["a local time", { kind: "point-in-time", sourceIdentifier: "openedx-production-mysql", restoreTime: "2026-12-01 03:15" }, 'restore.restoreTime = "2026-12-01 03:15" is invalid; must be an RFC 3339 UTC time'],
    ["an ARN as the source", { kind: "point-in-time", sourceIdentifier: "arn:aws:rds:us-east-1:1:db:x" }, "restore.sourceIdentifier = \"arn:aws:rds:us-east-1:1:db:x\" is invalid; must be the source store's identifier"],
  ])("rejects %s", (_, restore, message) => {
    expect(() => build({ restore })).toThrow(`RdsMysql mysql: ${message}`);
  });
});
