import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ChartRef, HelmValues, manifestsRelease } from "../core/helm";
import { JOB_IMAGE, JOB_IMAGE_USER, NodePlacement, checkPlacement, placementSpec, restrictedSecurity } from "../core/pod";
import { DNS_LABEL_RE } from "../core/dns";
import { check, checkCron, checkInt, checkUniqueList } from "../core/validation";

/** How many generations of each kind the backup volume keeps (seed 003: daily, weekly, monthly). */
export interface BackupRotation {
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
}

/** A volume claim (in the namespace) archived with tar. */
export interface VolumeBackup {
  /** DNS-label name of the archive and its CronJob (`backup-<name>`). */
  readonly name: string;
  readonly claimName: string;
  /**
   * User (and group) that can read every file on the volume: the app's.
   * @default 1000 (the Open edX image's `app` user)
   */
  readonly runAsUser?: number;
}

export interface NodeBackupsProps {
  readonly rawChart: ChartRef;
  /** Namespace of the backed-up claims and of CouchDB. */
  readonly namespace: string;
  /** The backup node: its labels and taints (every backup pod runs there, next to its volume). */
  readonly placement: NodePlacement;
  /** Five-field cron (UTC) of the daily run. */
  readonly schedule: string;
  readonly keep: BackupRotation;
  /** StorageClass of the backup volume; a node-local class (k3s `local-path`) keeps it on the backup node. */
  readonly storageClassName: string;
  /** Size of the backup volume in GiB. */
  readonly sizeGi: number;
  /**
   * CouchDB to dump: its URL and the Secret with `adminUsername`/`adminPassword`.
   * @default none
   */
  readonly couchdb?: { readonly url: string; readonly credentialsSecret: string };
  /** @default [] */
  readonly volumes?: readonly VolumeBackup[];
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** The claim every backup job writes to, and where the README's copy-to-a-PC steps read from. */
export const BACKUP_CLAIM = "node-backups";

/**
 * Seed 003's backup tiers on the cluster: a CronJob per source (the CouchDB databases, each
 * volume claim) on the backup node, writing into one PersistentVolume there, rotated into
 * daily, weekly and monthly generations; tier 3 (the local PC) copies that volume on demand
 * (docs/own-nodes.md: `kubectl cp` from a reader pod, or rsync of the node's
 * local-path directory over SSH).
 *
 * - Each run writes `<source>/daily/<UTC date>/`, then copies it to `weekly/` on Sundays and
 *   `monthly/` on the 1st, and deletes the oldest generations beyond `keep` in each tier. A run
 *   that fails leaves no half-written generation (it writes to `.partial` and renames).
 * - CouchDB: every database's documents with attachments (`_all_docs?include_docs=true&
 *   attachments=true`), gzipped JSON per database; credentials from the Secret, never in
 *   the spec. Restore: POST the docs to `_bulk_docs` (README).
 * - Pods pass Pod Security `restricted`; one run at a time (`Forbid`), UTC; a PrometheusRule
 *   pages when a source has not succeeded for over a day.
 * - The claim is kept when the release is uninstalled (`helm.sh/resource-policy: keep`).
 */
export class NodeBackups extends Construct {
  public readonly release: Release;
  /** CronJob names, by source. */
  public readonly cronJobs: readonly string[];

  constructor(scope: Construct, id: string, props: NodeBackupsProps) {
    super(scope, id);
    const where = `NodeBackups ${id}`;
    checkPlacement(where, "placement", props.placement);
    checkCron(where, "schedule", props.schedule);
    checkInt(where, "keep.daily", props.keep.daily, 1, 366);
    checkInt(where, "keep.weekly", props.keep.weekly, 0, 520);
    checkInt(where, "keep.monthly", props.keep.monthly, 0, 240);
    checkInt(where, "sizeGi", props.sizeGi, 1, 65536);
    check(DNS_LABEL_RE.test(props.storageClassName), where, "storageClassName", props.storageClassName, "must be a StorageClass name (a DNS label) such as local-path");
    const volumes = props.volumes ?? [];
    check(volumes.length > 0 || props.couchdb !== undefined, where, "volumes", volumes, "must list at least one claim when there is no CouchDB to dump (nothing would be backed up)");
    const sources = [...(props.couchdb ? ["couchdb"] : []), ...volumes.map((v) => v.name)];
    checkUniqueList(where, "volumes[].name", sources);
    volumes.forEach((v, i) => {
      check(DNS_LABEL_RE.test(v.name) && v.name.length <= 40, where, `volumes[${i}].name`, v.name, "must be a DNS label of at most 40 characters");
      check(DNS_LABEL_RE.test(v.claimName), where, `volumes[${i}].claimName`, v.claimName, "must be a PersistentVolumeClaim name");
      if (v.runAsUser !== undefined) checkInt(where, `volumes[${i}].runAsUser`, v.runAsUser, 1, 2147483647);
    });

    const claim = {
      apiVersion: "v1", kind: "PersistentVolumeClaim",
      metadata: { name: BACKUP_CLAIM, annotations: { "helm.sh/resource-policy": "keep" } },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: props.storageClassName, resources: { requests: { storage: `${props.sizeGi}Gi` } } },
    };
    const jobs: HelmValues[] = [];
    if (props.couchdb) {
      jobs.push(cronJob(props, "couchdb", JOB_IMAGE_USER, COUCHDB_DUMP, [
        { name: "COUCHDB_URL", value: props.couchdb.url },
        { name: "COUCHDB_USER", valueFrom: { secretKeyRef: { name: props.couchdb.credentialsSecret, key: "adminUsername" } } },
        { name: "COUCHDB_PASSWORD", valueFrom: { secretKeyRef: { name: props.couchdb.credentialsSecret, key: "adminPassword" } } },
      ], []));
    }
    for (const v of volumes) {
      const uid = v.runAsUser ?? 1000;
      jobs.push(cronJob(props, v.name, { uid, gid: uid }, VOLUME_ARCHIVE, [],
        [{ name: "source", mountPath: "/source", readOnly: true, claimName: v.claimName }]));
    }
    this.cronJobs = sources.map((s) => `backup-${s}`);
    this.release = manifestsRelease(this, "backups", {
      where, rawChart: props.rawChart, name: "node-backups", namespace: props.namespace, dependsOn: props.dependsOn,
      resources: [claim, ...jobs, staleRule(props.namespace)],
    });
  }
}

/** Seconds after the last successful run before a source counts as stale: a day plus two hours' slack. */
export const STALE_AFTER_SECONDS = 26 * 3600;

/**
 * Pages when a source has had no successful run for over a day (a failing job, a CronJob that
 * never starts because the backup node is down, or a volume that is full), read from
 * kube-state-metrics, which kube-prometheus-stack installs (its CRD must exist: the release
 * depends on CouchDB's, which depends on the prometheus stack).
 */
function staleRule(namespace: string): HelmValues {
  return {
    apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "node-backups" },
    spec: {
      groups: [{
        name: "node-backups",
        rules: [{
          alert: "NodeBackupStale",
          expr: `time() - max by (cronjob) (kube_cronjob_status_last_successful_time{namespace="${namespace}", cronjob=~"backup-.*"}) > ${STALE_AFTER_SECONDS}`,
          for: "30m",
          labels: { severity: "critical" },
          annotations: {
            summary: "A node backup has not succeeded for over a day",
            description: "CronJob {{ $labels.cronjob }} has had no successful run for more than 26 hours: check its last Job's logs and the backup node's volume.",
          },
        }],
      }],
    },
  };
}

interface ExtraMount { readonly name: string; readonly mountPath: string; readonly readOnly: boolean; readonly claimName: string }

function cronJob(props: NodeBackupsProps, source: string, user: { uid: number; gid: number }, dump: string, env: HelmValues[], mounts: ExtraMount[]): HelmValues {
  const security = restrictedSecurity(user);
  const { daily, weekly, monthly } = props.keep;
  return {
    apiVersion: "batch/v1", kind: "CronJob",
    metadata: { name: `backup-${source}`, labels: { "app.kubernetes.io/name": "node-backups", "app.kubernetes.io/component": source } },
    spec: {
      schedule: props.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 6 * 3600,
          template: {
            metadata: { labels: { "app.kubernetes.io/name": "node-backups", "app.kubernetes.io/component": source } },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              securityContext: security.pod,
              ...placementSpec(props.placement),
              containers: [{
                name: "backup",
                image: JOB_IMAGE,
                command: ["/bin/sh", "-c", `${ROTATE_PRELUDE}\n${dump}\n${ROTATE}`],
                env: [
                  { name: "SOURCE", value: source },
                  { name: "KEEP_DAILY", value: String(daily) }, { name: "KEEP_WEEKLY", value: String(weekly) }, { name: "KEEP_MONTHLY", value: String(monthly) },
                  ...env,
                ],
                securityContext: security.container,
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                volumeMounts: [{ name: "backups", mountPath: "/backups" }, { name: "tmp", mountPath: "/tmp" }, ...mounts.map(({ claimName: _c, ...m }) => m)],
              }],
              volumes: [
                { name: "backups", persistentVolumeClaim: { claimName: BACKUP_CLAIM } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                ...mounts.map((m) => ({ name: m.name, persistentVolumeClaim: { claimName: m.claimName, readOnly: m.readOnly } })),
              ],
            },
          },
        },
      },
    },
  };
}

// The scripts run under busybox sh. No `${` or `%{` (Terraform would read them as interpolation
// in the release's values): `$VAR` and `date +%F` only.

/** Today's generation directory, written as `.partial` until complete. */
const ROTATE_PRELUDE = [
  "set -eu -o pipefail",
  "day=$(date -u +%F)",
  "base=/backups/$SOURCE",
  "mkdir -p $base/daily $base/weekly $base/monthly",
  "out=$base/daily/$day.partial",
  "rm -rf $out && mkdir -p $out",
].join("\n");

/** Promote today's generation (Sunday: weekly, 1st: monthly), then keep the newest N per tier. */
const ROTATE = [
  "rm -rf $base/daily/$day && mv $out $base/daily/$day",
  "if [ \"$(date -u +%u)\" = 7 ]; then rm -rf $base/weekly/$day && cp -a $base/daily/$day $base/weekly/$day; fi",
  "if [ \"$(date -u +%d)\" = 01 ]; then rm -rf $base/monthly/$day && cp -a $base/daily/$day $base/monthly/$day; fi",
  "prune() { ls -1 $base/$1 | { grep -v '[.]partial$' || true; } | sort -r | tail -n +$(($2 + 1)) | while read -r old; do rm -rf \"$base/$1/$old\"; done; }",
  "prune daily $KEEP_DAILY; prune weekly $KEEP_WEEKLY; prune monthly $KEEP_MONTHLY",
  "echo \"$SOURCE: $day written; kept daily $KEEP_DAILY, weekly $KEEP_WEEKLY, monthly $KEEP_MONTHLY\"",
].join("\n");

/** Every database (system ones included) as gzipped JSON with attachments; the credentials come from env, via a netrc file in /tmp. */
const COUCHDB_DUMP = [
  "umask 077",
  "host=$(echo \"$COUCHDB_URL\" | sed -e 's|^[a-z]*://||' -e 's|[:/].*||')",
  "printf 'machine %s login %s password %s\\n' \"$host\" \"$COUCHDB_USER\" \"$COUCHDB_PASSWORD\" > /tmp/netrc",
  "curl -fsS --netrc-file /tmp/netrc \"$COUCHDB_URL/_all_dbs\" | tr -d '[]\"' | tr ',' '\\n' | while read -r db; do",
  "  [ -n \"$db\" ] || continue",
  "  enc=$(printf %s \"$db\" | sed 's|/|%2F|g')",
  "  curl -fsS --netrc-file /tmp/netrc \"$COUCHDB_URL/$enc/_all_docs?include_docs=true&attachments=true\" | gzip > \"$out/$(printf %s \"$db\" | tr '/' '_').json.gz\"",
  "done",
  "rm -f /tmp/netrc",
].join("\n");

/** The claim as one tar.gz (read-only mount). */
const VOLUME_ARCHIVE = "tar -C /source -czf $out/$SOURCE.tar.gz .";
