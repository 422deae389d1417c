import { Elasticsearch, ElasticsearchProps } from "../../modules/elasticsearch";
import { policy, resolved, resource, resources, synth } from "../helpers";
import { dataStack, network } from "./data-fixture";

function build(overrides: Partial<ElasticsearchProps> = {}) {
  const { stack, common } = dataStack();
  const search = new Elasticsearch(stack, "search", {
    ...common, dataNodeType: "i3.2xlarge.search", dataNodeCount: 6, dedicatedMasters: { type: "m6g.large.search", count: 3 }, ...overrides,
  });
  return { search, stack, json: synth(stack) };
}

describe("elasticsearch", () => {
  const { search, stack, json } = build();
  const domain = resource(json, "aws_opensearch_domain");

  it("runs OpenSearch 2.19 reporting 7.10.2 to Open edX's Elasticsearch 7 client, zone-aware over 3 AZs with 3 dedicated masters", () => {
    expect(domain.engine_version).toBe("OpenSearch_2.19");
    expect(domain.advanced_options).toMatchObject({ override_main_response_version: "true" });
    expect(domain.domain_name).toBe("openedx-production-search");
    expect(domain.cluster_config).toMatchObject({
      instance_type: "i3.2xlarge.search", instance_count: 6, dedicated_master_enabled: true, dedicated_master_count: 3,
      dedicated_master_type: "m6g.large.search", zone_awareness_enabled: true, zone_awareness_config: { availability_zone_count: 3 },
    });
    expect(domain.vpc_options.subnet_ids).toEqual(network.databaseSubnetIds);
  });

  it("uses instance storage on i3 and gp3 on EBS-backed types", () => {
    expect(domain.ebs_options).toEqual({ ebs_enabled: false });
    const { json: ebs } = build({ dataNodeType: "r6g.large.search", dataNodeCount: 3, volumeSizeGiB: 100, engineVersion: "OpenSearch_2.17" });
    const d = resource(ebs, "aws_opensearch_domain");
    expect(d.ebs_options).toEqual({ ebs_enabled: true, volume_type: "gp3", volume_size: 100, throughput: 125, iops: 3000 });
    expect(d.advanced_options.override_main_response_version).toBe("true");
    const freeStorage = resources(ebs, "aws_cloudwatch_metric_alarm").find((a) => a.metric_name === "FreeStorageSpace");
    expect(freeStorage!.threshold).toBe(25600);
  });

  it("encrypts at rest (CMK) and between nodes, and enforces HTTPS with TLS 1.2+", () => {
    expect(domain.encrypt_at_rest.enabled).toBe(true);
    expect(domain.encrypt_at_rest.kms_key_id).toMatch(/aws_kms_key\.search_key_\w+\.arn/);
    expect(domain.node_to_node_encryption).toEqual({ enabled: true });
    expect(domain.domain_endpoint_options).toEqual({ enforce_https: true, tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10" });
  });

  it("uses fine-grained access control with an IAM master user: no internal users, no password", () => {
    expect(domain.advanced_security_options).toMatchObject({ enabled: true, anonymous_auth_enabled: false, internal_user_database_enabled: false });
    expect(domain.advanced_security_options.master_user_options).toEqual({ master_user_arn: resolved(stack, search.masterUserRoleArn) });
    expect(resources(json, "aws_secretsmanager_secret")).toHaveLength(0);
    expect(json.data?.aws_secretsmanager_random_password).toBeUndefined();
  });

  it("defaults the master user to its own admin role that this account may assume through IAM", () => {
    const role = resource(json, "aws_iam_role", "search/admin-role");
    expect(role.name).toBe("openedx-production-search-admin");
    expect(resolved(stack, search.masterUserRoleArn)).toMatch(/aws_iam_role\.search_admin-role_\w+\.arn/);
    const trust = policy(role.assume_role_policy).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ Effect: "Allow", Action: "sts:AssumeRole" });
    expect(trust[0].Principal.AWS).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/);
  });

  it("takes a given role as master user (the app's role in the environments) and creates none", () => {
    const { search: s2, stack: st2, json: j2 } = build({ masterUserRoleArn: "arn:aws:iam::111122223333:role/app" });
    expect(resource(j2, "aws_opensearch_domain").advanced_security_options.master_user_options).toEqual({ master_user_arn: "arn:aws:iam::111122223333:role/app" });
    expect(resources(j2, "aws_iam_role")).toHaveLength(0);
    expect(policy(resource(j2, "aws_opensearch_domain").access_policies).Statement[0].Principal).toEqual({ AWS: "arn:aws:iam::111122223333:role/app" });
    const http = resolved(st2, s2.httpStatement);
    expect(http).toMatchObject({ Effect: "Allow", Action: "es:ESHttp*" });
    expect(http.Resource).toEqual([expect.stringMatching(/:es:.*:domain\/openedx-production-search$/), expect.stringMatching(/:domain\/openedx-production-search\/\*$/)]);
  });

  it("admits only the master role, SigV4-signed, to this domain's HTTP API", () => {
    const doc = policy(domain.access_policies);
    expect(doc.Statement).toHaveLength(1);
    const stmt = doc.Statement[0];
    // No "*" principal: an unsigned request is anonymous and refused.
    expect(stmt).toMatchObject({ Effect: "Allow", Principal: { AWS: resolved(stack, search.masterUserRoleArn) }, Action: "es:ESHttp*" });
    expect(stmt.Resource).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:es:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:domain\/openedx-production-search\/\*$/);
    expect(domain.advanced_security_options).toMatchObject({ enabled: true, anonymous_auth_enabled: false });
  });

  it("publishes slow, application and audit logs to CMK log groups under one resource policy", () => {
    expect(domain.log_publishing_options.map((o: any) => o.log_type)).toEqual(["INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"]);
    const lrp = resources(json, "aws_cloudwatch_log_resource_policy");
    expect(lrp).toHaveLength(1);
    const stmt = policy(lrp[0]!.policy_document).Statement[0];
    expect(stmt.Principal.Service).toBe("es.amazonaws.com");
    expect(stmt.Resource).toHaveLength(4);
    expect(stmt.Condition.ArnLike["aws:SourceArn"]).toContain("domain/openedx-production-search");
    expect(domain.depends_on).toEqual([expect.stringContaining("aws_cloudwatch_log_resource_policy")]);
  });

  it("never creates the account-level service-linked role (the bootstrap stack does)", () => {
    expect(resources(json, "aws_iam_service_linked_role")).toHaveLength(0);
  });

  it("accepts 443 only from the client security groups", () => {
    const sg = resource(json, "aws_security_group", "search/sg");
    expect(sg.ingress.map((r: any) => [r.from_port, r.to_port, r.security_groups])).toEqual([[443, 443, ["sg-nodes"]]]);
  });

  it("alarms on red/yellow status, storage, CPU, JVM pressure, master CPU and blocked writes", () => {
    const names = resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name.replace("openedx-production-search-", ""));
    expect(names).toEqual(expect.arrayContaining(["cluster-red", "cluster-yellow", "free-storage", "cpu", "jvm-memory-pressure", "master-cpu", "writes-blocked", "kms-key-error", "snapshot-failure"]));
    const red = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.metric_name === "ClusterStatus.red");
    expect(red!.dimensions.DomainName).toBe("openedx-production-search");
  });

  it("sandbox shape: one t3 node in one subnet, no masters, no Auto-Tune, no yellow alarm", () => {
    const { json: sb } = build({ multiAz: false, dataNodeType: "t3.small.search", dataNodeCount: 1, volumeSizeGiB: 10, dedicatedMasters: undefined });
    const d = resource(sb, "aws_opensearch_domain");
    expect(d.cluster_config).toMatchObject({ instance_count: 1, dedicated_master_enabled: false, zone_awareness_enabled: false });
    expect(d.vpc_options.subnet_ids).toEqual(["subnet-db-a"]);
    expect(d.auto_tune_options.desired_state).toBe("DISABLED");
    expect(resources(sb, "aws_cloudwatch_metric_alarm").map((a) => a.metric_name)).not.toContain("ClusterStatus.yellow");
  });

  it("runs the Elasticsearch 7.10 engine only when configured, and never sends 3.x the removed compatibility setting", () => {
    const legacy = resource(build({ engineVersion: "Elasticsearch_7.10" }).json, "aws_opensearch_domain");
    expect(legacy.engine_version).toBe("Elasticsearch_7.10");
    expect(legacy.advanced_options.override_main_response_version).toBeUndefined();
    const v3 = resource(build({ engineVersion: "OpenSearch_3.3" }).json, "aws_opensearch_domain");
    expect(v3.engine_version).toBe("OpenSearch_3.3");
    expect(v3.advanced_options.override_main_response_version).toBeUndefined();
    // Security settings do not depend on the engine.
    for (const d of [domain, legacy, v3]) {
      expect(d.node_to_node_encryption).toEqual({ enabled: true });
      expect(d.domain_endpoint_options).toMatchObject({ enforce_https: true, tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10" });
      expect(d.advanced_security_options).toMatchObject({ enabled: true, anonymous_auth_enabled: false, internal_user_database_enabled: false });
    }
  });

  it("rejects an engine the lifecycle table does not list", () => {
    expect(() => build({ engineVersion: "OpenSearch_2.9" })).toThrow(/engineVersion = "OpenSearch_2.9" is invalid; must be a Amazon OpenSearch Service engine version listed in modules\/core\/lifecycle.ts/);
  });

  describe("validation", () => {
    it.each<[string, Partial<ElasticsearchProps>, RegExp]>([
      ["an old Elasticsearch", { engineVersion: "Elasticsearch_6.8" }, /engineVersion = "Elasticsearch_6.8" is invalid; must be Elasticsearch_7.10 or OpenSearch/],
      ["a malformed instance type", { dataNodeType: "r6g.large" }, /dataNodeType = "r6g.large" is invalid; must be an OpenSearch instance type/],
      ["a type without encryption", { dataNodeType: "t2.small.search", volumeSizeGiB: 10 }, /dataNodeType = "t2.small.search" is invalid; does not support encryption at rest/],
      ["OR1 on Elasticsearch", { dataNodeType: "or1.large.search", volumeSizeGiB: 100, engineVersion: "Elasticsearch_7.10" }, /dataNodeType = "or1.large.search" is invalid; needs engineVersion OpenSearch_2.11 or later/],
      ["EBS on instance storage", { volumeSizeGiB: 100 }, /volumeSizeGiB = 100 is invalid; must be unset: i3.2xlarge.search uses its instance storage/],
      ["no volume on an EBS type", { dataNodeType: "r6g.large.search" }, /volumeSizeGiB \(missing\) is invalid; is required for the EBS-backed type/],
      ["a tiny volume", { dataNodeType: "r6g.large.search", volumeSizeGiB: 5 }, /volumeSizeGiB = 5 is invalid; must be an integer from 10/],
      ["nodes not divisible by zones", { dataNodeCount: 4 }, /dataNodeCount = 4 is invalid; must be a multiple of the 3 zones/],
      ["two masters", { dedicatedMasters: { type: "m6g.large.search", count: 2 } }, /dedicatedMasters.count = 2 is invalid; must be one of 3, 5/],
      ["masters without encryption", { dedicatedMasters: { type: "m3.medium.search", count: 3 } }, /dedicatedMasters.type = "m3.medium.search" is invalid/],
      ["Multi-AZ without masters", { dedicatedMasters: undefined }, /dedicatedMasters \(missing\) is invalid; is required when multiAz is true/],
      ["Multi-AZ in one subnet", { network: { ...network, databaseSubnetIds: ["subnet-a"] }, dataNodeCount: 1 }, /network.databaseSubnetIds = 1 is invalid; must span at least 2 AZs/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
