#!/usr/bin/env bash
# The lab: real etcd, kube-apiserver, OpenSSH sshd, supervisord + bind9 and chrony on loopback
# addresses only (127.0.0.0/8). Usage: lab.sh install | up | down | status
# Every file it makes lives under $LAB_STATE (default testdata/lab/state, gitignored); it stops
# only the processes whose pid files it wrote and removes only the loopback aliases it added.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${LAB_STATE:-$LAB_DIR/state}
K8S_VERSION=v1.37.2
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/opsdeck-lab
APISERVER_BIN=$CACHE/kube-apiserver-$K8S_VERSION
LAB_USER=opslab
PACKAGES=(etcd-server etcd-client openssh-server bind9 bind9-dnsutils supervisor chrony ntpsec-ntpdate openssl iproute2)

# Addresses (see README.md).
ETCD_ADDR=127.0.3.1
API_ADDR=127.0.3.1
DNS_MASTER=127.0.2.1
DNS_SLAVE=127.0.2.2
MASTER_VIP=127.0.2.100
NTP_SERVER=127.0.4.1
NTP_DEAD=127.0.4.2
NTP_CMD=127.0.4.3
ALIASES=("$DNS_MASTER" "$DNS_SLAVE")
# name:address:roles — bastion is the ProxyJump host.
HOSTS=(bastion:127.0.1.1:bastion ops1:127.0.1.2:ops,adns ops2:127.0.1.3:ops,adns master1:127.0.1.4:master,node
  node1:127.0.1.5:node node2:127.0.1.6:node node3:127.0.1.7:node)
# LAB_EXTRA_HOSTS=N adds benchNNN hosts on 127.0.6.1… for benchmarks (up to 250).
for ((i = 1; i <= ${LAB_EXTRA_HOSTS:-0} && i <= 250; i++)); do
  HOSTS+=("$(printf 'bench%03d:127.0.6.%d:node' "$i" "$i")")
done

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] FAILED: %s\n' "$*" >&2; exit 1; }

# fail_with COMPONENT LOGFILE: name the component and show the tail of its log.
fail_with() {
  printf '[lab] FAILED: %s did not become healthy; last lines of %s:\n' "$1" "$2" >&2
  tail -n 25 "$2" >&2 2>/dev/null || true
  exit 1
}

# start NAME LOG CMD...: run CMD in the background, recording its pid under $STATE/pids.
start() {
  local name=$1 logf=$2; shift 2
  if running "$name"; then return 0; fi
  mkdir -p "$STATE/pids" "$(dirname "$logf")"
  setsid "$@" >>"$logf" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$name.pid"
}

running() {
  local f=$STATE/pids/$1.pid
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

stop() {
  local f=$STATE/pids/$1.pid
  [[ -f $f ]] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# wait_for TIMEOUT_S COMPONENT LOG PIDNAME CMD...: poll CMD until it succeeds; give up at once
# if the process PIDNAME (one started by `start`; - for none) has died.
wait_for() {
  local t=$1 comp=$2 logf=$3 pidname=$4; shift 4
  for _ in $(seq $((t * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ $pidname != - ]] && ! running "$pidname"; then fail_with "$comp (exited)" "$logf"; fi
    sleep 0.2
  done
  fail_with "$comp" "$logf"
}

source "$LAB_DIR/parts/install.sh"
source "$LAB_DIR/parts/pki.sh"
source "$LAB_DIR/parts/kube.sh"
source "$LAB_DIR/parts/hosts.sh"
source "$LAB_DIR/parts/adns.sh"
source "$LAB_DIR/parts/ntp.sh"

up() {
  mkdir -p "$STATE"
  chmod 755 "$STATE"
  install_check
  pki_up
  etcd_up
  apiserver_up
  hosts_up
  adns_up
  ntp_up
  seed_up
  write_env
  log "lab is up: $(status_line)"
}

down() {
  ntp_down
  adns_down
  hosts_down
  apiserver_down
  etcd_down
  for a in "${ALIASES[@]}"; do
    if [[ -f $STATE/aliases/$a ]]; then ip addr del "$a/32" dev lo 2>/dev/null || true; rm -f "$STATE/aliases/$a"; fi
  done
  log "lab is down"
}

status_line() { echo "state in $STATE"; }

status() {
  local rc=0
  # probe COMPONENT ADDRESS CMD...: one row; rc (status's local, seen here by bash's dynamic
  # scoping) turns 1 when anything is down.
  probe() {
    local comp=$1 addr=$2 health=healthy; shift 2
    if ! "$@" >/dev/null 2>&1; then health=DOWN; rc=1; fi
    printf '%-16s %-26s %s\n' "$comp" "$addr" "$health"
  }
  printf '%-16s %-26s %s\n' COMPONENT ADDRESS HEALTH
  probe etcd "$ETCD_ADDR:2379" etcdctl --endpoints "http://$ETCD_ADDR:2379" endpoint health
  probe kube-apiserver "$API_ADDR:6443" bash -c "curl -fsS --cacert '$STATE/pki/ca.crt' -H \"Authorization: Bearer \$(cut -d, -f1 '$STATE/kube/tokens.csv' | head -n1)\" https://$API_ADDR:6443/readyz"
  for h in "${HOSTS[@]}"; do
    IFS=: read -r name addr _ <<<"$h"
    probe "sshd $name" "$addr:22" bash -c "exec 3<>/dev/tcp/$addr/22 && head -c 4 <&3 | grep -q SSH"
  done
  probe "named master" "$DNS_MASTER:53" bash -c "dig +time=1 +tries=1 @$DNS_MASTER lab.example SOA +short | grep -q ns1"
  probe "named slave" "$DNS_SLAVE:53" bash -c "dig +time=1 +tries=1 @$DNS_SLAVE www.lab.example A +short | grep -q 10.10.0.80"
  probe "supervisord" "adns-master, adns-slave" bash -c "supervisorctl -c '$STATE/adns/master/supervisord.conf' pid && supervisorctl -c '$STATE/adns/slave/supervisord.conf' pid"
  probe dnsmng "$MASTER_VIP:80" curl -fsS "http://$MASTER_VIP/ha/hastate"
  probe "chronyd server" "$NTP_SERVER:123" running chronyd-server
  probe "chronyd client" "$NTP_CMD:10323" chronyc -h "$NTP_CMD" -p 10323 -n tracking
  return $rc
}

write_env() {
  cat > "$STATE/env" <<ENV
LAB_STATE=$STATE
LAB_KUBECONFIG=$STATE/kube/admin.kubeconfig
LAB_VIEWER_KUBECONFIG=$STATE/kube/viewer.kubeconfig
LAB_SITE=$STATE/site.yaml
ENV
}

case "${1:-}" in
  install) install_packages ;;
  up) up ;;
  down) down ;;
  status) status ;;
  clean) down; rm -rf "$STATE"; log "removed $STATE" ;;
  apiserver) # take the Kubernetes API away (stop) and bring it back (start)
    case "${2:-}" in
      stop) stop kube-apiserver ;;
      start) apiserver_up ;;
      *) echo "usage: $0 apiserver stop|start" >&2; exit 2 ;;
    esac ;;
  ntp-server) # make the NTP source unreachable (stop) or reachable again (start)
    case "${2:-}" in
      stop) stop chronyd-server ;;
      start) start chronyd-server "$STATE/logs/chronyd-server.log" chronyd -d -x -u root -f "$STATE/ntp/server.conf" ;;
      *) echo "usage: $0 ntp-server stop|start" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 install|up|down|status|clean|ntp-server stop|start" >&2; exit 2 ;;
esac
