#!/usr/bin/env bash
# A local Redis Cluster for development: three masters, no replicas, no persistence.
#
#   scripts/redis-cluster.sh start  [base-port]   # ports base..base+2 (default 7000), bus ports base+10000..
#   scripts/redis-cluster.sh status [base-port]
#   scripts/redis-cluster.sh stop   [base-port]
#
# `start` is idempotent: a cluster already up on those ports is left as it is. Either way it prints the
# REDIS_CLUSTER_NODES value to use, e.g.
#   export REDIS_CLUSTER_NODES=$(scripts/redis-cluster.sh start | tail -n 1)
# Files (nodes.conf, logs, pids) live in .data/redis-cluster/<port>/ at the repository root.
set -euo pipefail

cmd=${1:-}
base=${2:-7000}
host=127.0.0.1
masters=3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$root/.data/redis-cluster"

usage() {
  echo "usage: $0 start|stop|status [base-port]   (default base port 7000; uses base..base+$((masters - 1)) and +10000 for the cluster bus)" >&2
  exit 2
}

[[ "$base" =~ ^[0-9]+$ ]] && ((base >= 1024 && base + masters - 1 + 10000 <= 65535)) || {
  echo "redis-cluster: base port must be a number from 1024 to $((65535 - 10000 - masters + 1)), got '$base'" >&2
  exit 2
}
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
  echo "redis-cluster: redis-server and redis-cli must be on PATH (Debian: apt-get install redis-server)" >&2
  exit 1
}

ports=()
for ((i = 0; i < masters; i++)); do ports+=($((base + i))); done
nodes=$(printf "$host:%s," "${ports[@]}")
nodes=${nodes%,}

listening() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }
ours() { # the pid file names a live redis-server that answers on the port
  local pidfile="$data/$1/redis.pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && [[ "$(redis-cli -h $host -p "$1" ping 2>/dev/null)" == PONG ]]
}
cluster_info() { redis-cli -h $host -p "$1" cluster info 2>/dev/null | tr -d '\r'; }
cluster_ok() {
  local p
  for p in "${ports[@]}"; do
    local info
    info=$(cluster_info "$p")
    grep -q '^cluster_state:ok' <<<"$info" && grep -q "^cluster_known_nodes:$masters\$" <<<"$info" || return 1
  done
}
slots_assigned() { cluster_info "$1" | sed -n 's/^cluster_slots_assigned://p'; }

start() {
  local p
  for p in "${ports[@]}"; do
    if ours "$p"; then continue; fi
    if listening "$p" || listening $((p + 10000)); then
      echo "redis-cluster: port $p or $((p + 10000)) is taken by something else; pick another base port: $0 start <base-port>" >&2
      exit 1
    fi
    mkdir -p "$data/$p"
    # A node that crashed keeps its nodes.conf, so it rejoins the cluster with its slots.
    redis-server --port "$p" --bind $host --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 2000 --save "" --appendonly no --dir "$data/$p" \
      --daemonize yes --pidfile "$data/$p/redis.pid" --logfile "$data/$p/redis.log"
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 100); do
      [[ "$(redis-cli -h $host -p "$p" ping 2>/dev/null)" == PONG ]] && break
      sleep 0.1
    done
    [[ "$(redis-cli -h $host -p "$p" ping 2>/dev/null)" == PONG ]] || {
      echo "redis-cluster: redis-server on port $p did not start; see $data/$p/redis.log" >&2
      exit 1
    }
  done
  if ! cluster_ok; then
    local assigned=0
    for p in "${ports[@]}"; do assigned=$((assigned + $(slots_assigned "$p"))); done
    if ((assigned == 0)); then
      local addrs=()
      for p in "${ports[@]}"; do addrs+=("$host:$p"); done
      redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$data/create.log" 2>&1 || {
        echo "redis-cluster: redis-cli --cluster create failed; see $data/create.log" >&2
        exit 1
      }
    fi
    for _ in $(seq 1 150); do
      cluster_ok && break
      sleep 0.1
    done
    cluster_ok || {
      echo "redis-cluster: the nodes on ${ports[*]} did not reach cluster_state:ok (a half-made cluster? run '$0 stop $base' and start again)" >&2
      exit 1
    }
  fi
  echo "redis-cluster: up on ${ports[*]} (cluster_state:ok). REDIS_CLUSTER_NODES is:" >&2
  echo "$nodes"
}

stop() {
  local p
  for p in "${ports[@]}"; do
    local pidfile="$data/$p/redis.pid"
    if ours "$p"; then
      local pid
      pid=$(cat "$pidfile")
      redis-cli -h $host -p "$p" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "redis-cluster: stopped $p" >&2
    else
      echo "redis-cluster: $p was not running (or not started by this script)" >&2
    fi
    rm -rf "${data:?}/$p"
  done
  rm -f "$data/create.log"
}

status() {
  local p up=0
  for p in "${ports[@]}"; do
    if ours "$p"; then
      up=$((up + 1))
      echo "$host:$p up, $(cluster_info "$p" | grep -E '^cluster_state:' || echo 'cluster_state:unknown')"
    else
      echo "$host:$p down"
    fi
  done
  if ((up == masters)) && cluster_ok; then
    echo "REDIS_CLUSTER_NODES=$nodes"
    return 0
  fi
  return 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
