import { App, Testing } from "cdktf";
import { join, resolve } from "path";
import { BootstrapStack, addEnvironment, environments, stateBucketName, site } from "../../environments";
import { s3State } from "../../environments/shared";
import { readFileSync } from "fs";
import { synth, TfJson } from "../helpers";

// Where local state lands (first deploy, personal accounts) and which bucket S3 state uses.
describe("state layout", () => {
  // The app as `cdktf synth` runs it: output in <cwd>/cdktf.out (nothing is written by Testing.synth).
  const app = () => new App({ outdir: join(process.cwd(), "cdktf.out"), skipValidation: true });
  const stackDir = (name: string) => join(process.cwd(), "cdktf.out", "stacks", name);

  it("puts each stack's local state at the repository root, outside the build folder synth cleans", () => {
    const a = app();
    const boot = synth(new BootstrapStack(a, undefined, { state: { backend: "local" } }));
    expect(boot.terraform!.backend).toEqual({ local: { path: "../../../terraform.bootstrap.tfstate" } });
    expect(resolve(stackDir("bootstrap"), boot.terraform!.backend.local.path)).toBe(join(process.cwd(), "terraform.bootstrap.tfstate"));
  });

  it("lets a platform stack on local state read its AWS stack's local state (the same file from its own directory)", () => {
    // A full app synth: cross-stack references become remote-state lookups only there.
    const a = Testing.app();
    addEnvironment(a, environments.sandbox, { backend: "local" });
    a.synth();
    const read = (stack: string) => JSON.parse(readFileSync(join(a.outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TfJson;
    const dir = (stack: string) => join(a.outdir, "stacks", stack);
    const awsJson = read("sandbox");
    const platformJson = read("sandbox-platform");
    const written = resolve(dir("sandbox"), awsJson.terraform!.backend.local.path);
    const remote = Object.values(platformJson.data!.terraform_remote_state as Record<string, any>);
    expect(remote.length).toBeGreaterThan(0);
    for (const r of remote) {
      expect(r.backend).toBe("local");
      expect(resolve(dir("sandbox-platform"), r.config.path)).toBe(written);
    }
    expect(written).toBe(join(process.cwd(), "terraform.sandbox.tfstate"));
  });

  it("resolves local state relative to any output directory (tests synthesize into temporary ones)", () => {
    const a = Testing.app();
    const boot = synth(new BootstrapStack(a, undefined, { state: { backend: "local" } }));
    expect(resolve(join(a.outdir, "stacks", "bootstrap"), boot.terraform!.backend.local.path)).toBe(join(process.cwd(), "terraform.bootstrap.tfstate"));
  });

  it("names the state bucket per account (S3 names are global): <project>-terraform-state-<account id or suffix>", () => {
    if (s3State.backend !== "s3") throw new Error("environments must use S3 state");
    expect(s3State.bucket).toBe(`openedx-terraform-state-${site.awsAccountId}`);
    expect(stateBucketName("openedx", { ...site, awsAccountId: "210987654321" })).toBe("openedx-terraform-state-210987654321");
    expect(stateBucketName("openedx", { ...site, stateBucketSuffix: "acme-prod" })).toBe("openedx-terraform-state-acme-prod");
    for (const name of Object.keys(environments)) {
      const config = environments[name as keyof typeof environments];
      expect(config.state).toEqual(s3State);
    }
  });
});
