import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KmsKey } from "../../modules/kms-key";
import { Naming } from "../../modules/core/naming";
import { suppressionsOf } from "../../modules/core/suppress";
import { resource, synth, testStack } from "../helpers";

describe("KmsKey", () => {
  it("records Trivy's aliased-provider false positive only for keys created through a provider alias", () => {
    const { stack } = testStack();
    const east = new AwsProvider(stack, "east", { alias: "east", region: "us-east-1" });
    const aliased = new KmsKey(stack, "a", { naming: new Naming("p", "e"), component: "a", description: "d", provider: east });
    const plain = new KmsKey(stack, "b", { naming: new Naming("p", "e"), component: "b", description: "d" });
    expect(suppressionsOf(aliased.node.findChild("key") as never).map((s) => s.id)).toEqual(["AVD-AWS-0065"]);
    expect(suppressionsOf(plain.node.findChild("key") as never)).toEqual([]);
  });

  it("rotates yearly, has an alias and rejects service grants without a condition", () => {
    const { stack } = testStack();
    const key = new KmsKey(stack, "k", { naming: new Naming("openedx", "staging"), component: "data", description: "data" });
    expect(() => key.allowServicePrincipal("cloudfront.amazonaws.com", {})).toThrow(/needs a condition/);
    const json = synth(stack);
    expect(resource(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, deletion_window_in_days: 30 });
    expect(resource(json, "aws_kms_alias").name).toBe("alias/openedx-staging-data");
  });
  it("rejects a deletion window outside 7-30 days", () => {
    const { stack } = testStack();
    expect(() => new KmsKey(stack, "k", { naming: new Naming("p", "e"), component: "x", description: "d", deletionWindowInDays: 3 }))
      .toThrow(/KmsKey x: deletionWindowInDays = 3 is invalid; must be an integer from 7 to 30/);
  });
});
