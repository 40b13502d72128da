#!/usr/bin/env bash
# MariaDB replication for the lab (guide §5.8.1): a primary on 127.0.7.1:3306 and a replica on
# 127.0.7.2:3306 that replicates from it, both Debian's mariadb-server, data under
# $LAB_STATE/mariadb. Usage: mariadb.sh up | down | status | break | mend
#   break: stop the replica's SQL thread after a failing statement (Slave_SQL_Running: No)
#   mend:  remove the replica's conflicting row and start the replica again (the primary's row
#          then applies: nothing is skipped, so a restart later does not meet it again).
# It stops only the processes whose pid files it wrote. Loopback only.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${LAB_STATE:-$LAB_DIR/state}/mariadb
PRIMARY=127.0.7.1
REPLICA=127.0.7.2
PORT=3306

log() { printf '[mariadb] %s\n' "$*" >&2; }
die() { printf '[mariadb] FAILED: %s\n' "$*" >&2; exit 1; }

install() {
  command -v mariadbd >/dev/null && command -v mysql >/dev/null && return 0
  log "installing mariadb-server (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >/dev/null
}

cli() { # cli NAME SQL…
  mysql --no-defaults -S "$STATE/$1/sock" -u root -e "$2"
}

start_one() { # start_one NAME ADDR SERVER_ID
  local name=$1 addr=$2 id=$3 dir=$STATE/$1
  if [[ -f $dir/pid ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then return 0; fi
  mkdir -p "$dir/data" "$dir/log"
  if [[ ! -d $dir/data/mysql ]]; then
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 ||
      { tail -n 20 "$dir/install.log" >&2; die "mariadb-install-db $name"; }
  fi
  # The daemon must not inherit the caller's descriptors: under `flock LOCK go test` it would
  # hold the shared test lock for as long as it runs.
  (
    for fd in $(ls /proc/$BASHPID/fd); do
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    exec setsid mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
      --bind-address="$addr" --port=$PORT --server-id="$id" --log-bin="$dir/log/mysql-bin" \
      --relay-log="$dir/log/relaylog" --skip-name-resolve --innodb-buffer-pool-size=16M \
      --performance-schema=OFF >>"$dir/mariadbd.log" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 60); do
    cli "$name" 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 25 "$dir/mariadbd.log" >&2
  die "$name did not start"
}

up() {
  install
  ip addr show dev lo | grep -q "$PRIMARY/" || ip addr add "$PRIMARY/32" dev lo
  ip addr show dev lo | grep -q "$REPLICA/" || ip addr add "$REPLICA/32" dev lo
  start_one primary "$PRIMARY" 1
  start_one replica "$REPLICA" 2
  cli primary "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
    CREATE USER IF NOT EXISTS 'monitor'@'%'; GRANT REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'monitor'@'%';
    CREATE DATABASE IF NOT EXISTS lab; CREATE TABLE IF NOT EXISTS lab.t (id INT PRIMARY KEY)"
  cli replica "CREATE USER IF NOT EXISTS 'monitor'@'%'; GRANT REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'monitor'@'%'"
  if ! cli replica 'SHOW SLAVE STATUS\G' | grep -q "Master_Host: $PRIMARY"; then
    cli replica "CHANGE MASTER TO MASTER_HOST='$PRIMARY', MASTER_PORT=$PORT, MASTER_USER='repl', MASTER_PASSWORD='repl',
      MASTER_USE_GTID=slave_pos; START SLAVE"
  elif ! cli replica 'SHOW SLAVE STATUS\G' | grep -q 'Slave_IO_Running: Yes' ||
    ! cli replica 'SHOW SLAVE STATUS\G' | grep -q 'Slave_SQL_Running: Yes'; then
    mend # reconnect now, not after Connect_Retry (60 s); a row left by break is removed
  fi
  for _ in $(seq 1 40); do
    cli replica 'SHOW SLAVE STATUS\G' | grep -q 'Slave_SQL_Running: Yes' &&
      cli replica 'SHOW SLAVE STATUS\G' | grep -q 'Slave_IO_Running: Yes' && { log "replica running"; return 0; }
    sleep 0.5
  done
  cli replica 'SHOW SLAVE STATUS\G' >&2
  die "replication did not start"
}

down() {
  for name in replica primary; do
    local f=$STATE/$name/pid
    if [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null; then
      local pid
      pid=$(cat "$f")
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
  done
  ip addr show dev lo | grep -q "$PRIMARY/" && ip addr del "$PRIMARY/32" dev lo || true
  ip addr show dev lo | grep -q "$REPLICA/" && ip addr del "$REPLICA/32" dev lo || true
}

# break: a row only on the replica, then the same row from the primary: duplicate key, the SQL
# thread stops (Slave_SQL_Running: No, Seconds_Behind_Master: NULL).
brk() {
  local id=$((RANDOM + 100000))
  echo "$id" >"$STATE/broken-id"
  cli replica "SET SESSION sql_log_bin=0; INSERT INTO lab.t VALUES ($id)"
  cli primary "INSERT INTO lab.t VALUES ($id)"
  for _ in $(seq 1 40); do
    cli replica 'SHOW SLAVE STATUS\G' | grep -q 'Slave_SQL_Running: No' && return 0
    sleep 0.25
  done
  die "the replica did not stop"
}

mend() {
  local id
  id=$(cat "$STATE/broken-id" 2>/dev/null || true)
  # Older runs skipped the event instead: a row the replica holds that the primary does not is
  # the conflict, whatever its id.
  cli replica "STOP SLAVE"
  if [[ -n $id ]]; then
    cli replica "SET SESSION sql_log_bin=0; DELETE FROM lab.t WHERE id=$id"
  else
    for dup in $(cli replica 'SHOW SLAVE STATUS\G' | sed -n "s/.*Duplicate entry '\([0-9]*\)'.*/\1/p"); do
      cli replica "SET SESSION sql_log_bin=0; DELETE FROM lab.t WHERE id=$dup"
    done
  fi
  rm -f "$STATE/broken-id"
  cli replica "START SLAVE"
}

status() {
  for name in primary replica; do
    if cli "$name" 'SELECT 1' >/dev/null 2>&1; then echo "$name ok"; else echo "$name DOWN"; return 1; fi
  done
}

case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
break) brk ;;
mend) mend ;;
*) echo "usage: $0 up|down|status|break|mend" >&2; exit 2 ;;
esac
