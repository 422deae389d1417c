import { RabbitMq, RabbitMqProps } from "../../modules/amazon-mq";
import { suppressionsOf } from "../../modules/core/suppress";
import { resource, resources, synth } from "../helpers";
import { dataStack, network } from "./data-fixture";

function build(overrides: Partial<RabbitMqProps> = {}, env = "production") {
  const { stack, common } = dataStack(env);
  const mq = new RabbitMq(stack, "rabbitmq", { ...common, instanceType: "mq.m7g.large", ...overrides });
  return { mq, json: synth(stack) };
}

describe("amazon-mq (RabbitMQ)", () => {
  const { mq, json } = build();
  const broker = resource(json, "aws_mq_broker");

  it("runs RabbitMQ 4.2 as a private three-node cluster across the database subnets when Multi-AZ", () => {
    expect(broker).toMatchObject({
      engine_type: "RabbitMQ", engine_version: "4.2", host_instance_type: "mq.m7g.large", deployment_mode: "CLUSTER_MULTI_AZ",
      publicly_accessible: false, auto_minor_version_upgrade: true, broker_name: "openedx-production-rabbitmq",
      subnet_ids: network.databaseSubnetIds, logs: { general: true },
      maintenance_window_start_time: { day_of_week: "SUNDAY", time_of_day: "05:00", time_zone: "UTC" },
    });
    expect(mq.deploymentMode).toBe("CLUSTER_MULTI_AZ");
  });

  it("is a single instance in one subnet when not Multi-AZ (or when asked)", () => {
    for (const overrides of [{ multiAz: false }, { deploymentMode: "SINGLE_INSTANCE" as const }]) {
      const single = resource(build(overrides).json, "aws_mq_broker");
      expect(single).toMatchObject({ deployment_mode: "SINGLE_INSTANCE", subnet_ids: ["subnet-db-a"] });
    }
  });

  it("admits AMQPS 5671 only, from the client security groups, and says so to the NetworkPolicy", () => {
    const sg = resource(json, "aws_security_group", "rabbitmq/sg");
    expect(sg.ingress).toEqual([expect.objectContaining({ from_port: 5671, to_port: 5671, protocol: "tcp", security_groups: ["sg-nodes"], cidr_blocks: [] })]);
    expect(sg.egress).toEqual([]);
    expect(broker.security_groups).toEqual([expect.stringContaining("aws_security_group.rabbitmq_sg")]);
    expect(mq.endpointRef).toMatchObject({ port: 5671, description: "Amazon MQ RabbitMQ" });
  });

  it("creates the admin user from the operator's secret, never from a literal, and leaves it to RabbitMQ after creation", () => {
    const secret = json.data!.aws_secretsmanager_secret_version;
    expect(Object.values(secret!)).toEqual([expect.objectContaining({ secret_id: "openedx-production-rabbitmq-admin" })]);
    expect(broker.user[0].password).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.rabbitmq_admin_\w+\.secret_string\)\.password\}$/);
    expect(broker.lifecycle.ignore_changes).toEqual(["user"]);
    expect(mq.adminSecretName).toBe("openedx-production-rabbitmq-admin");
  });

  it("encrypts with the only key RabbitMQ brokers accept (AWS-owned) and records why no CMK", () => {
    expect(broker.encryption_options).toEqual({ use_aws_owned_key: true });
    const construct = mq.node.findChild("broker") as any;
    expect(suppressionsOf(construct).map((x) => x.id)).toEqual(["CKV_AWS_209", "AWS-0070", "AWS-0071"]);
    expect(suppressionsOf(construct)[0]!.reason).toMatch(/AWS-owned KMS key only/);
  });

  it("alarms on queue depth, consumers, and per-node memory, disk and CPU", () => {
    const alarms = resources(json, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      "openedx-production-rabbitmq-consumers", "openedx-production-rabbitmq-cpu", "openedx-production-rabbitmq-disk",
      "openedx-production-rabbitmq-memory", "openedx-production-rabbitmq-queue-depth",
    ]);
    const byName = (n: string) => alarms.find((a) => a.alarm_name === `openedx-production-rabbitmq-${n}`)!;
    expect(byName("queue-depth")).toMatchObject({ namespace: "AWS/AmazonMQ", metric_name: "MessageReadyCount", threshold: 10000, dimensions: { Broker: "openedx-production-rabbitmq" } });
    expect(byName("consumers")).toMatchObject({ metric_name: "ConsumerCount", comparison_operator: "LessThanThreshold", threshold: 1, treat_missing_data: "breaching" });
    // 40 % of an mq.m7g.large node's 8 GiB.
    expect(byName("memory")).toMatchObject({ threshold: Math.round(8 * 1024 ** 3 * 0.4), comparison_operator: "GreaterThanThreshold" });
    expect(byName("memory").metric_query[0].expression).toBe(
      "SELECT MAX(RabbitMQMemUsed) FROM SCHEMA(\"AWS/AmazonMQ\", Broker, Node) WHERE Broker = 'openedx-production-rabbitmq' GROUP BY Node");
    expect(byName("disk")).toMatchObject({ threshold: 2 * 1024 ** 3, comparison_operator: "LessThanThreshold" });
    expect(alarms.every((a) => a.alarm_actions[0].includes("aws_sns_topic.alarms"))).toBe(true);
  });

  describe("validation", () => {
    it.each<[string, Partial<RabbitMqProps>, RegExp]>([
      ["an ActiveMQ-only type", { instanceType: "mq.m4.large" }, /RabbitMq rabbitmq: instanceType = "mq.m4.large" is invalid; must be a broker instance type Amazon MQ offers for RabbitMQ \(mq.m7g.\*, mq.m5.\*, mq.t3.\*;/],
      ["a type that does not exist", { instanceType: "mq.m7g.3xlarge" }, /instanceType = "mq.m7g.3xlarge" is invalid; must be a broker instance type Amazon MQ offers/],
      ["an EC2 name", { instanceType: "m7g.large" }, /instanceType = "m7g.large" is invalid/],
      ["mq.m5 on 4.2", { instanceType: "mq.m5.large" }, /instanceType = "mq.m5.large" is invalid; must be an mq.m7g type for RabbitMQ 4.2/],
      ["mq.t3.micro as a cluster", { engineVersion: "3.13", instanceType: "mq.t3.micro" }, /instanceType = "mq.t3.micro" is invalid; cannot run a CLUSTER_MULTI_AZ broker/],
      ["an unknown version", { engineVersion: "3.12" as never }, /engineVersion = "3.12" is invalid; must be one of "4.2", "3.13"/],
      ["an unknown mode", { deploymentMode: "ACTIVE_STANDBY_MULTI_AZ" as never }, /deploymentMode = "ACTIVE_STANDBY_MULTI_AZ" is invalid; must be one of "SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"/],
      ["a cluster in two AZs", { network: { ...network, databaseSubnetIds: ["subnet-a", "subnet-b"] } }, /network.databaseSubnetIds = 2 is invalid; must span 3 AZs for a CLUSTER_MULTI_AZ broker/],
      ["another environment's secret", { adminSecretName: "openedx-staging-rabbitmq-admin" }, /adminSecretName = "openedx-staging-rabbitmq-admin" is invalid; must start with openedx-production-/],
      ["a CIDR as a client", { allowFrom: [{ securityGroupId: "10.0.0.0/8", description: "vpc" }] }, /allowFrom\[0\]\.securityGroupId = "10\.0\.0\.0\/8" is invalid/],
    ])("rejects %s", (_n, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    it("accepts what AWS offers: mq.m5 and single-instance mq.t3.micro on 3.13", () => {
      expect(resource(build({ engineVersion: "3.13", instanceType: "mq.m5.xlarge" }).json, "aws_mq_broker").host_instance_type).toBe("mq.m5.xlarge");
      expect(resource(build({ engineVersion: "3.13", instanceType: "mq.t3.micro", multiAz: false }).json, "aws_mq_broker").deployment_mode).toBe("SINGLE_INSTANCE");
    });
  });
});
