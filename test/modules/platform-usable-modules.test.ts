import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { BlockStorage } from "../../modules/block-storage";
import { ExternalSecrets, ExternalSecretsProps, SyncedSecret } from "../../modules/external-secrets";
import { GitOps } from "../../modules/gitops";
import { PlatformPrereqs } from "../../modules/platform-prereqs";
import { S3Buckets } from "../../modules/s3-buckets";
import { alertmanagerConfig } from "../../modules/observability";
import { checkOnCall } from "../../modules/core/on-call";
import { checkOidcClient } from "../../modules/core/sso";
import { platformCharts } from "../../environments/shared";
import { policy, resource, resources, synth, testStack } from "../helpers";

function k8sStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "k8s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  return stack;
}

describe("BlockStorage", () => {
  it("rejects gp3 settings AWS would refuse", () => {
    const make = (over: object) => () => new BlockStorage(k8sStack(), "bs", { kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k", ...over });
    expect(make({ iops: 2000 })).toThrow("BlockStorage bs: iops = 2000 is invalid; must be an integer from 3000 to 16000");
    expect(make({ reclaimPolicy: "retain" })).toThrow('BlockStorage bs: reclaimPolicy = "retain" is invalid; must be one of "Delete", "Retain"');
    expect(make({ iops: 3000, throughputMiBps: 1000 })).toThrow("BlockStorage bs: throughputMiBps = 1000 is invalid; must be at most iops / 4 (750 MiB/s for 3000 IOPS");
    expect(make({ kmsKeyArn: "" })).toThrow("kmsKeyArn");
    expect(make({ iops: 4000, throughputMiBps: 1000 })).not.toThrow();
  });
});

describe("ExternalSecrets", () => {
  const secret: SyncedSecret = { name: "mysql", namespace: "openedx-prod", remoteSecret: "arn:aws:secretsmanager:us-east-1:1:secret:x", data: { PASSWORD: { field: "password" }, HOST: { value: "db" } } };
  const base: ExternalSecretsProps = { chart: platformCharts.externalSecrets, rawChart: platformCharts.raw, region: "us-east-1", allowedNamespaces: ["openedx-prod"], secrets: [secret] };
  const make = (over: Partial<ExternalSecretsProps>) => () => new ExternalSecrets(k8sStack(), "eso", { ...base, ...over });

  it("rejects a synced Secret outside the store's namespaces, template text in literals, and fields that cannot be template variables", () => {
    expect(make({ secrets: [{ ...secret, namespace: "argocd" }] })).toThrow('ExternalSecrets eso: secrets[0].namespace = "argocd" is invalid; must be one of allowedNamespaces (openedx-prod)');
    expect(make({ secrets: [{ ...secret, data: { ...secret.data, HOST: { value: "{{ .password }}" } } }] })).toThrow("secrets[0].data.HOST.value");
    expect(make({ secrets: [{ ...secret, data: { PASSWORD: { field: "pass-word" } } }] })).toThrow("secrets[0].data.PASSWORD.field");
    expect(make({ secrets: [{ ...secret, data: { HOST: { value: "db" } } }] })).toThrow("must read at least one field from the remote secret");
    expect(make({ secrets: [{ ...secret, refreshInterval: "1 hour" }] })).toThrow('secrets[0].refreshInterval = "1 hour" is invalid');
    expect(make({ secrets: [secret, secret] })).toThrow("must not repeat values");
    expect(make({})).not.toThrow();
  });
});

describe("PlatformPrereqs grants for External Secrets and the app", () => {
  const { stack, naming } = testStack("production");
  const storage = new S3Buckets(stack, "storage", { naming, buckets: { media: {} } });
  const prereqs = new PlatformPrereqs(stack, "prereqs", {
    naming, clusterName: "openedx-eks", kmsKey: storage.kmsKey, accessLogsBucket: storage.logsBucket,
    alarmTopic: { topicArn: "arn:aws:sns:us-east-1:1:a", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/a" },
  });
  prereqs.allowExternalSecrets({ secrets: [{ secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/db" }], secretNames: ["sso", "sso"] });
  prereqs.appRole({ serviceAccount: { namespace: "openedx-prod", name: "openedx" }, mediaBucket: { bucketArn: storage.buckets.media!.bucketArn, kmsKeyArn: storage.kmsKey.keyArn }, sesIdentities: ["learn.example.org"] });
  const json = synth(stack);

  it("lists each operator-created secret once, by name and Secrets Manager's suffix", () => {
    const doc = policy(resource(json, "aws_iam_role_policy", "external-secrets-policy").policy).Statement;
    expect(doc[0].Resource).toEqual(["arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf", expect.stringMatching(/:secret:sso-\?\?\?\?\?\?$/)]);
    expect(doc[1].Resource).toEqual(["arn:aws:kms:us-east-1:1:key/db"]);
  });

  it("lets the app send mail only as its SES identities", () => {
    const doc = policy(resource(json, "aws_iam_role_policy", "app-policy").policy).Statement;
    expect(doc.find((s: any) => s.Sid === "SendMail")).toMatchObject({ Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: [expect.stringMatching(/:identity\/learn\.example\.org$/)] });
  });

  it("refuses a second role and an SES identity that is not a domain or address", () => {
    expect(() => prereqs.allowExternalSecrets({ secrets: [], secretNames: ["x"] })).toThrow("may be called once");
    const other = testStack("staging");
    const s2 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p2 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s2.kmsKey, accessLogsBucket: s2.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    expect(() => p2.appRole({ serviceAccount: { namespace: "a", name: "b" }, mediaBucket: { bucketArn: "b", kmsKeyArn: "k" }, sesIdentities: ["*"] })).toThrow('appRole.sesIdentities[0] = "*" is invalid');
    expect(() => p2.allowExternalSecrets({ secrets: [], secretNames: ["arn:aws:secretsmanager:us-east-1:1:secret:x"] })).toThrow("must be a Secrets Manager secret name (not an ARN)");
  });

  it("grants no key for a secret under aws/secretsmanager (DocumentDB's managed secret)", () => {
    const other = testStack("staging");
    const s3 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p3 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s3.kmsKey, accessLogsBucket: s3.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    p3.allowExternalSecrets({ secrets: [{ secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:docdb-AbCdEf" }] });
    const doc = policy(resource(synth(other.stack), "aws_iam_role_policy", "external-secrets-policy").policy).Statement;
    expect(doc.map((x: any) => x.Sid)).toEqual(["ReadListedSecrets"]);
  });

  it("adds the data-store grants to the app's role only after it exists, once", () => {
    const other = testStack("staging");
    const s4 = new S3Buckets(other.stack, "s", { naming: other.naming, buckets: { media: {} } });
    const p4 = new PlatformPrereqs(other.stack, "p", { naming: other.naming, clusterName: "c", kmsKey: s4.kmsKey, accessLogsBucket: s4.logsBucket, alarmTopic: { topicArn: "t", kmsKeyArn: "k" } });
    const connect = { Sid: "C", Effect: "Allow" as const, Action: "elasticache:Connect", Resource: "arn:aws:elasticache:us-east-1:1:replicationgroup:x" };
    expect(() => p4.allowAppDataStores([connect])).toThrow("allowAppDataStores = \"before appRole\" is invalid; must be called after appRole");
    // No media bucket, no SES: the role exists for the data stores alone, without an empty policy.
    p4.appRole({ serviceAccount: { namespace: "a", name: "b" } });
    expect(() => p4.allowAppDataStores([])).toThrow("must grant at least one statement");
    p4.allowAppDataStores([connect]);
    expect(() => p4.allowAppDataStores([connect])).toThrow("may be called once");
    const j = synth(other.stack);
    expect(resources(j, "aws_iam_role_policy").map((r) => r.name).sort()).toEqual(["alertmanager", "app-data-stores", "loki", "velero"]);
    expect(policy(resource(j, "aws_iam_role_policy", "app-data-stores").policy).Statement).toEqual([connect]);
  });
});

describe("on-call and SSO validation", () => {
  it("rejects an endpoint URL, ARN or key in place of a secret name, and unknown kinds", () => {
    expect(() => checkOnCall("env", "onCall", { endpoint: { kind: "pagerduty", secretName: "https://events.pagerduty.com/x" } })).toThrow("onCall.endpoint.secretName");
    expect(() => checkOnCall("env", "onCall", { endpoint: { kind: "sms" as never, secretName: "oncall" } })).toThrow('onCall.endpoint.kind = "sms" is invalid; must be one of pagerduty, opsgenie, webhook');
    expect(() => checkOnCall("env", "onCall", { endpoint: { kind: "opsgenie", secretName: "openedx-production-on-call" } })).not.toThrow();
  });

  it("rejects an issuer that is not https and group names that would break the RBAC CSV", () => {
    const sso = { issuer: "https://idp.example.org", clientId: "argocd", clientSecret: { secretName: "sso", key: "clientSecret" }, adminGroups: ["sre"] };
    expect(() => checkOidcClient("w", "sso", { ...sso, issuer: "http://idp.example.org" })).toThrow('w: sso.issuer = "http://idp.example.org" is invalid; must be an https:// URL');
    expect(() => checkOidcClient("w", "sso", { ...sso, adminGroups: ["sre, role:admin"] })).toThrow("sso group");
    expect(() => checkOidcClient("w", "sso", { ...sso, adminGroups: [] })).toThrow("sso.adminGroups");
    expect(() => checkOidcClient("w", "sso", sso)).not.toThrow();
  });

  it("keeps Argo CD's admin login off and has no UI login without SSO", () => {
    const stack = k8sStack();
    const g = new GitOps(stack, "g", { chart: platformCharts.argoCd, appsChart: platformCharts.argocdApps, appNamespace: "app", source: { repoUrl: "https://github.com/o/r.git", path: "p", revision: "main" } });
    const cm = JSON.parse(resource(synth(stack), "helm_release", "argo-cd").values[0]).configs.cm;
    expect(g.projectName).toBe("openedx");
    expect(cm["admin.enabled"]).toBe(false);
    expect(cm["oidc.config"]).toBeUndefined();
  });

  it("routes every alert to the paging receiver when there is no topic (kubeconfig clusters)", () => {
    const cfg = alertmanagerConfig({ onCall: { kind: "opsgenie", secret: { name: "alertmanager-on-call", key: "key" } } });
    expect(cfg.route.receiver).toBe("on-call");
    expect(cfg.receivers).toEqual([{ name: "null" }, { name: "on-call", opsgenie_configs: [{ api_key_file: "/etc/alertmanager/secrets/alertmanager-on-call/key", send_resolved: true, priority: "P1" }] }]);
  });
});
