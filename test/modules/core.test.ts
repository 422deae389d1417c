import { Naming } from "../../modules/core/naming";
import { contains, overlaps, parseCidr, requireCidr } from "../../modules/core/cidr";
import { suppress, suppressionsOf } from "../../modules/core/suppress";
import { PolicyDocument, serviceTrustPolicy } from "../../modules/core/policy";
import { encryptedLogGroup } from "../../modules/core/log-group";
import { KmsKey } from "../../modules/kms-key";
import { checkOnCall } from "../../modules/core/on-call";
import { checkOidcClient } from "../../modules/core/sso";
import { policy, resource, synth, testStack } from "../helpers";

describe("naming", () => {
  it("derives <project>-<env>-<component> and checks the kind's limit", () => {
    const n = new Naming("openedx", "production");
    expect(n.name("vpc")).toBe("openedx-production-vpc");
    expect(() => n.name("search-domain", "opensearchDomain")).toThrow(
      /opensearchDomain name = "openedx-production-search-domain" is invalid; must be at most 28 characters \(got 32\)/);
  });
  it("rejects names AWS would refuse", () => {
    expect(() => new Naming("OpenEdX", "production")).toThrow(/project = "OpenEdX" is invalid; must be lower-case/);
    expect(() => new Naming("openedx", "prod-")).toThrow(/environment = "prod-" is invalid/);
    expect(() => new Naming("openedx", "production").name("a_b")).toThrow(/component = "a_b" is invalid/);
  });
});

describe("cidr", () => {
  it("parses networks and rejects host bits, bad octets and prefixes", () => {
    expect(parseCidr("10.0.0.0/16")).toMatchObject({ prefix: 16, size: 65536 });
    expect(parseCidr("10.0.0.1/16")).toBeUndefined();
    expect(parseCidr("256.0.0.0/8")).toBeUndefined();
    expect(parseCidr("10.0.0.0/40")).toBeUndefined();
    expect(parseCidr("banana")).toBeUndefined();
  });
  it("detects overlap and containment", () => {
    const a = parseCidr("10.0.0.0/16")!;
    const b = parseCidr("10.0.5.0/24")!;
    const c = parseCidr("10.1.0.0/16")!;
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(contains(a, b)).toBe(true);
    expect(contains(b, a)).toBe(false);
    expect(() => requireCidr("X", "cidr", "10.0.0.0/30", 16, 28)).toThrow(/X: cidr = "10.0.0.0\/30" is invalid; must have a prefix length from \/16 to \/28/);
  });
});

describe("policy document", () => {
  it("renders statements added after creation and builds service trust policies", () => {
    const { stack } = testStack();
    const doc = new PolicyDocument();
    const key = new KmsKey(stack, "k", { naming: new Naming("p", "e"), component: "x", description: "d" });
    key.allowServicePrincipal("sns.amazonaws.com", { StringEquals: { "aws:SourceAccount": "1" } });
    doc.addStatements({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
    expect(JSON.parse(JSON.stringify(doc.statementList))).toHaveLength(1);
    const trust = JSON.parse(serviceTrustPolicy("ec2.amazonaws.com"));
    expect(trust.Statement[0]).toEqual({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
    const kms = policy(resource(synth(stack), "aws_kms_key").policy);
    expect(kms.Statement.map((s) => s.Sid)).toEqual(["AccountRootManagesKey", "Servicesnsamazonawscom"]);
  });
});

describe("suppress", () => {
  it("records suppressions with an id and a reason", () => {
    const { stack } = testStack();
    const key = new KmsKey(stack, "k", { naming: new Naming("p", "e"), component: "x", description: "d" });
    const res = key.node.findChild("key") as never;
    suppress(res, { id: "CKV_AWS_7", reason: "rotation is handled elsewhere in this test" });
    expect(suppressionsOf(res)).toEqual([{ id: "CKV_AWS_7", reason: "rotation is handled elsewhere in this test" }]);
    expect(() => suppress(res, { id: "made-up", reason: "a long enough reason" })).toThrow(/not a Checkov/);
    expect(() => suppress(res, { id: "CKV_AWS_7", reason: "short" })).toThrow(/reason of at least 10/);
  });
});

describe("encryptedLogGroup", () => {
  it("creates a CMK-encrypted group with retention and records a shorter retention as an accepted finding", () => {
    const { stack } = testStack();
    const long = encryptedLogGroup(stack, "long", { name: "/a/long", retentionDays: 365, kmsKeyArn: "arn:key", retentionProp: "logRetentionDays" });
    const short = encryptedLogGroup(stack, "short", { name: "/a/short", retentionDays: 30, kmsKeyArn: "arn:key", retentionProp: "flowLogRetentionDays" });
    expect(resource(synth(stack), "aws_cloudwatch_log_group", "short")).toMatchObject({ name: "/a/short", retention_in_days: 30, kms_key_id: "arn:key" });
    expect(suppressionsOf(long)).toEqual([]);
    expect(suppressionsOf(short)).toEqual([{ id: "CKV_AWS_338", reason: expect.stringMatching(/^flowLogRetentionDays = 30 is set explicitly below 365 days/) }]);
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
});
