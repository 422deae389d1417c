const fs = require("fs");

module.exports = async () => {
  if (process.env.APP_SYNTH_DIR) fs.rmSync(process.env.APP_SYNTH_DIR, { recursive: true, force: true });
};
