#!/usr/bin/env bash
# `npm run demo`: bring up a local cluster and drive it with the real kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
export GANTRY_HOME="${GANTRY_HOME:-$HOME/.gantry}"
node dist/cli/main.js up
export KUBECONFIG="$GANTRY_HOME/kubeconfig"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
k() { echo "+ kubectl $*"; kubectl --cache-dir "$cache" "$@"; }

k get namespaces
k apply -f manifests/examples/web.yaml
k get deployments,services,configmaps
k scale deployment web --replicas=3
k get deployment web -o jsonpath='{.metadata.name}: {.spec.replicas} replicas, generation {.metadata.generation}{"\n"}'
k apply -f manifests/examples/web.yaml
k explain deployment.spec.strategy | head -n 8
echo
echo "The cluster keeps running. Try: export KUBECONFIG=$KUBECONFIG; kubectl get all"
echo "Stop it and remove its state with: npx gantry down"
