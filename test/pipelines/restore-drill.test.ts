import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT, runAction } from "./run-action";
import { measureDrill } from "../../pipelines/lib/recovery";
import { RECOVERY_OBJECTIVES, RESTORE_DRILL_ENVIRONMENT, restoreDrillNames } from "../../modules/restore-drill";
import { bootstrap } from "../../environments/bootstrap";

const workflow = parse(readFileSync(join(ROOT, ".github", "workflows", "restore-drill.yml"), "utf8"));
const inputs = (o: Partial<Record<string, string>> = {}) => ({
  "started-at": "2026-12-02T10:00:00Z", "snapshot-time": "2026-12-02T03:05:12Z", "available-at": "2026-12-02T10:47:30Z",
  snapshot: "rds:openedx-production-mysql-2026-12-02-03-05", source: "production", target: "sandbox", "rto-hours": "4", "rpo-hours": "24", ...o,
});

describe("restore drill", () => {
  it("measures RTO from the drill's start to the copy being available, RPO from the snapshot's age at the start", () => {
    expect(measureDrill({ startedAt: "2026-12-02T10:00:00Z", snapshotTime: "2026-12-02T03:05:12Z", availableAt: "2026-12-02T10:47:30Z" }, RECOVERY_OBJECTIVES))
      .toEqual({ rtoMinutes: 48, rpoMinutes: 415, rtoMet: true, rpoMet: true });
    expect(() => measureDrill({ startedAt: "2026-12-02T10:00:00Z", snapshotTime: "2026-12-02T11:00:00Z", availableAt: "2026-12-02T12:00:00Z" }, RECOVERY_OBJECTIVES))
      .toThrow("snapshot-time 2026-12-02T11:00:00Z is after started-at 2026-12-02T10:00:00Z");
    expect(() => measureDrill({ startedAt: "yesterday", snapshotTime: "2026-12-02T11:00:00Z", availableAt: "2026-12-02T12:00:00Z" }, RECOVERY_OBJECTIVES))
      .toThrow('started-at = "yesterday" is invalid; must be an ISO 8601 time');
  });

  it("reports achieved against seed 001's 4 h / 24 h in the job summary and passes when both are met", async () => {
    const run = await runAction("restore-drill", inputs());
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ "rto-minutes": "48", "rpo-minutes": "415", met: "true" });
    expect(run.summary).toContain("| RTO (restore time) | 0 h 48 min | 4 h | ✅ met |");
    expect(run.summary).toContain("| RPO (age of the restored data) | 6 h 55 min | 24 h | ✅ met |");
  });

  it("fails the run when the restore took longer than the RTO, or the snapshot was older than the RPO", async () => {
    const slow = await runAction("restore-drill", inputs({ "available-at": "2026-12-02T14:30:00Z" }));
    expect(slow.code).toBe(1);
    expect(slow.outputs.met).toBe("false");
    expect(slow.summary).toContain("| RTO (restore time) | 4 h 30 min | 4 h | ❌ missed |");
    expect(slow.stdout).toContain("::error::the drill missed its objectives: RTO 270 min (target 240), RPO 415 min (target 1440)");
    const stale = await runAction("restore-drill", inputs({ "snapshot-time": "2026-11-30T03:00:00Z" }));
    expect(stale.code).toBe(1);
    expect(stale.summary).toContain("❌ missed |");
  });

  it("the workflow: dispatch only, main only, its environment, the bootstrap's names and seed 001's objectives", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_dispatch"]);
    const names = restoreDrillNames(bootstrap.project, bootstrap.restoreDrill!.source, bootstrap.restoreDrill!.target);
    expect(workflow.env).toMatchObject({
      SOURCE_ENVIRONMENT: bootstrap.restoreDrill!.source, TARGET_ENVIRONMENT: bootstrap.restoreDrill!.target,
      SOURCE_INSTANCE: names.sourceInstance, DRILL_INSTANCE: names.drillInstance,
      TARGET_SUBNET_GROUP: names.targetSubnetGroup, TARGET_SECURITY_GROUP: names.targetSecurityGroup,
      RTO_HOURS: String(RECOVERY_OBJECTIVES.rtoHours), RPO_HOURS: String(RECOVERY_OBJECTIVES.rpoHours),
    });
    const job = workflow.jobs.drill;
    expect(job.environment).toBe(RESTORE_DRILL_ENVIRONMENT);
    expect(job.if).toBe("${{ github.ref == 'refs/heads/main' }}");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.steps.find((s: any) => s.uses?.startsWith("aws-actions/")).with["role-to-assume"]).toBe(`arn:aws:iam::\${{ vars.AWS_ACCOUNT_ID }}:role/${names.role}`);
    // The copy is deleted whatever happened before.
    const last = job.steps[job.steps.length - 1];
    expect(last.if).toBe("${{ always() }}");
    expect(last.run).toContain('aws rds delete-db-instance --db-instance-identifier "$DRILL_INSTANCE" --skip-final-snapshot');
  });
});
