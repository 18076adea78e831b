#!/usr/bin/env bash
# Installs what Judge needs on Debian 12 when it is missing, then builds the solution.
# Usage: scripts/setup.sh [Debug|Release] [--tests]
#   --tests also installs what only the tests need: postgresql (the storage and cluster tests start throw-away
#   servers of their own) and chromium (the browser tests, tests/Judge.Web.Tests).
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=Release
tests=false
for arg in "$@"; do
  case "$arg" in
    --tests) tests=true ;;
    *) configuration="$arg" ;;
  esac
done

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -e /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpython3.11.so.1.0 ] || need+=(libpython3.11)
[ -e /usr/lib/python3.11/os.py ] || need+=(libpython3.11-stdlib)
ls /usr/lib/*-linux-gnu/libseccomp.so.2 >/dev/null 2>&1 || need+=(libseccomp2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v newuidmap >/dev/null 2>&1 || need+=(uidmap)
[ -x /usr/bin/python3.11 ] || need+=(python3.11)
if $tests; then
  # PostgreSQL's server binaries: the storage and cluster tests start a throw-away server of their own (initdb into a
  # temporary folder); nothing uses the system cluster the package creates.
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
    # The package's service scripts may have started its default cluster: stop it, nothing here needs it.
    pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | while read -r version cluster; do
      $sudo pg_ctlcluster "$version" "$cluster" stop || true
    done
  fi
fi
# The sandbox gives its hosts and every run uids of their own from this user's subordinate range (/etc/subuid and
# /etc/subgid; see README, "Which deployment gets which guarantee"). Root gets a range far from any real user's when it has none.
user="$(id -un)"
for file in /etc/subuid /etc/subgid; do
  if ! grep -qE "^($user|$(id -u)):" "$file" 2>/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "setup: adding $user:1000000000:65536 to $file (uids for the sandbox)"
      echo "$user:1000000000:65536" >> "$file"
    else
      echo "setup: $file has no range for $user; ask an administrator to run:" >&2
      echo "  sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $user" >&2
      exit 1
    fi
  fi
done
if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK 10 (dotnet) is required and is not on PATH" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Judge.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly
