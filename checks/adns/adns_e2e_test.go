package adns

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/site/sim"
)

func demo(t *testing.T, scenario func(time.Time) sim.Scenario) (*sim.Site, []checks.Check) {
	s, pool := checktest.Demo(t, scenario)
	return s, Checks(s.Config, pool)
}

// The demo's ADNS through real DNS, HTTP and SSH: bind on both VIPs, dnsmng, keepalived's VIPs.
func TestDemoADNS(t *testing.T) {
	s, cs := demo(t, sim.DemoScenario)
	got := checktest.Round(cs)
	want := map[string]checks.Status{
		"dns.soa 127.0.53.101": checks.Warn, // the standard scenario's slave is one serial behind
	}
	for _, k := range []string{"adns.processes ops1/adns-master", "adns.processes ops2/adns-slave", "dns.resolve 127.0.53.101",
		"dns.resolve 127.0.53.100", "dns.soa 127.0.53.101", "adns.hastate 127.0.53.100", "adns.vip 127.0.53.100",
		"adns.vip 127.0.53.101", "dns.resolv node3"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no finding %s", k)
		}
	}
	for k, f := range got {
		if f.Status != want[k] {
			t.Errorf("%s: %s %q (%s)", k, f.Status, f.Summary, f.Error)
		}
		if len(f.Evidence) == 0 {
			t.Errorf("%s: no evidence", k)
		}
	}
	if f := got["dns.soa 127.0.53.101"]; f.Summary != "SOA drift: demo.example serial 2026112503 on the master, 2026112502 on 127.0.53.101" {
		t.Errorf("soa %q", f.Summary)
	}
	if f := got["dns.resolve 127.0.53.101"]; !strings.HasPrefix(f.Summary, "2 names resolve in") || !strings.Contains(f.Details, "iam.demo.example → NOERROR 10.10.0.81") {
		t.Errorf("resolve %q %q", f.Summary, f.Details)
	}
	if f := got["adns.vip 127.0.53.100"]; f.Summary != "master VIP 127.0.53.100 on ops1" {
		t.Errorf("vip %q", f.Summary)
	}

	// bind stops answering on the slave, then answers slowly.
	s.ADNS.Update(func(a *sim.ADNSService) { a.SlaveDown = true })
	resolve := checktest.NewRunner(t, cs)
	if f := resolve.One("dns.resolve", "127.0.53.101"); f.Status != checks.Crit || !strings.Contains(f.Summary, "iam.demo.example: no answer") {
		t.Errorf("slave down: %s %q", f.Status, f.Summary)
	}
	s.ADNS.Update(func(a *sim.ADNSService) { a.SlaveDown, a.SlaveDelay = false, 250*time.Millisecond })
	if f := resolve.One("dns.resolve", "127.0.53.101"); f.Status != checks.Warn || !strings.HasPrefix(f.Summary, "slow: ") {
		t.Errorf("slow slave: %s %q", f.Status, f.Summary)
	}
}

func TestDemoOutageADNS(t *testing.T) {
	_, cs := demo(t, sim.OutageScenario)
	got := checktest.Round(cs)
	if f := got["adns.vip 127.0.53.100"]; f.Status != checks.Crit || f.Summary != "split brain: master VIP 127.0.53.100 on ops1 and ops2" {
		t.Errorf("split brain: %s %q", f.Status, f.Summary)
	}
	if f := got["adns.hastate 127.0.53.100"]; f.Status != checks.Crit || !strings.Contains(f.Summary, "cannot reach its database") {
		t.Errorf("hastate: %s %q", f.Status, f.Summary)
	}
	if f := got["adns.processes ops2/adns-slave"]; f.Status != checks.Crit || !strings.Contains(f.Summary, "dnsagent FATAL") {
		t.Errorf("processes: %s %q", f.Status, f.Summary)
	}
}

// A changed host key is crit in ADNS checks as in host checks (the shared probe helpers).
func TestDemoADNSChangedHostKey(t *testing.T) {
	s, cs := demo(t, nil)
	if err := s.ReplaceHostKey("ops2"); err != nil {
		t.Fatal(err)
	}
	got := checktest.Round(checks.Select(cs, []string{"adns.processes", "adns.vip"}))
	for _, k := range []string{"adns.processes ops2/adns-slave", "adns.vip 127.0.53.101"} {
		if f := got[k]; f.Status != checks.Crit || !strings.Contains(f.Summary, "host key changed") {
			t.Errorf("%s: %s %q", k, f.Status, f.Summary)
		}
	}
}
