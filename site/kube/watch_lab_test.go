//go:build lab

package kube

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"opsdeck/internal/labenv"
)

func labWatcher(t testing.TB, lab *labenv.Lab) (*Watcher, *Clients) {
	t.Helper()
	ro, err := Connect(Options{Kubeconfig: lab.Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var crds []schema.GroupVersionResource
	for _, r := range []string{lab.Site.Resources.Machines, lab.Site.Resources.MachineOps, lab.Site.Resources.Zones,
		lab.Site.Resources.DNSEndpoints, lab.Site.Resources.IPInstances} {
		g, _ := ParseGVR(r)
		crds = append(crds, g)
	}
	return NewWatcher("lab", ro, crds), ro
}

// The API goes away: the watcher says so (with the age of its last good data) and recovers by
// itself when the API is back.
func TestLabAPIGoneAndBack(t *testing.T) {
	lab := labenv.Load(t)
	w, _ := labWatcher(t, lab)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if !w.WaitSynced(sctx) {
		t.Fatal("not synced")
	}
	nodes := len(w.Nodes())
	lab.Lab(t, "apiserver", "stop")
	restarted := false
	defer func() {
		if !restarted {
			lab.Lab(t, "apiserver", "start")
		}
	}()
	// Reflectors notice when their watch breaks and their relist fails.
	deadline := time.Now().Add(60 * time.Second)
	for w.Health().Healthy() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	h := w.Health()
	if h.Healthy() || h.LastError == "" {
		t.Fatalf("the API is down but the watcher looks healthy: %+v", h)
	}
	if len(w.Nodes()) != nodes {
		t.Fatal("the last good data must stay while the API is away")
	}
	lab.Lab(t, "apiserver", "start")
	restarted = true
	deadline = time.Now().Add(90 * time.Second)
	for !w.Health().Healthy() && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if h := w.Health(); !h.Healthy() {
		t.Fatalf("no recovery: %+v", h)
	}
}
