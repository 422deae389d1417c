import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { EnvironmentConfig, PlatformStack, addEnvironment, environments } from "../../environments";
import { policy, resource, resources, TfJson, K3S_TARGET } from "../helpers";

/** Production's two stacks, synthesized through the app so cross-stack references resolve. */
function synthProduction() {
  const app = Testing.app();
  addEnvironment(app, environments.production);
  app.synth();
  const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TfJson;
  return { aws: read("production"), platform: read("production-platform") };
}

const alertmanagerValues = (json: TfJson) => {
  const release = resources(json, "helm_release").find((r) => r.name === "kube-prometheus-stack")!;
  return JSON.parse(release.values[0]).alertmanager;
};

const SA = "kube-prometheus-stack-alertmanager";
/** The topic ARN as the platform stack reads it from production's state. */
const TOPIC_FROM_STATE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-production\.outputs\.cross-stack-output-aws_sns_topicalarms_topic_\w+arn\}$/;

describe("Alertmanager → the environment alarm topic (production)", () => {
  const { aws, platform } = synthProduction();
  const am = alertmanagerValues(platform);

  it("gives Alertmanager a role trusted only through Pod Identity for its cluster and service account", () => {
    const role = resource(aws, "aws_iam_role", "platform-prereqs/alertmanager-role");
    expect(role.name).toBe("openedx-production-alertmanager");
    const trust = policy(role.assume_role_policy).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust[0].Condition.StringEquals).toMatchObject({
      "aws:RequestTag/eks-cluster-name": expect.stringMatching(/aws_eks_cluster\.cluster_\w+\.name/),
      "aws:RequestTag/kubernetes-namespace": "observability",
      "aws:RequestTag/kubernetes-service-account": SA,
    });
    const assoc = resource(aws, "aws_eks_pod_identity_association", "platform-prereqs/alertmanager-association");
    expect(assoc).toMatchObject({ namespace: "observability", service_account: SA });
    expect(assoc.role_arn).toMatch(/aws_iam_role\.platform-prereqs_alertmanager-role_\w+\.arn/);
  });

  it("lets the role publish to the alarm topic only, and use its key only through SNS", () => {
    const doc = policy(resource(aws, "aws_iam_role_policy", "platform-prereqs/alertmanager-policy").policy).Statement;
    expect(doc).toEqual([
      { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: expect.stringMatching(/^\$\{aws_sns_topic\.alarms_topic_\w+\.arn\}$/) },
      {
        Sid: "TopicKeyViaSns", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: expect.stringMatching(/^\$\{aws_kms_key\.alarms_key_\w+\.arn\}$/),
        Condition: { StringEquals: { "kms:ViaService": expect.stringMatching(/^sns\.\$\{data\.aws_region\.aws-context\w*\.region\}\.amazonaws\.com$/) } },
      },
    ]);
    // The topic policy admits this account's IAM principals, so the identity policy suffices.
    const topicPolicy = policy(resource(aws, "aws_sns_topic_policy").policy).Statement;
    const account = topicPolicy.find((s) => s.Sid === "AccountManagesTopic");
    expect(account.Principal.AWS).toMatch(/:root$/);
    expect(account.Action).toContain("sns:Publish");
  });

  it("names the chart's Alertmanager service account explicitly, matching the association", () => {
    expect(am.serviceAccount).toEqual({ create: true, name: SA });
  });

  it("routes alerts to the alarm topic read from the AWS stack, critical ones to PagerDuty, Watchdog to null", () => {
    const { route, receivers, inhibit_rules } = am.config;
    expect(route.receiver).toBe("alarm-topic");
    expect(route.routes).toEqual([
      { receiver: "null", matchers: ['alertname = "Watchdog"'] },
      { receiver: "on-call", matchers: ['severity = "critical"'] },
    ]);
    expect(receivers.map((r: any) => r.name)).toEqual(["null", "alarm-topic", "on-call"]);
    // The routing key is a file from the Secret External Secrets syncs, never a value in config.
    expect(receivers[2].pagerduty_configs).toEqual([{ routing_key_file: "/etc/alertmanager/secrets/alertmanager-on-call/key", send_resolved: true, severity: "critical" }]);
    expect(am.alertmanagerSpec.secrets).toEqual(["alertmanager-on-call"]);
    const sns = receivers[1].sns_configs[0];
    expect(sns.topic_arn).toMatch(TOPIC_FROM_STATE);
    expect(sns.sigv4).toEqual({ region: "us-east-1" });
    expect(sns.send_resolved).toBe(true);
    expect(sns.subject).toMatch(/^\[production\] \{\{ \.Status \| toUpper \}\}/);
    expect(sns.message).toContain("{{ .Annotations.summary }}");
    // The chart's InfoInhibitor handling, restated because lists replace chart defaults.
    expect(inhibit_rules).toContainEqual({ source_matchers: ["alertname = InfoInhibitor"], target_matchers: ["severity = info"], equal: ["namespace"] });
    expect(inhibit_rules).toContainEqual({ target_matchers: ["alertname = InfoInhibitor"] });
    // Seed 001's rules are still what is routed.
    const rules = JSON.parse(resources(platform, "helm_release").find((r) => r.name === "kube-prometheus-stack")!.values[0]).additionalPrometheusRulesMap;
    expect(rules["openedx-platform"].groups[0].rules.map((r: any) => r.alert)).toContain("CertificateExpiringSoon");
  });
});

describe("Alertmanager in kubeconfig mode", () => {
  const config: EnvironmentConfig = { ...environments.staging, platform: { ...environments.staging.platform, kubeconfig: K3S_TARGET } };

  it("without a paging endpoint, keeps the chart's null receiver and warns at synth that alerts are not delivered", () => {
    const stack = new PlatformStack(Testing.app(), { ...config, onCall: { emails: ["oncall@example.org"] } }, { kubeconfig: K3S_TARGET });
    const am = alertmanagerValues(JSON.parse(Testing.synth(stack)) as TfJson);
    expect(am.config).toBeUndefined();
    expect(am.serviceAccount.name).toBe(SA);
    const warnings = stack.observability.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/no alertsTopic and no onCall receiver, so Alertmanager has no receiver and alerts are not delivered/)]);
  });

  it("with a paging endpoint, sends every alert to it (a Secret the operators create on the cluster)", () => {
    const stack = new PlatformStack(Testing.app(), { ...config, onCall: { endpoint: { kind: "webhook", secretName: "staging-on-call" } } }, { kubeconfig: K3S_TARGET });
    const am = alertmanagerValues(JSON.parse(Testing.synth(stack)) as TfJson);
    expect(am.config.route.receiver).toBe("on-call");
    expect(am.config.receivers).toContainEqual({ name: "on-call", slack_configs: [{ api_url_file: "/etc/alertmanager/secrets/alertmanager-on-call/key", send_resolved: true }] });
    expect(stack.observability.node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
  });
});
