#!/usr/bin/env bash
# Installs what Judge needs on Debian 12 when it is missing, then builds the solution.
# Usage: scripts/setup.sh [Debug|Release] [--browser]
#   --browser also installs Debian's chromium, which only the browser tests (tests/Judge.Web.Tests) need.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=Release
browser=false
for arg in "$@"; do
  case "$arg" in
    --browser) browser=true ;;
    *) configuration="$arg" ;;
  esac
done

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -e /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpython3.11.so.1.0 ] || need+=(libpython3.11)
[ -e /usr/lib/python3.11/os.py ] || need+=(libpython3.11-stdlib)
ls /usr/lib/*-linux-gnu/libseccomp.so.2 >/dev/null 2>&1 || need+=(libseccomp2)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
[ -x /usr/bin/python3.11 ] || need+=(python3.11)
if $browser && [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK 10 (dotnet) is required and is not on PATH" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Judge.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly
