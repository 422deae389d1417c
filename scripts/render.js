#!/usr/bin/env node
// npm run render: the render check. For every `helm_release` of every synthesized stack
// (cdktf.out/stacks/<stack>/cdk.tf.json) it runs `helm template` with our values against the
// chart at the pinned version and validates what comes out:
//   - every document parses as YAML and has apiVersion, kind and metadata.name,
//   - built-in kinds against the Kubernetes OpenAPI schemas of the cluster's version
//     (kubernetes-validate's bundled schemas, strict: unknown fields fail),
//   - custom resources against the openAPIV3Schema of the CRD rendered in the same stack
//     (any release); a custom resource whose CRD no release renders is a problem,
//   - no two documents of a stack are the same object.
// One line per problem, `<stack> <release> <kind>/<name>: <message>` (release-level problems
// say `chart/<chart>-<version>`), then `render: N releases, M documents, E errors`; exits 1 when E > 0.
// Rendered manifests (and the values files handed to helm) go to cdktf.out/rendered/<stack>/.
//
// Values carry Terraform interpolations (`${aws_iam_role.x.arn}`, cross-stack outputs, ...): a
// reference to a literal in the synthesized JSON is resolved to it (namespace names, bucket and
// cluster names), anything computed becomes a placeholder of the same shape (an ARN, a VPC id,
// an https endpoint), always a string.
//
// Chart sources: `--charts DIR` (offline) holds unpacked charts as `helm pull --untar` leaves
// them (dependencies under charts/): DIR/<chart>-<version>/, or DIR/<chart>/ whose Chart.yaml
// has that version, or DIR/<chart>-<version>.tgz. Without --charts, helm pulls each chart from
// the release's repository (`helm template --repo`), which needs the internet.
//
// Options: --charts DIR, --stacks DIR (default cdktf.out/stacks), --out DIR (default
// cdktf.out/rendered), --stack NAME (repeatable; default every stack with a helm_release),
// --kube-version X.Y (default: the version of the EKS cluster the stack deploys to, read from
// the synthesized stacks), --helm PATH. Env: SCAN_TOOLS_DIR (tools dir, default <repo>/.tools).
const { Buffer } = require("buffer");
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { ROOT, TOOLS_DIR, run, ensureVenv, ensureGoTool, goModuleVersion } = require("./tools");

const HELM = { module: "helm.sh/helm/v3/cmd/helm", version: "v3.22.0" };
const VENV = path.join(TOOLS_DIR, "render-venv");
/** The validator's PyPI dependencies (kubernetes-validate 1.37.0 bundles schemas for Kubernetes 1.25-1.37). */
const PIP_DEPS = [
  { dist: "kubernetes-validate", version: "1.37.0" },
  { dist: "jsonschema", version: "4.26.0" },
  { dist: "PyYAML", version: "6.0.4" },
];
const VALIDATOR = path.join(__dirname, "render-validate.py");
const RENDERED_BY_CAPABILITIES = /\.Capabilities\.APIVersions/;

// ---------------------------------------------------------------- Terraform interpolations

const ACCOUNT = "123456789012";
const PLACEHOLDER = "render-placeholder";

/** Splits a string into literal text and `${...}` expressions (braces balanced, `$${` is a literal `${`). */
function splitInterpolations(str) {
  const parts = [];
  let text = "";
  for (let i = 0; i < str.length; i++) {
    if (str.startsWith("$${", i)) { text += "${"; i += 2; continue; }
    if (!str.startsWith("${", i)) { text += str[i]; continue; }
    let depth = 0;
    let j = i + 1;
    let quote = false;
    for (; j < str.length; j++) {
      const c = str[j];
      if (quote) { if (c === "\\") j++; else if (c === "\"") quote = false; continue; }
      if (c === "\"") quote = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    if (j >= str.length) { text += str.slice(i); break; } // unterminated: leave as text
    if (text) parts.push({ text });
    text = "";
    parts.push({ expr: str.slice(i + 2, j).trim() });
    i = j;
  }
  if (text) parts.push({ text });
  return parts;
}

/** `a.b[0].c` -> ["a", "b", 0, "c"]; undefined when it is not a plain reference. */
function referencePath(expr) {
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(expr)) return undefined;
  return [...expr.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
}

/** Follows `path` through a JSON value; a `[0]` on an object (a block written as a map) is skipped. */
function walk(value, pathParts) {
  let v = value;
  for (const p of pathParts) {
    if (v === undefined || v === null) return undefined;
    if (typeof p === "number") { if (Array.isArray(v)) v = v[p]; continue; }
    if (Array.isArray(v)) v = v[0];
    v = v?.[p];
  }
  return v;
}

const AWS_ID_PREFIX = {
  aws_vpc: "vpc", aws_subnet: "subnet", aws_security_group: "sg", aws_efs_file_system: "fs", aws_efs_access_point: "fsap",
  aws_internet_gateway: "igw", aws_nat_gateway: "nat", aws_route_table: "rtb", aws_instance: "i", aws_vpc_endpoint: "vpce",
};

/** The ARN an AWS resource of `type` would have (`name` when the config has one). */
function arnFor(type, name, region) {
  const n = name || PLACEHOLDER;
  switch (type) {
    case "aws_iam_role": return `arn:aws:iam::${ACCOUNT}:role/${n}`;
    case "aws_iam_policy": return `arn:aws:iam::${ACCOUNT}:policy/${n}`;
    case "aws_iam_user": return `arn:aws:iam::${ACCOUNT}:user/${n}`;
    case "aws_iam_openid_connect_provider": return `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
    case "aws_kms_key": return `arn:aws:kms:${region}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`;
    case "aws_kms_alias": return `arn:aws:kms:${region}:${ACCOUNT}:alias/${n}`;
    case "aws_s3_bucket": return `arn:aws:s3:::${n}`;
    case "aws_sns_topic": return `arn:aws:sns:${region}:${ACCOUNT}:${n}`;
    case "aws_sqs_queue": return `arn:aws:sqs:${region}:${ACCOUNT}:${n}`;
    case "aws_acm_certificate": return `arn:aws:acm:${region}:${ACCOUNT}:certificate/00000000-0000-4000-8000-000000000000`;
    case "aws_secretsmanager_secret": return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${n}-AbCdEf`;
    case "aws_eks_cluster": return `arn:aws:eks:${region}:${ACCOUNT}:cluster/${n}`;
    case "aws_cloudwatch_log_group": return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${n}`;
    default: {
      const service = (/^aws_([a-z0-9]+)/.exec(type || "") || [])[1] || "service";
      return `arn:aws:${service}:${region}:${ACCOUNT}:${n}`;
    }
  }
}

/** A string shaped like the computed attribute `attr` of a resource of `type` would be. */
function placeholderFor(type, attr, { name, region = "us-east-1" } = {}) {
  const a = String(attr || "");
  if (/arn$/.test(a)) return arnFor(type, name, region);
  if (a === "endpoint" || /_endpoint$/.test(a)) return `https://0123456789ABCDEF0123456789ABCDEF.gr7.${region}.eks.amazonaws.com`;
  if (/zone_id$/.test(a)) return "Z0123456789ABCDEFGHIJ";
  if (a === "id" && AWS_ID_PREFIX[type]) return `${AWS_ID_PREFIX[type]}-0123456789abcdef0`;
  if (a === "id" && type === "aws_kms_key") return "00000000-0000-4000-8000-000000000000";
  if (/(dns_name|hostname|fqdn|domain_name)$/.test(a)) return `${PLACEHOLDER}.example.com`;
  if (a === "repository_url") return `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name || PLACEHOLDER}`;
  if (/url$/.test(a)) return `https://${PLACEHOLDER}.example.com`;
  if (/(^|_)(data|certificate_authority)$/.test(a)) return Buffer.from(PLACEHOLDER).toString("base64");
  if (a === "account_id") return ACCOUNT;
  if (a === "region") return region;
  return name || PLACEHOLDER;
}

/** The AWS region a stack's provider is configured for. */
function regionOf(doc) {
  const aws = doc?.provider?.aws;
  const first = Array.isArray(aws) ? aws[0] : aws;
  return (first && typeof first.region === "string" && !first.region.includes("${")) ? first.region : "us-east-1";
}

/**
 * The context interpolations resolve in: every synthesized stack (by name), and which stack
 * declares each output (cross-stack references read `data.terraform_remote_state.*.outputs.<output>`).
 */
function makeContext(docs) {
  const outputs = new Map();
  for (const [stack, doc] of Object.entries(docs)) {
    for (const name of Object.keys(doc.output || {})) outputs.set(name, stack);
  }
  return { docs, outputs };
}

/** Resolves one `${expr}` of stack `stack` to a string. */
function resolveExpression(expr, stack, ctx, depth = 0) {
  const doc = ctx.docs[stack] || {};
  const region = regionOf(doc);
  const ref = referencePath(expr);
  if (!ref || depth > 8) return PLACEHOLDER; // a function call or an expression: no shape to copy
  const literal = (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  const fromLiteral = (v) => (typeof v === "string" ? substituteInterpolations(v, stack, ctx, depth + 1) : String(v));

  if (ref[0] === "data" && ref[1] === "terraform_remote_state" && ref[3] === "outputs" && typeof ref[4] === "string") {
    const producer = ctx.outputs.get(ref[4]);
    const value = producer && ctx.docs[producer].output[ref[4]].value;
    if (typeof value === "string") return substituteInterpolations(value, producer, ctx, depth + 1);
    return placeholderFor(undefined, ref[4], { region });
  }
  if (ref[0] === "data" && typeof ref[1] === "string" && typeof ref[2] === "string") {
    const body = doc.data?.[ref[1]]?.[ref[2]];
    const attrs = ref.slice(3);
    const v = body && walk(body, attrs);
    if (literal(v)) return fromLiteral(v);
    const name = body && typeof body.name === "string" ? substituteInterpolations(body.name, stack, ctx, depth + 1) : undefined;
    return placeholderFor(ref[1], attrs.filter((p) => typeof p === "string").pop(), { name, region });
  }
  if (ref[0] === "var" || ref[0] === "local" || ref[0] === "terraform" || ref[0] === "path") return PLACEHOLDER;
  const [type, id, ...attrs] = ref;
  const body = doc.resource?.[type]?.[id];
  const v = body && walk(body, attrs);
  if (literal(v)) return fromLiteral(v);
  const name = body && typeof body.name === "string" ? substituteInterpolations(body.name, stack, ctx, depth + 1) : undefined;
  return placeholderFor(type, attrs.filter((p) => typeof p === "string").pop(), { name, region });
}

/** Replaces every `${...}` in `str` (a value of stack `stack`) with its resolution. */
function substituteInterpolations(str, stack, ctx, depth = 0) {
  return splitInterpolations(str).map((p) => (p.text !== undefined ? p.text : resolveExpression(p.expr, stack, ctx, depth))).join("");
}

/** Deep-substitutes every string of a JSON value. */
function substituteDeep(value, stack, ctx) {
  if (typeof value === "string") return substituteInterpolations(value, stack, ctx);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, stack, ctx));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, stack, ctx)]));
  return value;
}

// ---------------------------------------------------------------- releases of a stack

const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Every helm_release of `stack` with interpolations substituted: { stack, id, name, chart,
 * version, repository, namespace, values: [JSON/YAML strings], sets: [helm flags], includeCrds }.
 */
function releasesOf(stack, ctx) {
  const doc = ctx.docs[stack] || {};
  const out = [];
  for (const [id, raw] of Object.entries(doc.resource?.helm_release || {})) {
    const r = substituteDeep({ ...raw, "//": undefined }, stack, ctx);
    const sets = [];
    for (const s of asList(r.set)) {
      const flag = s.type === "string" ? "--set-string" : s.type === "literal" ? "--set-literal" : "--set";
      sets.push(flag, `${s.name}=${s.value}`);
    }
    for (const s of asList(r.set_sensitive)) {
      sets.push(s.type === "string" ? "--set-string" : "--set", `${s.name}=${s.value}`);
    }
    for (const s of asList(r.set_list)) sets.push("--set", `${s.name}={${asList(s.value).join(",")}}`);
    out.push({
      stack,
      id,
      name: r.name,
      chart: r.chart,
      version: r.version === undefined ? undefined : String(r.version),
      repository: r.repository,
      namespace: r.namespace || "default",
      values: asList(r.values).map(String),
      sets,
      includeCrds: r.skip_crds !== true,
    });
  }
  return out;
}

/** The Kubernetes minor version of the EKS cluster a stack deploys to (its own, or the one its cross-stack references come from). */
function kubeVersionOf(stack, ctx) {
  const clusterVersion = (s) => {
    const clusters = Object.values(ctx.docs[s]?.resource?.aws_eks_cluster || {});
    const v = clusters.map((c) => c.version).find((x) => typeof x === "string" && /^\d+\.\d+/.test(x));
    return v;
  };
  const own = clusterVersion(stack);
  if (own) return own;
  const text = JSON.stringify(ctx.docs[stack] || {});
  const producers = new Set([...text.matchAll(/terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)/g)].map((m) => ctx.outputs.get(m[1])).filter(Boolean));
  for (const p of producers) {
    const v = clusterVersion(p);
    if (v) return v;
  }
  // A cluster the library did not create (self-hosted k3s) publishes its version as an output.
  const declared = ctx.docs[stack]?.output?.["kubernetes-version"]?.value;
  return typeof declared === "string" && /^\d+\.\d+$/.test(declared) ? declared : undefined;
}

// ---------------------------------------------------------------- chart sources

const stripV = (v) => String(v).replace(/^v/, "");

/** Reads name/version of an unpacked chart; undefined when there is no readable Chart.yaml. */
function chartMeta(dir) {
  const file = path.join(dir, "Chart.yaml");
  if (!fs.existsSync(file)) return undefined;
  const YAML = require("yaml");
  try {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) || {};
    return { name: doc.name, version: doc.version === undefined ? undefined : String(doc.version) };
  } catch {
    return undefined;
  }
}

/**
 * Where helm finds `chart` at `version`: { ref, args } (helm template's chart argument and the
 * flags that go with it) or { problem }. Offline (`chartsDir`): DIR/<chart>-<version>/,
 * DIR/<chart>/ with that version in Chart.yaml, or DIR/<chart>-<version>.tgz.
 */
function chartSource(release, chartsDir) {
  const { chart, version, repository } = release;
  if (!chart) return { problem: "the release names no chart" };
  if (!chartsDir) {
    if (!version) return { problem: "no chart version pinned" };
    if (repository && /^oci:\/\//.test(repository)) return { ref: `${repository.replace(/\/$/, "")}/${chart}`, args: ["--version", version] };
    if (repository) return { ref: chart, args: ["--repo", repository, "--version", version] };
    if (fs.existsSync(chart)) return { ref: chart, args: [] };
    return { problem: `no repository for chart ${chart}` };
  }
  const base = path.basename(chart); // a chart given as a path or oci ref: its last segment
  const tried = [];
  const versions = version ? [...new Set([version, stripV(version), `v${stripV(version)}`])] : [];
  for (const v of versions) {
    const dir = path.join(chartsDir, `${base}-${v}`);
    tried.push(`${dir}/`);
    const meta = chartMeta(dir);
    if (meta) {
      if (meta.name !== base || stripV(meta.version) !== stripV(version)) {
        return { problem: `${dir}/Chart.yaml is ${meta.name} ${meta.version}, not ${base} ${version}` };
      }
      return { ref: dir, args: [] };
    }
  }
  const plain = path.join(chartsDir, base);
  tried.push(`${plain}/`);
  const meta = chartMeta(plain);
  if (meta && (!version || stripV(meta.version) === stripV(version))) return { ref: plain, args: [] };
  for (const v of versions) {
    const tgz = path.join(chartsDir, `${base}-${v}.tgz`);
    tried.push(tgz);
    if (fs.existsSync(tgz)) return { ref: tgz, args: [] };
  }
  const extra = meta ? ` (${plain}/Chart.yaml is version ${meta.version})` : "";
  return { problem: `no chart source for ${base} ${version || "(unversioned)"} in ${chartsDir}: looked for ${tried.join(", ")}${extra}` };
}

/** Does an unpacked chart (or any of its subcharts) branch on .Capabilities.APIVersions? Unknown (tgz, remote) counts as yes. */
function usesApiVersions(ref) {
  if (!ref || !fs.existsSync(ref) || !fs.statSync(ref).isDirectory()) return true;
  const stack = [ref];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/\.(tgz)$/.test(e.name)) return true;
      else if (/\.(ya?ml|tpl|txt)$/.test(e.name) && RENDERED_BY_CAPABILITIES.test(fs.readFileSync(p, "utf8"))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- problems and output

/** `<stack> <release> <kind>/<name>: <message>`, one line (whitespace runs folded). */
function problemLine({ stack, release, kind, name, message }) {
  const oneLine = String(message).replace(/\s*\n\s*/g, " | ").replace(/\s+/g, " ").trim();
  return `${stack} ${release} ${kind || "-"}/${name || "-"}: ${oneLine}`;
}

/**
 * helm's error as one readable line: the "Error: " prefix, the "--debug" hint and the bodies of
 * templates quoted by tpl errors (whole config files) dropped; at most `max` characters.
 */
function helmError(stderr, max = 800) {
  const text = String(stderr)
    .split("\n")
    .filter((l) => l.trim() && !/^Use --debug flag to render out invalid YAML/.test(l) && !/^(WARNING|walk\.go|install\.go)/.test(l.trim()))
    .join(" | ")
    .replace(/error during tpl function execution for "(?:[^"\\]|\\.)*"/g, "error during tpl function execution for \"...\"")
    .replace(/^Error: /, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max)}...` : text || "helm failed without a message";
}

const summaryLine = ({ releases, documents, errors }) => `render: ${releases} releases, ${documents} documents, ${errors} errors`;

/** `group/version` and `group/version/Kind` for each served version of each CRD in the rendered YAML documents. */
function crdApiVersions(yamlText) {
  const YAML = require("yaml");
  const out = new Set();
  for (const d of YAML.parseAllDocuments(yamlText)) {
    let o;
    try { o = d.toJS(); } catch { continue; }
    if (!o || o.kind !== "CustomResourceDefinition" || !o.spec) continue;
    for (const v of asList(o.spec.versions)) {
      if (v && v.served !== false && o.spec.group && o.spec.names?.kind) {
        out.add(`${o.spec.group}/${v.name}`);
        out.add(`${o.spec.group}/${v.name}/${o.spec.names.kind}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- helm

function parseArgs(argv) {
  const args = { charts: undefined, stacks: path.join(ROOT, "cdktf.out", "stacks"), out: path.join(ROOT, "cdktf.out", "rendered"), stack: [], "kube-version": undefined, helm: undefined };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`render: unknown or incomplete option ${argv[i]}`);
    const value = argv[++i];
    if (key === "stack") args.stack.push(value);
    else if (key === "kube-version") args[key] = value;
    else args[key] = path.resolve(value);
  }
  return args;
}

/** A helm v3 binary: --helm, then the pinned one in the tools dir, then helm on PATH or in $(go env GOPATH)/bin, else `go install` the pin. */
function findHelm(explicit) {
  if (explicit) return fs.existsSync(explicit) ? { bin: explicit, problems: [] } : { problems: [`--helm ${explicit} does not exist`] };
  const pinned = path.join(TOOLS_DIR, "bin", "helm");
  if (goModuleVersion(pinned, HELM.module) === HELM.version) return { bin: pinned, problems: [] };
  const gopath = run("go", ["env", "GOPATH"]).stdout.trim();
  const candidates = ["helm", ...(gopath ? [path.join(gopath, "bin", "helm")] : [])];
  for (const c of candidates) {
    const v = run(c, ["version", "--template", "{{.Version}}"]);
    if (v.status === 0 && /^v3\./.test(v.stdout.trim())) return { bin: c, problems: [] };
  }
  const r = ensureGoTool({ ...HELM, name: "helm", binDir: path.join(TOOLS_DIR, "bin"), label: "render" });
  if (!r.bin) r.problems.push(`helm is not available: put helm v3 on PATH or let \`go install ${HELM.module}@${HELM.version}\` work (Go module proxy)`);
  return r;
}

/** Runs a command asynchronously; resolves { status, stdout, stderr }. */
function runAsync(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", (e) => resolve({ status: -1, stdout: "", stderr: String(e.message) }));
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** Maps `fn` over `items` with at most `limit` running at once. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; results[i] = await fn(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The `helm template` argument list of one release. */
function helmArgs(release, source, { kubeVersion, apiVersions, valuesFiles }) {
  const args = ["template", release.name, source.ref, ...source.args, "--namespace", release.namespace];
  if (kubeVersion) args.push("--kube-version", kubeVersion);
  if (release.includeCrds) args.push("--include-crds");
  if (apiVersions && apiVersions.length) args.push("--api-versions", apiVersions.join(","));
  for (const f of valuesFiles) args.push("-f", f);
  args.push(...release.sets);
  return args;
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  // `--install-tools`: only install the pinned helm and validator (CI does this before the tests,
  // so the end-to-end tests run there instead of being skipped).
  if (process.argv.includes("--install-tools")) {
    const helm = findHelm(undefined);
    const venvProblems = ensureVenv(VENV, PIP_DEPS, { label: "render" });
    for (const p of [...helm.problems, ...venvProblems]) console.error(`render: ${p}`);
    if (!helm.bin || venvProblems.length) process.exit(1);
    console.log(`render: tools ready (helm ${helm.bin}, validator ${VENV})`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const problems = [];
  const fail = (p) => problems.push(p);

  if (!fs.existsSync(args.stacks)) {
    console.error(`render: no synthesized stacks in ${args.stacks}; run \`npm run synth\` first`);
    process.exit(1);
  }
  if (args.charts && !fs.existsSync(args.charts)) {
    console.error(`render: --charts ${args.charts} does not exist`);
    process.exit(1);
  }
  const docs = {};
  for (const s of fs.readdirSync(args.stacks).sort()) {
    const file = path.join(args.stacks, s, "cdk.tf.json");
    if (fs.existsSync(file)) docs[s] = JSON.parse(fs.readFileSync(file, "utf8"));
  }
  const ctx = makeContext(docs);
  const stacks = Object.keys(docs).filter((s) => Object.keys(docs[s].resource?.helm_release || {}).length && (!args.stack.length || args.stack.includes(s)));
  for (const s of args.stack) if (!docs[s]) { console.error(`render: no stack ${s} in ${args.stacks}`); process.exit(1); }

  const helm = findHelm(args.helm);
  const venvProblems = ensureVenv(VENV, PIP_DEPS, { label: "render" });
  for (const p of [...helm.problems, ...venvProblems]) console.error(`render: ${p}`);
  if (!helm.bin || venvProblems.length) {
    console.error("render: cannot run without helm and the validator's Python packages");
    process.exit(2);
  }
  const helmVersion = run(helm.bin, ["version", "--template", "{{.Version}}"]).stdout.trim();
  console.log(`render: helm ${goModuleVersion(helm.bin, HELM.module) || helmVersion} (${helm.bin}); charts from ${args.charts || "their repositories (online)"}`);

  fs.rmSync(args.out, { recursive: true, force: true });
  const jobs = [];
  let releaseCount = 0;
  const limit = Math.max(2, os.cpus().length);
  for (const stack of stacks) {
    const kubeVersion = args["kube-version"] || kubeVersionOf(stack, ctx);
    const releases = releasesOf(stack, ctx);
    releaseCount += releases.length;
    console.log(`render: ${stack}: ${releases.length} releases, Kubernetes ${kubeVersion || "(helm's default)"}`);
    const dir = path.join(args.out, stack);
    fs.mkdirSync(dir, { recursive: true });

    const prepared = releases.map((release) => {
      const source = chartSource(release, args.charts);
      const where = { stack, release: release.name, kind: "chart", name: `${release.chart}-${release.version}` };
      if (source.problem) { fail({ ...where, message: source.problem }); return undefined; }
      const valuesFiles = release.values.map((v, i) => {
        const f = path.join(dir, `${release.name}.values-${i}.yaml`);
        fs.writeFileSync(f, v);
        return f;
      });
      return { release, source, valuesFiles, where };
    }).filter(Boolean);

    const template = (p, apiVersions) => runAsync(helm.bin, helmArgs(p.release, p.source, { kubeVersion, apiVersions, valuesFiles: p.valuesFiles }));
    // Pass 1 finds the CRDs the stack installs; pass 2 re-renders the charts that branch on
    // .Capabilities.APIVersions (ServiceMonitors, ...) with them, as the cluster would serve them.
    let results = await pool(prepared, limit, (p) => template(p, []));
    const apiVersions = new Set();
    results.forEach((r) => { if (r.status === 0) crdApiVersions(r.stdout).forEach((a) => apiVersions.add(a)); });
    if (apiVersions.size) {
      const list = [...apiVersions].sort();
      results = await pool(prepared, limit, (p, i) => (usesApiVersions(p.source.ref) ? template(p, list) : results[i]));
    }
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i];
      const r = results[i];
      const file = path.join(dir, `${p.release.name}.yaml`);
      if (r.status !== 0) {
        fail({ ...p.where, message: `helm template failed: ${helmError(r.stderr)}` });
        // --debug prints what was rendered, invalid YAML included: worth reading next to the error.
        const debug = await runAsync(helm.bin, [...helmArgs(p.release, p.source, { kubeVersion, apiVersions: [...apiVersions].sort(), valuesFiles: p.valuesFiles }), "--debug"]);
        fs.writeFileSync(file, `# render: helm template FAILED for ${p.release.name} (${p.release.chart} ${p.release.version}); --debug output follows\n${debug.stdout}`);
        continue;
      }
      fs.writeFileSync(file, r.stdout);
      jobs.push({ stack, release: p.release.name, namespace: p.release.namespace, kubeVersion: kubeVersion || "", file });
    }
  }

  // Validation: one Python process for every rendered file (schemas load once).
  let documents = 0;
  if (jobs.length) {
    const list = path.join(args.out, "manifests.json");
    fs.writeFileSync(list, JSON.stringify(jobs, null, 2));
    const v = run(path.join(VENV, "bin", "python"), [VALIDATOR, list]);
    let report;
    try { report = JSON.parse(v.stdout); } catch { report = undefined; }
    if (v.status !== 0 || !report) {
      console.error(`render: validator failed (exit ${v.status}): ${v.stderr.trim().slice(-2000)}`);
      process.exit(2);
    }
    if (v.stderr.trim()) console.error(v.stderr.trim()); // e.g. no schemas for that Kubernetes version: the nearest older is used
    documents = report.documents;
    report.problems.forEach(fail);
  }

  problems.sort((a, b) => (a.stack + a.release).localeCompare(b.stack + b.release));
  for (const p of problems) console.log(problemLine(p));
  console.log(`render: manifests in ${path.relative(process.cwd(), args.out) || "."}/<stack>/<release>.yaml (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(summaryLine({ releases: releaseCount, documents, errors: problems.length }));
  process.exit(problems.length ? 1 : 0);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`render: ${e.stack || e.message}`);
    process.exit(2);
  });
}
module.exports = {
  splitInterpolations, referencePath, placeholderFor, arnFor, makeContext, resolveExpression, substituteInterpolations,
  releasesOf, kubeVersionOf, chartSource, usesApiVersions, problemLine, helmError, summaryLine, crdApiVersions, helmArgs,
  HELM, PIP_DEPS,
};
