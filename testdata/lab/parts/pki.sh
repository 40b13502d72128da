# pki: a CA, the masters' certificates (expiring in 10, 45 and 400 days), a kubelet client
# certificate (200 days, with its key, as kubelet-client-current.pem) and the service-account key
# pair. The apiserver serves apiserver.crt (45 days). The certificates (not the CA's or servers'
# keys) are copied into the lab user's home, pki/, where site.yaml's certificates.files find them
# over SSH on master1, and kubelet_client on the nodes.

cert() { # cert DIR NAME DAYS CN [SAN]
  local dir=$1 name=$2 days=$3 cn=$4 san=${5:-}
  # Kept while less than a day old: the checks' tests read "expires in 9d" off a 10-day
  # certificate, and a lab state kept from yesterday said 8d.
  [[ -f $dir/$name.crt ]] && openssl x509 -in "$dir/$name.crt" -noout -checkend $(((days - 1) * 86400 + 3600)) >/dev/null && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr" 2>/dev/null
  local ext=$dir/$name.ext
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
  [[ -n $san ]] && printf 'subjectAltName=%s\n' "$san" >> "$ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" -CAcreateserial \
    -days "$days" -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

pki_up() {
  local pki=$STATE/pki
  mkdir -p "$pki/etcd"
  if [[ ! -f $pki/ca.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=lab-kubernetes-ca" \
      -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  fi
  cert "$pki" apiserver 45 kube-apiserver "IP:$API_ADDR,IP:127.0.0.1,DNS:localhost,DNS:kubernetes"
  cert "$pki" apiserver-kubelet-client 10 kube-apiserver-kubelet-client
  cert "$pki" front-proxy-client 400 front-proxy-client
  cert "$pki/etcd" server 400 etcd-server "IP:$ETCD_ADDR"
  cp -n "$pki/ca.crt" "$pki/etcd/ca.crt"
  cert "$pki" kubelet-client 200 system:node:lab
  [[ $pki/kubelet-client-current.pem -nt $pki/kubelet-client.crt ]] || cat "$pki/kubelet-client.crt" "$pki/kubelet-client.key" > "$pki/kubelet-client-current.pem"
  [[ -f $pki/sa.key ]] || { openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null; openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null; }
  chmod -R go+rX "$pki"
  pki_home
}

pki_home() {
  local home; home=$(getent passwd "$LAB_USER" | cut -d: -f6)
  mkdir -p "$home/pki/etcd"
  cp "$STATE"/pki/*.crt "$home/pki/"
  cp "$STATE"/pki/etcd/*.crt "$home/pki/etcd/"
  rm -f "$home/pki/kubelet-client.crt"
  install -m 600 "$STATE/pki/kubelet-client-current.pem" "$home/pki/kubelet-client-current.pem"
  chown -R "$LAB_USER" "$home/pki"
}
