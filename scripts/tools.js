// Pinned command-line tools for the repository's checks (scan.js, render.js), installed into a
// git-ignored tools dir from package registries only and reused while the pinned version is
// present: PyPI wheels into a virtualenv, Go binaries through the Go module proxy.
// Env: SCAN_TOOLS_DIR (default <repo>/.tools), shared by every check.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const TOOLS_DIR = path.resolve(process.env.SCAN_TOOLS_DIR || path.join(ROOT, ".tools"));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) return { status: -1, stdout: "", stderr: String(r.error.message) };
  return { status: r.status, stdout: r.stdout || "", stderr: r.stderr || "" };
}

function sitePackages(venv) {
  const lib = path.join(venv, "lib");
  if (!fs.existsSync(lib)) return undefined;
  const py = fs.readdirSync(lib).find((d) => d.startsWith("python"));
  return py && path.join(lib, py, "site-packages");
}

/** A `{ dist, version, bin? }` is installed when its dist-info (and its console script, if any) exist. */
function pipInstalled(venv, tool) {
  const site = sitePackages(venv);
  if (!site || !fs.existsSync(site)) return false;
  // Wheels name the dist-info after the normalized project name (lower case, "_" for "-" and ".").
  const distInfo = `${tool.dist.replace(/[-.]/g, "_")}-${tool.version}.dist-info`.toLowerCase();
  const found = fs.readdirSync(site).some((d) => d.toLowerCase() === distInfo);
  return found && (!tool.bin || fs.existsSync(path.join(venv, "bin", tool.bin)));
}

/**
 * Creates `venv` (python3 -m venv) if needed and pip-installs the missing pinned dists as wheels
 * only (no build step that downloads). Returns the problems (empty when every dist is installed).
 */
function ensureVenv(venv, dists, { label, note = "" }) {
  const problems = [];
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  if (!fs.existsSync(path.join(venv, "bin", "python"))) {
    console.log(`${label}: creating ${venv}`);
    const r = run("python3", ["-m", "venv", venv], { stdio: "inherit" });
    if (r.status !== 0) problems.push(`python3 -m venv ${venv} failed (exit ${r.status})`);
  }
  const missing = dists.filter((t) => !pipInstalled(venv, t));
  if (missing.length > 0 && problems.length === 0) {
    const specs = missing.map((t) => `${t.dist}==${t.version}`);
    console.log(`${label}: installing ${specs.join(" ")} into ${venv}${note}`);
    const r = run(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:", ...specs], { stdio: "inherit" });
    if (r.status !== 0) problems.push(`pip install --only-binary=:all: ${specs.join(" ")} failed (exit ${r.status})`);
  }
  for (const t of dists) {
    if (!pipInstalled(venv, t) && !problems.some((p) => p.includes(t.dist))) problems.push(`${t.dist}==${t.version} is not installed in ${venv}`);
  }
  return problems;
}

/** The module version a Go binary was built from (`go version -m`), e.g. "v3.22.0"; "" if unknown. */
function goModuleVersion(bin, module) {
  if (!fs.existsSync(bin)) return "";
  const r = run("go", ["version", "-m", bin]);
  const main = module.replace(/\/cmd\/.*$/, "");
  const line = r.stdout.split("\n").map((l) => l.trim().split(/\s+/)).find((f) => f[0] === "mod" && f[1] === main);
  return line ? line[2] : "";
}

/**
 * `go install module@version` into `binDir` unless `installedVersion()` already reports the pin.
 * Returns { bin, problems } (bin undefined when it is not there afterwards).
 */
function ensureGoTool({ module, version, binDir, name, label, installedVersion }) {
  const bin = path.join(binDir, name);
  const current = installedVersion || (() => goModuleVersion(bin, module));
  if (current() === version) return { bin, problems: [] };
  const problems = [];
  console.log(`${label}: building ${name} ${version} from the Go module proxy into ${binDir}`);
  const r = run("go", ["install", `${module}@${version}`], {
    stdio: "inherit",
    env: { ...process.env, GOBIN: binDir, GOFLAGS: "-buildvcs=false", GOTOOLCHAIN: "local" },
  });
  if (r.status !== 0) problems.push(`go install ${module}@${version} failed (${r.status === -1 ? r.stderr : `exit ${r.status}`})`);
  if (current() === version) return { bin, problems };
  if (!problems.length) problems.push(`${name} ${version} is not at ${bin}`);
  return { bin: undefined, problems };
}

module.exports = { ROOT, TOOLS_DIR, run, sitePackages, pipInstalled, ensureVenv, ensureGoTool, goModuleVersion };
