#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png (the list, a problem, a failed and an accepted submission, 1280 and 390 px wide)
# with the browser tests' ScreenshotTests, against the whole problem bank and the real sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh Debug --tests
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export JUDGE_SCREENSHOTS_DIR="$(pwd)/docs/screenshots"
mkdir -p "$JUDGE_SCREENSHOTS_DIR"
dotnet test tests/Judge.Web.Tests --no-build -c Debug --filter "FullyQualifiedName~ScreenshotTests" --logger "console;verbosity=minimal"
ls -l "$JUDGE_SCREENSHOTS_DIR"
