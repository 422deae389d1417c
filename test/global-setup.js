// Synthesizes the real app once per test run (the same esbuild bundle `cdktf synth` runs) into
// a temporary directory, for the tests that read every stack as Terraform JSON; Jest workers
// inherit APP_SYNTH_DIR. Saves each of those files a full synth of all stacks.
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-synth-"));
  const env = { ...process.env, CDKTF_OUTDIR: dir };
  delete env.CDKTF_STATE_BACKEND;
  execFileSync("sh", [path.join(__dirname, "..", "scripts", "app.sh")], { env, stdio: ["ignore", "ignore", "inherit"] });
  process.env.APP_SYNTH_DIR = dir;
};
