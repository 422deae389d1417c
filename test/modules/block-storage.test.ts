import { BlockStorage } from "../../modules/block-storage";
import { resource, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("BlockStorage", () => {
  it("rejects gp3 settings AWS would refuse", () => {
    const make = (over: object) => () => new BlockStorage(k8sStack(), "bs", { kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k", ...over });
    expect(make({ iops: 2000 })).toThrow("BlockStorage bs: iops = 2000 is invalid; must be an integer from 3000 to 16000");
    expect(make({ reclaimPolicy: "retain" })).toThrow('BlockStorage bs: reclaimPolicy = "retain" is invalid; must be one of "Delete", "Retain"');
    expect(make({ iops: 3000, throughputMiBps: 1000 })).toThrow("BlockStorage bs: throughputMiBps = 1000 is invalid; must be at most iops / 4 (750 MiB/s for 3000 IOPS");
    expect(make({ kmsKeyArn: "" })).toThrow("kmsKeyArn");
    expect(make({ iops: 4000, throughputMiBps: 1000 })).not.toThrow();
  });
});

describe("BlockStorage class", () => {
  const build = (over: object = {}) => {
    const stack = k8sStack();
    const bs = new BlockStorage(stack, "bs", { kmsKeyArn: "arn:aws:kms:us-east-1:1:key/ebs", ...over });
    return { bs, sc: resource(synth(stack), "kubernetes_storage_class_v1") };
  };

  it("is the default class: encrypted gp3 with the cluster's key, zonal binding, expandable", () => {
    const { sc } = build();
    expect(sc.metadata).toMatchObject({ name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
    expect(sc).toMatchObject({ storage_provisioner: "ebs.csi.aws.com", reclaim_policy: "Delete", volume_binding_mode: "WaitForFirstConsumer", allow_volume_expansion: true });
    expect(sc.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: "arn:aws:kms:us-east-1:1:key/ebs", iops: "3000", throughput: "125", "csi.storage.k8s.io/fstype": "ext4" });
  });

  it("passes a faster volume and Retain through", () => {
    const { sc } = build({ name: "gp3-fast", iops: 6000, throughputMiBps: 500, reclaimPolicy: "Retain" });
    expect(sc.metadata.name).toBe("gp3-fast");
    expect(sc.reclaim_policy).toBe("Retain");
    expect(sc.parameters).toMatchObject({ iops: "6000", throughput: "500" });
  });

  it("rejects a class name that is not a DNS label", () => {
    expect(() => build({ name: "GP3" })).toThrow('BlockStorage bs: name = "GP3" is invalid; must be a DNS label');
  });
});
