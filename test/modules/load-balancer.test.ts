import { AlarmTopic } from "../../modules/alerting";
import { Dns } from "../../modules/dns";
import { ALB_TLS_POLICY, MigrationLoadBalancer, MigrationLoadBalancerProps, SEED_002_PHASES } from "../../modules/load-balancer";
import { resource, resources, synth, testStack } from "../helpers";
import { network } from "./data-fixture";
import { PolicyDocument } from "../../modules/core/policy";

function build(overrides: Partial<MigrationLoadBalancerProps> = {}) {
  const { stack, naming } = testStack("production");
  const alarms = new AlarmTopic(stack, "alarms", { naming });
  const dns = new Dns(stack, "dns", { domain: "learn.example.org", zone: { provider: "route53" } });
  const logs = { bucketName: "openedx-production-logs", bucketArn: "arn:aws:s3:::openedx-production-logs", policy: new PolicyDocument() };
  const lb = new MigrationLoadBalancer(stack, "migration-lb", {
    naming, network, hostname: "migration.learn.example.org", dns, source: { kind: "cloudfront-prefix-list" },
    eks: { loadBalancerArnSuffix: "net/openedx-production-origin/0123456789abcdef", securityGroupId: "sg-0nlb", subnetIds: network.privateSubnetIds },
    legacy: { port: 80, healthCheckPath: "/heartbeat" }, logsBucket: logs, alarms,
    phases: SEED_002_PHASES, phase: "eks-50", ...overrides,
  });
  return { lb, logs, json: synth(stack) };
}

const forward = (json: ReturnType<typeof build>["json"]) => resource(json, "aws_lb_listener").default_action[0].forward;
const weightsOf = (json: ReturnType<typeof build>["json"]) => forward(json).target_group.map((t: any) => t.weight);

describe("load-balancer (migration ALB)", () => {
  const { lb, logs, json } = build();
  const alb = resource(json, "aws_lb");

  it("is an internal ALB that drops invalid headers, logs access and is deletion-protected by default", () => {
    expect(alb).toMatchObject({ load_balancer_type: "application", internal: true, drop_invalid_header_fields: true, enable_deletion_protection: true,
      desync_mitigation_mode: "strictest", subnets: network.privateSubnetIds, access_logs: { bucket: "openedx-production-logs", prefix: "alb", enabled: true } });
    expect(logs.policy.statementList).toEqual([expect.objectContaining({ Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject" })]);
    expect(resource(build({ deletionProtection: false }).json, "aws_lb").enable_deletion_protection).toBe(false);
  });

  it("terminates TLS with the post-quantum TLS 1.3/1.2 policy and a DNS-validated certificate for its origin name", () => {
    const listener = resource(json, "aws_lb_listener");
    expect(listener).toMatchObject({ port: 443, protocol: "HTTPS", ssl_policy: ALB_TLS_POLICY });
    expect(listener.certificate_arn).toContain("aws_acm_certificate_validation.migration-lb_certificate-validation");
    expect(resource(json, "aws_acm_certificate")).toMatchObject({ domain_name: "migration.learn.example.org", validation_method: "DNS" });
    // Its own validation records next to any other certificate's in the zone.
    expect(resources(json, "aws_route53_record").map((r) => r._id)).toEqual([expect.stringMatching(/^dns\/certificate-validation/)]);
  });

  it.each(SEED_002_PHASES.map((p) => [p.name, p.weights.legacy, p.weights.eks] as const))(
    "phase %s forwards legacy %i %% / eks %i %% with stickiness", (phase, legacy, eks) => {
      const out = build({ phase }).json;
      expect(weightsOf(out)).toEqual([legacy, eks]);
      expect(forward(out).target_group[0].arn).toContain("aws_lb_target_group.migration-lb_legacy");
      expect(forward(out).target_group[1].arn).toContain("aws_lb_target_group.migration-lb_eks");
      expect(forward(out).stickiness).toEqual({ enabled: true, duration: 3600 });
    });

  it("sends the legacy share to instances and the EKS share to the origin NLB's interfaces (which add PROXY v2)", () => {
    expect(resource(json, "aws_lb_target_group", "legacy")).toMatchObject({ target_type: "instance", protocol: "HTTP", port: 80, health_check: { path: "/heartbeat", matcher: "200-399" } });
    expect(resource(json, "aws_lb_target_group", "eks")).toMatchObject({ target_type: "ip", protocol: "HTTPS", port: 443 });
    const enis = Object.values(json.data!.aws_network_interface!) as any[];
    expect(enis).toHaveLength(3);
    expect(enis[0].filter).toEqual([
      { name: "description", values: ["ELB net/openedx-production-origin/0123456789abcdef"] }, { name: "subnet-id", values: ["subnet-prv-a"] }]);
    expect(resources(json, "aws_lb_target_group_attachment").map((a) => a.port)).toEqual([443, 443, 443]);
    expect(lb.weights).toEqual({ legacy: 50, eks: 50 });
  });

  it("admits 443 from CloudFront only, reaches only the legacy port and the NLB, and opens the NLB to itself", () => {
    const ingress = resources(json, "aws_vpc_security_group_ingress_rule");
    const albIn = ingress.filter((r) => r._id.startsWith("migration-lb/sg/"));
    expect(albIn).toEqual([expect.objectContaining({ from_port: 443, prefix_list_id: expect.stringContaining("cloudfront-origin-facing") })]);
    expect(ingress.find((r) => r._id.startsWith("migration-lb/legacy-sg/"))).toMatchObject({ from_port: 80, referenced_security_group_id: expect.stringContaining("migration-lb_sg_group") });
    expect(ingress.find((r) => r._id.includes("nlb-from-alb"))).toMatchObject({ security_group_id: "sg-0nlb", from_port: 443 });
    const albOut = resources(json, "aws_vpc_security_group_egress_rule").filter((r) => r._id.startsWith("migration-lb/sg/"));
    expect(albOut.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[80, expect.stringContaining("legacy-sg_group")], [443, "sg-0nlb"]]);
  });

  it("alarms on the EKS share's 5xx rate and p99 latency, naming the phase to go back to", () => {
    const alarms = resources(json, "aws_cloudwatch_metric_alarm");
    const errors = alarms.find((a) => a.alarm_name === "openedx-production-migration-eks-5xx")!;
    expect(errors.metric_query.map((q: any) => q.id)).toEqual(["errors", "requests", "share"]);
    expect(errors.metric_query[2].expression).toBe("100 * FILL(errors, 0) / requests");
    expect(errors.metric_query[0].metric).toMatchObject({ metric_name: "HTTPCode_Target_5XX_Count", namespace: "AWS/ApplicationELB" });
    expect(errors.alarm_description).toMatch(/phase "eks-50".*set migration.phase back to "eks-10" and apply/);
    const latency = alarms.find((a) => a.alarm_name === "openedx-production-migration-eks-p99")!;
    expect(latency).toMatchObject({ metric_name: "TargetResponseTime", extended_statistic: "p99", threshold: 0.5 });
    expect(latency.dimensions.TargetGroup).toContain("aws_lb_target_group.migration-lb_eks");
  });

  describe("validation", () => {
    const phases = (weights: Record<string, number>[]) => weights.map((w, i) => ({ name: `p${i + 1}`, weights: w }));
    it.each<[string, Partial<MigrationLoadBalancerProps>, RegExp]>([
      ["weights not summing to 100", { phases: phases([{ legacy: 90, eks: 20 }]), phase: "p1" },
        /MigrationLoadBalancer migration-lb: migration.phases\[0\].weights = \{"legacy":90,"eks":20\} is invalid; must sum to 100 \(got 110\)/],
      ["a phase without a target", { phases: [...phases([{ legacy: 100 }]), { name: "p2", weights: {} }], phase: "p1" },
        /migration.phases\[1\].weights = \{\} is invalid; must give at least one target a weight \(legacy, eks\)/],
      ["a phase naming an unknown target", { phases: phases([{ legacy: 50, ec2: 50 }]), phase: "p1" }, /migration.phases\[0\].weights = .* is invalid; names an unknown target "ec2"/],
      ["a negative weight", { phases: phases([{ legacy: 100, eks: -10 }]), phase: "p1" }, /migration.phases\[0\].weights.eks = -10 is invalid; must be an integer from 0 to 100/],
      ["a fractional weight", { phases: phases([{ legacy: 89.5, eks: 10.5 }]), phase: "p1" }, /weights.legacy = 89.5 is invalid; must be an integer from 0 to 100/],
      ["an active phase that does not exist", { phase: "eks-75" }, /migration.phase = "eks-75" is invalid; must be one of the phases \(eks-10, eks-50, eks-90, eks-100\)/],
      ["no phases", { phases: [], phase: "p1" }, /migration.phases = \[\] is invalid; must list at least one phase/],
      ["repeated phase names", { phases: [{ name: "a", weights: { eks: 100 } }, { name: "a", weights: { eks: 100 } }], phase: "a" }, /must not repeat values \(repeated: a\)/],
      ["stickiness beyond 7 days", { stickinessSeconds: 604801 }, /stickinessSeconds = 604801 is invalid; must be an integer from 0 to 604800/],
      ["an error threshold of 100 %", { rollbackAlarms: { errorPercent: 100 } }, /rollbackAlarms.errorPercent = 100 is invalid; must be a percentage between 0 and 100/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
