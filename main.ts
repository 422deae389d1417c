import { App } from "cdktf";
import { BootstrapStack, addRegistryEnvironment, environments } from "./environments";

/**
 * The cdktf app: every environment's stacks (`<env>` and `<env>-platform`).
 * `CDKTF_STATE_BACKEND=local` switches all of them to local state, for a first deploy into an
 * account without the state bucket.
 *
 * cdktf.json runs this as one esbuild bundle under plain `node` (scripts/app.sh): no runtime
 * TypeScript hook, whose source-map handling of the ~1,400 stack traces cdktf captures per
 * synth (one per token) used to cost more than the synth itself.
 */
const app = new App();
const state = process.env.CDKTF_STATE_BACKEND === "local" ? ({ backend: "local" } as const) : undefined;
for (const config of Object.values(environments)) {
  addRegistryEnvironment(app, config, state); // <env> (AWS, or DNS for a self-hosted cluster), then <env>-platform depending on it
}
// Account bootstrap (state bucket, GitHub OIDC roles, ECR), applied by hand: its state lives in the
// bucket it creates, except on the first deploy (CDKTF_STATE_BACKEND=local, then -migrate-state).
new BootstrapStack(app, undefined, { state });
app.synth();
