# hosts: one OpenSSH sshd per simulated host on 127.0.1.N:22, key auth only, each with its own
# host key and PATH of shims (testdata/lab/shims) backed by per-host state files. Every command
# run over SSH is logged first (the lab user's login shell, login-shell.sh) to logs/ssh-commands.log.

host_dir() { echo "$STATE/hosts/$1"; }

hosts_up() {
  mkdir -p /run/sshd "$STATE/ssh"
  local ssh=$STATE/ssh
  [[ -f $ssh/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C opsdeck-lab -f "$ssh/id_ed25519"
  cp "$ssh/id_ed25519.pub" "$ssh/authorized_keys"
  chmod 644 "$ssh/authorized_keys"
  chmod 755 "$ssh"
  # Shims read the lab's addresses from here.
  cat > "$STATE/lab.env" <<ENV
LAB_STATE=$STATE
NTP_CMD=$NTP_CMD
ENV
  chmod 644 "$STATE/lab.env"
  # The lab user appends to the command log (login-shell.sh); it is kept across ups.
  mkdir -p "$STATE/logs"
  touch "$STATE/logs/ssh-commands.log"
  chown "$LAB_USER" "$STATE/logs/ssh-commands.log"
  chmod 644 "$STATE/logs/ssh-commands.log"
  : > "$ssh/known_hosts.new"
  for h in "${HOSTS[@]}"; do
    IFS=: read -r name addr roles <<<"$h"
    host_up "$name" "$addr" "$roles"
    printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$(host_dir "$name")/ssh_host_ed25519_key.pub")" >> "$ssh/known_hosts.new"
  done
  mv "$ssh/known_hosts.new" "$ssh/known_hosts"
  home_up
  for h in "${HOSTS[@]}"; do
    IFS=: read -r name addr _ <<<"$h"
    wait_for 20 "sshd $name" "$STATE/logs/sshd-$name.log" "sshd-$name" bash -c "exec 3<>/dev/tcp/$addr/22 && head -c 4 <&3 | grep -q SSH"
  done
}

host_up() {
  local name=$1 addr=$2 roles=$3 d
  d=$(host_dir "$name")
  mkdir -p "$d/bin" "$d/units" "$d/journal"
  [[ -f $d/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/ssh_host_ed25519_key"
  for s in "$LAB_DIR"/shims/*; do ln -sf "$s" "$d/bin/$(basename "$s")"; done
  echo "$roles" > "$d/roles"
  # Initial unit states; the scenario: node3's kubelet is inactive (rebooted, not started).
  if [[ ! -f $d/units/kubelet ]]; then
    case ",$roles," in
      *,node,*) if [[ $name == node3 ]]; then echo inactive; else echo active; fi > "$d/units/kubelet"
                echo active > "$d/units/containerd" ;;
    esac
    printf 'Nov 25 10:00:01 %s systemd[1]: Started kubelet: The Kubernetes Node Agent.\n' "$name" > "$d/journal/kubelet"
  fi
  # The masters' crontab holds §5.2's backup entry (read by the crontab shim).
  case ",$roles," in *,master,*) [[ -f $d/crontab ]] || echo '0 2 * * * sh /opt/etcd_back/etcd-backup.sh' > "$d/crontab" ;; esac
  case ",$roles," in *,adns,*) [[ $name == ops1 ]] && echo master > "$d/adns_role" || echo slave > "$d/adns_role" ;; esac
  chown -R "$LAB_USER" "$d/units" "$d/journal"
  chmod 755 "$d" "$d/bin"
  cat > "$d/sshd_config" <<CONF
ListenAddress $addr:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $STATE/ssh/authorized_keys
AllowUsers $LAB_USER
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowTcpForwarding yes
MaxSessions 10
MaxStartups 200:30:400
LogLevel ERROR
SetEnv PATH=$d/bin:/usr/local/bin:/usr/bin:/bin LAB_HOST=$name LAB_HOST_STATE=$d LAB_STATE=$STATE
CONF
  start "sshd-$name" "$STATE/logs/sshd-$name.log" /usr/sbin/sshd -D -e -f "$d/sshd_config"
}

hosts_down() {
  # Every sshd the lab started, including bench hosts of an earlier LAB_EXTRA_HOSTS run.
  local f
  for f in "$STATE"/pids/sshd-*.pid; do
    [[ -e $f ]] || continue
    f=${f##*/}
    stop "${f%.pid}"
  done
}

# home_up fills the lab user's home, which every lab host shares: the files site.yaml names by
# home-relative paths (a resolver, log directories, the etcd backup folder).
home_up() {
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  mkdir -p "$home/logs/sigma-slave" "$home/etcd_bk"
  printf 'search lab.example\nnameserver %s\n' "$DNS_SLAVE" > "$home/resolv.conf"
  [[ -f $home/logs/sigma-slave/KUBELET.INFO ]] || head -c 2000000 /dev/zero | tr '\0' 'x' | fold -w 120 > "$home/logs/sigma-slave/KUBELET.INFO"
  chown -R "$LAB_USER" "$home"
}
