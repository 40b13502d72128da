# kube: Debian's etcd and the pinned kube-apiserver, token auth with RBAC; an admin and a
# read-only "viewer" user (view-only RBAC from the seeder); kubeconfigs for both; an audit log of
# every request that is not the admin's (kube/audit-<apiserver>.log).

etcd_up() {
  mkdir -p "$STATE/etcd"
  start etcd "$STATE/logs/etcd.log" etcd --name lab --data-dir "$STATE/etcd/data" \
    --listen-client-urls "http://$ETCD_ADDR:2379" --advertise-client-urls "http://$ETCD_ADDR:2379" \
    --listen-peer-urls "http://$ETCD_ADDR:2380" --initial-advertise-peer-urls "http://$ETCD_ADDR:2380" \
    --initial-cluster "lab=http://$ETCD_ADDR:2380" --quota-backend-bytes 8589934592
  wait_for 30 etcd "$STATE/logs/etcd.log" etcd etcdctl --endpoints "http://$ETCD_ADDR:2379" endpoint health
  # Today's snapshot, taken for real as the guide's cron job would (§5.2).
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  mkdir -p "$home/etcd_bk"
  local snap; snap="$home/etcd_bk/etcd_v3_$(date +%Y-%m-%d).db"
  [[ -s $snap ]] || ETCDCTL_API=3 etcdctl --endpoints "http://$ETCD_ADDR:2379" snapshot save "$snap" >>"$STATE/logs/etcd.log" 2>&1 \
    || fail_with "etcd snapshot" "$STATE/logs/etcd.log"
  chown -R "$LAB_USER" "$home/etcd_bk"
}

etcd_down() { stop etcd; }

admin_token() { cut -d, -f1 "$STATE/kube/tokens.csv" | head -n1; }

kubeconfig() { # kubeconfig FILE USER TOKEN [PORT]
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://$API_ADDR:${4:-6443}
    certificate-authority: $STATE/pki/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: lab-$2
  context: {cluster: lab, user: $2}
current-context: lab-$2
KC
}

apiserver_up() {
  mkdir -p "$STATE/kube"
  if [[ ! -f $STATE/kube/tokens.csv ]]; then
    local admin viewer
    admin=$(openssl rand -hex 16); viewer=$(openssl rand -hex 16)
    printf '%s,admin,uid-admin,system:masters\n%s,viewer,uid-viewer\n' "$admin" "$viewer" > "$STATE/kube/tokens.csv"
    kubeconfig "$STATE/kube/admin.kubeconfig" admin "$admin"
    kubeconfig "$STATE/kube/viewer.kubeconfig" viewer "$viewer"
  fi
  if [[ ! -f $STATE/kube/business-admin.kubeconfig ]]; then
    kubeconfig "$STATE/kube/business-admin.kubeconfig" admin "$(admin_token)" "$BUSINESS_PORT"
  fi
  if [[ ! -f $STATE/kube/business-viewer.kubeconfig ]]; then
    kubeconfig "$STATE/kube/business-viewer.kubeconfig" viewer "$(sed -n 2p "$STATE/kube/tokens.csv" | cut -d, -f1)" "$BUSINESS_PORT"
  fi
  # Metadata of every request but the admin's (the seeder, the lease renewers, tests' fixtures)
  # and the apiserver's own: cheap, and enough to tell which user used which verb.
  cat > "$STATE/kube/audit-policy.yaml" <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [admin, "system:apiserver"]
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: Metadata
POLICY
  apiserver_start kube-apiserver 6443 /registry
  # The business cluster: a second apiserver on the same etcd under its own prefix.
  apiserver_start kube-apiserver-business "$BUSINESS_PORT" /registry-business
}

BUSINESS_PORT=6444

apiserver_start() { # apiserver_start NAME PORT ETCD_PREFIX
  local name=$1 port=$2 prefix=$3
  local pki=$STATE/pki
  start "$name" "$STATE/logs/$name.log" "$APISERVER_BIN" \
    --etcd-servers "http://$ETCD_ADDR:2379" --etcd-prefix "$prefix" \
    --bind-address "$API_ADDR" --secure-port "$port" --advertise-address "$API_ADDR" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --token-auth-file "$STATE/kube/tokens.csv" --authorization-mode RBAC \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.96.0.0/12 --endpoint-reconciler-type none \
    --enable-priority-and-fairness=false --max-requests-inflight 2000 --max-mutating-requests-inflight 1000 \
    --profiling=false \
    --audit-policy-file "$STATE/kube/audit-policy.yaml" --audit-log-path "$STATE/kube/audit-$name.log" \
    --audit-log-maxsize 50 --audit-log-maxbackup 1
  wait_for 120 "$name" "$STATE/logs/$name.log" "$name" \
    curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $(admin_token)" "https://$API_ADDR:$port/readyz"
}

apiserver_down() { stop lease-renewer; stop lease-renewer-business; stop kube-apiserver-business; stop kube-apiserver; }

seed_up() {
  log "seeding the scenario into the apiserver"
  "$STATE/bin/seed" -kubeconfig "$STATE/kube/admin.kubeconfig" ${LAB_SEED_ARGS:-} >>"$STATE/logs/seed.log" 2>&1 \
    || fail_with seed "$STATE/logs/seed.log"
  "$STATE/bin/seed" -kubeconfig "$STATE/kube/business-admin.kubeconfig" -business >>"$STATE/logs/seed.log" 2>&1 \
    || fail_with "seed (business)" "$STATE/logs/seed.log"
  # Kubelets' heartbeats: every node's Lease renewed every 10 s, and its status posted every 5 min
  # (LAB_STATUS_EVERY), except node3 and node4 (their kubelets are down in the scenario) and nodes
  # paused by a file in kube/lease-paused/. 1 % of the scale pods crash-loop (LAB_CRASHLOOP_SHARE),
  # a restart each every 5 minutes, as some always do on a site; the scenario's own pods do not.
  mkdir -p "$STATE/kube/lease-paused"
  start lease-renewer "$STATE/logs/lease-renewer.log" "$STATE/bin/seed" -kubeconfig "$STATE/kube/admin.kubeconfig" \
    -no-seed -renew 10s -status-every "${LAB_STATUS_EVERY:-5m}" -renew-pause-dir "$STATE/kube/lease-paused" \
    -crashloop-share "${LAB_CRASHLOOP_SHARE:-0.01}"
  start lease-renewer-business "$STATE/logs/lease-renewer-business.log" "$STATE/bin/seed" -kubeconfig "$STATE/kube/business-admin.kubeconfig" \
    -no-seed -renew 10s -status-every "${LAB_STATUS_EVERY:-5m}" -renew-skip "" -renew-pause-dir "$STATE/kube/lease-paused"
}
