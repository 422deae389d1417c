import { App } from "cdktf";
import { BootstrapStack, addEnvironment, environments } from "./environments";

/**
 * The cdktf app: every environment's stacks (`<env>` and `<env>-platform`). `CDKTF_STATE_BACKEND=local` switches all of
 * them to local state, for a first deploy into an account without the state bucket.
 */
const app = new App();
const state = process.env.CDKTF_STATE_BACKEND === "local" ? ({ backend: "local" } as const) : undefined;
for (const config of Object.values(environments)) {
  addEnvironment(app, config, state); // <env> (AWS), then <env>-platform (Kubernetes/Helm) depending on it
}
// Account bootstrap (state bucket, GitHub OIDC roles, ECR): local state by design, applied by hand first.
new BootstrapStack(app);
app.synth();
