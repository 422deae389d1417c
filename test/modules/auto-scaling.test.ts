import { LegacyService, LegacyServiceProps } from "../../modules/auto-scaling";
import { policy, resource, synth, testStack } from "../helpers";

function build(overrides: Partial<LegacyServiceProps> = {}) {
  const { stack, naming } = testStack("production");
  const service = new LegacyService(stack, "legacy", {
    naming, amiId: "ami-0123456789abcdef0", instanceType: "m5.xlarge", minSize: 2, maxSize: 6, desiredCapacity: 3,
    subnetIds: ["subnet-prv-a", "subnet-prv-b"], securityGroupId: "sg-0legacy", targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/legacy/abc"],
    ...overrides,
  });
  return { service, json: synth(stack) };
}

describe("auto-scaling (legacy service)", () => {
  const { service, json } = build();
  const template = resource(json, "aws_launch_template");
  const group = resource(json, "aws_autoscaling_group");

  it("requires IMDSv2 with a hop limit of 1 and gives no public address or key pair", () => {
    expect(template.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" });
    expect(template.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: "false", security_groups: ["sg-0legacy"] })]);
    expect(template.key_name).toBeUndefined();
  });

  it("encrypts the gp3 root volume with its own CMK that the Auto Scaling service-linked role may use", () => {
    expect(template.block_device_mappings[0].ebs).toMatchObject({ encrypted: "true", volume_type: "gp3", volume_size: 30 });
    expect(template.block_device_mappings[0].ebs.kms_key_id).toMatch(/aws_kms_key\.legacy_volume-key/);
    const key = resource(json, "aws_kms_key");
    expect(policy(key.policy).Statement.map((s: any) => s.Principal.AWS).join(" ")).toContain("AWSServiceRoleForAutoScaling");
  });

  it("gives operators SSM Session Manager instead of SSH", () => {
    expect(policy(resource(json, "aws_iam_role").assume_role_policy).Statement[0].Principal.Service).toBe("ec2.amazonaws.com");
    expect(resource(json, "aws_iam_role_policy_attachment").policy_arn).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::aws:policy\/AmazonSSMManagedInstanceCore$/);
  });

  it("registers in the load balancer's group with ELB health checks, rolls instances on template change, scales on CPU", () => {
    expect(group).toMatchObject({
      min_size: 2, max_size: 6, desired_capacity: 3, health_check_type: "ELB", vpc_zone_identifier: ["subnet-prv-a", "subnet-prv-b"],
      target_group_arns: ["arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/legacy/abc"],
      instance_refresh: { strategy: "Rolling", preferences: { min_healthy_percentage: 90 } },
      lifecycle: { ignore_changes: ["desired_capacity"] },
    });
    expect(resource(json, "aws_autoscaling_policy")).toMatchObject({ policy_type: "TargetTrackingScaling",
      target_tracking_configuration: { target_value: 50, predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" } } });
    expect(service).toMatchObject({ port: 80, healthCheckPath: "/heartbeat" });
  });

  describe("validation", () => {
    it.each<[string, Partial<LegacyServiceProps>, RegExp]>([
      ["a non-AMI id", { amiId: "ubuntu-22.04" }, /LegacyService legacy: amiId = "ubuntu-22.04" is invalid; must be an AMI id/],
      ["an unknown instance type", { instanceType: "m5.huge" }, /instanceType = "m5.huge" is invalid; must be an EC2 type listed/],
      ["max below min", { maxSize: 1 }, /maxSize = 1 is invalid; must be an integer from 2 to 100/],
      ["desired outside min-max", { desiredCapacity: 7 }, /desiredCapacity = 7 is invalid; must be an integer from 2 to 6/],
      ["a relative health-check path", { healthCheckPath: "heartbeat" }, /healthCheckPath = "heartbeat" is invalid; must be an absolute URL path/],
      ["no subnet", { subnetIds: [] }, /subnetIds = \[\] is invalid; must list at least 1 private subnet/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
