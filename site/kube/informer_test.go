package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"opsdeck/site/sim"
)

// The informers fill their caches with lists (pods and nodes streamed and pruned), never with
// client-go's watch-list stream, which an API that supports it (the demo's does) would have
// answered with every pod decoded whole.
func TestInformersListRatherThanWatchList(t *testing.T) {
	api, err := sim.StartKubeAPI(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	api.Put("v1/pods", map[string]any{"metadata": map[string]any{"namespace": "app", "name": "web-1"},
		"spec": map[string]any{"nodeName": "n1"}, "status": map[string]any{"phase": "Running"}})
	target, _ := url.Parse(api.URL())
	forward := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var asked []*url.URL
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL)
		mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	cl, err := NewClients(&rest.Config{Host: proxy.URL}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWatcher("c1", cl, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitFor(ctx, "nodes", "pods", "namespaces") {
		t.Fatal("the informers never synced")
	}
	if _, ok := w.Pod("app", "web-1"); !ok {
		t.Fatal("web-1 is not in the cache")
	}
	mu.Lock()
	defer mu.Unlock()
	listed := false
	for _, u := range asked {
		q := u.Query()
		if q.Get("sendInitialEvents") != "" {
			t.Errorf("a watch-list stream was asked for: %s", u)
		}
		if u.Path == "/api/v1/pods" && q.Get("watch") == "" && q.Get("resourceVersion") == "0" {
			listed = true
		}
	}
	if !listed {
		t.Errorf("pods were not listed from the watch cache; asked: %v", asked)
	}
}
