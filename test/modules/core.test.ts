import { Naming } from "../../modules/core/naming";
import { contains, overlaps, parseCidr, requireCidr } from "../../modules/core/cidr";
import { suppress, suppressionsOf } from "../../modules/core/suppress";
import { PolicyDocument, serviceTrustPolicy } from "../../modules/core/policy";
import { encryptedLogGroup } from "../../modules/core/log-group";
import { KmsKey } from "../../modules/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
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

describe("kms key", () => {
  it("records Trivy's aliased-provider false positive only for keys created through a provider alias", () => {
    const { stack } = testStack();
    const east = new AwsProvider(stack, "east", { alias: "east", region: "us-east-1" });
    const aliased = new KmsKey(stack, "a", { naming: new Naming("p", "e"), component: "a", description: "d", provider: east });
    const plain = new KmsKey(stack, "b", { naming: new Naming("p", "e"), component: "b", description: "d" });
    expect(suppressionsOf(aliased.node.findChild("key") as never).map((s) => s.id)).toEqual(["AVD-AWS-0065"]);
    expect(suppressionsOf(plain.node.findChild("key") as never)).toEqual([]);
  });

  it("rotates yearly, has an alias and rejects service grants without a condition", () => {
    const { stack } = testStack();
    const key = new KmsKey(stack, "k", { naming: new Naming("openedx", "staging"), component: "data", description: "data" });
    expect(() => key.allowServicePrincipal("cloudfront.amazonaws.com", {})).toThrow(/needs a condition/);
    const json = synth(stack);
    expect(resource(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, deletion_window_in_days: 30 });
    expect(resource(json, "aws_kms_alias").name).toBe("alias/openedx-staging-data");
  });
  it("rejects a deletion window outside 7-30 days", () => {
    const { stack } = testStack();
    expect(() => new KmsKey(stack, "k", { naming: new Naming("p", "e"), component: "x", description: "d", deletionWindowInDays: 3 }))
      .toThrow(/KmsKey x: deletionWindowInDays = 3 is invalid; must be an integer from 7 to 30/);
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
