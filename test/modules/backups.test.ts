import { Backups, BackupsProps } from "../../modules/backups";
import { platformCharts } from "../../environments/shared";
import { resource, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("Backups", () => {
  it("Backups rejects bad schedules, plugin tags and endpoints", () => {
    const base: BackupsProps = {
      chart: platformCharts.velero, awsPluginTag: "v1.12.0",
      storage: { kind: "aws", bucketName: "b", region: "us-east-1", kmsKeyArn: "k" },
      schedules: [{ name: "daily", cron: "0 2 * * *", ttl: "168h" }],
    };
    const make = (props: Partial<BackupsProps>) => () => new Backups(k8sStack(), "backups", { ...base, ...props });
    expect(make({ awsPluginTag: "latest" })).toThrow('Backups backups: awsPluginTag = "latest" is invalid; must be an exact plugin release tag');
    expect(make({ schedules: [{ name: "d", cron: "every day", ttl: "1h" }] })).toThrow('schedules[0].cron = "every day" is invalid; must be a five-field cron expression');
    expect(make({ schedules: [{ name: "d", cron: "0 2 * * *", ttl: "7d" }] })).toThrow('schedules[0].ttl = "7d" is invalid');
    expect(make({ schedules: [{ name: "D", cron: "0 2 * * *", ttl: "7h" }] })).toThrow('schedules[0].name = "D" is invalid');
    expect(make({ schedules: [] })).toThrow("schedules[].name = [] is invalid; must list at least 1 value(s)");
    expect(make({ storage: { kind: "s3-compatible", bucketName: "b", region: "r", s3Url: "http://minio:9000", credentialsSecret: "s" } }))
      .toThrow('storage.s3Url = "http://minio:9000" is invalid; must be an https:// endpoint');
    const stack = k8sStack();
    new Backups(stack, "backups", { ...base, includedNamespaces: ["openedx-prod"] });
    const values = JSON.parse(resource(synth(stack), "helm_release").values[0]);
    expect(values.schedules.daily.template.includedNamespaces).toEqual(["openedx-prod"]);
  });
});

describe("Backups storage", () => {
  const values = (storage: BackupsProps["storage"]) => {
    const stack = k8sStack();
    new Backups(stack, "backups", {
      chart: platformCharts.velero, awsPluginTag: "v1.12.0", storage,
      schedules: [{ name: "every-6h", cron: "0 */6 * * *", ttl: "72h" }, { name: "weekly", cron: "0 3 * * 0", ttl: "720h" }],
    });
    return JSON.parse(resource(synth(stack), "helm_release").values[0]);
  };

  it("on AWS: KMS-encrypted backups, EBS snapshots and the Pod Identity role, no Secret", () => {
    const v = values({ kind: "aws", bucketName: "velero-b", region: "eu-west-1", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/v" });
    expect(v.configuration.backupStorageLocation).toEqual([{ name: "default", provider: "aws", default: true, bucket: "velero-b", config: { region: "eu-west-1", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/v" } }]);
    expect(v.configuration.volumeSnapshotLocation).toEqual([{ name: "default", provider: "aws", config: { region: "eu-west-1" } }]);
    expect(v.snapshotsEnabled).toBe(true);
    expect(v.credentials).toEqual({ useSecret: false });
    expect(v.serviceAccount.server).toEqual({ create: true, name: "velero-server" });
    expect(v.initContainers[0].image).toBe("velero/velero-plugin-for-aws:v1.12.0");
    // One Velero schedule per configured one, each with its own TTL, backing up every namespace.
    expect(Object.keys(v.schedules)).toEqual(["every-6h", "weekly"]);
    expect(v.schedules.weekly).toEqual({ schedule: "0 3 * * 0", useOwnerReferencesInBackup: false, template: { ttl: "720h", storageLocation: "default", snapshotVolumes: true } });
  });

  it("elsewhere: path-style S3 with the out-of-band Secret and no volume snapshots", () => {
    const v = values({ kind: "s3-compatible", bucketName: "velero", region: "minio", s3Url: "https://minio.example.org", credentialsSecret: "velero-cloud" });
    expect(v.configuration.backupStorageLocation[0].config).toEqual({ region: "minio", s3Url: "https://minio.example.org", s3ForcePathStyle: "true" });
    expect(v.configuration.volumeSnapshotLocation).toEqual([]);
    expect(v.snapshotsEnabled).toBe(false);
    expect(v.credentials).toEqual({ useSecret: true, existingSecret: "velero-cloud" });
    expect(v.schedules["every-6h"].template.snapshotVolumes).toBe(false);
  });

  it("rejects a repeated schedule name and an out-of-range cron field", () => {
    const make = (schedules: BackupsProps["schedules"]) => () => new Backups(k8sStack(), "b", {
      chart: platformCharts.velero, awsPluginTag: "v1.12.0", storage: { kind: "aws", bucketName: "b", region: "us-east-1", kmsKeyArn: "k" }, schedules,
    });
    expect(make([{ name: "d", cron: "0 2 * * *", ttl: "1h" }, { name: "d", cron: "0 3 * * *", ttl: "1h" }])).toThrow("Backups b: schedules[].name");
    expect(make([{ name: "d", cron: "0 25 * * *", ttl: "1h" }])).toThrow('Backups b: schedules[0].cron = "0 25 * * *" is invalid');
  });
});
