package etcd

import (
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
)

// The demo's master answers etcdctl and lists yesterday's snapshot, through the real SSH client.
func TestDemoEtcdChecks(t *testing.T) {
	s, pool := checktest.Demo(t, nil)
	got := checktest.Round(Checks(s.Config, pool))
	if len(got) != 2 {
		t.Fatalf("want etcd.health on node1 and one etcd.backup, got %v", got)
	}
	for _, k := range []string{"etcd.health node1", "etcd.backup etcd"} {
		if f := got[k]; f.Status != checks.OK || f.Area != "etcd" || !strings.HasPrefix(f.Evidence[0].Source, "ssh node1") {
			t.Errorf("%s: %+v", k, f)
		}
	}
}
