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
