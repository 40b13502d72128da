# adns: two supervisord "containers" (adns-master on ops1, adns-slave on ops2) running real bind9
# (master → slave NOTIFY + zone transfer), dnsmng (GET /ha/hastate on the master VIP, port 80),
# and stand-ins for dnsagent and keepalived.

zone_file() {
  cat <<ZONE
\$TTL 300
@   IN SOA ns1.lab.example. hostmaster.lab.example. ( $1 60 60 86400 60 )
    IN NS  ns1.lab.example.
ns1 IN A   $DNS_MASTER
www IN A   10.10.0.80
iam IN A   10.10.0.81
api IN A   10.10.0.82
ZONE
}

supervisor_conf() { # supervisor_conf ROLE
  local role=$1 d=$STATE/adns/$1
  cat <<CONF
[unix_http_server]
file=$d/supervisor.sock
chmod=0777

[supervisord]
logfile=$d/supervisord.log
pidfile=$d/supervisord.pid
childlogdir=$d/logs
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$d/supervisor.sock

[program:bind]
command=/usr/sbin/named -g -c $d/named.conf -u root
startsecs=2
stdout_logfile=$d/logs/bind.log
redirect_stderr=true

[program:dnsagent]
command=$STATE/bin/standin -name dnsagent -log $d/logs/dnsagent_biz.log
stdout_logfile=$d/logs/dnsagent.out
redirect_stderr=true

[program:keepalived]
command=$STATE/bin/standin -name keepalived -log $d/logs/keepalived.log
stdout_logfile=$d/logs/keepalived.out
redirect_stderr=true
CONF
  if [[ $role == master ]]; then cat <<CONF

[program:dnsmng]
command=$STATE/bin/dnsmng -listen $MASTER_VIP:80 -active $DNS_MASTER -db-flag $d/db-unavailable -log $d/logs/adns_api.log
stdout_logfile=$d/logs/dnsmng.out
redirect_stderr=true
CONF
  fi
}

adns_up() {
  mkdir -p "$STATE/aliases"
  # The master VIP is where bind answers too (as keepalived's VIP would be on the active master).
  for a in "${ALIASES[@]}" "$MASTER_VIP"; do
    # named only listens on addresses assigned to an interface (LAB-NOTES.md).
    if ! ip -4 addr show dev lo | grep -q "inet $a/"; then
      ip addr add "$a/32" dev lo || die "cannot add $a to lo (need CAP_NET_ADMIN)"
      touch "$STATE/aliases/$a"
    fi
  done
  local m=$STATE/adns/master s=$STATE/adns/slave
  mkdir -p "$m/named" "$m/logs" "$s/named" "$s/logs"
  [[ -f $m/named/lab.example.zone ]] || zone_file 2026112501 > "$m/named/lab.example.zone"
  cat > "$m/named.conf" <<CONF
options {
  directory "$m/named";
  pid-file "$m/named.pid";
  session-keyfile "$m/session.key";
  listen-on port 53 { $DNS_MASTER; $MASTER_VIP; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify-source $DNS_MASTER;
  transfer-source $DNS_MASTER;
};
controls {};
zone "lab.example" {
  type primary;
  file "$m/named/lab.example.zone";
  allow-transfer { $DNS_SLAVE; };
  also-notify { $DNS_SLAVE; };
  notify explicit;
};
CONF
  cat > "$s/named.conf" <<CONF
options {
  directory "$s/named";
  pid-file "$s/named.pid";
  session-keyfile "$s/session.key";
  listen-on port 53 { $DNS_SLAVE; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  transfer-source $DNS_SLAVE;
  notify-source $DNS_SLAVE;
};
controls {};
zone "lab.example" {
  type secondary;
  primaries { $DNS_MASTER; };
  file "$s/named/lab.example.zone";
};
CONF
  supervisor_conf master > "$m/supervisord.conf"
  supervisor_conf slave > "$s/supervisord.conf"
  # The master first: a slave that starts with no zone asks the master at once, and only then.
  start supervisord-master "$STATE/logs/supervisord-master.log" supervisord -c "$m/supervisord.conf"
  wait_for 30 "named master" "$m/logs/bind.log" supervisord-master bash -c "dig +time=1 +tries=1 @$DNS_MASTER lab.example SOA +short | grep -q ns1"
  start supervisord-slave "$STATE/logs/supervisord-slave.log" supervisord -c "$s/supervisord.conf"
  wait_for 30 "named slave (zone transfer)" "$s/logs/bind.log" supervisord-slave bash -c "dig +time=1 +tries=1 @$DNS_SLAVE www.lab.example A +short | grep -q 10.10.0.80"
  wait_for 20 dnsmng "$m/logs/dnsmng.out" supervisord-master curl -fsS "http://$MASTER_VIP/ha/hastate"
  # keepalived's VIPs as each host's `ip` shim shows them: the master VIP on ops1, the slave's on ops2.
  [[ -f $STATE/hosts/ops1/vips ]] || echo "$MASTER_VIP" > "$STATE/hosts/ops1/vips"
  [[ -f $STATE/hosts/ops2/vips ]] || echo "$DNS_SLAVE" > "$STATE/hosts/ops2/vips"
}

adns_down() {
  stop supervisord-master
  stop supervisord-slave
  if [[ -f $STATE/aliases/$MASTER_VIP ]]; then ip addr del "$MASTER_VIP/32" dev lo 2>/dev/null || true; rm -f "$STATE/aliases/$MASTER_VIP"; fi
}
