package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"opsdeck/config"
)

// The demo's PKI (§5.6.6): a CA and the masters' certificates with varied expiry — the
// apiserver's 20 days from expiry (crit), etcd's server certificate 50 days (warn) — each node's
// kubelet client certificate, a TLS endpoint serving the apiserver's chain, and a kubeconfig
// holding a client certificate.
type pki struct {
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	caPEM []byte
	ln    net.Listener
}

func newPKI(now time.Time) (*pki, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "demo-kubernetes-ca"},
		NotBefore: now.Add(-400 * 24 * time.Hour), NotAfter: now.Add(3250 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ca, _ := x509.ParseCertificate(der)
	return &pki{ca: ca, caKey: key, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// issue signs a certificate valid from a year before now until daysLeft days from now.
func (p *pki) issue(cn string, serial int64, now time.Time, daysLeft int, sans ...string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-365 * 24 * time.Hour), NotAfter: now.Add(time.Duration(daysLeft)*24*time.Hour + time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, s)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}

// startPKI writes the certificates into the hosts' files, serves the apiserver's chain over TLS
// and points the site's certificates block at all of it.
func (s *Site) startPKI(site *config.Site, dir string, now time.Time) error {
	p, err := newPKI(now)
	if err != nil {
		return err
	}
	masterFiles := map[string][]byte{"/etc/kubernetes/pki/ca.crt": p.caPEM, "/etc/kubernetes/pki/etcd/ca.crt": p.caPEM}
	var apiCert, apiKey []byte
	for i, c := range []struct {
		file string
		cn   string
		days int
		sans []string
	}{
		{"/etc/kubernetes/pki/apiserver.crt", "kube-apiserver", 20, []string{"kubernetes", "10.10.1.1", "127.0.0.1"}},
		{"/etc/kubernetes/pki/apiserver-kubelet-client.crt", "kube-apiserver-kubelet-client", 300, nil},
		{"/etc/kubernetes/pki/front-proxy-client.crt", "front-proxy-client", 300, nil},
		{"/etc/kubernetes/pki/etcd/server.crt", "etcd-server", 50, []string{"10.10.1.1"}},
		{"/etc/kubernetes/pki/etcd/peer.crt", "etcd-peer", 300, []string{"10.10.1.1"}},
	} {
		cert, key, err := p.issue(c.cn, int64(100+i), now, c.days, c.sans...)
		if err != nil {
			return err
		}
		masterFiles[c.file] = cert
		if i == 0 {
			apiCert, apiKey = cert, key
		}
	}
	for _, h := range s.Hosts {
		files := map[string][]byte{}
		if slices.Contains(h.Roles, "master") {
			files = masterFiles
		}
		if slices.Contains(h.Roles, "node") {
			cert, key, err := p.issue("system:node:"+h.Name, 200, now, 280)
			if err != nil {
				return err
			}
			files = mapsWith(files, "/var/lib/kubelet/pki/kubelet-client-current.pem", append(cert, key...))
		}
		h.Update(func(st *HostState) {
			if st.Files == nil {
				st.Files = map[string]string{}
			}
			for f, b := range files {
				st.Files[f] = string(b)
			}
		})
	}
	pair, err := tls.X509KeyPair(append(apiCert, p.caPEM...), apiKey)
	if err != nil {
		return err
	}
	p.ln, err = tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		return err
	}
	s.pki = p
	go func() {
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	admin, _, err := p.issue("kubernetes-admin", 300, now, 200)
	if err != nil {
		return err
	}
	kc := filepath.Join(dir, "admin-cert.kubeconfig")
	text := fmt.Sprintf("apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-certificate-data: %s\n", base64.StdEncoding.EncodeToString(admin))
	if err := os.WriteFile(kc, []byte(text), 0o600); err != nil {
		return err
	}
	site.Certificates.Endpoints = []string{p.ln.Addr().String()}
	site.Certificates.Kubeconfigs = []string{kc}
	return nil
}

func mapsWith(m map[string][]byte, k string, v []byte) map[string][]byte {
	out := map[string][]byte{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func (p *pki) close() {
	if p != nil && p.ln != nil {
		p.ln.Close()
	}
}

// findFiles answers the certificate listing: find DIR -maxdepth 1 -name GLOB -type f.
func findFiles(st *HostState, argv []string) (string, string, int) {
	if len(argv) != 8 || argv[2] != "-maxdepth" || argv[4] != "-name" || argv[6] != "-type" || argv[7] != "f" {
		return "", "sim: only find DIR -maxdepth 1 -name GLOB -type f is emulated\n", 1
	}
	dir := strings.TrimSuffix(argv[1], "/")
	var out []string
	exists := false
	for f := range st.Files {
		if path.Dir(f) != dir {
			exists = exists || strings.HasPrefix(f, dir+"/")
			continue
		}
		exists = true
		if ok, _ := path.Match(argv[5], path.Base(f)); ok {
			out = append(out, f)
		}
	}
	if !exists {
		return "", fmt.Sprintf("find: '%s': No such file or directory\n", argv[1]), 1
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "", "", 0
	}
	return strings.Join(out, "\n") + "\n", "", 0
}
