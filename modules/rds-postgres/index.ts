import { Construct } from "constructs";
import { RDS_FAMILIES, RdsDatabase, RdsEngine, RdsSizing } from "../rds";
import { DataStoreProps } from "../core/data-store";

/**
 * PostgreSQL 17: RDS standard support until 2030-02-28. Seed 004 names PostgreSQL 15, whose
 * standard support ends 2028-02-29; a new database starts on the newest major with a mature
 * ecosystem (extensions, drivers, blue/green upgrades) rather than on one with 14 months left
 * before its upgrade is due. 18 is accepted for teams that want it.
 */
// renovate: datasource=endoflife-date depName=amazon-rds-postgresql versioning=loose
export const DEFAULT_POSTGRES_VERSION = "17";

export type PostgresVersion = "14" | "15" | "16" | "17" | "18";

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface RdsPostgresSettings extends RdsSizing {
  /**
   * Major version only; AWS applies minor versions in the maintenance window. Versions past
   * their end of standard support (modules/core/lifecycle.ts) are refused by protected
   * environments unless `extendedSupport` accepts them.
   * @default DEFAULT_POSTGRES_VERSION ("17")
   */
  readonly engineVersion?: PostgresVersion;
}

export interface RdsPostgresProps extends DataStoreProps, RdsPostgresSettings {}

/** PostgreSQL's part of the shared RDS machinery (modules/rds). */
export const POSTGRES_ENGINE: RdsEngine = {
  engine: "postgres",
  name: "PostgreSQL",
  component: "postgres",
  port: 5432,
  versions: ["14", "15", "16", "17", "18"],
  lifecycleProduct: "rdsPostgres",
  families: RDS_FAMILIES,
  family: (version) => `postgres${version}`,
  parameterDescription: "TLS-only connections (1.2+), slow statement and DDL/role audit logging",
  parameters: () => [
    // Refuse non-TLS connections; RDS defaults it on from 15, set explicitly for every major.
    { name: "rds.force_ssl", value: "1" },
    { name: "ssl_min_protocol_version", value: "TLSv1.2" },
    { name: "log_min_duration_statement", value: "2000" },
    // DDL in the server log too (pgaudit adds who and the role changes); never data statements.
    { name: "log_statement", value: "ddl" },
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
    // pgaudit (session logging of DDL and role changes) and pg_stat_statements load at start.
    { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
    { name: "pgaudit.log", value: "ddl,role" },
    { name: "pgaudit.log_parameter", value: "0" },
  ],
  logExports: ["postgresql", "upgrade"],
};

/**
 * Seed 004's relational database: RDS for PostgreSQL in the database subnets, with the same
 * guarantees as rds-mysql because it is the same code (modules/rds: RdsDatabase) with
 * PostgreSQL's engine settings (POSTGRES_ENGINE):
 *
 * - Multi-AZ from config, gp3 with storage autoscaling, storage/PI/master secret under one CMK,
 *   master password managed by RDS in Secrets Manager, IAM database authentication, never
 *   public, port 5432 from the allowed security groups only, 35 days of PITR by default,
 *   deletion protection and a final snapshot, read replicas (seed 004's read-replica pattern),
 *   enhanced monitoring, Performance Insights, events and alarms to the alarm topic.
 * - TLS: `rds.force_ssl = 1` and `ssl_min_protocol_version = TLSv1.2`; clients verify with the
 *   RDS regional CA bundle (`sslmode=verify-full`).
 * - Audit: pgaudit logs DDL and role changes (no statement parameters, so no data in logs);
 *   run `CREATE EXTENSION pgaudit;` once per database. Logs `postgresql` and `upgrade` go to
 *   CMK log groups created beforehand.
 * - Upgrades between majors: an RDS blue/green deployment (as rds-mysql's doc describes), then
 *   set `engineVersion` and import the new parameter group (`<project>-<env>-postgres<major>`).
 */
export class RdsPostgres extends RdsDatabase {
  constructor(scope: Construct, id: string, props: RdsPostgresProps) {
    super(scope, id, { ...props, engineVersion: props.engineVersion ?? DEFAULT_POSTGRES_VERSION }, POSTGRES_ENGINE, `RdsPostgres ${id}`);
  }
}
