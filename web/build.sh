#!/usr/bin/env bash
# Rebuilds the candidate page from web/src into src/Judge.Api/wwwroot. The output is committed, so running Judge
# needs no Node.js; run this after changing anything under web/src (Node 20+ and npm).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
out=../src/Judge.Api/wwwroot
rm -rf "$out"
mkdir -p "$out"
# One ES module and one stylesheet, and the licences of the libraries inside them.
npx esbuild src/main.js --bundle --minify --format=esm --target=es2022 --legal-comments=none \
  --outfile="$out/app.js" --metafile=node_modules/.meta.json --log-level=warning
node licenses.mjs node_modules/.meta.json "$out/licenses.txt"
cp src/index.html "$out/index.html"
ls -l "$out"
