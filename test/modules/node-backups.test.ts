import { execFileSync } from "child_process";
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync, existsSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { BACKUP_CLAIM, NodeBackups, NodeBackupsProps } from "../../modules/node-backups";
import { platformCharts } from "../../environments/shared";
import { resources, synth, testStack, TfJson } from "../helpers";

const PROPS: NodeBackupsProps = {
  rawChart: platformCharts.raw, namespace: "openedx-selfhosted",
  placement: { nodeSelector: { "openedx.example.org/role": "backup" }, tolerations: [{ key: "openedx.example.org/role", value: "backup", effect: "NoSchedule" }] },
  schedule: "30 2 * * *", keep: { daily: 7, weekly: 4, monthly: 12 }, storageClassName: "local-path", sizeGi: 500,
  couchdb: { url: "http://couchdb-svc-couchdb.openedx-selfhosted.svc.cluster.local:5984", credentialsSecret: "couchdb-credentials" },
  volumes: [{ name: "media", claimName: "openedx-media" }],
};

function build(props: Partial<NodeBackupsProps> = {}): TfJson {
  const { stack } = testStack();
  new NodeBackups(stack, "backups", { ...PROPS, ...props });
  return synth(stack);
}
const manifests = (json: TfJson) => JSON.parse(resources(json, "helm_release").find((r) => r.name === "node-backups")!.values[0]).resources as any[];

describe("NodeBackups", () => {
  const docs = manifests(build());
  const jobs = docs.filter((d) => d.kind === "CronJob");
  const env = (job: any) => Object.fromEntries(job.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  it("runs one CronJob per source, daily, one at a time, on the backup node", () => {
    expect(jobs.map((j) => j.metadata.name)).toEqual(["backup-couchdb", "backup-media"]);
    for (const job of jobs) {
      expect(job.spec).toMatchObject({ schedule: "30 2 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(pod.nodeSelector).toEqual({ "openedx.example.org/role": "backup" });
      expect(pod.tolerations).toEqual([{ key: "openedx.example.org/role", operator: "Equal", value: "backup", effect: "NoSchedule" }]);
      expect(pod.volumes[0]).toEqual({ name: "backups", persistentVolumeClaim: { claimName: BACKUP_CLAIM } });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(env(job)).toMatchObject({ KEEP_DAILY: "7", KEEP_WEEKLY: "4", KEEP_MONTHLY: "12" });
      // Terraform would read `${` / `%{` in the values as interpolation.
      expect(pod.containers[0].command[2]).not.toMatch(/\$\{|%\{/);
    }
  });

  it("keeps its volume on the backup node's local class, beyond the release", () => {
    const claim = docs.find((d) => d.kind === "PersistentVolumeClaim");
    expect(claim).toMatchObject({ metadata: { name: BACKUP_CLAIM, annotations: { "helm.sh/resource-policy": "keep" } },
      spec: { storageClassName: "local-path", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "500Gi" } } } });
  });

  it("pages when a source has had no successful run for over a day", () => {
    const rule = docs.find((d) => d.kind === "PrometheusRule").spec.groups[0].rules[0];
    expect(rule).toMatchObject({ alert: "NodeBackupStale", labels: { severity: "critical" } });
    expect(rule.expr).toBe('time() - max by (cronjob) (kube_cronjob_status_last_successful_time{namespace="openedx-selfhosted", cronjob=~"backup-.*"}) > 93600');
  });

  it("reads CouchDB's credentials from its Secret and the media claim read-only", () => {
    expect(env(jobs[0])).toMatchObject({ COUCHDB_USER: { secretKeyRef: { name: "couchdb-credentials", key: "adminUsername" } }, COUCHDB_PASSWORD: { secretKeyRef: { name: "couchdb-credentials", key: "adminPassword" } } });
    const pod = jobs[1].spec.jobTemplate.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: "source", persistentVolumeClaim: { claimName: "openedx-media", readOnly: true } });
    expect(pod.securityContext.runAsUser).toBe(1000);
  });

  // The rotation, run for real with a shell over 70 simulated days (date faked per day).
  it("rotates into daily, weekly and monthly generations and keeps N of each", () => {
    const job = jobs[1];
    const script: string = job.spec.jobTemplate.spec.template.spec.containers[0].command[2];
    const root = mkdtempSync(join(tmpdir(), "rotation-"));
    const bin = join(root, "bin");
    mkdirSync(bin);
    mkdirSync(join(root, "source"));
    writeFileSync(join(root, "source", "file.txt"), "media");
    // A `date` that answers for the simulated day; `tar` that writes a marker.
    writeFileSync(join(bin, "date"), '#!/bin/sh\ncase "$2" in +%F) echo "$DAY";; +%u) echo "$DOW";; +%d) echo "$DOM";; esac\n', { mode: 0o755 });
    const local = script.replace(/\/backups/g, join(root, "backups")).replace(/\/source/g, join(root, "source"));
    const start = Date.UTC(2026, 0, 1);
    for (let d = 0; d < 70; d++) {
      const day = new Date(start + d * 86400000);
      const iso = day.toISOString().slice(0, 10);
      execFileSync("bash", ["-c", local], {
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: root, SOURCE: "media", KEEP_DAILY: "3", KEEP_WEEKLY: "2", KEEP_MONTHLY: "2",
          DAY: iso, DOW: String(day.getUTCDay() || 7), DOM: iso.slice(8, 10) },
      });
    }
    const list = (tier: string) => readdirSync(join(root, "backups", "media", tier)).sort();
    expect(list("daily")).toEqual(["2026-03-09", "2026-03-10", "2026-03-11"]);
    expect(list("weekly")).toEqual(["2026-03-01", "2026-03-08"]); // Sundays
    expect(list("monthly")).toEqual(["2026-02-01", "2026-03-01"]);
    expect(existsSync(join(root, "backups", "media", "daily", "2026-03-11", "media.tar.gz"))).toBe(true);
  });

  it.each<[string, Partial<NodeBackupsProps>, string]>([
    ["a bad schedule", { schedule: "daily" }, 'NodeBackups backups: schedule = "daily" is invalid; must be a five-field cron expression'],
    ["no daily generation", { keep: { daily: 0, weekly: 4, monthly: 12 } }, "NodeBackups backups: keep.daily = 0 is invalid; must be an integer from 1 to 366"],
    ["nothing to back up", { couchdb: undefined, volumes: [] }, "NodeBackups backups: volumes = [] is invalid; must list at least one claim when there is no CouchDB to dump"],
    ["a source named twice", { volumes: [{ name: "couchdb", claimName: "x" }] }, "NodeBackups backups: volumes[].name"],
  ])("rejects %s", (_n, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
