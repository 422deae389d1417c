#!/usr/bin/env node
// The package's public entry points, derived from the modules/ folders so a new module cannot be
// forgotten: one subpath per module folder (`learning-platform-infra/vpc` → modules/vpc/index.ts)
// plus `./core/*` for the shared helpers every module and environment builds on. Each points at
// the tsc build (tsconfig.build.json → dist/, with .d.ts). `node scripts/package-exports.js`
// rewrites package.json's "exports"; `--check` fails when it is stale (test/package.test.ts too).
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");
/** The package's name, also the alias environments/ import through (tsconfig paths, jest). */
const PACKAGE_NAME = "learning-platform-infra";

/**
 * Files besides a folder's index.ts that are entry points of their own: a second construct that
 * imports its folder's index (re-exporting it from there would make an import cycle).
 */
const EXTRA_ENTRY_POINTS = ["github-oidc/terraform-roles"];

/** Module folders: every directory of modules/ with an index.ts, except core (exported file by file). */
function moduleFolders(root = ROOT) {
  const dir = path.join(root, "modules");
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "core" && fs.existsSync(path.join(dir, e.name, "index.ts")))
    .map((e) => e.name)
    .sort();
}

/** The "exports" map package.json must hold. */
function expectedExports(root = ROOT) {
  const entry = (base) => ({ types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` });
  // No "." entry: like the provider packages' roots, one would load every module; import the one you use.
  const map = {};
  for (const name of moduleFolders(root)) map[`./${name}`] = entry(`${name}/index`);
  for (const file of EXTRA_ENTRY_POINTS) map[`./${file}`] = entry(file);
  map["./core/*"] = entry("core/*");
  map["./package.json"] = "./package.json";
  return map;
}

if (require.main === module) {
  const file = path.join(ROOT, "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  const want = expectedExports();
  if (JSON.stringify(pkg.exports) === JSON.stringify(want)) {
    console.log(`package.json exports: ${Object.keys(want).length} entry points, up to date`);
  } else if (process.argv.includes("--check")) {
    console.error("package.json exports are stale: run `node scripts/package-exports.js` (a module folder was added or removed)");
    process.exit(1);
  } else {
    pkg.exports = want;
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
    console.log(`package.json exports: wrote ${Object.keys(want).length} entry points`);
  }
}

module.exports = { PACKAGE_NAME, EXTRA_ENTRY_POINTS, moduleFolders, expectedExports };
