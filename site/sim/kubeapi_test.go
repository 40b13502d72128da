package sim

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	sitekube "opsdeck/site/kube"
)

// The demo API keeps a watcher healthy through its pings, and its changes reach the cache.
func TestDemoAPIKeepsWatchersHealthy(t *testing.T) {
	s, err := Start(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := sitekube.Connect(sitekube.Options{Kubeconfig: s.Config.Clusters[0].Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	w := sitekube.NewWatcher("demo", c, []schema.GroupVersionResource{{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machines"}})
	w.PingEvery = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitSynced(ctx) {
		t.Fatal("not synced")
	}
	time.Sleep(300 * time.Millisecond) // several pings
	if h := w.Health(); !h.Healthy() {
		t.Fatalf("%+v", h)
	}
	if len(w.Nodes()) != 6 || len(w.Custom("machines")) != 7 {
		t.Fatalf("%d nodes, %d machines", len(w.Nodes()), len(w.Custom("machines")))
	}
	// A change made in the API arrives through the watch.
	s.Kube.Put("v1/nodes", obj("", "node9", nil, map[string]any{"status": map[string]any{}}))
	deadline := time.Now().Add(5 * time.Second)
	for len(w.Nodes()) != 7 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(w.Nodes()) != 7 {
		t.Fatal("the new node never reached the cache")
	}
}
