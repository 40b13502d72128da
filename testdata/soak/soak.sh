#!/usr/bin/env bash
# Soak: `opsdeck watch` on the lab in a real terminal (tmux) for SOAK_DURATION while faults are
# injected in turn; everything is asserted from outside the process. `make soak` (not in `make
# test`). Needs the lab up (testdata/lab/lab.sh up) and tmux.
#
#   SOAK_DURATION=20m (default)   total time; each fault gets an equal slot (at least 2 intervals)
#   SOAK_OUT=/tmp/opsdeck-soak-…  samples.tsv (every 0.5 s), timeline.tsv, screens/, summary.txt
#   SOAK_RSS_MAX_MB=300           bound on the process's RSS
#
# Asserted: the screen's clock keeps advancing (no frame older than 2 s); each fault shows on
# the screen within one check interval (+ the check timeout) and clears after recovery (same
# bound); RSS stays under SOAK_RSS_MAX_MB; goroutines at the end (SIGQUIT dump) under 2000.
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
"$LAB/lab.sh" status >/dev/null || { echo "soak: the lab is not (fully) up: testdata/lab/lab.sh up" >&2; "$LAB/lab.sh" status >&2 || true; exit 2; }

mkdir -p "$OUT/screens"
FAILURES=()
go build -o "$OUT/opsdeck" "$ROOT/cmd/opsdeck"
tmux new-session -d -s "$SESSION" -x 180 -y 50 "exec '$OUT/opsdeck' watch --site '$SITE' 2>'$OUT/stderr'"
PID=$(tmux display -p -t "$SESSION" '#{pane_pid}')
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; kill "${SAMPLER:-0}" 2>/dev/null || true' EXIT
log "watch pid $PID, duration $DURATION, out $OUT"

# The sampler: every 0.5 s the screen as a terminal shows it, the clock's lag, RSS and threads.
sampler() {
  printf 'unix\tclock_lag_s\trss_kb\tthreads\n' > "$OUT/samples.tsv"
  while kill -0 "$PID" 2>/dev/null; do
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
}
sampler &
SAMPLER=$!

# shows TARGET CHECK: a CRIT/UNKNOWN row of the screen names TARGET and CHECK (or a fold of checks).
shows() { grep -E 'CRIT|UNKNOWN' "$OUT/screen.now" 2>/dev/null | grep -E "(^|[^[:alnum:]-])$1([^[:alnum:]-]|$)" | grep -qE "$2|[0-9]+ checks"; }

clears() { ! shows "$@"; }

# await SECONDS CMD…: poll CMD every 0.5 s for at most SECONDS; print how long it took, or fail.
await() {
  local limit=$1 start; shift; start=$(date +%s.%N)
  until "$@"; do
    (($(date +%s) - ${start%.*} <= limit)) || return 1
    sleep 0.5
  done
  printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)"
}

pidof_lab() { cat "$STATE/pids/$1.pid"; }
sshd_restart() { # the command lab.sh's hosts part starts it with
  setsid /usr/sbin/sshd -D -e -f "$STATE/ssh/$1/sshd_config" >>"$STATE/logs/sshd-$1.log" 2>&1 </dev/null &
  echo $! > "$STATE/pids/sshd-$1.pid"
}
MASTER_SUP=$STATE/adns/master/supervisord.conf

# name | target | check regex | inject | recover
FAULTS=(
  "apiserver stopped|lab|kube\\.api|$LAB/lab.sh apiserver stop|$LAB/lab.sh apiserver start"
  "sshd killed on node2|node2|host\\.reachable|kill \$(pidof_lab sshd-node2)|sshd_restart node2"
  "node1 blackholed (sshd frozen: accepts TCP, never answers)|node1|host\\.reachable|kill -STOP \$(pidof_lab sshd-node1)|kill -CONT \$(pidof_lab sshd-node1)"
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
  t0=$(date +%s)
  eval "$inject"
  if ! shown=$(await "$SHOW_WITHIN" shows "$target" "$check"); then
    shown=-; fail "$name: not on the screen within ${SHOW_WITHIN}s"
  fi
  cp "$OUT/screen.now" "$OUT/screens/$tag-fault.txt"
  sleep $((t0 + SLOT / 2 - $(date +%s) > 0 ? t0 + SLOT / 2 - $(date +%s) : 0))
  log "recover: $name"
  eval "$recover"
  if ! cleared=$(await "$((SHOW_WITHIN + 30))" clears "$target" "$check"); then
    cleared=-; fail "$name: still on the screen $((SHOW_WITHIN + 30))s after recovery"
    cp "$OUT/screen.now" "$OUT/screens/$tag-stuck.txt"
  fi
  printf '%s\t%s\t%s\n' "$name" "$shown" "$cleared" >> "$OUT/faults.tsv"
  log "$name: shown after ${shown}s, cleared after ${cleared}s"
  sleep $((t0 + SLOT - $(date +%s) > 0 ? t0 + SLOT - $(date +%s) : 0))
done

# Goroutines from outside: SIGQUIT makes the Go runtime dump every goroutine and exit.
kill -QUIT "$PID" 2>/dev/null || true
sleep 2
kill "$SAMPLER" 2>/dev/null || true
GOROUTINES=$(grep -c '^goroutine ' "$OUT/stderr" || true)

read -r MAXLAG MAXRSS MAXTHR FIRSTRSS LASTRSS N < <(awk -F'\t' 'NR>1 && $2>=0 {if ($2>l) l=$2; if ($3>r) r=$3; if ($4>t) t=$4; if (!f) f=$3; last=$3; n++} END {print l+0, r+0, t+0, f+0, last+0, n+0}' "$OUT/samples.tsv")
NOCLOCK=$(awk -F'\t' 'NR>1 && $2<0' "$OUT/samples.tsv" | wc -l)
((MAXLAG <= 2)) || fail "a frame was ${MAXLAG}s old (bound 2 s)"
((NOCLOCK <= 4)) || fail "$NOCLOCK samples had no clock on the screen"
((MAXRSS / 1024 < RSS_MAX_MB)) || fail "RSS reached $((MAXRSS / 1024)) MiB (bound $RSS_MAX_MB)"
((GOROUTINES > 0 && GOROUTINES < 2000)) || fail "goroutines at the end: $GOROUTINES"

{
  echo "duration $DURATION, $N samples, clock lag max ${MAXLAG}s, samples without a clock $NOCLOCK"
  echo "RSS first $((FIRSTRSS / 1024)) MiB, max $((MAXRSS / 1024)) MiB, last $((LASTRSS / 1024)) MiB; threads max $MAXTHR; goroutines at the end $GOROUTINES"
  column -t -s$'\t' "$OUT/faults.tsv"
  printf 'failures: %d\n' "${#FAILURES[@]}"
  for x in "${FAILURES[@]}"; do echo "  $x"; done
} | tee "$OUT/summary.txt"
((${#FAILURES[@]} == 0))
