import { Construct } from "constructs";
import { Fn, TerraformLocal } from "cdktf";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { AlarmSpec, metricAlarms } from "../core/alarms";
import { DataStoreProps } from "../core/data-store";
import { StoreEndpoint, storeSecurityGroup } from "../core/security-group";
import { suppress } from "../core/suppress";
import { check, checkOneOf } from "../core/validation";
import { checkVersionLifecycle } from "../core/lifecycle";
import { serviceFamilies, serviceOffers } from "../core/aws-catalogue";

/** RabbitMQ 4.2, the version AWS recommends (mq.m7g only; quorum queues by default). */
// renovate: datasource=endoflife-date depName=amazon-mq-rabbitmq versioning=loose
export const DEFAULT_RABBITMQ_VERSION = "4.2";

export type RabbitMqVersion = "4.2" | "3.13";
/** SINGLE_INSTANCE: one node in one AZ. CLUSTER_MULTI_AZ: three nodes in three AZs behind one endpoint. */
export type RabbitMqDeploymentMode = "SINGLE_INSTANCE" | "CLUSTER_MULTI_AZ";

/** Alarm thresholds (seed 001's "for 5 minutes" evaluation). */
export interface RabbitMqAlarmThresholds {
  /** Messages ready for delivery across all queues (MessageReadyCount) above this: consumers fall behind. @default 10000 */
  readonly queueDepth?: number;
  /** Consumers (ConsumerCount) below this: a service stopped consuming. @default 1 */
  readonly minConsumers?: number;
  /** Memory used by the busiest node (RabbitMQMemUsed) above this percent of its RAM. @default 40 */
  readonly memoryPercent?: number;
  /** Free disk on the fullest node (RabbitMQDiskFree) below this (GiB). @default 2 */
  readonly diskFreeGiB?: number;
  /** CPU of the busiest node (SystemCpuUtilization) above this percent. @default 80 */
  readonly cpuPercent?: number;
}

/** Sizing: the part of the props an environment's config provides. */
export interface RabbitMqSettings {
  /** Broker instance type, e.g. `mq.m7g.large` (4.2 runs on mq.m7g only). */
  readonly instanceType: string;
  /** @default DEFAULT_RABBITMQ_VERSION ("4.2") */
  readonly engineVersion?: RabbitMqVersion;
  /**
   * Amazon MQ offers RabbitMQ as a single instance or a three-node cluster across AZs (the
   * active/standby pair is ActiveMQ's mode, not RabbitMQ's); changing it replaces the broker.
   * @default "CLUSTER_MULTI_AZ" when `multiAz`, else "SINGLE_INSTANCE"
   */
  readonly deploymentMode?: RabbitMqDeploymentMode;
  /**
   * Secrets Manager secret (JSON `username`, `password`) an operator creates before the first
   * plan: the broker's admin user is created from it, and the app reads it through External Secrets.
   * @default `<project>-<env>-rabbitmq-admin`
   */
  readonly adminSecretName?: string;
  /** @default the RabbitMqAlarmThresholds defaults */
  readonly alarmThresholds?: RabbitMqAlarmThresholds;
}

export interface RabbitMqProps extends DataStoreProps, RabbitMqSettings {}

/** Node RAM (GiB) per size (Amazon MQ for RabbitMQ broker instance types). */
const RAM_GIB: Readonly<Record<string, number>> = {
  micro: 1, medium: 4, large: 8, xlarge: 16, "2xlarge": 32, "4xlarge": 64, "8xlarge": 128, "12xlarge": 192, "16xlarge": 256,
};
/** AMQP 0-9-1 over TLS: the only listener the app needs (the management console is 443, not opened). */
const AMQPS_PORT = 5671;

/**
 * Seed 004's messaging layer: Amazon MQ for RabbitMQ in the database subnets.
 *
 * - Deployment per tier: `multiAz` (the production tier requires it) gives CLUSTER_MULTI_AZ,
 *   three nodes in three AZs behind one NLB endpoint with quorum queues (RabbitMQ 4.2's
 *   default); elsewhere a single instance. Amazon MQ's "active/standby" exists for ActiveMQ only.
 * - Private (no public endpoint), AMQPS 5671 only from the allowed security groups; TLS is the
 *   only listener Amazon MQ exposes for RabbitMQ.
 * - Encryption at rest: Amazon MQ for RabbitMQ accepts only an AWS-owned KMS key
 *   (`encryption_options.use_aws_owned_key = true`; `kms_key_id` "does not apply to RabbitMQ
 *   brokers" per the API). A customer-managed key is impossible, so CKV_AWS_209 is suppressed
 *   with that reason; messages are still encrypted at rest, with a key AWS controls.
 * - Admin credential: the `aws_mq_broker` user block has no write-only password
 *   (hashicorp/terraform-provider-aws#48180, open), so the password reaches state whatever its
 *   source. It is therefore never generated here: an operator creates the admin secret, the plan
 *   reads it, and `user` is ignored after creation (rotation happens in RabbitMQ's management
 *   API, then in the secret). State lives in the KMS-encrypted state bucket, readable by the CI
 *   roles only.
 * - Logs: general logs to CloudWatch (RabbitMQ has no audit log on Amazon MQ); the service
 *   creates `/aws/amazonmq/broker/<id>/general` itself through its service-linked role, so the
 *   group cannot be pre-created with a CMK (its id is only known after creation).
 * - Alarms: queue depth, consumer count, and per-node memory, disk and CPU (Metrics Insights
 *   queries over the Broker/Node dimensions, since node names are only known at runtime).
 * - Minor versions automatic (required from 3.13), Sunday maintenance window like the databases.
 */
export class RabbitMq extends Construct {
  public readonly brokerName: string;
  public readonly brokerId: string;
  /** `amqps://<host>:5671`, the broker's (or cluster's) endpoint. */
  public readonly amqpsEndpoint: string;
  /** Host of the endpoint. */
  public readonly host: string;
  public readonly port = AMQPS_PORT;
  /** The admin credential secret (JSON `username`, `password`) the app's connection secret is synced from. */
  public readonly adminSecretArn: string;
  /** Its name (operator-created), for IAM grants by name. */
  public readonly adminSecretName: string;
  public readonly securityGroupId: string;
  /** How clients reach it (port and security group), e.g. for NetworkPolicy egress. */
  public readonly endpointRef: StoreEndpoint;
  public readonly deploymentMode: RabbitMqDeploymentMode;
  public readonly broker: MqBroker;

  constructor(scope: Construct, id: string, props: RabbitMqProps) {
    super(scope, id);
    const where = `RabbitMq ${id}`;
    const { naming } = props;
    const version = props.engineVersion ?? DEFAULT_RABBITMQ_VERSION;
    const multiAz = props.multiAz ?? true;
    this.deploymentMode = props.deploymentMode ?? (multiAz ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE");
    const adminSecretName = props.adminSecretName ?? naming.name("rabbitmq-admin", "secret");
    this.adminSecretName = adminSecretName;
    validate(where, props, version, this.deploymentMode, adminSecretName, `${naming.prefix}-`);
    checkVersionLifecycle(this, { where, prop: "engineVersion", product: "amazonMqRabbitmq", version, protectedEnvironment: props.requireStandardSupport ?? true });

    this.brokerName = naming.name("rabbitmq", "generic");
    const sg = storeSecurityGroup(this, "sg", {
      naming, component: "rabbitmq", vpcId: props.network.vpcId, port: AMQPS_PORT, allowFrom: props.allowFrom, description: "Amazon MQ RabbitMQ",
    });
    this.securityGroupId = sg.id;
    this.endpointRef = { securityGroupId: sg.id, port: AMQPS_PORT, description: "Amazon MQ RabbitMQ" };

    const admin = new DataAwsSecretsmanagerSecretVersion(this, "admin", { secretId: adminSecretName });
    this.adminSecretArn = admin.arn;
    const cluster = this.deploymentMode === "CLUSTER_MULTI_AZ";
    const broker = new MqBroker(this, "broker", {
      brokerName: this.brokerName,
      engineType: "RabbitMQ",
      engineVersion: version,
      hostInstanceType: props.instanceType,
      deploymentMode: this.deploymentMode,
      publiclyAccessible: false,
      subnetIds: cluster ? [...props.network.databaseSubnetIds] : [props.network.databaseSubnetIds[0]!],
      securityGroups: [sg.id],
      autoMinorVersionUpgrade: true,
      encryptionOptions: { useAwsOwnedKey: true },
      logs: { general: true },
      maintenanceWindowStartTime: { dayOfWeek: "SUNDAY", timeOfDay: "05:00", timeZone: "UTC" },
      user: [{
        username: Fn.lookup(Fn.jsondecode(admin.secretString), "username"),
        password: Fn.lookup(Fn.jsondecode(admin.secretString), "password"),
      }],
      lifecycle: { ignoreChanges: ["user"] },
    });
    this.broker = broker;
    suppress(broker, {
      id: "CKV_AWS_209",
      reason: "Amazon MQ for RabbitMQ encrypts at rest with an AWS-owned KMS key only; the API's kms_key_id does not apply to RabbitMQ brokers, so a customer-managed key cannot be set",
    }, {
      id: "AWS-0070",
      reason: "Amazon MQ has audit logs for ActiveMQ only; a RabbitMQ broker accepts logs.general alone (set), so there is no audit log to enable",
    }, {
      id: "AWS-0071",
      reason: "False positive: Trivy does not read nested blocks in Terraform JSON; logs.general = true here (Checkov CKV_AWS_48 verifies it)",
    });
    this.brokerId = broker.id;
    // Locals, so another stack receives the finished value (an output of this stack) rather
    // than the broker's endpoint list and the functions to apply to it.
    this.amqpsEndpoint = new TerraformLocal(this, "amqps-endpoint", Fn.element(broker.instances.get(0).endpoints, 0)).asString;
    this.host = new TerraformLocal(this, "host", Fn.replace(this.amqpsEndpoint, "/^amqps://([^:/]+).*$/", "$1")).asString;

    this.alarms(props, cluster);
  }

  private alarms(props: RabbitMqProps, cluster: boolean): void {
    const th = { queueDepth: 10000, minConsumers: 1, memoryPercent: 40, diskFreeGiB: 2, cpuPercent: 80, ...props.alarmThresholds };
    const base = { namespace: "AWS/AmazonMQ", dimensions: { Broker: this.brokerName } };
    const specs: AlarmSpec[] = [
      { ...base, name: "queue-depth", metricName: "MessageReadyCount", statistic: "Maximum", comparison: ">", threshold: th.queueDepth,
        description: `${this.brokerName}: more than ${th.queueDepth} messages waiting for 5 minutes (consumers behind or stopped)` },
      { ...base, name: "consumers", metricName: "ConsumerCount", statistic: "Minimum", comparison: "<", threshold: th.minConsumers, treatMissingData: "breaching",
        description: `${this.brokerName}: fewer than ${th.minConsumers} consumers for 5 minutes (a service stopped consuming)` },
    ];
    metricAlarms(this, props.alarms, props.naming, "rabbitmq", specs);
    const size = props.instanceType.split(".")[2]!;
    const ramBytes = RAM_GIB[size]! * 1024 ** 3;
    const perNode = (name: string, fn: "MAX" | "MIN", metric: string, comparison: string, threshold: number, description: string) =>
      new CloudwatchMetricAlarm(this, `alarm-${name}`, {
        alarmName: props.naming.name(`rabbitmq-${name}`),
        alarmDescription: description,
        metricQuery: [{
          id: "q1", returnData: true, period: 60,
          expression: `SELECT ${fn}(${metric}) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = '${this.brokerName}' GROUP BY Node`,
        }],
        comparisonOperator: comparison,
        threshold,
        evaluationPeriods: 5,
        treatMissingData: "missing",
        alarmActions: [props.alarms.topicArn],
        okActions: [props.alarms.topicArn],
      });
    const nodes = cluster ? "a node" : "the node";
    perNode("memory", "MAX", "RabbitMQMemUsed", "GreaterThanThreshold", Math.round(ramBytes * th.memoryPercent / 100),
      `${this.brokerName}: ${nodes} uses more than ${th.memoryPercent} % of its RAM for 5 minutes; at RabbitMQ's memory high watermark publishers are blocked`);
    perNode("disk", "MIN", "RabbitMQDiskFree", "LessThanThreshold", th.diskFreeGiB * 1024 ** 3,
      `${this.brokerName}: ${nodes} has less than ${th.diskFreeGiB} GiB free disk for 5 minutes; at the disk free limit publishers are blocked`);
    perNode("cpu", "MAX", "SystemCpuUtilization", "GreaterThanThreshold", th.cpuPercent,
      `${this.brokerName}: ${nodes} above ${th.cpuPercent} % CPU for 5 minutes`);
  }
}

function validate(where: string, props: RabbitMqProps, version: string, mode: string, adminSecretName: string, prefix: string): void {
  checkOneOf(where, "engineVersion", version, ["4.2", "3.13"]);
  checkOneOf(where, "deploymentMode", mode, ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]);
  const type = props.instanceType;
  check(serviceOffers("amazonMqRabbitmq", type), where, "instanceType", type,
    `must be a broker instance type Amazon MQ offers for RabbitMQ (${serviceFamilies("amazonMqRabbitmq")}; mq.t3.micro is single-instance 3.13 only)`);
  check(version !== "4.2" || type.startsWith("mq.m7g."), where, "instanceType", type, "must be an mq.m7g type for RabbitMQ 4.2 (Amazon MQ runs 4.2 on mq.m7g only)");
  check(!(type === "mq.t3.micro" && mode === "CLUSTER_MULTI_AZ"), where, "instanceType", type, "cannot run a CLUSTER_MULTI_AZ broker; use mq.m7g.large or larger");
  if (mode === "CLUSTER_MULTI_AZ") {
    check(props.network.databaseSubnetIds.length >= 3, where, "network.databaseSubnetIds", props.network.databaseSubnetIds.length,
      "must span 3 AZs for a CLUSTER_MULTI_AZ broker (one node per AZ)");
  } else {
    check(props.network.databaseSubnetIds.length >= 1, where, "network.databaseSubnetIds", props.network.databaseSubnetIds.length, "must list at least 1 subnet");
  }
  check(adminSecretName.startsWith(prefix), where, "adminSecretName", adminSecretName,
    `must start with ${prefix} (the stack reads it at plan time, and the CI plan roles read only the environment's own ${prefix}* secrets)`);
}
