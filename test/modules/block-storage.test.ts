import { BlockStorage } from "../../modules/block-storage";
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
