import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { EnvironmentStack, awsEnvironmentOrder, environments } from "../../environments";
import { suppress, suppressionsOf } from "../../modules/core/suppress";
import { appStacks, testStack } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const scan = require("../../scripts/scan.js");

type Doc = { resource: Record<string, Record<string, any>> };

/** Every environment's stack as `npm run synth` writes it (with the "//" metadata), from the run's one app synth. */
function synthAll(): Record<string, Doc> {
  const stacks = appStacks();
  return Object.fromEntries(Object.keys(environments).map((name) => [name, stacks[name] as Doc]));
}

/** The suppressions recorded on the resource of `type` whose construct path ends with `suffix`. */
function recorded(doc: Doc, type: string, suffix: string): { id: string; reason: string }[] {
  const found = Object.values(doc.resource[type] ?? {}).filter((r) => r["//"].metadata.path.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} ending in ${suffix}, found ${found.length}`);
  return found[0]["//"].suppressions ?? [];
}
const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();

describe("scanner suppressions in the synthesized JSON", () => {
  const docs = synthAll();

  it("suppress() accumulates on the resource, refuses duplicates and writes into its \"//\" object", () => {
    const { stack } = testStack();
    const bucket = new S3Bucket(stack, "b", { bucket: "x" });
    suppress(bucket, { id: "CKV_AWS_18", reason: "first accepted finding for this test" });
    suppress(bucket, { id: "AVD-AWS-0089", reason: "older Trivy id form is accepted too" }, { id: "AWS-0090", reason: "current Trivy id form" });
    expect(() => suppress(bucket, { id: "CKV_AWS_18", reason: "the same id a second time" })).toThrow(/CKV_AWS_18: already suppressed on test\/b/);
    expect(() => suppress(bucket, { id: "trivy-0090", reason: "lower-case is no check id" })).toThrow(/"trivy-0090" is not a Checkov/);
    expect(ids(suppressionsOf(bucket))).toEqual(["AVD-AWS-0089", "AWS-0090", "CKV_AWS_18"]);
    const body = Object.values((bucket.toTerraform() as any).resource.aws_s3_bucket)[0] as any;
    expect(body["//"].suppressions).toEqual(suppressionsOf(bucket));
  });

  it.each(awsEnvironmentOrder)("%s: every platform bucket accepts replication and event notifications with reasons", (env) => {
    for (const b of ["logs", "static", "media", "backups"]) {
      const list = recorded(docs[env]!, "aws_s3_bucket", `storage/${b}/bucket`);
      expect(ids(list)).toEqual(expect.arrayContaining(["CKV2_AWS_62", "CKV_AWS_144"]));
      expect(list.find((s) => s.id === "CKV_AWS_144")!.reason).toMatch(/Single-region DR by design/);
      expect(ids(recorded(docs[env]!, "aws_s3_bucket_versioning", `storage/${b}/versioning`))).toEqual(["AWS-0090"]);
    }
    // Only the SSE-S3 logs bucket accepts the KMS findings as real; the others are Trivy's JSON blind spot.
    expect(ids(recorded(docs[env]!, "aws_s3_bucket", "storage/logs/bucket"))).toEqual(["AWS-0089", "CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_145"]);
    expect(recorded(docs[env]!, "aws_s3_bucket_server_side_encryption_configuration", "storage/logs/encryption")[0]!.reason).toMatch(/SSE-S3/);
    expect(recorded(docs[env]!, "aws_s3_bucket_server_side_encryption_configuration", "storage/media/encryption")[0]!.reason)
      .toMatch(/False positive: Trivy does not read nested blocks/);
    expect(ids(recorded(docs[env]!, "aws_s3_bucket", "storage/media/bucket"))).toEqual(["CKV2_AWS_62", "CKV_AWS_144"]);
  });

  it("accepts short flow-log retention only where an environment chose it; production keeps a year", () => {
    expect(recorded(docs.production!, "aws_cloudwatch_log_group", "network/flow-logs")).toEqual([]);
    expect(recorded(docs.staging!, "aws_cloudwatch_log_group", "network/flow-logs")[0]!.reason).toMatch(/flowLogRetentionDays = 90/);
    expect(recorded(docs.sandbox!, "aws_cloudwatch_log_group", "network/flow-logs")[0]!.reason).toMatch(/flowLogRetentionDays = 30/);
    expect(() => new EnvironmentStack(new App(), { ...environments.production, logRetentionDays: 90 }))
      .toThrow(/environment production: logRetentionDays = 90 is invalid; must be at least 365 for protection "production"/);
  });
});

describe("scan.js classification", () => {
  const index = scan.resourceIndex({
    resource: {
      aws_s3_bucket: { b: { "//": { metadata: { path: "s/b" }, suppressions: [{ id: "AWS-0089", reason: "r" }, { id: "CKV_AWS_18", reason: "r2" }] } } },
      aws_cloudwatch_log_group: { "flow-logs": { "//": { metadata: { path: "s/flow-logs" }, suppressions: [{ id: "CKV_AWS_338", reason: "r3" }] } } },
      aws_s3_bucket_acl: { a: {} },
    },
  });

  it("suppresses a failure only on the resource that records its id, in either Trivy id form", () => {
    const used = new Set<string>();
    const { open, suppressed } = scan.classify([
      { id: "AVD-AWS-0089", resource: "aws_s3_bucket.b" },
      { id: "AWS-0089", resource: "aws_s3_bucket_acl.a" },
      { id: "CKV_AWS_338", resource: "resource.flow-logs" }, // Checkov's address for hyphenated names
      { id: "CKV_AWS_20", resource: "aws_s3_bucket.b" },
      { id: "AWS-0001", resource: undefined },
    ], index, used);
    expect(suppressed.map((f: any) => `${f.id}@${f.path}:${f.reason}`)).toEqual(["AVD-AWS-0089@s/b:r", "CKV_AWS_338@s/flow-logs:r3"]);
    expect(open.map((f: any) => `${f.id}@${f.path}`)).toEqual(["AWS-0089@aws_s3_bucket_acl.a", "CKV_AWS_20@s/b", "AWS-0001@(file)"]);
    expect([...used].sort()).toEqual(["aws_cloudwatch_log_group.flow-logs|CKV_AWS_338", "aws_s3_bucket.b|AWS-0089"]);
  });

  it("finds workflows and every action.yml, skipping dependencies and fixtures", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "scan-repo-"));
    for (const f of [".github/workflows/pr.yml", ".github/workflows/notes.md", "pipelines/plan/action.yml", "node_modules/x/action.yml", "test/fixtures/y/action.yml"]) {
      fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
      fs.writeFileSync(path.join(repo, f), "");
    }
    const { workflows, actions } = scan.findWorkflowFiles(repo);
    expect(workflows.map((f: string) => path.relative(repo, f))).toEqual([".github/workflows/pr.yml"]);
    expect(actions.map((f: string) => path.relative(repo, f))).toEqual(["pipelines/plan/action.yml"]);
    expect(scan.findWorkflowFiles(path.join(repo, "pipelines"))).toEqual({ workflows: [], actions: [path.join(repo, "pipelines/plan/action.yml")] });
    fs.rmSync(repo, { recursive: true, force: true });
  });
});
