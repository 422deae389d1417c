import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { DataStoreProps, dataStoreDefaults, storeLogGroup } from "../core/data-store";
import { GeneratedSecret } from "../core/secret";
import { storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { policyJson } from "../core/policy";
import { checkVersionLifecycle, ExtendedSupport } from "../core/lifecycle";

/**
 * OpenSearch 2.19, the newest 2.x engine (standard support until 2027-11-07). Not 3.x:
 * OpenSearch 3.0 removed `compatibility.override_main_response_version`, which lets Open edX's
 * Elasticsearch 7 client (edx-search pins elasticsearch-py < 7.14) see a 7.10.2 server, and
 * dropped more 7.x-era APIs; move to 3.x once the platform's search runs on an OpenSearch
 * client (or Meilisearch/Typesense, where Open edX is heading).
 */
// renovate: datasource=endoflife-date depName=amazon-opensearch versioning=loose
export const DEFAULT_SEARCH_ENGINE = "OpenSearch_2.19";

/** Alarm thresholds; seed 001's alerting rules and AWS's recommended alarms are the defaults. */
export interface ElasticsearchAlarmThresholds {
  /** Data-node CPU over 15 minutes. @default 80 */
  readonly cpuPercent?: number;
  /** JVM memory pressure over 15 minutes. @default 80 */
  readonly jvmMemoryPressurePercent?: number;
  /** Dedicated-master CPU over 15 minutes. @default 50 */
  readonly masterCpuPercent?: number;
  /** Free storage of the fullest node (MiB). @default 25 % of the EBS volume, or 20480 on instance storage */
  readonly freeStorageMiB?: number;
}

/** Sizing and tuning: the part of the props an environment's config provides. */
export interface ElasticsearchSettings {
  /**
   * Engine: `OpenSearch_<major>.<minor>` or `Elasticsearch_7.10`, one of the versions in
   * modules/core/lifecycle.ts. OpenSearch 1.x/2.x domains report 7.10.2 to clients
   * (`override_main_response_version`) so Open edX's Elasticsearch 7 client connects; use
   * `Elasticsearch_7.10` only for a domain that must stay on the legacy engine.
   * @default DEFAULT_SEARCH_ENGINE ("OpenSearch_2.19")
   */
  readonly engineVersion?: string;
  /**
   * Accept paid extended support for an `engineVersion` past its end of standard support,
   * with the reason.
   * @default undefined (not accepted)
   */
  readonly extendedSupport?: ExtendedSupport;
  /** Data node type, e.g. `i3.2xlarge.search`. */
  readonly dataNodeType: string;
  /** Data nodes; a multiple of the AZ count when zone-aware. */
  readonly dataNodeCount: number;
  /**
   * gp3 volume per data node (GiB). Required for EBS-backed types, forbidden for types with
   * instance storage (i3, r6gd, im4gn, i4g, i4i).
   * @default none (instance storage)
   */
  readonly volumeSizeGiB?: number;
  /**
   * Dedicated master nodes (3 or 5); required for Multi-AZ.
   * @default none
   */
  readonly dedicatedMasters?: { readonly type: string; readonly count: number };
  /** @default AWS's recommended thresholds */
  readonly alarmThresholds?: ElasticsearchAlarmThresholds;
}

export interface ElasticsearchProps extends DataStoreProps, ElasticsearchSettings {}

const ENGINE_RE = /^(Elasticsearch_7\.10|OpenSearch_(1\.3|2\.\d{1,2}|3\.\d{1,2}))$/;
const INSTANCE_STORE = ["i3", "r6gd", "im4gn", "i4g", "i4i"];
/** Families OpenSearch Service cannot encrypt (at rest / node-to-node), which FGAC needs. */
const NO_ENCRYPTION = ["t2", "m3", "r3", "i2"];
/** OpenSearch-optimized families that need OpenSearch 2.11+. */
const OPENSEARCH_ONLY = ["or1", "or2", "om2"];
const LOG_TYPES = ["INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"] as const;
const PORT = 443;

/**
 * Search for Open edX: an Amazon OpenSearch Service domain (OpenSearch 2.19 engine by
 * default) inside the VPC.
 *
 * - Engine: OpenSearch 2.19, not the Elasticsearch 7.10 engine (legacy; kept for domains
 *   configured with it) and not 3.x. Open edX's search (edx-search's Elasticsearch engine,
 *   course discovery, forum) talks the Elasticsearch 7 REST API through elasticsearch-py
 *   < 7.14; OpenSearch 2.x serves that API and, with `override_main_response_version`,
 *   reports version 7.10.2 so the client accepts it. OpenSearch 3.0 removed that setting and
 *   more 7.x compatibility, and Open edX is moving its new search to Meilisearch/Typesense
 *   rather than onto OpenSearch 3, so 2.19 is the newest engine the platform is known to work
 *   with. Upgrading a 7.10 domain to 2.19 is an in-place blue/green upgrade by AWS (7.10 ->
 *   OpenSearch 1.3 -> 2.19; take a manual snapshot first).
 *
 * - Subnets: the database tier, like every other store. The domain only answers clients and
 *   needs no route out (its snapshots go to a service-owned bucket), so the tier without a
 *   NAT route is the right one; one subnet per zone the domain uses.
 * - Production: zone awareness across 3 AZs, 3 dedicated masters, data nodes from config
 *   (seed 002's i3.2xlarge, whose NVMe instance storage replaces EBS; six nodes, two per AZ,
 *   rather than the seed's "50+", which is far beyond what course search needs; the config
 *   scales it). EBS-backed types get gp3.
 * - Encryption at rest with the store's CMK, node-to-node encryption, HTTPS only with a
 *   TLS 1.2+ policy, fine-grained access control with an internal master user whose
 *   password is generated into Secrets Manager (CMK). An IAM-role master was considered, but
 *   Open edX's Elasticsearch client speaks basic auth, not SigV4.
 * - Access policy: HTTP actions on this domain only, for any caller that reaches it through
 *   the VPC and its security group; fine-grained access control then authenticates each
 *   request (basic auth) and authorizes it per user. An access policy naming IAM principals
 *   (e.g. the account root) would deny Open edX's unsigned basic-auth requests as anonymous,
 *   which is why AWS recommends this open resource policy together with FGAC.
 * - Index/search slow logs, application and audit logs to CMK-encrypted log groups, with one
 *   log resource policy for all of them (accounts get only 10 such policies per region).
 * - OpenSearch keeps hourly automated snapshots for 14 days; that retention is fixed by AWS.
 */
export class Elasticsearch extends Construct {
  public readonly domainName: string;
  public readonly domainArn: string;
  /** VPC endpoint (HTTPS, port 443). */
  public readonly endpoint: string;
  public readonly port = PORT;
  /** Secrets Manager ARN of the master user (`{"username": ..., "password": ...}`). */
  public readonly masterUserSecretArn: string;
  public readonly securityGroupId: string;
  /** Customer-managed key of the store (storage, snapshots and its credential secret): readers of the secret need kms:Decrypt on it through Secrets Manager. */
  public readonly kmsKeyArn: string;
  /** The domain (for scanner suppressions and dependencies). */
  public readonly domain: OpensearchDomain;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const where = `Elasticsearch ${id}`;
    const d = dataStoreDefaults(this, where, "search", props);
    const engineVersion = props.engineVersion ?? DEFAULT_SEARCH_ENGINE;
    const zones = d.multiAz ? Math.min(3, props.network.databaseSubnetIds.length) : 1;
    const family = validate(where, props, engineVersion, zones, d.multiAz);
    checkVersionLifecycle(this, {
      where, prop: "engineVersion", product: "opensearch", version: engineVersion,
      protectedEnvironment: d.requireStandardSupport, extendedSupport: props.extendedSupport,
    });
    const instanceStore = INSTANCE_STORE.includes(family);

    const { naming } = props;
    const { accountId, partition, region } = awsContext(this);
    this.domainName = naming.name("search", "opensearchDomain");
    this.domainArn = `arn:${partition}:es:${region}:${accountId}:domain/${this.domainName}`;
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: "search", vpcId: props.network.vpcId, port: PORT,
      allowedSecurityGroupIds: props.allowedSecurityGroupIds, description: "OpenSearch HTTPS",
    });
    this.securityGroupId = sg.id;
    this.kmsKeyArn = d.key.keyArn;

    const master = new GeneratedSecret(this, "master-user", {
      naming, component: "search-master-user", description: `Fine-grained access control master user of ${this.domainName}`,
      kmsKeyArn: d.key.keyArn,
      username: "search-admin",
      length: 40,
      // OpenSearch needs upper, lower, digit and symbol (require_each_included_type); quotes,
      // backslash and slash are excluded so the password survives shell and URL use.
      excludeCharacters: "\"'\\/@`",
      recoveryWindowInDays: d.deletionProtection ? 30 : 0,
    });
    this.masterUserSecretArn = master.secretArn;

    const logGroups = LOG_TYPES.map((type) => ({
      type,
      group: storeLogGroup(this, `log-${type.toLowerCase()}`, `/aws/opensearch/${this.domainName}/${type.toLowerCase().replace(/_/g, "-")}`, d),
    }));
    const logPolicy = new CloudwatchLogResourcePolicy(this, "log-policy", {
      policyName: naming.name("search-logs"),
      policyDocument: policyJson([{
        Sid: "OpenSearchWritesDomainLogs",
        Effect: "Allow",
        Principal: { Service: "es.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: logGroups.map((l) => `${l.group.arn}:*`),
        Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": this.domainArn } },
      }]),
    });
    // The OpenSearch service-linked role (VPC ENIs) is account-level: IAM allows one per
    // account, so the bootstrap stack creates it (serviceLinkedRoles), never an environment.
    const dependsOn: ITerraformDependable[] = [logPolicy];

    const masters = props.dedicatedMasters;
    const burstable = family.startsWith("t");
    this.domain = new OpensearchDomain(this, "domain", {
      domainName: this.domainName,
      engineVersion,
      clusterConfig: {
        instanceType: props.dataNodeType,
        instanceCount: props.dataNodeCount,
        dedicatedMasterEnabled: masters !== undefined,
        dedicatedMasterType: masters?.type,
        dedicatedMasterCount: masters?.count,
        zoneAwarenessEnabled: zones > 1,
        zoneAwarenessConfig: zones > 1 ? { availabilityZoneCount: zones } : undefined,
        // Off: standby needs an OpenSearch engine (not the legacy 7.10 one), 3 AZs and dedicated
        // masters, which only production has; the topology is unchanged from the 7.10 default.
        multiAzWithStandbyEnabled: false,
      },
      ebsOptions: instanceStore
        ? { ebsEnabled: false }
        : { ebsEnabled: true, volumeType: "gp3", volumeSize: props.volumeSizeGiB, throughput: 125, iops: 3000 },
      vpcOptions: { subnetIds: props.network.databaseSubnetIds.slice(0, zones), securityGroupIds: [sg.id] },
      encryptAtRest: { enabled: true, kmsKeyId: d.key.keyArn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: true,
        masterUserOptions: { masterUserName: "search-admin", masterUserPassword: master.password },
      },
      // Fine-grained access control authenticates every request (basic auth against the
      // internal user database) and the domain is reachable only through its security group.
      // A policy naming IAM principals would reject those unsigned basic-auth requests as
      // anonymous, so the resource policy only scopes HTTP actions to this domain.
      accessPolicies: policyJson([{
        Sid: "HttpToThisDomainThroughFgac",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "es:ESHttp*",
        Resource: `${this.domainArn}/*`,
      }]),
      // Burstable types do not support Auto-Tune.
      autoTuneOptions: { desiredState: burstable ? "DISABLED" : "ENABLED", rollbackOnDisable: "NO_ROLLBACK" },
      advancedOptions: {
        "rest.action.multi.allow_explicit_index": "true",
        // OpenSearch 1.x/2.x report 7.10.2 so Elasticsearch 7 clients (Open edX) connect; 3.x
        // removed the setting (and rejects it).
        ...(/^OpenSearch_[12]\./.test(engineVersion) ? { override_main_response_version: "true" } : {}),
      },
      logPublishingOptions: logGroups.map((l) => ({ logType: l.type, cloudwatchLogGroupArn: l.group.arn, enabled: true })),
      dependsOn,
    });
    this.endpoint = this.domain.endpoint;
    // Trivy reads no nested blocks in Terraform JSON, so it sees none of these settings.
    const nested = (what: string, checkov: string) => ({ reason: `False positive: Trivy does not read nested blocks in Terraform JSON; ${what} is set here (Checkov ${checkov} verifies it)` });
    suppress(this.domain,
      { id: "AWS-0042", ...nested("log_publishing_options (index/search slow, application, audit)", "CKV_AWS_84") },
      { id: "AWS-0043", ...nested("node_to_node_encryption.enabled = true", "CKV_AWS_6") },
      { id: "AWS-0046", ...nested("domain_endpoint_options.enforce_https = true", "CKV_AWS_83") },
      { id: "AWS-0048", ...nested("encrypt_at_rest with the store's CMK", "CKV_AWS_5") },
      { id: "AWS-0126", ...nested("tls_security_policy = Policy-Min-TLS-1-2-PFS-2023-10", "CKV_AWS_228") });
    if (!masters) {
      const reason = "No dedicatedMasters set by the caller: a single-AZ domain without dedicated masters (Multi-AZ, which the production protection tier requires, needs 3 or 5)";
      suppress(this.domain, { id: "CKV_AWS_318", reason }, { id: "CKV2_AWS_59", reason });
    }

    const th = {
      cpuPercent: 80, jvmMemoryPressurePercent: 80, masterCpuPercent: 50,
      freeStorageMiB: instanceStore ? 20480 : Math.floor((props.volumeSizeGiB ?? 0) * 1024 * 0.25),
      ...props.alarmThresholds,
    };
    const base = { namespace: "AWS/ES", dimensions: { DomainName: this.domainName, ClientId: accountId } };
    const specs: AlarmSpec[] = [
      { ...base, name: "cluster-red", metricName: "ClusterStatus.red", statistic: "Maximum", comparison: ">=", threshold: 1, periods: 1,
        description: `${this.domainName}: cluster status RED — at least one primary shard is unassigned` },
      { ...base, name: "free-storage", metricName: "FreeStorageSpace", statistic: "Minimum", comparison: "<=", threshold: th.freeStorageMiB, periods: 1,
        description: `${this.domainName}: a node has at most ${th.freeStorageMiB} MiB free storage` },
      { ...base, name: "writes-blocked", metricName: "ClusterIndexWritesBlocked", statistic: "Maximum", comparison: ">=", threshold: 1, periods: 1,
        description: `${this.domainName}: the cluster is blocking writes` },
      { ...base, name: "cpu", metricName: "CPUUtilization", statistic: "Average", comparison: ">=", threshold: th.cpuPercent, periods: 3, periodSeconds: 300,
        description: `${this.domainName}: data-node CPU at or above ${th.cpuPercent} % for 15 minutes` },
      { ...base, name: "jvm-memory-pressure", metricName: "JVMMemoryPressure", statistic: "Maximum", comparison: ">=", threshold: th.jvmMemoryPressurePercent, periods: 3, periodSeconds: 300,
        description: `${this.domainName}: JVM memory pressure at or above ${th.jvmMemoryPressurePercent} % for 15 minutes` },
      { ...base, name: "snapshot-failure", metricName: "AutomatedSnapshotFailure", statistic: "Maximum", comparison: ">=", threshold: 1, periods: 1,
        description: `${this.domainName}: an automated snapshot failed` },
      { ...base, name: "kms-key-error", metricName: "KMSKeyError", statistic: "Maximum", comparison: ">=", threshold: 1, periods: 1,
        description: `${this.domainName}: the encryption key is disabled or inaccessible` },
    ];
    // A single node cannot place replica shards, so yellow is its normal state.
    if (props.dataNodeCount > 1) {
      specs.push({ ...base, name: "cluster-yellow", metricName: "ClusterStatus.yellow", statistic: "Maximum", comparison: ">=", threshold: 1,
        description: `${this.domainName}: cluster status YELLOW for 5 minutes — replica shards unassigned` });
    }
    if (masters) {
      specs.push({ ...base, name: "master-cpu", metricName: "MasterCPUUtilization", statistic: "Maximum", comparison: ">=", threshold: th.masterCpuPercent,
        periods: 3, periodSeconds: 300, description: `${this.domainName}: dedicated-master CPU at or above ${th.masterCpuPercent} % for 15 minutes` });
    }
    metricAlarms(this, props.alarms, naming, "search", specs);
  }
}

/** Validates and returns the data node family (e.g. `i3`). */
function validate(where: string, props: ElasticsearchProps, engineVersion: string, zones: number, multiAz: boolean): string {
  check(ENGINE_RE.test(engineVersion), where, "engineVersion", engineVersion,
    "must be Elasticsearch_7.10 or OpenSearch_<major>.<minor> (1.3 or later); older engines lack fine-grained access control audit logs and gp3");
  const family = instanceFamily(where, "dataNodeType", props.dataNodeType);
  const instanceStore = INSTANCE_STORE.includes(family);
  check(!NO_ENCRYPTION.includes(family), where, "dataNodeType", props.dataNodeType,
    "does not support encryption at rest, which fine-grained access control requires; use t3, m6g, r6g, i3 or newer");
  if (OPENSEARCH_ONLY.includes(family)) {
    const m = /^OpenSearch_(\d+)\.(\d+)$/.exec(engineVersion);
    check(m !== null && (Number(m[1]) > 2 || (Number(m[1]) === 2 && Number(m[2]) >= 11)), where, "dataNodeType", props.dataNodeType,
      `needs engineVersion OpenSearch_2.11 or later (got ${engineVersion})`);
  }
  if (instanceStore) {
    check(props.volumeSizeGiB === undefined, where, "volumeSizeGiB", props.volumeSizeGiB,
      `must be unset: ${props.dataNodeType} uses its instance storage and does not support EBS volumes`);
  } else {
    check(props.volumeSizeGiB !== undefined, where, "volumeSizeGiB", props.volumeSizeGiB, `is required for the EBS-backed type ${props.dataNodeType}`);
    checkInt(where, "volumeSizeGiB", props.volumeSizeGiB!, 10, 24576);
  }
  checkInt(where, "dataNodeCount", props.dataNodeCount, 1, 80);
  check(props.dataNodeCount % zones === 0, where, "dataNodeCount", props.dataNodeCount,
    `must be a multiple of the ${zones} zones the domain spans (zone awareness places equal node counts per zone)`);
  if (props.dedicatedMasters) {
    const masterFamily = instanceFamily(where, "dedicatedMasters.type", props.dedicatedMasters.type);
    check(!NO_ENCRYPTION.includes(masterFamily), where, "dedicatedMasters.type", props.dedicatedMasters.type, "does not support encryption; use m6g or newer");
    checkOneOf(where, "dedicatedMasters.count", props.dedicatedMasters.count, [3, 5]);
  }
  check(!multiAz || props.dedicatedMasters !== undefined, where, "dedicatedMasters", props.dedicatedMasters,
    "is required when multiAz is true (3 or 5 dedicated masters keep a quorum when a zone fails)");
  check(!multiAz || props.network.databaseSubnetIds.length >= 2, where, "network.databaseSubnetIds", props.network.databaseSubnetIds.length,
    "must span at least 2 AZs for Multi-AZ");
  return family;
}

function instanceFamily(where: string, prop: string, type: string): string {
  const m = /^([a-z0-9]+)\.([a-z0-9]+)\.search$/.exec(type);
  check(m !== null, where, prop, type, "must be an OpenSearch instance type such as r6g.large.search");
  return m![1]!;
}
