import { Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentStack, awsEnvironmentOrder, environments, getEnvironment, environmentOrder } from "../../environments";
import { addressPlan } from "../../environments/shared";
import { appStacks, resource, resources, synth, TfJson } from "../helpers";

function build(config: EnvironmentConfig, state?: EnvironmentConfig["state"]): { stack: EnvironmentStack; json: TfJson } {
  const stack = new EnvironmentStack(Testing.app(), config, { state });
  return { stack, json: synth(stack) };
}

describe("environments", () => {
  // The environments as the app (main.ts) synthesizes them, once per test run.
  const app = appStacks();
  const built = Object.fromEntries(Object.keys(environments).map((name) => [name, { json: app[name]! }])) as Record<string, { json: TfJson }>;
  const prod = built.production!.json;
  const sandbox = built.sandbox!.json;

  it("names stacks exactly after the environments, each with its platform stack, plus bootstrap", () => {
    expect(Object.keys(app).sort()).toEqual(["bootstrap", "production", "production-platform", "sandbox", "sandbox-platform", "selfhosted", "selfhosted-platform", "staging", "staging-platform"]);
    expect(new EnvironmentStack(Testing.app(), environments.staging).node.id).toBe("staging");
  });

  it.each(environmentOrder)("%s tags everything through provider default tags", (name) => {
    const provider = built[name]!.json.provider!.aws[0];
    expect(provider.region).toBe("us-east-1");
    expect(provider.default_tags[0].tags).toEqual({
      Project: "openedx", Environment: name, ManagedBy: "cdktf", Owner: "platform-sre", CostCenter: "learning-platform",
    });
  });

  it.each(environmentOrder)("%s keeps state in S3 with native locking, encrypted by the bucket default (the CMK), no SSE-S3 header", (name) => {
    expect(built[name]!.json.terraform!.backend.s3).toEqual({
      bucket: "openedx-terraform-state-123456789012", key: `learning-platform/${name}.tfstate`, region: "us-east-1", use_lockfile: true,
    });
  });

  it("switches to local state only when asked", () => {
    const { json } = build(environments.sandbox, { backend: "local" });
    expect(Object.keys(json.terraform!.backend)).toEqual(["local"]);
    expect(json.terraform!.backend.local.path).toMatch(/terraform\.sandbox\.tfstate$/);
  });

  it("production uses seed 001's address plan (private tier widened for pods) with a NAT gateway per AZ", () => {
    expect(resource(prod, "aws_vpc").cidr_block).toBe("10.0.0.0/16");
    const cidrs = (tier: string) => resources(prod, "aws_subnet").filter((s) => s.tags.Tier === tier).map((s) => s.cidr_block).sort();
    expect(cidrs("public")).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    // Private tier: /20s rather than the seed's /24s, so pods (VPC CNI) have addresses; see addressPlan.
    expect(cidrs("private")).toEqual(["10.0.64.0/20", "10.0.80.0/20", "10.0.96.0/20"]);
    expect(cidrs("database")).toEqual(["10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"]);
    expect(resources(prod, "aws_nat_gateway")).toHaveLength(3);
    expect(resource(prod, "aws_subnet", "private-us-east-1a").tags["kubernetes.io/cluster/openedx-eks"]).toBe("shared");
  });

  it("sandbox has one NAT gateway, two AZs and buckets that destroy cleanly", () => {
    expect(resources(sandbox, "aws_nat_gateway")).toHaveLength(1);
    expect(resources(sandbox, "aws_subnet")).toHaveLength(6);
    expect(resources(sandbox, "aws_s3_bucket").every((b) => b.force_destroy === true)).toBe(true);
  });

  it("environments use non-overlapping address ranges", () => {
    const ranges = awsEnvironmentOrder.map((e) => resource(built[e]!.json, "aws_vpc").cidr_block);
    expect(new Set(ranges).size).toBe(3);
  });

  it.each(awsEnvironmentOrder)("%s has flow logs, the S3 endpoint, a locked default SG and secure buckets", (name) => {
    const json = built[name]!.json;
    expect(resource(json, "aws_flow_log").traffic_type).toBe("ALL");
    expect(resource(json, "aws_vpc_endpoint").vpc_endpoint_type).toBe("Gateway");
    expect(resource(json, "aws_default_security_group")).toMatchObject({ ingress: [], egress: [] });
    const storage = (type: string) => resources(json, type).filter((r) => r._id.startsWith("storage/"));
    expect(storage("aws_s3_bucket")).toHaveLength(4);
    expect(storage("aws_s3_bucket_public_access_block")).toHaveLength(4);
    expect(resources(json, "aws_s3_bucket_versioning").every((v) => v.versioning_configuration.status === "Enabled")).toBe(true);
    expect(resources(json, "aws_s3_bucket_policy").every((p) => p.policy.includes("aws:SecureTransport"))).toBe(true);
    expect(resources(json, "aws_subnet").every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it("production buckets are never force-destroyed", () => {
    expect(resources(prod, "aws_s3_bucket").every((b) => b.force_destroy === false)).toBe(true);
  });

  it("lays out at most four AZs", () => {
    expect(() => addressPlan("10.30", ["a", "b", "c", "d", "e"])).toThrow(/addressPlan: 5 AZs given; the layout has room for at most 4 private \/20s/);
    expect(addressPlan("10.30", ["a", "b", "c", "d"]).privateSubnetCidrs).toEqual(["10.30.64.0/20", "10.30.80.0/20", "10.30.96.0/20", "10.30.112.0/20"]);
  });

  it("looks environments up by name and rejects unknown names", () => {
    expect(getEnvironment("staging").name).toBe("staging");
    expect(() => getEnvironment("prod")).toThrow('unknown environment "prod"; expected one of sandbox, staging, production');
  });

  describe("validation", () => {
    const prodCfg = environments.production;
    it.each<[string, EnvironmentConfig, RegExp]>([
      ["a name that cannot name a stack", { ...prodCfg, name: "QA_1" }, /environment QA_1: name = "QA_1" is invalid; must be 1-20 lower-case letters, digits and single hyphens/],
      ["Multi-AZ with one AZ", { ...environments.staging, network: { ...environments.staging.network, azs: ["us-east-1a"] } },
        /environment staging: network.azs = \["us-east-1a"\] is invalid; must list at least 2 AZs when multiAz is true/],
      ["an AZ of another region", { ...prodCfg, network: { ...prodCfg.network, azs: ["us-east-1a", "us-west-2b", "us-east-1c"] } },
        /network.azs = "us-west-2b" is invalid; must be zones of region us-east-1/],
      ["a bad region", { ...prodCfg, region: "mars-1" }, /region = "mars-1" is invalid; must be an AWS region name/],
      ["a bad domain", { ...prodCfg, domain: "Learn_Example" }, /domain = "Learn_Example" is invalid; must be a lower-case DNS name/],
      ["a bad cluster name", { ...prodCfg, clusterName: "-eks" }, /clusterName = "-eks" is invalid; must be 1-100 letters/],
      ["a bad log retention", { ...prodCfg, logRetentionDays: 42 }, /logRetentionDays = 42 is invalid; must be a CloudWatch Logs retention period/],
      ["unprotected production", { ...prodCfg, deletionProtection: false }, /deletionProtection = false is invalid; must be true for protection "production"/],
      ["force-destroy production", { ...prodCfg, forceDestroy: true }, /forceDestroy = true is invalid; must be false for protection "production"/],
      ["production with an http-only origin", { ...prodCfg, edge: { ...prodCfg.edge, originProtocol: "http-only" } },
        /environment production: edge.originProtocol = "http-only" is invalid; must be "https-only" for protection "production" \(http-only sends cookies/],
      ["overlapping subnets", { ...prodCfg, network: { ...prodCfg.network, databaseSubnetCidrs: ["10.0.200.0/24", "10.0.201.0/24", "10.0.0.0/24"] } },
        /Vpc network: publicSubnetCidrs\[0\] = "10.0.0.0\/24" is invalid; must not overlap databaseSubnetCidrs\[2\]/],
    ])("rejects %s", (_n, config, message) => {
      expect(() => build(config)).toThrow(message);
    });
  });
});

describe("Terraform version", () => {
  it("requires Terraform >= 1.11 in every stack of the app (write-only arguments, S3 native locking)", () => {
    const stacks = appStacks();
    expect(Object.keys(stacks).length).toBeGreaterThanOrEqual(7);
    for (const [name, json] of Object.entries(stacks)) {
      expect([name, json.terraform?.required_version]).toEqual([name, ">= 1.11"]);
    }
  });
});
