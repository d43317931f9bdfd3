#!/usr/bin/env bash
# Installs what Gantry needs on a Debian machine, idempotently: Debian packages,
# npm packages, and the build. Both README commands run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. Each line says what needs it.
packages=(
  etcd-server etcd-client            # the cluster store
  runc conmon                        # the container runtime and its per-container supervisor
  containernetworking-plugins        # pod networks: bridge, host-local, loopback, portmap
  iptables iproute2                  # service rules, network namespaces and veths
  docker-registry buildah            # the cluster's image registry; building test and example images
  busybox-static                     # the base of the test and example images
  redis-tools                        # redis-server (as redis-check-rdb) and redis-cli for the gantry/redis example image
  apache2-utils attr                 # htpasswd -B for registry auth; setfattr for overlay opaque dirs
  socat                              # kubectl port-forward: relays a connection made inside a pod's network namespace
  conntrack                          # the service proxy clears stale UDP conntrack entries when endpoints change
  zsh                                # the test of gantry's zsh completion script runs it in real zsh
)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
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
  # Debian's packages enable services; Gantry starts its own etcd and registry on loopback.
  if command -v systemctl >/dev/null 2>&1; then
    for svc in etcd docker-registry; do systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
  fi
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
