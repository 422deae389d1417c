import { App } from "cdktf";
import * as st from "./modules/core/naming";
import { EnvironmentStack, environments } from "./environments";
const sst = require("cdktf/lib/tokens/private/stack-trace");
let n = 0; const orig = sst.captureStackTrace;
const counts: Record<string, number> = {};
sst.captureStackTrace = (b: any) => { n++; return orig(b); };
void st;
const app = new App({ outdir: "/tmp/prof-out" });
for (const c of Object.values(environments)) {
  const before = n; const t = performance.now();
  new EnvironmentStack(app, c);
  console.log(c.name, "traces", n - before, "ms", (performance.now() - t).toFixed(0));
}
const t = performance.now(); const before = n;
app.synth();
console.log("synth traces", n - before, "ms", (performance.now() - t).toFixed(0));
void counts;
