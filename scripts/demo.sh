#!/usr/bin/env bash
# `npm run demo`: bring up a local cluster (etcd, image registry, API server, scheduler and
# a node agent for this machine) and drive it with the real kubectl, down to containers.
set -euo pipefail
cd "$(dirname "$0")/.."
export GANTRY_HOME="${GANTRY_HOME:-$HOME/.gantry}"
node dist/cli/main.js up
export KUBECONFIG="$GANTRY_HOME/kubeconfig"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
k() { echo "+ kubectl $*"; kubectl --cache-dir "$cache" "$@"; }

# Waits until pod $1 is in one of the phases $2 (a regex), failing after $3 seconds.
wait_phase() {
  local pod=$1 want=$2 limit=$3 phase=""
  echo "+ waiting for pod $pod to be $want"
  for _ in $(seq 1 "$limit"); do
    phase=$(kubectl --cache-dir "$cache" get pod "$pod" -o jsonpath='{.status.phase}' 2>/dev/null || true)
    if [[ "$phase" =~ ^($want)$ ]]; then echo "  pod $pod is $phase"; return 0; fi
    if [ "$phase" = Failed ]; then break; fi
    sleep 1
  done
  echo "pod $pod is ${phase:-unknown}, not $want; see: kubectl describe pod $pod, and $GANTRY_HOME/logs/nodeagent.log" >&2
  return 1
}

k get namespaces
k get nodes -o wide
k apply -f manifests/examples/web.yaml
k get deployments,services,configmaps
k scale deployment web --replicas=3
k get deployment web -o jsonpath='{.metadata.name}: {.spec.replicas} replicas, generation {.metadata.generation}{"\n"}'
k apply -f manifests/examples/web.yaml
k explain deployment.spec.strategy | head -n 8

# Real containers on this machine, from the busybox image in the cluster's registry.
k apply -f manifests/examples/busybox-pods.yaml
wait_phase hello 'Succeeded' 120
k logs hello
wait_phase shell 'Running' 120
k exec shell -- sh -c 'echo "inside $(hostname): $(id -un), $(ls / | wc -l) entries in /"'
k get pods -o wide
echo
echo "The cluster keeps running. Try: export KUBECONFIG=$KUBECONFIG; kubectl get all; kubectl exec -it shell -- sh"
echo "Stop it and remove its state (containers included) with: npx gantry down"
