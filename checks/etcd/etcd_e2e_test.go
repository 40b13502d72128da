package etcd

import (
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/site/sim"
)

// The demo's master answers etcdctl and lists yesterday's snapshot, through the real SSH client.
// Its cluster has three members (node1 is the only one in the inventory), the §5.2 cron entry,
// and a certificate backup older than a renewal.
func TestDemoEtcdChecks(t *testing.T) {
	s, pool := checktest.Demo(t, nil)
	got := checktest.Round(Checks(s.Config, pool))
	want := map[string]struct {
		status checks.Status
		text   string
	}{
		"etcd.health node1":        {checks.OK, "is healthy"},
		"etcd.backup etcd":         {checks.OK, "newest snapshot"},
		"etcd.members etcd":        {checks.OK, "3 members, leader https://10.10.1.1:2379, db 58.6 MiB"},
		"etcd.alarms etcd":         {checks.OK, "no alarm"},
		"etcd.backup-cron etcd":    {checks.OK, "backup cron entry on node1: 0 2 * * * sh /opt/etcd_back/etcd-backup.sh"},
		"cert.master-backup node1": {checks.Warn, "front-proxy-client.crt changed 78d"},
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d", len(got), len(want))
	}
	for k, w := range want {
		f := got[k]
		if f.Status != w.status || !strings.Contains(f.Summary, w.text) || len(f.Evidence) == 0 || !strings.HasPrefix(f.Evidence[0].Source, "ssh node1") {
			t.Errorf("%s: %s %q %+v", k, f.Status, f.Summary, f.Evidence)
		}
	}
	if f := got["cert.master-backup node1"]; f.Area != "certs" || f.Guide != "§5.3" {
		t.Errorf("master backup shows in the Certs pane with its section: %q %q", f.Area, f.Guide)
	}
}

// The outage: a member down and the cluster at its quota, the cron entry gone.
func TestDemoOutageEtcd(t *testing.T) {
	s, pool := checktest.Demo(t, sim.OutageScenario)
	got := checktest.Round(Checks(s.Config, pool))
	for k, w := range map[string]struct {
		status checks.Status
		text   string
	}{
		"etcd.members etcd":     {checks.Crit, "1 of 3 members not answering: https://10.10.1.3:2379 (context deadline exceeded) — quorum holds"},
		"etcd.alarms etcd":      {checks.Crit, "alarm NOSPACE on member 8e9e05c52164694d"},
		"etcd.backup-cron etcd": {checks.Warn, "no etcd backup entry"},
	} {
		if f := got[k]; f.Status != w.status || !strings.Contains(f.Summary, w.text) {
			t.Errorf("%s: %s %q", k, f.Status, f.Summary)
		}
	}
	if f := got["etcd.members etcd"]; !strings.Contains(f.Summary, "database 2048 MB") {
		t.Errorf("db size: %q", f.Summary)
	}
}
