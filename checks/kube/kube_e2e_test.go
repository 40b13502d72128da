package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"opsdeck/checks"
	sitekube "opsdeck/site/kube"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
)

// demo starts the simulated site with a business cluster, watchers as opsdeck makes them, and
// the SSH pool.
func demo(t testing.TB) (*sim.Site, []*sitekube.Watcher, *ssh.Pool) {
	t.Helper()
	s, err := sim.Start(t.TempDir(), sim.Options{BusinessCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var crds []schema.GroupVersionResource
	for _, full := range s.Config.Resources.ByName() {
		g, _ := sitekube.ParseGVR(full)
		crds = append(crds, g)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var ws []*sitekube.Watcher
	for _, c := range s.Config.Clusters {
		cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: c.Kubeconfig, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		w := sitekube.NewWatcher(c.Name, cl, crds)
		w.Start(ctx)
		ws = append(ws, w)
	}
	pool := ssh.NewPool(ssh.OptionsFromSite(s.Config))
	t.Cleanup(pool.Close)
	return s, ws, pool
}

func runChecks(t *testing.T, cs []checks.Check, only ...string) map[string]checks.Finding {
	t.Helper()
	st := checks.NewStore(time.Millisecond)
	(&checks.Scheduler{Store: st, Limit: 16, Checks: checks.Select(cs, only)}).RunOnce(context.Background(), nil)
	got := map[string]checks.Finding{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = *f
	}
	return got
}

// A meta cluster and a business cluster without any Ant resource, checked at once: the
// business cluster's custom resource checks say once that they are not installed, and nothing
// else there is unknown; node3 (NotReady, host reachable, kubelet inactive) gets the
// start-kubelet fix with its journal, and once its host is gone, the migration plan.
func TestDemoClustersAndNodeDownDecision(t *testing.T) {
	s, ws, pool := demo(t)
	cs := Checks(s.Config, ws, pool)
	got := runChecks(t, cs, "kube", "adns.zone", "adns.dnsendpoint")
	for _, id := range []string{"kube.machine business", "kube.machineop business", "adns.zone business", "adns.dnsendpoint business"} {
		if f := got[id]; f.Status != checks.OK || !strings.Contains(f.Summary, "not installed on this cluster") {
			t.Errorf("%s: %s %q", id, f.Status, f.Summary)
		}
	}
	for k, f := range got {
		if strings.HasPrefix(k, "kube.") && strings.Contains(k, "business") && f.Status == checks.Unknown {
			t.Errorf("%s is unknown on the business cluster: %q", k, f.Summary)
		}
	}
	// The cache keeps no containers: a node's requests come from the watcher's side table
	// (biz1 runs one cart pod asking 1 cpu and 1Gi of its 15 cpus and 60Gi).
	if f := got["kube.allocation business/biz1"]; !strings.Contains(f.Summary, "cpu 7 %") || !strings.Contains(f.Summary, "memory 2 %") {
		t.Errorf("biz1 requests: %s %q", f.Status, f.Summary)
	}
	if f := got["kube.node business/biz1"]; f.Status != checks.OK || !strings.Contains(f.Summary, "lease renewed") {
		t.Errorf("biz1: %s %q", f.Status, f.Summary)
	}
	if f := got["kube.machine demo/node7-old"]; f.Status != checks.Crit {
		t.Errorf("the meta cluster's machines are still checked: %s %q", f.Status, f.Summary)
	}
	if f := got["kube.node demo/node1"]; f.Status != checks.OK || !strings.Contains(f.Summary, "lease renewed") {
		t.Errorf("node1: %s %q", f.Status, f.Summary)
	}
	f := got["kube.node demo/node3"]
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "kubelet inactive → start kubelet") || !strings.Contains(f.Summary, "lease not renewed") {
		t.Fatalf("node3: %s %q", f.Status, f.Summary)
	}
	journal := false
	for _, e := range f.Evidence {
		journal = journal || strings.Contains(e.Source, "journalctl -u kubelet") && strings.Contains(e.Excerpt, "failed to run Kubelet")
	}
	if !journal || !strings.Contains(f.Details, "host.start-kubelet") {
		t.Fatalf("node3 evidence %+v details %q", f.Evidence, f.Details)
	}

	s.StopHost("node3")
	f = runChecks(t, cs, "kube.node")["kube.node demo/node3"]
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "unreachable over SSH") || !strings.Contains(f.Details, "Migration plan for node3") ||
		!strings.Contains(f.Details, "app/db-0") || !strings.Contains(f.Details, "data-db-0") {
		t.Fatalf("node3 gone: %s %q\n%s", f.Status, f.Summary, f.Details)
	}
}
