#!/usr/bin/env bash
# Soak: `opsdeck watch` on the lab in a real terminal (tmux) for SOAK_DURATION while faults are
# injected in turn; everything is asserted from outside the process. `make soak` (not in `make
# test`). Needs the lab up (testdata/lab/lab.sh up) and tmux.
#
#   SOAK_DURATION=20m (default)   total time; each fault gets an equal slot (at least 2 intervals)
#   SOAK_OUT=/tmp/opsdeck-soak-…  samples.tsv (every 0.5 s), timeline.tsv, screens/, summary.txt
#   SOAK_RSS_MAX_MB=300           bound on the process's RSS
#
# The watch runs as a monitoring identity: a copy of the lab site file ($LAB_STATE/soak-site.yaml)
# with the view-only user "viewer" (kube/viewer.kubeconfig, business-viewer.kubeconfig; RBAC from
# the lab's seeder) and SSH keys from a lab ssh-agent (SSH_AUTH_SOCK=$SOCK, holding the lab key)
# instead of the key file.
#
# Asserted: the screen's clock keeps advancing (no frame older than 2 s); each fault shows on
# the screen within one check interval (+ the check timeout) and clears after recovery (same
# bound + 30 s); RSS stays under SOAK_RSS_MAX_MB; goroutines at the end (SIGQUIT dump) under
# 2000; the apiservers' audit logs show no mutating verb from the watch identity during the
# soak; every command the lab's sshds logged during the soak is an allowlisted probe
# (testdata/soak/sshcmds).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$ROOT/testdata/lab
STATE=${LAB_STATE:-$LAB/state}
SITE=$LAB/site.yaml
DURATION=${SOAK_DURATION:-20m}
OUT=${SOAK_OUT:-/tmp/opsdeck-soak-$(date -u +%Y%m%dT%H%M%SZ)}
RSS_MAX_MB=${SOAK_RSS_MAX_MB:-300}
INTERVAL=10 TIMEOUT=5 # the lab site's checks.interval and checks.timeout
SHOW_WITHIN=$((INTERVAL + TIMEOUT + 5)) # one round, its timeout, and the 5 s API ping
SESSION=opsdeck-soak-$$

log() { printf '[soak] %s %s\n' "$(date -u +%T)" "$*" | tee -a "$OUT/timeline.tsv" >&2; }
fail() { FAILURES+=("$*"); log "FAIL: $*"; }
seconds() { # 20m, 90s, 1h → seconds
  case $1 in *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}

command -v tmux >/dev/null || { apt-get install -y tmux >/dev/null 2>&1 || { echo "soak: tmux is needed" >&2; exit 2; }; }
command -v jq >/dev/null || { apt-get install -y jq >/dev/null 2>&1 || { echo "soak: jq is needed" >&2; exit 2; }; }
"$LAB/lab.sh" status >/dev/null || { echo "soak: the lab is not (fully) up: testdata/lab/lab.sh up" >&2; "$LAB/lab.sh" status >&2 || true; exit 2; }

mkdir -p "$OUT/screens"
FAILURES=()
(cd "$ROOT" && go build -o "$OUT/opsdeck" ./cmd/opsdeck && go build -o "$OUT/sshcmds" ./testdata/soak/sshcmds)

# The monitoring identity: the viewer's kubeconfigs, and the agent instead of the key file.
# The copy lives in the lab state, so the site file's state/… paths lose their prefix.
WATCH_SITE=$STATE/soak-site.yaml
sed -e 's#state/kube/admin\.kubeconfig#state/kube/viewer.kubeconfig#' \
  -e 's#state/kube/business-admin\.kubeconfig#state/kube/business-viewer.kubeconfig#' \
  -e 's|^\(  identity_files:\).*|\1 []                # keys from the ssh-agent (SSH_AUTH_SOCK)|' \
  -e 's#^\(  use_agent:\).*#\1 true#' -e 's#state/##g' "$SITE" > "$WATCH_SITE"
grep -q 'kube/viewer.kubeconfig' "$WATCH_SITE" && grep -q 'kube/business-viewer.kubeconfig' "$WATCH_SITE" \
  && grep -q 'use_agent: true' "$WATCH_SITE" || { echo "soak: the lab site file changed shape; cannot make $WATCH_SITE" >&2; exit 2; }

# The lab ssh-agent (restarted by a fault on the same socket path).
SOCK=$OUT/agent.sock
agent_start() {
  rm -f "$SOCK"
  setsid ssh-agent -D -a "$SOCK" >>"$OUT/agent.log" 2>&1 </dev/null &
  AGENT=$!
  for _ in $(seq 50); do [[ -S $SOCK ]] && break; sleep 0.1; done
  SSH_AUTH_SOCK=$SOCK ssh-add -q "$STATE/ssh/id_ed25519" 2>>"$OUT/agent.log"
}
agent_stop() { kill "$AGENT" 2>/dev/null || true; wait "$AGENT" 2>/dev/null || true; }
agent_start

# Where the outside assertions start reading: the SSH command log's size, the audit logs' time.
SSH_LOG=$STATE/logs/ssh-commands.log
SSH_LOG_FROM=$(stat -c %s "$SSH_LOG" 2>/dev/null || echo 0)
AUDIT_FROM=$(date -u +%Y-%m-%dT%H:%M:%S)

tmux new-session -d -s "$SESSION" -x 180 -y 50 "exec env SSH_AUTH_SOCK='$SOCK' '$OUT/opsdeck' watch --cycle 0 --site '$WATCH_SITE' 2>'$OUT/stderr'"
tmux set-option -w -t "$SESSION" remain-on-exit on # an exit's last words stay on the screen
PID=$(tmux display -p -t "$SESSION" '#{pane_pid}')
alive() { [[ $(tmux display -p -t "$SESSION" '#{pane_dead}' 2>/dev/null) == 0 ]]; }
# On any exit: undo the fault in progress (RECOVER), stop the watch, the sampler and the agent.
RECOVER=
trap 'if [[ -n $RECOVER ]]; then eval "$RECOVER" || true; fi; tmux kill-session -t "$SESSION" 2>/dev/null || true; kill "${SAMPLER:-0}" 2>/dev/null || true; agent_stop' EXIT
log "watch pid $PID as the monitoring identity ($WATCH_SITE, agent $SOCK), duration $DURATION, out $OUT"

# The sampler: every 0.5 s the screen as a terminal shows it, the clock's lag, RSS and threads.
sampler() {
  printf 'unix\tclock_lag_s\trss_kb\tthreads\n' > "$OUT/samples.tsv"
  while alive; do
    local screen now clock lag=-1 rss threads
    screen=$(tmux capture-pane -p -t "$SESSION" 2>/dev/null || true)
    printf '%s\n' "$screen" > "$OUT/screen.now"
    now=$(date +%s)
    clock=$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' <<<"$screen" | head -n1 || true)
    [[ -n $clock ]] && lag=$((now - $(date -d "$clock" +%s)))
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)
    threads=$(ls "/proc/$PID/task" 2>/dev/null | wc -l)
    printf '%s\t%s\t%s\t%s\n' "$now" "$lag" "$rss" "$threads" >> "$OUT/samples.tsv"
    sleep 0.5
  done
  tmux capture-pane -p -S -200 -t "$SESSION" > "$OUT/screens/exit.txt" 2>/dev/null || true
  echo "$(date -u +%T) watch exited: $(tmux display -p -t "$SESSION" '#{pane_dead_status}' 2>/dev/null)" >> "$OUT/exited"
}
sampler &
SAMPLER=$!

# shows TARGET CHECK: a CRIT/UNKNOWN row of the screen names TARGET and CHECK (or a fold of checks).
# The watch stays on its first pane (--cycle 0), the Alerts list with a CHECK column: a wall
# screen cycling to a pane without check names would read as "cleared".
shows() { grep -E 'CRIT|UNKNOWN' "$OUT/screen.now" 2>/dev/null | grep -E "(^|[^[:alnum:]-])$1([^[:alnum:]-]|$)" | grep -qE "$2|[0-9]+ checks"; }

clears() { ! shows "$@"; }

# await SINCE SECONDS CMD…: poll CMD every 0.5 s until SECONDS after SINCE (date +%s.%N); print
# how long after SINCE it held, or fail.
await() {
  local start=$1 limit=$2; shift 2
  until "$@"; do
    (($(date +%s) - ${start%.*} <= limit)) || return 1
    sleep 0.5
  done
  printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)"
}

pidof_lab() { cat "$STATE/pids/$1.pid"; }
# tree PID: PID and all its descendants.
tree() { local c; echo "$1"; for c in $(pgrep -P "$1" || true); do tree "$c"; done; }
# host_sshd_pids NAME: the host's listening sshd and every sshd-session under it (stopping the
# listener alone leaves open connections working; OpenSSH's per-connection processes are its
# children and grandchildren).
host_sshd_pids() { tree "$(pidof_lab "sshd-$1")"; }
sshd_restart() { # the command lab.sh's hosts part starts it with
  setsid /usr/sbin/sshd -D -e -f "$STATE/hosts/$1/sshd_config" >>"$STATE/logs/sshd-$1.log" 2>&1 </dev/null &
  echo $! > "$STATE/pids/sshd-$1.pid"
}
MASTER_SUP=$STATE/adns/master/supervisord.conf
# host_sessions NAME: the host's per-connection sshd processes, not its listener: killing them
# drops the pool's connections, which must then be dialled (and authenticated) again.
host_sessions() { local c; for c in $(pgrep -P "$(pidof_lab "sshd-$1")" || true); do tree "$c"; done; }
drop_sessions() { local p; p=$(all_sessions); [[ -z $p ]] || kill $p 2>/dev/null || true; }
all_sessions() { local d; for d in "$STATE"/pids/sshd-*.pid; do d=${d##*/sshd-}; host_sessions "${d%.pid}"; done; }
# rbac_pods remove|add: take the viewer's pods rule (the second rule of ClusterRole
# opsdeck-viewer, seeded by tools/cmd/seed) away, or put it back, with the admin token.
rbac_pods() {
  local patch
  case $1 in
    remove) patch='[{"op":"test","path":"/rules/1/resources","value":["pods"]},{"op":"remove","path":"/rules/1"}]' ;;
    add) patch='[{"op":"add","path":"/rules/1","value":{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]}}]' ;;
  esac
  curl -fsS -o /dev/null --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $(cut -d, -f1 "$STATE/kube/tokens.csv" | head -n1)" \
    -X PATCH -H 'Content-Type: application/json-patch+json' --data "$patch" \
    https://127.0.3.1:6443/apis/rbac.authorization.k8s.io/v1/clusterroles/opsdeck-viewer
}

# name | target | check regex | inject | recover
FAULTS=(
  "list on pods revoked by RBAC (the viewer's pods rule removed)|lab/pods|watch of pods|rbac_pods remove|rbac_pods add"
  "ssh-agent restarted (killed, every SSH connection dropped; a new agent on the same socket)|node1|host\\.reachable|agent_stop; drop_sessions|agent_start"
  "apiserver stopped|lab|kube\\.api|$LAB/lab.sh apiserver stop|$LAB/lab.sh apiserver start"
  "sshd killed on node2|node2|host\\.reachable|kill \$(host_sshd_pids node2)|sshd_restart node2"
  "node1 blackholed (sshd frozen: accepts TCP, never answers)|node1|host\\.reachable|FROZEN=\$(host_sshd_pids node1); kill -STOP \$FROZEN|kill -CONT \$FROZEN"
  "bind stopped through supervisorctl|ops1|adns\\.processes|supervisorctl -c $MASTER_SUP stop bind|supervisorctl -c $MASTER_SUP start bind"
  "etcd frozen|master1|etcd\\.health|kill -STOP \$(pidof_lab etcd)|kill -CONT \$(pidof_lab etcd)"
)
TOTAL=$(seconds "$DURATION")
SLOT=$(( TOTAL / (${#FAULTS[@]} + 1) ))
((SLOT >= 2 * SHOW_WITHIN)) || { SLOT=$((2 * SHOW_WITHIN)); log "slots raised to ${SLOT}s (two show-within bounds)"; }

log "baseline for ${SLOT}s"
sleep "$SLOT"
cp "$OUT/screen.now" "$OUT/screens/baseline.txt"
printf 'fault\tshown_after_s\tcleared_after_s\n' > "$OUT/faults.tsv"
for f in "${FAULTS[@]}"; do
  IFS='|' read -r name target check inject recover <<<"$f"
  if shows "$target" "$check"; then log "skip $name: $target $check is already not ok"; continue; fi
  tag=$(tr -c '[:alnum:]\n' - <<<"${name%% (*}")
  log "inject: $name"
  t0=$(date +%s) t0n=$(date +%s.%N)
  RECOVER=$recover
  eval "$inject"
  if ! shown=$(await "$t0n" "$SHOW_WITHIN" shows "$target" "$check"); then
    shown=-; fail "$name: not on the screen within ${SHOW_WITHIN}s"
  fi
  cp "$OUT/screen.now" "$OUT/screens/$tag-fault.txt"
  sleep $((t0 + SLOT / 2 - $(date +%s) > 0 ? t0 + SLOT / 2 - $(date +%s) : 0))
  still=no; shows "$target" "$check" && still=yes
  log "recover: $name (still shown: $still)"
  t1n=$(date +%s.%N)
  eval "$recover"
  RECOVER=
  if ! cleared=$(await "$t1n" "$((SHOW_WITHIN + 30))" clears "$target" "$check"); then
    cleared=-; fail "$name: still on the screen $((SHOW_WITHIN + 30))s after recovery"
    cp "$OUT/screen.now" "$OUT/screens/$tag-stuck.txt"
  fi
  printf '%s\t%s\t%s\n' "$name" "$shown" "$cleared" >> "$OUT/faults.tsv"
  log "$name: shown after ${shown}s, cleared after ${cleared}s"
  sleep $((t0 + SLOT - $(date +%s) > 0 ? t0 + SLOT - $(date +%s) : 0))
done

[[ -s $OUT/exited ]] && fail "the watch exited during the soak: $(cat "$OUT/exited") (last screen: screens/exit.txt)"
# Goroutines from outside: SIGQUIT makes the Go runtime dump every goroutine and exit.
kill -QUIT "$PID" 2>/dev/null || true
sleep 2
kill "$SAMPLER" 2>/dev/null || true
GOROUTINES=$(grep -c '^goroutine ' "$OUT/stderr" || true)

# The watch identity wrote nothing: the viewer's verbs in both apiservers' audit logs since the
# start (Metadata level, testdata/lab/parts/kube.sh), none of them mutating.
AUDIT_VERBS=$(cat "$STATE"/kube/audit-kube-apiserver*.log 2>/dev/null | jq -r --arg from "$AUDIT_FROM" \
  'select(.user.username == "viewer" and .stageTimestamp >= $from) | .verb' | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')
[[ -n $AUDIT_VERBS ]] || fail "the audit logs show no request from the watch identity (viewer) at all"
if grep -qwE 'create|update|patch|delete|deletecollection' <<<"$AUDIT_VERBS"; then
  fail "mutating verbs from the watch identity in the audit log: $AUDIT_VERBS"
fi
# Every command the lab's sshds ran during the soak is an allowlisted probe.
if ! SSH_CMDS=$("$OUT/sshcmds" -from "$SSH_LOG_FROM" "$SSH_LOG" 2>&1); then
  fail "SSH commands that are not probes (or an unreadable log): $(grep -v '^[0-9]* commands' <<<"$SSH_CMDS" | head -n 5)"
fi
SSH_CMDS=$(tail -n 1 <<<"$SSH_CMDS")
[[ $SSH_CMDS != 0\ commands* ]] || fail "the SSH command log holds no command from the soak"

read -r MAXLAG MAXRSS MAXTHR FIRSTRSS LASTRSS N < <(awk -F'\t' 'NR>1 && $2>=0 {if ($2>l) l=$2; if ($3>r) r=$3; if ($4>t) t=$4; if (!f) f=$3; last=$3; n++} END {print l+0, r+0, t+0, f+0, last+0, n+0}' "$OUT/samples.tsv")
NOCLOCK=$(awk -F'\t' 'NR>1 && $2<0' "$OUT/samples.tsv" | wc -l)
((MAXLAG <= 2)) || fail "a frame was ${MAXLAG}s old (bound 2 s)"
((NOCLOCK <= 4)) || fail "$NOCLOCK samples had no clock on the screen"
((MAXRSS / 1024 < RSS_MAX_MB)) || fail "RSS reached $((MAXRSS / 1024)) MiB (bound $RSS_MAX_MB)"
((GOROUTINES > 0 && GOROUTINES < 2000)) || fail "goroutines at the end: $GOROUTINES"

{
  echo "duration $DURATION, $N samples, clock lag max ${MAXLAG}s, samples without a clock $NOCLOCK"
  echo "RSS first $((FIRSTRSS / 1024)) MiB, max $((MAXRSS / 1024)) MiB, last $((LASTRSS / 1024)) MiB; threads max $MAXTHR; goroutines at the end $GOROUTINES"
  echo "audit (viewer's verbs): ${AUDIT_VERBS:-none}"
  echo "ssh commands: $SSH_CMDS"
  column -t -s$'\t' "$OUT/faults.tsv"
  printf 'failures: %d\n' "${#FAILURES[@]}"
  for x in "${FAILURES[@]}"; do echo "  $x"; done
} | tee "$OUT/summary.txt"
((${#FAILURES[@]} == 0))
