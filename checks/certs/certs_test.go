package certs

import (
	"os"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
)

func load(t *testing.T, name string) []Cert {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := ParsePEM(name, b)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

const day = 24 * time.Hour

func TestParseRealPEM(t *testing.T) {
	chain := load(t, "chain.crt")
	if len(chain) != 2 || chain[0].CN != "kube-apiserver" || chain[0].Issuer != "fixture-ca" || chain[1].Where != "chain.crt #2" || chain[1].CN != "fixture-ca" {
		t.Fatalf("%+v", chain)
	}
	if strings.Join(chain[0].SANs, ",") != "kubernetes,127.0.3.1" || chain[0].Serial == "" {
		t.Errorf("SANs %v serial %q", chain[0].SANs, chain[0].Serial)
	}
	if d := chain[0].NotAfter.Sub(chain[0].NotBefore); d != 45*day {
		t.Errorf("validity %s", d)
	}
	kl := load(t, "kubelet-client-current.pem") // the key block beside it is skipped
	if len(kl) != 1 || kl[0].CN != "system:node:node1" {
		t.Fatalf("%+v", kl)
	}
	for _, bad := range []string{"", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "cat: x: No such file"} {
		if _, err := ParsePEM("x", []byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestJudge(t *testing.T) {
	chain := load(t, "chain.crt")
	leaf := chain[0]
	judge := func(now time.Time) checks.Finding {
		return Judge(checks.Finding{}, append([]Cert(nil), chain...), now, 60*day, 30*day)
	}
	issued := leaf.NotBefore
	cases := []struct {
		now     time.Time
		status  checks.Status
		summary string
	}{
		{issued.Add(day), checks.Warn, "chain.crt (CN kube-apiserver) expires in 44d"},
		{issued.Add(35 * day), checks.Crit, "chain.crt (CN kube-apiserver) expires in 10d"},
		{leaf.NotAfter.Add(3 * day), checks.Crit, "chain.crt (CN kube-apiserver) expired on"},
		{issued.Add(-time.Hour), checks.Warn, "chain.crt (CN kube-apiserver) expires in 45d"},
	}
	for _, c := range cases {
		f := judge(c.now)
		if f.Status != c.status || !strings.HasPrefix(f.Summary, c.summary) {
			t.Errorf("at %s: %s %q, want %s %q", c.now, f.Status, f.Summary, c.status, c.summary)
		}
		if !strings.Contains(f.Details, "chain.crt: CN=kube-apiserver SANs=kubernetes,127.0.3.1 issuer=fixture-ca serial=") || len(f.Metrics) != 2 {
			t.Errorf("details %q metrics %+v", f.Details, f.Metrics)
		}
	}
	// A CA alone, issued an hour from now (this clock is behind): a warning pointing at NTP.
	f := Judge(checks.Finding{}, chain[1:], chain[1].NotBefore.Add(-time.Hour), 60*day, 30*day)
	if f.Status != checks.Warn || !strings.Contains(f.Summary, "is not valid before") || !strings.Contains(f.Details, "(in the future)") {
		t.Errorf("clock skew: %s %q", f.Status, f.Summary)
	}
}
