package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

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

// Custom resources installed after start are discovered and watched; removed, they stop
// being watched.
func TestDiscoveryFollowsInstalledResources(t *testing.T) {
	k, err := StartKubeAPI(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	k.ServeCustomResources(false)
	seedBusiness(k, time.Now())
	c, err := sitekube.NewClients(&rest.Config{Host: k.URL()}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := sitekube.NewWatcher("biz", c, []schema.GroupVersionResource{{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machines"}})
	w.DiscoverEvery = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	state := func(want sitekube.ServedState) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			st, _ := w.Resource("machines")
			if st.State == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("machines: %+v, want %s", st, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	state(sitekube.NotServed)
	k.Put("machine.sigma.alipay.com/v1/machines", obj("", "m1", nil, map[string]any{"status": map[string]any{"phase": "Running"}}))
	k.ServeCustomResources(true)
	state(sitekube.Served)
	if !w.WaitFor(ctx, "machines") || len(w.Custom("machines")) != 1 {
		t.Fatalf("machines not watched: %d", len(w.Custom("machines")))
	}
	k.ServeCustomResources(false)
	state(sitekube.NotServed)
	if len(w.Custom("machines")) != 0 {
		t.Fatal("a resource no longer served is not watched")
	}
}

// A watch from a list's resourceVersion gets what changed after that list, as the apiserver's
// watch cache gives it: an update between an informer's list and its watch is not lost.
func TestWatchReplaysWhatCameAfterItsResourceVersion(t *testing.T) {
	api, err := StartKubeAPI(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	node := func(name, ready string) map[string]any {
		return map[string]any{"metadata": map[string]any{"name": name}, "spec": map[string]any{},
			"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": ready}}}}
	}
	api.Put("v1/nodes", node("n1", "True"))
	resp, err := http.Get(api.URL() + "/api/v1/nodes")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	api.Put("v1/nodes", node("n1", "False")) // after the list, before the watch
	resp, err = http.Get(api.URL() + "/api/v1/nodes?watch=true&timeoutSeconds=1&resourceVersion=" + list.Metadata.ResourceVersion)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ev struct {
		Type   string         `json:"type"`
		Object map[string]any `json:"object"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil {
		t.Fatalf("no event replayed: %v", err)
	}
	if st := ev.Object["status"].(map[string]any)["conditions"].([]any)[0].(map[string]any)["status"]; ev.Type != "MODIFIED" || st != "False" {
		t.Fatalf("replayed %s with Ready %v, want the update to False", ev.Type, st)
	}
}
