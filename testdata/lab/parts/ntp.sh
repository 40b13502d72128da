# ntp: a chronyd serving time on $NTP_SERVER without touching the clock (-x), and a client
# chronyd using it plus a dead source ($NTP_DEAD, nothing listens); hosts' chronyc reach the
# client over its UDP command port (read-only monitoring commands need no privilege).

ntp_up() {
  local d=$STATE/ntp
  mkdir -p "$d/client"
  chmod 700 "$d/client"
  cat > "$d/server.conf" <<CONF
local stratum 8
allow 127.0.0.0/8
bindaddress $NTP_SERVER
port 123
cmdport 0
pidfile $d/server.pid
driftfile $d/server.drift
CONF
  cat > "$d/client.conf" <<CONF
server $NTP_SERVER iburst minpoll 0 maxpoll 2
server $NTP_DEAD iburst minpoll 0 maxpoll 2
port 0
bindcmdaddress $NTP_CMD
cmdport 10323
cmdallow 127.0.0.0/8
bindcmdaddress $d/client/chronyd.sock
pidfile $d/client.pid
driftfile $d/client.drift
CONF
  start chronyd-server "$STATE/logs/chronyd-server.log" chronyd -d -x -u root -f "$d/server.conf"
  start chronyd-client "$STATE/logs/chronyd-client.log" chronyd -d -x -u root -f "$d/client.conf"
  wait_for 30 "chronyd client" "$STATE/logs/chronyd-client.log" chronyd-client bash -c "chronyc -h $NTP_CMD -p 10323 -n -c sources | grep -q '^\\^,\\*,$NTP_SERVER'"
}

ntp_down() {
  stop chronyd-client
  stop chronyd-server
}
