#!/usr/bin/env bash
# `npm run demo`: bring up a local cluster of three hosts (etcd, image registry, API server,
# scheduler, controller manager, cluster DNS, and three hosts in network namespaces joined by
# a VXLAN pod network, each with a node agent) and drive it with the real kubectl, down to
# containers: Deployments, Services by DNS name across hosts, NodePorts, redis replication.
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
  echo "pod $pod is ${phase:-unknown}, not $want; see: kubectl describe pod $pod, and $GANTRY_HOME/logs/nodeagent-*.log" >&2
  return 1
}

# The page the Service `web` answers with, asked by DNS name from the client pod (on another
# host than some of the web pods: the answer crosses the pod network), until it shows $1.
web_page() {
  local want=$1 page=""
  for _ in $(seq 1 30); do
    page=$(kubectl --cache-dir "$cache" exec client -- wget -qO- http://web/ 2>/dev/null || true)
    if [ "$page" = "$want" ]; then break; fi
    sleep 1
  done
  echo "+ kubectl exec client -- wget -qO- http://web/"
  echo "$page"
  [ "$page" = "$want" ]
}

k get namespaces
k get nodes -o wide

# A Deployment: three replicas of a small web server, pulled from the cluster's registry and
# run as real containers, spread over the hosts; the Service `web` in front of them gets a
# ClusterIP, the cluster DNS a name, and every host's service proxy the rules.
k apply -f manifests/examples/web.yaml
k get deployments,services,configmaps
k rollout status deployment/web --timeout=120s
k get deployment web
k get pods -l app=web -o wide
k get endpointslices -l kubernetes.io/service-name=web

# A client pod on the first host asks the Service by its DNS name.
first_host=$(kubectl --cache-dir "$cache" get nodes -o jsonpath='{.items[0].metadata.name}')
k run client --image=busybox --restart=Never --overrides="{\"spec\":{\"nodeName\":\"$first_host\"}}" -- sleep 3600
wait_phase client 'Running' 120
k exec client -- nslookup web.default.svc.cluster.local 2>/dev/null | grep -A1 '^Name' || true
web_page 'gantry web v1'

# The NodePort answers on every host's address, from this machine.
node_port=$(kubectl --cache-dir "$cache" get service web-nodeport -o jsonpath='{.spec.ports[0].nodePort}')
for addr in $(kubectl --cache-dir "$cache" get nodes -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{" "}{end}'); do
  echo "+ busybox wget -qO- http://$addr:$node_port/"
  busybox wget -qO- "http://$addr:$node_port/"
done

# A rolling update: the Deployment controller starts a new ReplicaSet, one pod at a time
# (maxSurge 25%), and scales the old one down as new pods become available.
k explain deployment.spec.strategy | sed -n 1,8p
k set image deployment/web web=gantry/web:v2
k rollout status deployment/web --timeout=120s
k get replicasets -l app=web
web_page 'gantry web v2'
k rollout history deployment/web

# A rollback: the v1 ReplicaSet is scaled up again and becomes revision 3.
k rollout undo deployment/web
k rollout status deployment/web --timeout=120s
web_page 'gantry web v1'
k rollout history deployment/web

# Scaling goes through the scale subresource. Applying the file again sets replicas back to
# what the file says (kubectl's three-way merge sets every field the file names).
k scale deployment web --replicas=3
k rollout status deployment/web --timeout=120s
k get deployment web -o jsonpath='{.metadata.name}: {.status.readyReplicas}/{.spec.replicas} ready, generation {.metadata.generation}{"\n"}'
k apply -f manifests/examples/web.yaml
k rollout status deployment/web --timeout=120s
k get deployment web

# Redis: a primary and two replicas that find it by its Service's DNS name; a write on the
# primary is read back from a replica.
k apply -f manifests/examples/redis.yaml
k rollout status deployment/redis-primary --timeout=120s
k rollout status deployment/redis-replica --timeout=120s
k exec deploy/redis-primary -- redis-cli set greeting "hello from the primary"
k exec deploy/redis-replica -- redis-cli get greeting
k get pods -l app=redis -o wide

# Redis as a StatefulSet: redis-0..2 start in order, each with its own claim on the default
# local-path class (a directory on the host where the pod first runs); the replicas follow
# redis-0 by its stable name redis-0.redis.
k apply -f manifests/examples/redis-statefulset.yaml
k rollout status statefulset/redis --timeout=240s
k exec redis-0 -- redis-cli set greeting "hello from redis-0"
for _ in $(seq 1 60); do
  [ "$(kubectl --cache-dir "$cache" exec redis-2 -- redis-cli get greeting)" = "hello from redis-0" ] && break
  sleep 0.5
done
k exec redis-2 -- redis-cli get greeting
k get pods -l app=redis-sts -o wide
k get pvc,pv

# Real containers from the busybox image in the cluster's registry.
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
# A batch Job: its pod counts the primes below 2000 and exits 0; the Job controller marks the
# Job Complete (a failed pod would be retried with back-off, up to backoffLimit).
k apply -f manifests/examples/batch.yaml
k wait --for=condition=complete job/primes --timeout=180s
k logs job/primes --tail=1
k get jobs

# Gantry's own command reads the same kubeconfig and prints what kubectl prints.
echo "+ gantry get deployments,jobs -o wide"
node dist/cli/main.js get deployments,jobs -o wide

echo
echo "The cluster keeps running. Try: export KUBECONFIG=$KUBECONFIG; kubectl get all; kubectl exec -it shell -- sh"
echo "Stop it and remove its state (containers included) with: npx gantry down"
