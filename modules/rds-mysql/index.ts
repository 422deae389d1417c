import { Construct } from "constructs";
import { RDS_FAMILIES, RdsAlarmThresholds, RdsDatabase, RdsEngine, RdsSizing } from "../rds";
import { DataStoreProps } from "../core/data-store";

/**
 * MySQL 8.4, the LTS line: RDS standard support until 2029-07-31 (8.0's ended 2026-07-31,
 * after which RDS bills Extended Support).
 */
// renovate: datasource=endoflife-date depName=amazon-rds-mysql versioning=loose
export const DEFAULT_MYSQL_VERSION = "8.4";

/** Alarm thresholds; seed 001's alerting rules are the defaults. */
export type RdsMysqlAlarmThresholds = RdsAlarmThresholds;

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface RdsMysqlSettings extends RdsSizing {
  /**
   * Major version only; AWS applies minor versions in the maintenance window, so Terraform
   * never sees a drift it would try to "downgrade". "8.0" is past its end of standard support
   * (2026-07-31): protected environments refuse it unless `extendedSupport` accepts it.
   * @default DEFAULT_MYSQL_VERSION ("8.4")
   */
  readonly engineVersion?: "8.0" | "8.4";
}

export interface RdsMysqlProps extends DataStoreProps, RdsMysqlSettings {}

/** MySQL's part of the shared RDS machinery (modules/rds). */
export const MYSQL_ENGINE: RdsEngine = {
  engine: "mysql",
  name: "MySQL",
  component: "mysql",
  port: 3306,
  versions: ["8.0", "8.4"],
  lifecycleProduct: "rdsMysql",
  families: RDS_FAMILIES,
  family: (version) => `mysql${version}`,
  parameterDescription: "TLS-only connections, slow query log",
  parameters: () => [
    { name: "require_secure_transport", value: "1" },
    { name: "tls_version", value: "TLSv1.2,TLSv1.3", applyMethod: "pending-reboot" },
    { name: "slow_query_log", value: "1" },
    { name: "long_query_time", value: "2" },
    { name: "log_output", value: "FILE" },
  ],
  options: {
    suffix: "audit",
    description: "MariaDB audit plugin: connections, DDL and DCL",
    option: [{
      optionName: "MARIADB_AUDIT_PLUGIN",
      optionSettings: [
        { name: "SERVER_AUDIT_EVENTS", value: "CONNECT,QUERY_DDL,QUERY_DCL" },
        { name: "SERVER_AUDIT_EXCL_USERS", value: "rdsadmin" },
      ],
    }],
  },
  logExports: ["error", "slowquery", "audit"],
};

/**
 * Open edX's relational database: RDS for MySQL in the database subnets, built by the shared
 * RDS machinery (modules/rds: RdsDatabase) with MySQL's engine settings (MYSQL_ENGINE).
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
export class RdsMysql extends RdsDatabase {
  constructor(scope: Construct, id: string, props: RdsMysqlProps) {
    super(scope, id, { ...props, engineVersion: props.engineVersion ?? DEFAULT_MYSQL_VERSION }, MYSQL_ENGINE, `RdsMysql ${id}`);
  }
}
