package etcd

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
)

// The demo's master answers etcdctl and lists yesterday's snapshot, through the real SSH client.
func TestDemoEtcdChecks(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pool := ssh.NewPool(ssh.OptionsFromSite(s.Config))
	t.Cleanup(pool.Close)
	st := checks.NewStore(time.Millisecond)
	(&checks.Scheduler{Store: st, Limit: 8, Checks: Checks(s.Config, pool)}).RunOnce(context.Background(), nil)
	got := map[string]checks.Finding{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = f
	}
	if len(got) != 2 {
		t.Fatalf("want etcd.health and etcd.backup on node1, got %v", got)
	}
	for _, k := range []string{"etcd.health node1", "etcd.backup node1"} {
		if f := got[k]; f.Status != checks.OK || f.Area != "etcd" || !strings.HasPrefix(f.Evidence[0].Source, "ssh node1") {
			t.Errorf("%s: %+v", k, f)
		}
	}
}
