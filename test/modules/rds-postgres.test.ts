import { RdsPostgres, RdsPostgresProps } from "../../modules/rds-postgres";
import { RdsMysql } from "../../modules/rds-mysql";
import { resource, resources, synth, TfJson } from "../helpers";
import { dataStack } from "./data-fixture";

const sizing = { instanceClass: "db.r7g.xlarge", allocatedStorageGiB: 200, maxAllocatedStorageGiB: 1000, readReplicas: 1 };

function build(overrides: Partial<RdsPostgresProps> = {}) {
  const { stack, common } = dataStack();
  const postgres = new RdsPostgres(stack, "postgres", { ...common, ...sizing, ...overrides });
  return { postgres, json: synth(stack) };
}

/** The same stack with MySQL, to compare the two engines setting by setting. */
function mysqlJson(): TfJson {
  const { stack, common } = dataStack();
  new RdsMysql(stack, "mysql", { ...common, ...sizing });
  return synth(stack);
}

/** Engine-specific attributes (and names derived from the component) left out of the parity check. */
const ENGINE_SPECIFIC = ["engine", "engine_version", "identifier", "parameter_group_name", "option_group_name", "enabled_cloudwatch_logs_exports",
  "final_snapshot_identifier", "kms_key_id", "performance_insights_kms_key_id", "master_user_secret_kms_key_id", "monitoring_role_arn",
  "vpc_security_group_ids", "db_subnet_group_name", "depends_on", "replicate_source_db", "//"];
const shared = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => !ENGINE_SPECIFIC.includes(k) && k !== "_id"));

describe("rds-postgres", () => {
  const { postgres, json } = build();
  const primary = resource(json, "aws_db_instance", "postgres/primary");

  it("runs PostgreSQL 17 (major pinned, minors automatic) on 5432", () => {
    expect(primary).toMatchObject({ engine: "postgres", engine_version: "17", auto_minor_version_upgrade: true, identifier: "openedx-production-postgres" });
    expect(resource(json, "aws_db_parameter_group")).toMatchObject({ family: "postgres17", name: "openedx-production-postgres17" });
    expect(resources(json, "aws_db_option_group")).toHaveLength(0);
    expect(postgres.port).toBe(5432);
    expect(postgres.endpointRef).toMatchObject({ port: 5432, description: "RDS PostgreSQL" });
    const sg = resource(json, "aws_security_group", "postgres/sg");
    expect(sg.ingress).toEqual([expect.objectContaining({ from_port: 5432, to_port: 5432, security_groups: ["sg-nodes"], cidr_blocks: [] })]);
  });

  it("forces TLS 1.2+ and audits DDL and role changes without statement parameters", () => {
    const params = Object.fromEntries(resource(json, "aws_db_parameter_group").parameter.map((p: any) => [p.name, p.value]));
    expect(params).toMatchObject({
      "rds.force_ssl": "1", ssl_min_protocol_version: "TLSv1.2", shared_preload_libraries: "pg_stat_statements,pgaudit",
      "pgaudit.log": "ddl,role", "pgaudit.log_parameter": "0", log_min_duration_statement: "2000",
    });
    expect(primary.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = resources(json, "aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/rds/instance/openedx-production-postgres/"));
    expect(groups.map((g) => g.name.split("/").pop())).toEqual(["postgresql", "upgrade"]);
    expect(groups.every((g) => g.kms_key_id && g.retention_in_days === 365)).toBe(true);
  });

  it("has MySQL's guarantees: the same instance settings apart from the engine's own", () => {
    const mysql = mysqlJson();
    expect(shared(primary)).toEqual(shared(resource(mysql, "aws_db_instance", "mysql/primary")));
    expect(shared(resource(json, "aws_db_instance", "postgres/replica-1"))).toEqual(shared(resource(mysql, "aws_db_instance", "mysql/replica-1")));
    // The guarantees themselves, spelled out (so the comparison cannot pass on two wrong configs).
    expect(primary).toMatchObject({
      multi_az: true, storage_encrypted: true, storage_type: "gp3", publicly_accessible: false, manage_master_user_password: true,
      iam_database_authentication_enabled: true, deletion_protection: true, skip_final_snapshot: false, backup_retention_period: 35,
      performance_insights_enabled: true, monitoring_interval: 60, ca_cert_identifier: "rds-ca-rsa2048-g1",
    });
    expect(primary.master_user_secret_kms_key_id).toBe(primary.kms_key_id);
    const alarmSuffixes = (j: TfJson, c: string) => resources(j, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name.replace(`openedx-production-${c}-`, "")).sort();
    expect(alarmSuffixes(json, "postgres")).toEqual(alarmSuffixes(mysql, "mysql"));
    expect(resource(json, "aws_db_event_subscription").event_categories).toEqual(resource(mysql, "aws_db_event_subscription").event_categories);
  });

  it("accepts PostgreSQL 18", () => {
    expect(resource(build({ engineVersion: "18" }).json, "aws_db_parameter_group").family).toBe("postgres18");
  });

  describe("validation", () => {
    it.each<[string, Partial<RdsPostgresProps>, RegExp]>([
      ["a minor version", { engineVersion: "17.4" as never }, /RdsPostgres postgres: engineVersion = "17.4" is invalid; must be one of "14", "15", "16", "17", "18"/],
      ["a retired major", { engineVersion: "13" as never }, /engineVersion = "13" is invalid; must be one of/],
      ["an unknown family", { instanceClass: "db.m4.large" }, /instanceClass = "db.m4.large" is invalid; must be a db.<family>.<size> class of a family RDS offers for PostgreSQL 17/],
      ["a class without Performance Insights", { instanceClass: "db.t3.micro" }, /instanceClass = "db.t3.micro" is invalid; does not support Performance Insights for PostgreSQL/],
      ["backups beyond 35 days", { backupRetentionDays: 36 }, /backupRetentionDays = 36 is invalid; must be an integer from 1 to 35/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
