#!/usr/bin/env bash
# Installs what Gantry needs on a Debian machine, idempotently: Debian packages,
# npm packages, and the build. Both README commands run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: command -> package. Later components add to this list.
declare -A packages=(
  [etcd]=etcd-server
  [etcdctl]=etcd-client
)
missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${packages[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install Debian packages: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's package enables an etcd service; Gantry starts its own etcd on loopback.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
fi

# npm packages, when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The build, when any source is newer than the last one.
stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find apiserver cli common scheduler controllers nodeagent e2e bench scripts tsconfig.json package.json -newer "$stamp" \( -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" ]; then
  echo "setup: building"
  npx tsc -p tsconfig.json
  touch "$stamp"
fi
