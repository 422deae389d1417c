import { App } from "cdktf";
import { BootstrapStack, addRegistryEnvironment, delegateZones, environments, warnPlaceholders } from "./environments";

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
const stacks = Object.values(environments).map((config) => addRegistryEnvironment(app, config, state)); // <env> (AWS, or DNS for a self-hosted cluster), then <env>-platform depending on it
// Name servers as outputs, and each created zone delegated from its parent environment's zone.
delegateZones(stacks.flatMap((s) => ("aws" in s ? [s.aws] : [])));
// Account bootstrap (state bucket, GitHub OIDC roles, ECR), applied by hand: its state lives in the
// bucket it creates, except on the first deploy (CDKTF_STATE_BACKEND=local, then -migrate-state).
const bootstrap = new BootstrapStack(app, undefined, { state });
// One warning per placeholder still in environments/site.ts, on one stack so each shows once;
// `npm run preflight` (and the apply workflow) refuses them.
warnPlaceholders(bootstrap);
app.synth();
