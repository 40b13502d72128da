//go:build lab

package certs

import (
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/internal/labenv"
)

// The lab's openssl-made PKI: apiserver-kubelet-client.crt 10 days (crit), apiserver.crt 45 days
// (warn), read over SSH on master1 (through the bastion) and from the real kube-apiserver's TLS.
func TestLabCertificates(t *testing.T) {
	lab := labenv.Load(t)
	one := checktest.NewRunner(t, Checks(lab.Site, checktest.Pool(t, lab.Site))).One
	f := one("cert.files", "master1")
	if f.Status != checks.Crit || !strings.HasPrefix(f.Summary, "master1:pki/apiserver-kubelet-client.crt (CN kube-apiserver-kubelet-client) expires in 9d") {
		t.Errorf("files: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	if !strings.Contains(f.Details, "master1:pki/apiserver.crt: CN=kube-apiserver SANs=localhost,kubernetes,127.0.3.1,127.0.0.1 issuer=lab-kubernetes-ca") ||
		!strings.Contains(f.Details, "master1:pki/etcd/server.crt") {
		t.Errorf("details:\n%s", f.Details)
	}
	if f := one("cert.endpoint", "127.0.3.1:6443"); f.Status != checks.Warn || !strings.Contains(f.Summary, "(CN kube-apiserver) expires in 44d") {
		t.Errorf("endpoint: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	f = one("cert.kubelet", "node1")
	if f.Status != checks.OK || !strings.Contains(f.Summary, "CN system:node:lab") {
		t.Errorf("kubelet: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	for _, e := range f.Evidence {
		if strings.Contains(e.Excerpt, "PRIVATE KEY") {
			t.Errorf("the key reached the evidence: %q", e.Source)
		}
	}
}
