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

# Waits until pod $1 (in namespace $4, default "default") is in one of the phases $2 (a
# regex), failing after $3 seconds.
wait_phase() {
  local pod=$1 want=$2 limit=$3 ns=${4:-default} phase=""
  echo "+ waiting for pod $pod to be $want"
  for _ in $(seq 1 "$limit"); do
    phase=$(kubectl --cache-dir "$cache" -n "$ns" get pod "$pod" -o jsonpath='{.status.phase}' 2>/dev/null || true)
    if [[ "$phase" =~ ^($want)$ ]]; then echo "  pod $pod is $phase"; return 0; fi
    if [ "$phase" = Failed ]; then break; fi
    sleep 1
  done
  echo "pod $pod is ${phase:-unknown}, not $want; see: kubectl describe pod $pod, and $GANTRY_HOME/logs/nodeagent.log" >&2
  return 1
}

# The page served on port 8080 by a Running, not terminating pod of Deployment web whose
# container runs image $1, read inside the pod with busybox wget.
web_page() {
  local image=$1 pods pod
  pods=$(kubectl --cache-dir "$cache" get pods -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{if eq .status.phase "Running"}}{{if eq (index .spec.containers 0).image "'"$image"'"}}{{.metadata.name}}{{"\n"}}{{end}}{{end}}{{end}}{{end}}')
  pod=${pods%%$'\n'*}
  if [ -z "$pod" ]; then echo "no Running pod of $image" >&2; return 1; fi
  k exec "$pod" -- wget -qO- http://127.0.0.1:8080/
}

k get namespaces
k get nodes -o wide

# A Deployment: two replicas of a small web server, pulled from the cluster's registry and
# run as real containers. kubectl watches the rollout until every replica is available.
k apply -f manifests/examples/web.yaml
k get deployments,services,configmaps
k rollout status deployment/web --timeout=120s
k get deployment web
k get pods -l app=web -o wide
web_page gantry/web:v1

# A rolling update: the Deployment controller starts a new ReplicaSet, one pod at a time
# (maxSurge 25%), and scales the old one down as new pods become available.
k explain deployment.spec.strategy | sed -n 1,8p
k set image deployment/web web=gantry/web:v2
k rollout status deployment/web --timeout=120s
k get replicasets -l app=web
web_page gantry/web:v2
k rollout history deployment/web

# A rollback: the v1 ReplicaSet is scaled up again and becomes revision 3.
k rollout undo deployment/web
k rollout status deployment/web --timeout=120s
web_page gantry/web:v1
k rollout history deployment/web

# Scaling goes through the scale subresource. Applying the file again sets replicas back to
# what the file says (kubectl's three-way merge sets every field the file names).
k scale deployment web --replicas=3
k rollout status deployment/web --timeout=120s
k get deployment web -o jsonpath='{.metadata.name}: {.status.readyReplicas}/{.spec.replicas} ready, generation {.metadata.generation}{"\n"}'
k apply -f manifests/examples/web.yaml
k rollout status deployment/web --timeout=120s
k get deployment web

# Real containers on this machine, from the busybox image in the cluster's registry.
k apply -f manifests/examples/busybox-pods.yaml
wait_phase hello 'Succeeded' 120
k logs hello
wait_phase shell 'Running' 120
k exec shell -- sh -c 'echo "inside $(hostname): $(id -un), $(ls / | wc -l) entries in /"'
k get pods -o wide

# What users type first. kubectl 1.32+ sends these bodies as protobuf.
k create namespace demo
k -n demo create configmap settings --from-literal=color=blue
k -n demo run web --image=gantry/web:v1 --port=8080 --labels=app=web
wait_phase web 'Running' 120 demo
k -n demo expose pod web --port=80 --target-port=8080
k -n demo get pods,services,configmaps -o wide
k auth can-i create pods -n demo

# port-forward: a local port on this machine to the pod's port 8080, inside its network namespace.
forward_log=$(mktemp)
echo "+ kubectl -n demo port-forward pod/web :8080"
kubectl --cache-dir "$cache" -n demo port-forward pod/web :8080 >"$forward_log" 2>&1 &
forward_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$forward_log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$forward_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  kill "$forward_pid" 2>/dev/null || true
  echo "port-forward did not start:" >&2; cat "$forward_log" >&2; exit 1
fi
echo "+ busybox wget -qO- http://127.0.0.1:$port/"
busybox wget -qO- "http://127.0.0.1:$port/"
kill "$forward_pid"; wait "$forward_pid" 2>/dev/null || true
rm -f "$forward_log"
echo
echo "The cluster keeps running. Try: export KUBECONFIG=$KUBECONFIG; kubectl get all; kubectl exec -it shell -- sh"
echo "Stop it and remove its state (containers included) with: npx gantry down"
