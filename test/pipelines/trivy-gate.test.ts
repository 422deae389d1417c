import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "./run-action";

/**
 * The pull-request Trivy gate (scripts/trivy-gate.js) against a report in Trivy's JSON shape
 * (`trivy config --format json cdktf.out/stacks`: targets "<stack>/cdk.tf.json", findings
 * with ID, Severity, Status and CauseMetadata.Resource) and stacks carrying suppressions the
 * way modules/core/suppress.ts writes them.
 */
const dir = mkdtempSync(join(tmpdir(), "trivy-gate-"));
const stacks = join(dir, "stacks");
const stack = (name: string, resource: Record<string, any>) => {
  mkdirSync(join(stacks, name), { recursive: true });
  writeFileSync(join(stacks, name, "cdk.tf.json"), JSON.stringify({ resource }));
};
stack("sandbox", {
  aws_s3_bucket: {
    logs_A1: { "//": { metadata: { path: "sandbox/logs/bucket" }, suppressions: [{ id: "AWS-0089", reason: "this is the access-log target" }] } },
    data_B2: { "//": { metadata: { path: "sandbox/data/bucket" } } },
  },
});
const finding = (id: string, severity: string, resource: string) =>
  ({ ID: id, Severity: severity, Status: "FAIL", Title: `check ${id}`, CauseMetadata: { Resource: resource } });

function gate(findings: object[]): { code: number; out: string; summary: string } {
  const report = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const summary = join(dir, `summary-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(summary, "");
  writeFileSync(report, JSON.stringify({
    Results: [
      { Target: "sandbox", Class: "config", Type: "terraform", MisconfSummary: { Successes: 10, Failures: 0 } },
      { Target: "sandbox/cdk.tf.json", Class: "config", Type: "terraform", Misconfigurations: findings },
    ],
  }));
  try {
    const out = execFileSync(process.execPath, [join(ROOT, "scripts", "trivy-gate.js"), report, stacks],
      { encoding: "utf8", env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
    return { code: 0, out, summary: readFileSync(summary, "utf8") };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout, summary: readFileSync(summary, "utf8") };
  }
}

describe("trivy-gate (pull-request Trivy config gate)", () => {
  it("passes a HIGH finding suppressed on the failing resource, and findings below HIGH", () => {
    const r = gate([finding("AWS-0089", "HIGH", "aws_s3_bucket.logs_A1"), finding("AWS-0090", "MEDIUM", "aws_s3_bucket.data_B2")]);
    expect(r.code).toBe(0);
    expect(r.summary).toContain("Trivy config gate: passed");
    expect(r.summary).toContain("1 finding(s) accepted");
  });

  it("fails a HIGH or CRITICAL finding whose resource does not carry that id, naming it", () => {
    const r = gate([
      finding("AWS-0089", "HIGH", "aws_s3_bucket.data_B2"), // suppressed elsewhere, not here
      finding("AVD-AWS-0132", "CRITICAL", "aws_s3_bucket.logs_A1"), // another id on the suppressed resource
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error title=Trivy AWS-0089 \(HIGH\)::sandbox: sandbox\/data\/bucket: check AWS-0089$/m);
    expect(r.out).toMatch(/^::error title=Trivy AVD-AWS-0132 \(CRITICAL\)::sandbox: sandbox\/logs\/bucket/m);
    expect(r.summary).toContain("2 open HIGH/CRITICAL finding(s)");
  });

  it("refuses a report of a directory other than the one given", () => {
    const report = join(dir, "other.json");
    writeFileSync(report, JSON.stringify({ Results: [{ Target: "production/cdk.tf.json", Misconfigurations: [finding("AWS-0089", "HIGH", "x")] }] }));
    expect(() => execFileSync(process.execPath, [join(ROOT, "scripts", "trivy-gate.js"), report, stacks], { stdio: "pipe" }))
      .toThrow(/report target production\/cdk.tf.json: no .*production\/cdk.tf.json; pass the directory Trivy scanned/);
  });
});
