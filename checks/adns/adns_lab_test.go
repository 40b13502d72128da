//go:build lab

package adns

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/config"
	"opsdeck/internal/labenv"
	"opsdeck/site/dns"
)

func labChecks(t *testing.T, site *config.Site) checktest.Runner {
	return checktest.NewRunner(t, Checks(site, checktest.Pool(t, site)))
}

func supervisorctl(t *testing.T, lab *labenv.Lab, role string, args ...string) {
	t.Helper()
	cmd := exec.Command("supervisorctl", append([]string{"-c", filepath.Join(lab.State, "adns", role, "supervisord.conf")}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "already started") {
		t.Fatalf("supervisorctl %v: %v\n%s", args, err, out)
	}
}

func ok(f checks.Finding) bool { return f.Status == checks.OK }

// The lab's real bind9 master and slave under supervisord, dnsmng and keepalived's VIPs.
func TestLabADNSHealthy(t *testing.T) {
	lab := labenv.Load(t)
	l := labChecks(t, lab.Site)
	for _, c := range [][2]string{{"adns.processes", "ops1"}, {"adns.processes", "ops2/adns-slave"}, {"dns.resolve", "127.0.2.2"},
		{"dns.resolve", "127.0.2.100"}, {"dns.soa", "127.0.2.2"}, {"adns.hastate", "127.0.2.100"}, {"adns.vip", "127.0.2.100"},
		{"adns.vip", "127.0.2.2"}, {"dns.resolv", "node1"}} {
		if f := l.One(c[0], c[1]); f.Status != checks.OK {
			t.Errorf("%s %s: %s %q (%s)", c[0], c[1], f.Status, f.Summary, f.Error)
		}
	}
	if f := l.One("adns.hastate", "127.0.2.100"); f.Summary != "active master 127.0.2.1" {
		t.Errorf("hastate %q", f.Summary)
	}
	if f := l.One("dns.soa", "127.0.2.2"); !strings.Contains(f.Summary, "lab.example serial 2026112501 on the master, 2026112501 on 127.0.2.2") {
		t.Errorf("soa %q", f.Summary)
	}
}

// Stop bind in the slave through supervisorctl: the process and DNS checks turn crit.
func TestLabSlaveBindStopped(t *testing.T) {
	lab := labenv.Load(t)
	l := labChecks(t, lab.Site)
	supervisorctl(t, lab, "slave", "stop", "bind")
	t.Cleanup(func() {
		supervisorctl(t, lab, "slave", "start", "bind")
		for range 30 { // until the slave answers again, for the next test
			if a, err := dns.Query(context.Background(), "127.0.2.2", "www.lab.example", "A"); err == nil && a.Rcode == "NOERROR" {
				return
			}
			time.Sleep(time.Second)
		}
	})
	f := l.One("adns.processes", "ops2/adns-slave")
	if f.Status != checks.Crit || !strings.HasPrefix(f.Summary, "bind STOPPED") {
		t.Errorf("processes: %s %q", f.Status, f.Summary)
	}
	f = l.One("dns.resolve", "127.0.2.2")
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "www.lab.example: no answer") {
		t.Errorf("resolve: %s %q", f.Status, f.Summary)
	}
	if f := l.One("dns.resolve", "127.0.2.100"); f.Status != checks.OK {
		t.Errorf("the master still answers: %s %q", f.Status, f.Summary)
	}
}

// Mark the database unavailable: dnsmng's hastate says so, the check is crit.
func TestLabHastateUnavailable(t *testing.T) {
	lab := labenv.Load(t)
	l := labChecks(t, lab.Site)
	flag := filepath.Join(lab.State, "adns", "master", "db-unavailable")
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(flag) })
	if f := l.One("adns.hastate", "127.0.2.100"); f.Status != checks.Crit || f.Summary != "ADNS master cannot reach its database (hastate: unavailable)" {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
}

// Bind the master VIP on both ops hosts: split brain.
func TestLabSplitBrain(t *testing.T) {
	lab := labenv.Load(t)
	l := labChecks(t, lab.Site)
	vips := filepath.Join(lab.State, "hosts", "ops2", "vips")
	old, err := os.ReadFile(vips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(vips, old, 0o644) })
	if err := os.WriteFile(vips, append(old, "127.0.2.100\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if f := l.One("adns.vip", "127.0.2.100"); f.Status != checks.Crit || f.Summary != "split brain: master VIP 127.0.2.100 on ops1 and ops2" {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	if err := os.WriteFile(vips, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if f := l.One("adns.vip", "127.0.2.2"); f.Status != checks.Crit || !strings.Contains(f.Summary, "bound on no ADNS host") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
}

// The slave as a crictl container: the check finds its id and execs into it.
func TestLabCrictlInstance(t *testing.T) {
	lab := labenv.Load(t)
	site := *lab.Site
	site.ADNS.Instances = []config.ADNSInstance{{Host: "ops2", Container: "adns-slave", Role: "slave", Runtime: "crictl"}}
	l := labChecks(t, &site)
	f := l.Until("adns.processes", "ops2/adns-slave", 30*time.Second, ok)
	if !strings.Contains(f.Evidence[0].Source, "crictl ps -q --state running --name '^adns-slave$'") || !strings.Contains(f.Evidence[1].Source, "crictl exec ") {
		t.Errorf("evidence %+v", f.Evidence)
	}
}
