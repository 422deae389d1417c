#!/bin/sh
# The cdktf app command (cdktf.json): bundle main.ts with esbuild (~0.1 s, no type-checking;
# `npm run typecheck` does that) and run it under plain node. Dependencies stay external.
set -e
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild main.ts --bundle --platform=node --target=node20 --packages=external \
  --log-level=warning --outfile=.gen/main.js
exec node .gen/main.js
