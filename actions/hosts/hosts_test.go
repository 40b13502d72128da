package hosts

import (
	"context"
	"strings"
	"testing"

	"opsdeck/config"
	"opsdeck/site/ssh"
)

// fakeRunner answers crictl's container lookup.
type fakeRunner struct{ argv []string }

func (f *fakeRunner) Run(_ context.Context, _ config.Host, argv ...string) (ssh.Result, error) {
	f.argv = argv
	return ssh.Result{Command: ssh.Quote(argv...), Stdout: []byte("4f2a9c1e0b7d\n")}, nil
}

func testSite() *config.Site {
	s := config.Defaults()
	s.Hosts.Groups = []config.HostGroup{
		{Name: "ops", Roles: []string{"ops", "adns"}, Hosts: []config.HostConfig{{Name: "ops1", Address: "10.10.0.11"}, {Name: "ops2", Address: "10.10.0.12"}}},
		{Name: "nodes", Roles: []string{"node"}, Hosts: []config.HostConfig{{Name: "node1", Address: "10.10.0.21"}}},
	}
	s.ADNS.Instances = []config.ADNSInstance{{Host: "ops2", Container: "adns-slave", Role: "slave", Runtime: "crictl"}}
	s.NTP.Servers = []string{"10.10.0.11", "10.10.0.12"}
	s.NTP.Upstream = []string{"10.1.1.1"}
	return &s
}

func TestRestartProcessInCrictlContainer(t *testing.T) {
	site := testSite()
	for _, a := range Actions(site) {
		if a.Name == "adns.restart-process" {
			t.Fatal("without a runner a crictl instance's processes are not offered")
		}
	}
	r := &fakeRunner{}
	for _, a := range ActionsWith(site, r) {
		if a.Name != "adns.restart-process" {
			continue
		}
		p, err := a.Plan(context.Background(), "ops2/adns-slave/bind")
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Steps[0].String(); got != "ssh ops2: crictl exec 4f2a9c1e0b7d supervisorctl restart bind" {
			t.Errorf("step %q", got)
		}
		if strings.Join(r.argv, " ") != "crictl ps -q --state running --name ^adns-slave$" {
			t.Errorf("lookup %q", r.argv)
		}
		return
	}
	t.Fatal("no adns.restart-process")
}

func TestNTPServerFor(t *testing.T) {
	site := testSite()
	byName := map[string]config.Host{}
	for _, h := range site.Inventory() {
		byName[h.Name] = h
	}
	for host, want := range map[string]string{"node1": "10.10.0.11", "ops1": "10.1.1.1", "ops2": "10.1.1.1"} {
		if got, err := NTPServerFor(site, byName[host]); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", host, got, err, want)
		}
	}
	site.NTP.Upstream = nil
	site.NTP.Servers = []string{"10.10.0.11"}
	if _, err := NTPServerFor(site, byName["ops1"]); err == nil || !strings.Contains(err.Error(), "ntp.upstream lists nothing") {
		t.Errorf("%v", err)
	}
	site.NTP.Upstream = []string{"10.10.0.11"} // ops1 itself
	if _, err := NTPServerFor(site, byName["ops1"]); err == nil || !strings.Contains(err.Error(), "only the host itself") {
		t.Errorf("%v", err)
	}
}
