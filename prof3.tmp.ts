import { App } from "cdktf";
import { EnvironmentStack, environments } from "./environments";
const sst = require("cdktf/lib/tokens/private/stack-trace");
const orig = sst.captureStackTrace;
const counts: Record<string, number> = {};
sst.captureStackTrace = (b: any) => {
  const o: any = {}; const lim = Error.stackTraceLimit; Error.stackTraceLimit = 50;
  const prep = Error.prepareStackTrace; Error.prepareStackTrace = (_e, cs) => cs;
  Error.captureStackTrace(o); const cs = o.stack as any[]; Error.prepareStackTrace = prep; Error.stackTraceLimit = lim;
  let key = "?";
  for (const f of cs) { const fn = String(f.getFileName() ?? ""); const m = /(provider-aws\/lib\/[^/]+)|\/(modules\/[^/]+)\/|\/(environments)\//.exec(fn); if (m) { key = (m[1] ?? m[2] ?? m[3])!; if (!m[1]) key += ":" + f.getLineNumber(); break; } }
  counts[key] = (counts[key] ?? 0) + 1; return orig(b);
};
const app = new App({ outdir: "/tmp/prof-out" });
new EnvironmentStack(app, environments.production);
console.log(Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v} ${k}`).join("\n"));
