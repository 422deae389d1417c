import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack, addEnvironment, environments } from "../../environments";
import { ORIGIN_VERIFY_HEADER } from "../../environments/config";
import { MANAGED_RULE_GROUPS } from "../../modules/waf";
import { policy, resource, resources, synth, TfJson } from "../helpers";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../../modules/origin-lb";
import { PlatformStack } from "../../environments/platform-stack";

const warningsOf = (stack: EnvironmentStack) => stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
/** Every ingress rule on the origin NLB's security group, and the group's id expression. */
function nlbIngress(json: TfJson) {
  const sg = resource(json, "aws_security_group", "origin-lb");
  const ref = `\${aws_security_group.${sg._id.replace(/\//g, "_")}`;
  const rules = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id.startsWith("${aws_security_group.origin-lb"));
  return { sg, ref, rules };
}

function build(config: EnvironmentConfig): { stack: EnvironmentStack; json: TfJson } {
  const stack = new EnvironmentStack(Testing.app(), config);
  return { stack, json: synth(stack) };
}
const hostsOf = (c: EnvironmentConfig) => ["lms", "studio", "apps.lms"].map((h) => `${h}.${c.domain}`);
const withoutMigration = (c: EnvironmentConfig): EnvironmentConfig => {
  const edge: EnvironmentConfig["edge"] = { ...c.edge };
  delete (edge as { migration?: unknown }).migration;
  return { ...c, edge };
};
const withMigration = (c: EnvironmentConfig, m: Partial<NonNullable<EnvironmentConfig["edge"]["migration"]>>): EnvironmentConfig =>
  ({ ...c, edge: { ...c.edge, migration: { ...c.edge.migration!, ...m } } });
const hostRecords = (json: TfJson) => resources(json, "aws_route53_record").filter((r) => !r._id.includes("certificate-validation") && !r._id.includes("origin-dns"));

describe("edge", () => {
  // Production's edge without its migration (which puts an ALB in front: tested below).
  describe("production (Route53)", () => {
    const { stack, json } = build(withoutMigration(environments.production));
    const hosts = hostsOf(environments.production);
    const dist = resource(json, "aws_cloudfront_distribution");

    it("configures an aliased us-east-1 provider with the environment's default tags", () => {
      const usEast1 = json.provider!.aws.find((p: any) => p.alias === "us-east-1");
      expect(usEast1).toMatchObject({ region: "us-east-1", default_tags: [{ tags: expect.objectContaining({ Environment: "production", ManagedBy: "cdktf" }) }] });
      expect(json.provider!.cloudflare).toBeUndefined();
    });

    it("attaches the WAF web ACL with the managed groups and the production rate rule", () => {
      expect(dist.web_acl_id).toContain("aws_wafv2_web_acl.waf_acl");
      const acl = resource(json, "aws_wafv2_web_acl");
      expect(acl.scope).toBe("CLOUDFRONT");
      const groups = acl.rule.map((r: any) => r.statement.managed_rule_group_statement?.name).filter(Boolean);
      expect(groups).toEqual([...MANAGED_RULE_GROUPS]);
      expect(acl.rule.find((r: any) => r.statement.rate_based_statement).statement.rate_based_statement.limit).toBe(4000);
      expect(resource(json, "aws_wafv2_web_acl_logging_configuration").resource_arn).toContain("aws_wafv2_web_acl.waf_acl");
      expect(resource(json, "aws_cloudwatch_log_group", "waf/logs")).toMatchObject({ retention_in_days: 365 });
    });

    it("enforces TLS minimums: viewers TLSv1.2_2021 over HTTPS, origin https-only with TLS 1.2 through the VPC origin", () => {
      expect(dist.viewer_certificate).toMatchObject({ minimum_protocol_version: "TLSv1.2_2021", ssl_support_method: "sni-only" });
      expect(dist.default_cache_behavior.viewer_protocol_policy).toBe("redirect-to-https");
      const origin = dist.origin.find((o: any) => o.origin_id === "ingress");
      expect(origin.domain_name).toBe("ingress.learn.example.org");
      expect(origin.vpc_origin_config.vpc_origin_id).toContain("aws_cloudfront_vpc_origin.cdn_vpc-origin");
      expect(resource(json, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0]).toMatchObject({
        origin_protocol_policy: "https-only", origin_ssl_protocols: [{ items: ["TLSv1.2"], quantity: 1 }] });
      expect(stack.edge!.cdn.node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
    });

    describe("no listener is reachable except through CloudFront", () => {
      const lbs = resources(json, "aws_lb");
      const { sg, rules } = nlbIngress(json);

      it("has one load balancer, internal, in the private subnets, behind a security group, as the VPC origin's target", () => {
        expect(lbs).toHaveLength(1);
        const [lb] = lbs;
        expect(lb).toMatchObject({ load_balancer_type: "network", internal: true, enable_deletion_protection: true, enable_cross_zone_load_balancing: true });
        expect(lb!.subnets).toHaveLength(3);
        expect(lb!.subnets.every((s: string) => s.includes("network_private"))).toBe(true);
        expect(lb!.security_groups).toEqual([expect.stringContaining("aws_security_group.origin-lb_security-group")]);
        expect(lb!.access_logs).toMatchObject({ enabled: true, prefix: "nlb" });
        expect(resource(json, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0].arn).toMatch(/^\$\{aws_lb\.origin-lb_\w+\.arn\}$/);
        // Nothing else in the stack is a load balancer, and nothing expects the controller to make one.
        expect(Object.keys(json.data?.aws_lb ?? {})).toHaveLength(0);
      });

      it("admits only CloudFront's origin-facing prefix list on 443, from no CIDR at all", () => {
        expect(sg.ingress).toBeUndefined();
        expect(rules).toHaveLength(1);
        expect(rules[0]).toMatchObject({ ip_protocol: "tcp", from_port: 443, to_port: 443 });
        expect(rules[0]!.prefix_list_id).toMatch(/^\$\{data\.aws_ec2_managed_prefix_list\.origin-lb_cloudfront-origin-facing_\w+\.id\}$/);
        expect(Object.values(json.data!.aws_ec2_managed_prefix_list!)[0]).toEqual({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
        expect(rules.every((r) => r.cidr_ipv4 === undefined && r.cidr_ipv6 === undefined)).toBe(true);
        expect(warningsOf(stack).filter((w) => /directAccess|public/.test(w))).toEqual([]);
      });

      it("listens on 443 only (TCP, TLS terminated by the Gateway) and forwards to IP targets with proxy protocol", () => {
        expect(resources(json, "aws_lb_listener").map((l) => [l.port, l.protocol])).toEqual([[443, "TCP"]]);
        expect(resource(json, "aws_lb_target_group")).toMatchObject({ target_type: "ip", protocol: "TCP", port: 443, proxy_protocol_v2: true });
      });

      it("opens the node group to the NLB's security group only, on 443, and the NLB's egress to the nodes only", () => {
        const toNodes = resources(json, "aws_vpc_security_group_ingress_rule").find((r) => r._id.includes("targets-from-lb-443"))!;
        expect(toNodes.security_group_id).toContain("aws_security_group.cluster_node-sg");
        expect(toNodes.referenced_security_group_id).toContain("aws_security_group.origin-lb_security-group");
        expect(toNodes).toMatchObject({ from_port: 443, to_port: 443 });
        const egress = resources(json, "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id.includes("origin-lb_security-group"));
        expect(egress).toEqual([expect.objectContaining({ from_port: 443, referenced_security_group_id: expect.stringContaining("cluster_node-sg") })]);
      });
    });

    it("caches /static/* from the origin and sends /media/* to the origin (no bucket origins by default)", () => {
      expect(dist.origin.map((o: any) => o.origin_id)).toEqual(["ingress"]);
      const statics = dist.ordered_cache_behavior.find((b: any) => b.path_pattern === "/static/*");
      expect(statics).toMatchObject({ target_origin_id: "ingress", cache_policy_id: expect.stringContaining("cdn_static-cache") });
      expect(dist.ordered_cache_behavior.find((b: any) => b.path_pattern === "/media/*")).toBeUndefined();
      expect(resources(json, "aws_cloudfront_origin_access_control")).toHaveLength(0);
    });

    it("has a certificate and DNS records for all three hostnames", () => {
      expect(dist.aliases).toEqual(hosts);
      const cert = resource(json, "aws_acm_certificate");
      expect([cert.domain_name, ...cert.subject_alternative_names]).toEqual(hosts);
      expect(resource(json, "aws_route53_zone").name).toBe("learn.example.org");
      expect(resource(json, "aws_route53_record", "certificate-validation").for_each).toContain("domain_validation_options");
      const records = hostRecords(json);
      for (const host of hosts) {
        expect(records.filter((r) => r.name === host).map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
      }
      expect(records.every((r) => r.alias?.name.includes("aws_cloudfront_distribution.cdn_distribution"))).toBe(true);
    });

    it("turns access logging on (standard logging v2 into the logs bucket) and WAF logging on", () => {
      expect(resource(json, "aws_cloudwatch_log_delivery_source").resource_arn).toContain("aws_cloudfront_distribution.cdn_distribution");
      expect(resource(json, "aws_cloudwatch_log_delivery_destination").delivery_destination_configuration[0].destination_resource_arn).toContain("storage_logs_bucket");
      expect(resources(json, "aws_cloudwatch_log_delivery")).toHaveLength(1);
      expect(resources(json, "aws_wafv2_web_acl_logging_configuration")).toHaveLength(1);
    });

    it("uses every edge location and security headers", () => {
      expect(dist.price_class).toBe("PriceClass_All");
      expect(resource(json, "aws_cloudfront_response_headers_policy").security_headers_config.strict_transport_security.override).toBe(true);
    });
  });

  describe("staging (seed 002 migration at eks-50, behind CloudFront and the WAF)", () => {
    const { stack, json } = build(environments.staging);
    const records = hostRecords(json);
    const dist = resource(json, "aws_cloudfront_distribution");

    it("points every hostname at CloudFront only: no DNS record bypasses the WAF any more", () => {
      const hostnames = records.filter((r) => hostsOf(environments.staging).includes(r.name));
      expect(hostnames).toHaveLength(6);
      expect(hostnames.every((r) => ["A", "AAAA"].includes(r.type) && r.alias.name.includes("aws_cloudfront_distribution"))).toBe(true);
      expect(records.some((r) => r.set_identifier !== undefined || r.weighted_routing_policy !== undefined)).toBe(false);
    });

    it("makes the weighted ALB CloudFront's VPC origin, reached by its private migration name", () => {
      const origin = dist.origin.find((o: any) => o.origin_id === "ingress");
      expect(origin.domain_name).toBe("migration.staging.learn.example.org");
      expect(resource(json, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0].arn).toMatch(/^\$\{aws_lb\.migration-lb_\w+\.arn\}$/);
      expect(resource(json, "aws_route53_record", "migration-dns")).toMatchObject({ name: "migration.staging.learn.example.org", type: "CNAME" });
      expect(dist.web_acl_id).toContain("aws_wafv2_web_acl.waf_acl");
    });

    it("splits requests 50/50 between the legacy ASG and the EKS ingress (through the origin NLB)", () => {
      const forward = resource(json, "aws_lb_listener", "migration-lb").default_action[0].forward;
      expect(forward.target_group.map((t: any) => t.weight)).toEqual([50, 50]);
      expect(stack.migration!.loadBalancer.weights).toEqual({ legacy: 50, eks: 50 });
      // The origin NLB now also admits the ALB (its security group, on 443) and nothing else new.
      const nlbRules = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id.startsWith("${aws_security_group.origin-lb"));
      expect(nlbRules.map((r) => r.prefix_list_id ? "cloudfront" : r.referenced_security_group_id)).toEqual([expect.stringMatching(/^\$\{aws_security_group\.migration-lb_sg_group_\w+\.id\}$/), "cloudfront"]);
      expect(resource(json, "aws_autoscaling_group").target_group_arns).toEqual([expect.stringContaining("aws_lb_target_group.migration-lb_legacy")]);
      expect(resource(json, "aws_lb_target_group_attachment", "eks-target-0").target_group_arn).toContain("aws_lb_target_group.migration-lb_eks");
    });
  });

  describe("the migration per environment follows the seed: production at eks-10, staging one phase ahead, none in sandbox", () => {
    it.each([["production", [90, 10]], ["staging", [50, 50]]] as const)("%s forwards legacy/eks %j", (name, weights) => {
      const { json } = build(environments[name]);
      expect(resource(json, "aws_lb_listener", "migration-lb").default_action[0].forward.target_group.map((t: any) => t.weight)).toEqual(weights);
      expect(resource(json, "aws_lb", "migration-lb").enable_deletion_protection).toBe(true);
    });
    it("sandbox has no migration", () => {
      const { stack, json } = build(environments.sandbox);
      expect(stack.migration).toBeUndefined();
      expect(resources(json, "aws_lb").map((l) => l.load_balancer_type)).toEqual(["network"]);
    });
    it("moving to the next phase changes only the listener's weights", () => {
      const next = withMigration(environments.production, { phase: "eks-50" });
      const before = build(environments.production).json;
      const after = build(next).json;
      const changed = Object.keys(after.resource!).flatMap((type) => Object.keys(after.resource![type]!)
        .filter((k) => JSON.stringify(after.resource![type]![k]) !== JSON.stringify(before.resource![type]?.[k])).map((k) => `${type}.${k}`));
      expect(changed.filter((c) => !c.startsWith("aws_cloudwatch_metric_alarm.migration-lb_alarm-eks"))).toEqual([expect.stringMatching(/^aws_lb_listener\.migration-lb_https/)]);
    });
  });

  describe("sandbox (Cloudflare DNS)", () => {
    const { json } = build(environments.sandbox);
    const zoneId = environments.sandbox.edge.dns.provider === "cloudflare" ? environments.sandbox.edge.dns.zoneId : "";

    it("configures the Cloudflare provider without a token in code and creates no Route53 zone", () => {
      expect(json.provider!.cloudflare).toEqual([{}]);
      expect(JSON.stringify(json)).not.toMatch(/api_token|CLOUDFLARE_API_TOKEN/);
      expect(resources(json, "aws_route53_zone")).toHaveLength(0);
      expect(resources(json, "aws_route53_record")).toHaveLength(0);
    });

    it("points the hostnames at CloudFront and validates the certificate in the Cloudflare zone", () => {
      const records = resources(json, "cloudflare_dns_record");
      for (const host of hostsOf(environments.sandbox)) {
        expect(records.find((r) => r.name === host)).toMatchObject({ zone_id: zoneId, type: "CNAME", proxied: false });
      }
      expect(resource(json, "cloudflare_dns_record", "certificate-validation").zone_id).toBe(zoneId);
      expect(resource(json, "aws_cloudfront_distribution").price_class).toBe("PriceClass_100");
    });
  });

  it("serves self-hosted nodes by round-robin AAAA without CloudFront or WAF (seed 003)", () => {
    const nodes = ["2001:db8:10::1", "2001:db8:10::2", "2001:db8:10::3"];
    const { stack, json } = build({ ...environments.sandbox, edge: { ...environments.sandbox.edge, selfHostedNodes: nodes } });
    expect(stack.edge).toBeUndefined();
    expect(resources(json, "aws_cloudfront_distribution")).toHaveLength(0);
    expect(resources(json, "aws_wafv2_web_acl")).toHaveLength(0);
    const aaaa = resources(json, "cloudflare_dns_record");
    expect(aaaa).toHaveLength(9);
    expect(aaaa.every((r) => r.type === "AAAA" && nodes.includes(r.content))).toBe(true);
  });

  it("rejects a migration an environment cannot carry, at synth", () => {
    const selfHosted = { ...environments.staging, edge: { ...environments.staging.edge, selfHostedNodes: ["2001:db8:10::1"] } };
    expect(() => build(selfHosted)).toThrow(/environment staging: edge.migration = "set" is invalid; needs CloudFront and the EKS origin NLB/);
    const publicOrigin = { ...environments.staging, edge: { ...environments.staging.edge, origin: { kind: "public" as const, verifyHeaderSecretName: "openedx-staging-origin-header", reason: "VPC origins unavailable here" } } };
    expect(() => build(publicOrigin)).toThrow(/edge.migration = "set" is invalid; needs a VPC origin/);
    expect(() => build(withMigration(environments.staging, { phase: "eks-75" }))).toThrow(/MigrationLoadBalancer migration-lb: migration.phase = "eks-75" is invalid/);
    expect(() => build(withMigration(environments.staging, { originHostname: "lms.staging.learn.example.org" }))).toThrow(/migration-dns/);
  });
  describe("origin options", () => {
    const prod = environments.production;
    // The origin modes on their own: the migration (which needs a VPC origin) is tested above.
    const withEdge = (edge: Partial<EnvironmentConfig["edge"]>, base: EnvironmentConfig = prod): EnvironmentConfig => {
      const rest = withoutMigration(base);
      return { ...rest, edge: { ...rest.edge, ...edge } };
    };
    const platformOf = (config: EnvironmentConfig) => {
      const app = Testing.app();
      const { platform } = addEnvironment(app, config);
      return synth(platform as PlatformStack);
    };
    const gatewayDocs = (platform: TfJson) =>
      JSON.parse(resources(platform, "helm_release").find((r) => r.name === "platform-gateway")!.values[0]).resources as Array<Record<string, any>>;

    describe("public origin (explicit): prefix list on the NLB and a secret header the Gateway requires", () => {
      const config = withEdge({ origin: { kind: "public", verifyHeaderSecretName: "openedx-production-origin-header", reason: "VPC origins unavailable in this account" } });
      const { stack, json } = build(config);
      const platform = platformOf(config);

      it("puts an internet-facing NLB in the public subnets that admits CloudFront's prefix list only, on 443", () => {
        const [lb] = resources(json, "aws_lb");
        expect(lb).toMatchObject({ internal: false, load_balancer_type: "network" });
        expect(lb!.subnets.every((s: string) => s.includes("network_public"))).toBe(true);
        const { rules } = nlbIngress(json);
        expect(rules).toHaveLength(1);
        expect(rules[0]!.prefix_list_id).toContain("data.aws_ec2_managed_prefix_list.origin-lb_cloudfront-origin-facing");
        expect(rules.every((r) => r.cidr_ipv4 === undefined && r.cidr_ipv6 === undefined && r.referenced_security_group_id === undefined)).toBe(true);
        expect(resources(json, "aws_cloudfront_vpc_origin")).toHaveLength(0);
      });

      it("has CloudFront add the header read from Secrets Manager, and warns", () => {
        const origin = resource(json, "aws_cloudfront_distribution").origin.find((o: any) => o.origin_id === "ingress");
        const secret = Object.entries(json.data!.aws_secretsmanager_secret_version!).find(([, v]: [string, any]) => v.secret_id === "openedx-production-origin-header")!;
        expect(secret[1]).toEqual({ secret_id: "openedx-production-origin-header" });
        expect(origin.custom_header).toEqual([{ name: ORIGIN_VERIFY_HEADER, value: `\${data.aws_secretsmanager_secret_version.${secret[0]}.secret_string}` }]);
        expect(origin.custom_origin_config.origin_protocol_policy).toBe("https-only");
        expect(warningsOf(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/edge.origin is "public".*VPC origins unavailable in this account/)]));
      });

      it("makes every listener of the Gateway answer 403 without the header (AWSCURRENT from Secrets Manager)", () => {
        const policy = gatewayDocs(platform).find((d) => d.kind === "SnippetsPolicy" && d.metadata.name === "origin-verify")!;
        expect(policy.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform" }]);
        const [snippet] = policy.spec.snippets;
        expect(snippet.context).toBe("http.server");
        const current = Object.entries(platform.data!.aws_secretsmanager_secret_version!);
        expect(current.map(([, v]) => v)).toEqual([{ secret_id: "openedx-production-origin-header", version_stage: "AWSCURRENT" }]);
        expect(snippet.value).toBe([
          "set $origin_verified 0;",
          `if ($http_x_origin_verify = "\${data.aws_secretsmanager_secret_version.${current[0]![0]}.secret_string}") { set $origin_verified 1; }`,
          "if ($origin_verified = 0) { return 403; }",
        ].join("\n"));
      });

      it("accepts the previous value too while a rotation is under way", () => {
        const rotating = platformOf(withEdge({ origin: { kind: "public", verifyHeaderSecretName: "openedx-production-h", reason: "VPC origins unavailable", acceptPreviousHeader: true } }));
        expect(Object.values(rotating.data!.aws_secretsmanager_secret_version!).map((v: any) => v.version_stage)).toEqual(["AWSCURRENT", "AWSPREVIOUS"]);
        const policy = gatewayDocs(rotating).find((d) => d.metadata.name === "origin-verify")!;
        expect(policy.spec.snippets[0].value.match(/set \$origin_verified 1/g)).toHaveLength(2);
      });

      it("requires a reason", () => {
        expect(() => build(withEdge({ origin: { kind: "public", verifyHeaderSecretName: "openedx-production-h", reason: "" } }))).toThrow(/edge.origin.reason = "" is invalid; must say why a VPC origin cannot be used/);
        expect(() => build(withEdge({ origin: { kind: "public", verifyHeaderSecretName: "origin-header", reason: "VPC origins unavailable" } })))
          .toThrow(/edge.origin.verifyHeaderSecretName = "origin-header" is invalid; must start with openedx-production-/);
      });
    });

    it("narrows the internal NLB to CloudFront's VPC-origin security group once it exists", () => {
      const { json } = build(withEdge({ origin: { kind: "vpc-origin", cloudFrontSecurityGroupId: "sg-0123456789abcdef0" } }));
      const { rules } = nlbIngress(json);
      expect(rules).toEqual([expect.objectContaining({ from_port: 443, referenced_security_group_id: "sg-0123456789abcdef0" })]);
      expect(json.data?.aws_ec2_managed_prefix_list).toBeUndefined();
      expect(() => build(withEdge({ origin: { kind: "vpc-origin", cloudFrontSecurityGroupId: "CloudFront-VPCOrigins-Service-SG" } })))
        .toThrow(/source.securityGroupId = "CloudFront-VPCOrigins-Service-SG" is invalid; must be the id \(sg-...\)/);
    });

    it("keeps seed 000's direct validation path off by default; when set, admits only the given CIDRs and warns", () => {
      const { stack, json } = build(withEdge({ directAccess: { cidrs: ["198.51.100.0/24"], reason: "smoke tests from the operator VPN" } }));
      const { rules } = nlbIngress(json);
      expect(rules.filter((r) => r.cidr_ipv4).map((r) => [r.cidr_ipv4, r.from_port])).toEqual([["198.51.100.0/24", 443]]);
      expect(warningsOf(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/directAccess is on: 198.51.100.0\/24 reach the origin load balancer directly, bypassing CloudFront, its WAF/)]));
      expect(() => build(withEdge({ directAccess: { cidrs: ["0.0.0.0/0"], reason: "validation from anywhere" } })))
        .toThrow(/directAccess.cidrs = "0.0.0.0\/0" is invalid; must be a narrow range/);
      expect(() => build(withEdge({ directAccess: { cidrs: ["198.51.100.0/24"], reason: "" } }))).toThrow(/directAccess.reason = "" is invalid/);
    });

    it("adds port 80 to the NLB, the VPC origin and the bindings only while the origin is http-only (sandbox)", () => {
      const config = withEdge({ originProtocol: "http-only" }, environments.sandbox);
      const { json } = build(config);
      expect(resources(json, "aws_lb_listener").map((l) => l.port).sort()).toEqual([443, 80]);
      expect(resource(json, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0].origin_protocol_policy).toBe("http-only");
      expect(gatewayDocs(platformOf(config)).filter((d) => d.kind === "TargetGroupBinding").map((d) => d.spec.serviceRef.port)).toEqual([80, 443]);
    });

    it("offloads /static/* to the static bucket with its publisher, and /media/* to the media bucket with CORS, only when configured", () => {
      const publisher = "arn:aws:iam::111122223333:role/openedx-production-static-publisher";
      const { json } = build(withEdge({ staticOffload: { publisherRoleArns: [publisher] }, mediaFromBucket: { browserUploads: true } }));
      const dist = resource(json, "aws_cloudfront_distribution");
      const target = (p: string) => dist.ordered_cache_behavior.find((b: any) => b.path_pattern === p).target_origin_id;
      expect([target("/static/*"), target("/media/*")]).toEqual(["static-assets", "media-assets"]);
      expect(dist.origin.find((o: any) => o.origin_id === "static-assets").domain_name).toContain("storage_static_bucket");
      expect(dist.origin.find((o: any) => o.origin_id === "media-assets").domain_name).toContain("storage_media_bucket");
      const write = policy(resource(json, "aws_s3_bucket_policy", "storage/static/").policy).Statement.find((s) => s.Sid === "StaticPublisherWrite");
      expect(write.Principal).toEqual({ AWS: [publisher] });
      expect(resource(json, "aws_s3_bucket_cors_configuration").cors_rule[0].allowed_origins).toEqual(hostsOf(prod).map((h) => `https://${h}`));
      const noCors = build(withEdge({ mediaFromBucket: {} })).json;
      expect(resources(noCors, "aws_s3_bucket_cors_configuration")).toHaveLength(0);
      expect(() => build({ ...withEdge({ staticOffload: { publisherRoleArns: [publisher] } }), buckets: { media: {} } }))
        .toThrow(/environment production: edge.staticOffload = "set" is invalid; needs a bucket named "static" in buckets/);
    });
  });
});
