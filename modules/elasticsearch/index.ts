import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { awsContext } from "../core/aws-context";
import { DataStoreProps, dataStoreDefaults, storeLogGroup } from "../core/data-store";
import { KmsKey } from "../kms-key";
import { StoreEndpoint, storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkInt, checkOneOf } from "../core/validation";
import { PolicyStatement, policyJson } from "../core/policy";
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

export interface ElasticsearchProps extends DataStoreProps, ElasticsearchSettings {
  /**
   * IAM role that is the domain's fine-grained access control master user, and the only
   * principal the domain's resource policy admits: the app's Pod Identity role (the app is
   * the domain's only client and creates its own indices). Requests are SigV4-signed.
   * @default a new role `<prefix>-search-admin` that principals of this account may assume when their own IAM policy allows it
   */
  readonly masterUserRoleArn?: string;
}

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
 *   TLS 1.2+ policy, fine-grained access control with an IAM master user
 *   (`masterUserRoleArn`, the app's Pod Identity role in the environments): no internal user
 *   database, no password anywhere. Before this, the internal master user's password was
 *   generated into a secret version and sat in plain text in the Terraform state.
 *   One master role rather than an admin master plus a mapped app role: mapping further IAM
 *   roles to FGAC roles is an OpenSearch security-API call (no AWS provider resource), so a
 *   separate admin would leave the app without access until someone mapped it by hand.
 * - Access policy: `es:ESHttp*` on this domain for the master role only; requests must be
 *   SigV4-signed by it (anything unsigned is anonymous and refused, anonymous auth is off).
 *   Open edX's search client does not sign out of the box: edx-search builds an
 *   elasticsearch-py 7 client from `ELASTIC_SEARCH_CONFIG` host dicts, whose default
 *   connection only does basic auth. `SEARCH_ENGINE` is pluggable, so the app image carries a
 *   small subclass of `search.elastic.ElasticSearchEngine` whose client uses
 *   `RequestsHttpConnection` with a botocore SigV4 auth (Pod Identity credentials, service
 *   `es`); see README, data access. Until it does, search requests are refused (403), which
 *   is the safe failure.
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
  /** The IAM role that is the FGAC master user and the domain's only admitted principal. */
  public readonly masterUserRoleArn: string;
  /** `es:ESHttp*` on this domain: add it to the master role's policy. */
  public readonly httpStatement: PolicyStatement;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  /** Customer-managed key of the store (storage, logs). */
  public readonly kmsKeyArn: string;
  /** The domain (for scanner suppressions and dependencies). */
  public readonly domain: OpensearchDomain;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const where = `Elasticsearch ${id}`;
    const d = dataStoreDefaults(this, where, "search", props, KmsKey);
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
      allowFrom: props.allowFrom, description: "OpenSearch HTTPS",
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: PORT, description: "OpenSearch HTTPS" };
    this.kmsKeyArn = d.key.keyArn;

    this.masterUserRoleArn = props.masterUserRoleArn ?? new IamRole(this, "admin-role", {
      name: naming.name("search-admin", "iamRole"),
      description: `Fine-grained access control master user of ${this.domainName}`,
      // The account delegates to IAM: only principals whose own policy allows sts:AssumeRole on it.
      assumeRolePolicy: policyJson([{ Sid: "ThisAccountThroughIam", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "sts:AssumeRole" }]),
      maxSessionDuration: 3600,
    }).arn;
    this.httpStatement = { Sid: "SearchDomainHttp", Effect: "Allow", Action: "es:ESHttp*", Resource: [this.domainArn, `${this.domainArn}/*`] };

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
        // IAM only: no internal users, so no password exists for Terraform to hold.
        internalUserDatabaseEnabled: false,
        masterUserOptions: { masterUserArn: this.masterUserRoleArn },
      },
      // Only the master role, SigV4-signed; FGAC then authorizes it as all_access.
      accessPolicies: policyJson([{
        Sid: "HttpFromTheMasterRoleOnly",
        Effect: "Allow",
        Principal: { AWS: this.masterUserRoleArn },
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
