#!/usr/bin/env bash
# Sets up the machine (when needed), builds, and runs Judge on http://127.0.0.1:8080 with SQLite under ./data
# and the problems under ./problems. Extra arguments go to the API (e.g. --urls http://127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
urls="http://127.0.0.1:8080"
for arg in "$@"; do [ "$arg" = "--urls" ] && urls=""; done
repo="$(pwd)"
bin="$repo/src/Judge.Api/bin/Release/net10.0"
# appsettings.json comes from the build output; data and problems stay in the repository.
exec dotnet "$bin/Judge.Api.dll" --contentRoot "$bin" --Storage:DataDirectory="$repo/data" \
  --Problems:Directory="$repo/problems" ${urls:+--urls "$urls"} "$@"
