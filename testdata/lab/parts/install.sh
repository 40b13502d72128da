# install: Debian packages, the lab user, and kube-apiserver built once per machine.

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) != 0 ]]; then
      die "missing Debian packages: ${missing[*]} — run as root: apt-get install ${missing[*]}"
    fi
    log "installing ${missing[*]}"
    # Keep the packages' own services from starting: the lab runs its own, on loopback.
    local policy=/usr/sbin/policy-rc.d created=
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; created=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { [[ -n $created ]] && rm -f $policy; die "apt-get install ${missing[*]} failed"; }
    [[ -n $created ]] && rm -f $policy
  fi
  if ! id "$LAB_USER" >/dev/null 2>&1; then
    # A plain /bin/sh user: root's .bashrc costs ~0.7 s per SSH command here (LAB-NOTES.md).
    useradd -M -s /bin/sh "$LAB_USER"
    usermod -p '*' "$LAB_USER"
  fi
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  [[ -d $home ]] || { mkdir -p "$home"; chown "$LAB_USER" "$home"; }
  # Its login shell logs every command sshd runs for it (login-shell.sh; README.md).
  local shell=/usr/local/lib/opsdeck-lab/login-shell
  if ! cmp -s "$LAB_DIR/login-shell.sh" "$shell"; then
    install -D -m 755 "$LAB_DIR/login-shell.sh" "$shell"
  fi
  [[ $(getent passwd "$LAB_USER" | cut -d: -f7) == "$shell" ]] || usermod -s "$shell" "$LAB_USER"
  build_apiserver
  build_tools
}

build_apiserver() {
  if [[ -x $APISERVER_BIN ]]; then return 0; fi
  mkdir -p "$CACHE"
  log "building kube-apiserver $K8S_VERSION from the Go module proxy (about 12 minutes cold, once per machine)"
  (cd "$LAB_DIR/tools" && go build -tags tools -o "$APISERVER_BIN.tmp" k8s.io/kubernetes/cmd/kube-apiserver) \
    || die "building kube-apiserver failed"
  mv "$APISERVER_BIN.tmp" "$APISERVER_BIN"
}

# The lab's own programs (seeder, dnsmng stand-in) are rebuilt when their source changes.
build_tools() {
  mkdir -p "$STATE/bin"
  (cd "$LAB_DIR/tools" && go build -o "$STATE/bin/" ./cmd/...) || die "building the lab tools failed"
}

install_check() {
  install_packages
  for b in etcd etcdctl sshd named supervisord chronyd chronyc openssl dig ip curl; do
    command -v "$b" >/dev/null || die "$b not found after install"
  done
}
