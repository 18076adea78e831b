#!/usr/bin/env bash
# Rebuilds the candidate page from web/src into src/Judge.Api/wwwroot. The output is committed, so running Judge
# needs no Node.js; run this after changing anything under web/src (Node 20+ and npm).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
out=../src/Judge.Api/wwwroot
rm -rf "$out"
mkdir -p "$out"
# One ES module and one stylesheet; the bundled libraries' licence comments go to app.js.LEGAL.txt.
npx esbuild src/main.js --bundle --minify --format=esm --target=es2022 --legal-comments=linked \
  --outfile="$out/app.js" --log-level=warning
cp src/index.html "$out/index.html"
ls -l "$out"
