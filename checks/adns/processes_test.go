package adns

import (
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
)

func fixture(t *testing.T, name string) []byte { return checktest.Fixture(t, name) }

// Fixtures are real supervisorctl outputs (testdata/ORIGIN.md).
func TestParseSupervisorStatus(t *testing.T) {
	ps, err := ParseSupervisorStatus(fixture(t, "supervisorctl_status.txt"))
	if err != nil || len(ps) != 4 || ps[0].Name != "bind" || ps[0].State != "RUNNING" || ps[0].Info == "" {
		t.Fatalf("%+v %v", ps, err)
	}
	ps, err = ParseSupervisorStatus(fixture(t, "supervisorctl_status_stopped.txt"))
	if err != nil || ps[3].Name != "keepalived" || ps[3].State != "STOPPED" || ps[3].Info != "Nov 25 06:48 PM" {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := ParseSupervisorStatus([]byte("unix:///var/run/supervisor.sock no such file\n")); err == nil {
		t.Fatal("an error message is not a status")
	}
	if _, err := ParseSupervisorStatus(fixture(t, "supervisorctl_status_nosuch.txt")); err == nil {
		t.Fatal("exit 4's message is not a status")
	}
}

func TestSupervisorStatusForms(t *testing.T) {
	ps, err := ParseSupervisorStatus(fixture(t, "supervisorctl_status_forms.txt"))
	if err != nil || len(ps) != 6 {
		t.Fatalf("%+v %v", ps, err)
	}
	got := map[string]Process{}
	for _, p := range ps {
		got[p.Program()] = p
	}
	if p := got["bind"]; p.Name != "adns:bind" || p.State != "RUNNING" {
		t.Errorf("group member: %+v", p)
	}
	if up, ok := got["bind"].UptimeSeconds(); !ok || up != 8 {
		t.Errorf("uptime %v %v", up, ok)
	}
	if up, ok := (Process{Info: "pid 100, uptime 3 days, 4:05:06"}).UptimeSeconds(); !ok || up != 3*86400+4*3600+5*60+6 {
		t.Errorf("uptime with days: %v", up)
	}
	if up, ok := (Process{Info: "pid 100, uptime 1 day, 0:00:03"}).UptimeSeconds(); !ok || up != 86403 {
		t.Errorf("uptime with a day: %v", up)
	}
	if p := got["dnsmng"]; p.State != "STOPPED" || p.Info != "Not started" {
		t.Errorf("%+v", p)
	}
	if p := got["dnsagent"]; p.State != "FATAL" || p.Info != "Exited too quickly (process log may have details)" {
		t.Errorf("%+v", p)
	}
	if p := got["keepalived"]; p.State != "EXITED" || p.Info != "Nov 26 02:17 AM" {
		t.Errorf("%+v", p)
	}
	if p := got["slowstart"]; p.State != "STARTING" || p.Info != "" {
		t.Errorf("%+v", p)
	}
	f := judgeProcesses(checks.Finding{}, "master", ps)
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "adns:dnsmng STOPPED (Not started)") || !strings.Contains(f.Summary, "dnsagent FATAL (Exited too quickly") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	ps, _ = ParseSupervisorStatus(fixture(t, "supervisorctl_status_stopping.txt"))
	if ps[5].State != "STOPPING" {
		t.Errorf("%+v", ps[5])
	}
	ps, _ = ParseSupervisorStatus(fixture(t, "supervisorctl_status_backoff.txt"))
	if ps[3].Name != "flappy" || ps[3].State != "BACKOFF" || !strings.HasPrefix(ps[3].Info, "Exited too quickly") {
		t.Errorf("%+v", ps[3])
	}
	// Only STARTING left: on its way up.
	f = judgeProcesses(checks.Finding{}, "slave", []Process{{Name: "bind", State: "STARTING"}, {Name: "dnsagent", State: "RUNNING"}, {Name: "keepalived", State: "RUNNING"}})
	if f.Status != checks.Warn {
		t.Errorf("starting: %s %q", f.Status, f.Summary)
	}
}

func TestParseIPAddrAndContainerID(t *testing.T) {
	addrs, err := ParseIPAddr(fixture(t, "ip_o_addr.txt"))
	if err != nil || len(addrs) < 3 || addrs[0] != "127.0.0.1" {
		t.Fatalf("%v %v", addrs, err)
	}
	if _, err := ParseIPAddr([]byte("Object \"adr\" is unknown, try \"ip help\".\n")); err == nil {
		t.Error("an error message is not a listing")
	}
	if id, err := ParseContainerID("adns-slave", []byte("0d1e2f3a4b5c6d7e\n")); err != nil || id != "0d1e2f3a4b5c6d7e" {
		t.Errorf("%q %v", id, err)
	}
	if _, err := ParseContainerID("adns-slave", nil); err == nil || err.Error() != "no running container adns-slave" {
		t.Errorf("%v", err)
	}
	if _, err := ParseContainerID("adns-slave", []byte("a\nb\n")); err == nil {
		t.Error("two ids are ambiguous")
	}
}

func TestResolv(t *testing.T) {
	ns := ParseResolvConf(fixture(t, "resolv_conf.txt"))
	if len(ns) != 1 || ns[0] != "10.255.255.53" {
		t.Fatalf("%v", ns)
	}
	vips := []string{"10.10.0.101"}
	if f := judgeResolv(checks.Finding{}, "/etc/resolv.conf", ns, vips, "an ADNS slave VIP"); f.Status != checks.Crit || f.Summary != "/etc/resolv.conf points at 10.255.255.53, not at ADNS" {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	if f := judgeResolv(checks.Finding{}, "/etc/resolv.conf", []string{"8.8.8.8", "10.10.0.101"}, vips, ""); f.Status != checks.Warn {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	if f := judgeResolv(checks.Finding{}, "/etc/resolv.conf", []string{"10.10.0.101"}, vips, ""); f.Status != checks.OK {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
}
