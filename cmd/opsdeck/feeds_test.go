package main

import (
	"context"
	"testing"
	"time"

	sitekube "opsdeck/site/kube"
	"opsdeck/site/sim"
)

// demoWatcher is a watcher, not started, of the demo site's cluster.
func demoWatcher(t *testing.T) (*sim.Site, *sitekube.Watcher, context.Context) {
	t.Helper()
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := s.Config.Clusters[0]
	cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: c.Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, sitekube.NewWatcher(c.Name, cl, nil), ctx
}

// syncedDemoWatcher is demoWatcher started, with the named collections synced.
func syncedDemoWatcher(t *testing.T, names ...string) (*sim.Site, *sitekube.Watcher, context.Context) {
	t.Helper()
	s, w, ctx := demoWatcher(t)
	w.Start(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if !w.WaitFor(wctx, names...) {
		t.Fatalf("%v never synced", names)
	}
	return s, w, ctx
}

// The cockpit follows pods by their changes: all pods first, then only a pod that changed in the
// (demo) API, read back with its new state.
func TestPodChangesFollowTheAPI(t *testing.T) {
	s, w, ctx := syncedDemoWatcher(t, "pods")
	b := (&env{site: s.Config, watchers: []*sitekube.Watcher{w}}).backend(ctx)
	all, full := b.PodChanges()
	if !full || len(all) == 0 {
		t.Fatalf("first call: full=%v, %d pods", full, len(all))
	}
	if again, full := b.PodChanges(); full || len(again) != 0 {
		t.Fatalf("nothing moved, yet %d pods (full=%v)", len(again), full)
	}
	s.Kube.Put("v1/pods", map[string]any{"metadata": map[string]any{"namespace": "app", "name": "web-1", "creationTimestamp": time.Now().UTC().Format(time.RFC3339)},
		"spec": map[string]any{"nodeName": "node2"}, "status": map[string]any{"phase": "Pending", "reason": "Evicted"}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		ps, full := b.PodChanges()
		if full {
			t.Fatal("a change reloaded everything")
		}
		if len(ps) == 1 && ps[0].Name == "web-1" && ps[0].Phase == "Pending" && ps[0].Reason == "Evicted" {
			return
		}
		if len(ps) > 0 || time.Now().After(deadline) {
			t.Fatalf("want web-1 Pending/Evicted alone, got %+v", ps)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A cluster's first list is read whole from the cache once it is there, not pod by pod as the
// informer's handler tells of them (seconds later at 42,000 pods).
func TestPodChangesReadTheFirstListWhole(t *testing.T) {
	s, w, ctx := demoWatcher(t)
	b := (&env{site: s.Config, watchers: []*sitekube.Watcher{w}}).backend(ctx)
	if ps, full := b.PodChanges(); !full || len(ps) != 0 {
		t.Fatalf("before the watch: full=%v, %d pods", full, len(ps))
	}
	w.Start(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if !w.WaitFor(wctx, "pods") {
		t.Fatal("pods never synced")
	}
	ps, full := b.PodChanges()
	if !full || len(ps) != len(w.Pods()) || len(ps) == 0 {
		t.Fatalf("after the first list: full=%v, %d pods of %d", full, len(ps), len(w.Pods()))
	}
}

// The cockpit hears of a pod change at once, and nothing while nothing moves.
func TestCacheChangesSignalMovesOnly(t *testing.T) {
	s, w, ctx := syncedDemoWatcher(t, "pods", "nodes")
	ch := cacheChanges(ctx, []*sitekube.Watcher{w})
	// The first list's events may still be arriving: drain until quiet for 300 ms.
	for quiet := false; !quiet; {
		select {
		case <-ch:
		case <-time.After(300 * time.Millisecond):
			quiet = true
		}
	}
	s.Kube.Put("v1/pods", map[string]any{"metadata": map[string]any{"namespace": "app", "name": "web-9"},
		"spec": map[string]any{"nodeName": "node2"}, "status": map[string]any{"phase": "Pending"}})
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("a new pod was never signalled")
	}
	select {
	case <-ch:
		t.Fatal("signalled again with nothing moving")
	case <-time.After(300 * time.Millisecond):
	}
}

// The Nodes pane reads heartbeats live through Beat: each node's Lease as last listed.
func TestBeatIsTheLeaseAsListed(t *testing.T) {
	s, w, ctx := syncedDemoWatcher(t, "nodes", "leases")
	b := (&env{site: s.Config, watchers: []*sitekube.Watcher{w}}).backend(ctx)
	var leased int
	for _, n := range b.Nodes() {
		want, ok := w.LeaseRenew(n.Name)
		for _, cluster := range []string{"", w.Cluster} { // a single cluster's rows name none
			if got, gok := b.Beat(cluster, n.Name); gok != ok || !got.Equal(want) {
				t.Errorf("Beat(%q, %s) = %v %v, want the Lease's %v %v", cluster, n.Name, got, gok, want, ok)
			}
		}
		if ok {
			leased++
		}
	}
	if leased == 0 {
		t.Fatal("the demo has no node with a Lease: nothing tested")
	}
	if _, ok := b.Beat("no-such-cluster", b.Nodes()[0].Name); ok {
		t.Error("a cluster the site does not have has beats")
	}
	// Two clusters: each row names its own, and a row without one is no cluster's.
	cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: s.Config.Clusters[0].Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	other := sitekube.NewWatcher("other", cl, nil) // never started: no Lease listed
	b = (&env{site: s.Config, watchers: []*sitekube.Watcher{w, other}}).backend(ctx)
	n := b.Nodes()[0].Name
	if _, ok := b.Beat(w.Cluster, n); !ok {
		t.Errorf("Beat(%q, %s) lost its Lease beside a second cluster", w.Cluster, n)
	}
	for _, cluster := range []string{"other", ""} {
		if at, ok := b.Beat(cluster, n); ok {
			t.Errorf("Beat(%q, %s) = %v: another cluster's Lease", cluster, n, at)
		}
	}
}
