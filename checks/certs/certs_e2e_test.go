package certs

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
)

// The demo's certificates through the real SSH client, TLS handshake and kubeconfig loader.
func TestDemoCertificates(t *testing.T) {
	s, pool := checktest.Demo(t, nil)
	cs := Checks(s.Config, pool)
	if cs[0].Interval != time.Hour {
		t.Errorf("certificates are read hourly unless overridden: %s", cs[0].Interval)
	}
	got := checktest.Round(cs)
	files := got["cert.files node1"]
	if files.Status != checks.Crit || !strings.HasPrefix(files.Summary, "node1:/etc/kubernetes/pki/apiserver.crt (CN kube-apiserver) expires in 20d") || files.Area != "certs" {
		t.Errorf("files: %s %q (%s)", files.Status, files.Summary, files.Error)
	}
	if !strings.Contains(files.Details, "node1:/etc/kubernetes/pki/etcd/server.crt: CN=etcd-server SANs=10.10.1.1 issuer=demo-kubernetes-ca") || len(files.Metrics) != 7 {
		t.Errorf("details %q, %d metrics", files.Details, len(files.Metrics))
	}
	ep := got["cert.endpoint "+s.Config.Certificates.Endpoints[0]]
	if ep.Status != checks.Crit || !strings.Contains(ep.Summary, "(CN kube-apiserver) expires in 20d") || !strings.Contains(ep.Details, "#2: CN=demo-kubernetes-ca") {
		t.Errorf("endpoint: %s %q\n%s", ep.Status, ep.Summary, ep.Details)
	}
	if f := got["cert.kubeconfig "+s.Config.Certificates.Kubeconfigs[0]]; f.Status != checks.OK || !strings.Contains(f.Summary, "user admin (CN kubernetes-admin) valid until") {
		t.Errorf("kubeconfig: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	kl := got["cert.kubelet node3"]
	if kl.Status != checks.OK || !strings.Contains(kl.Summary, "CN system:node:node3") {
		t.Errorf("kubelet: %s %q (%s)", kl.Status, kl.Summary, kl.Error)
	}
	for k, f := range got {
		for _, e := range f.Evidence {
			if strings.Contains(e.Excerpt, "PRIVATE KEY") || strings.Contains(e.Excerpt, "BEGIN CERTIFICATE") {
				t.Errorf("%s: file contents in evidence %q", k, e.Source)
			}
		}
	}
}
