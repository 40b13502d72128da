package kube

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The events of one pod are asked with a field selector on it, in its namespace only; the
// answer is sorted newest first and cut to the limit, and other objects' events are dropped.
func TestPodEventsAsksForOnePod(t *testing.T) {
	var gotPath, gotSel string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotSel = r.URL.Path, r.URL.Query().Get("fieldSelector")
		ev := func(name, reason, last string, count int) map[string]any {
			return map[string]any{"metadata": map[string]any{"name": name + "." + reason, "namespace": "app"},
				"involvedObject": map[string]any{"kind": "Pod", "namespace": "app", "name": name},
				"reason":         reason, "message": reason + " message", "type": "Warning", "count": count, "lastTimestamp": last,
				"source": map[string]any{"component": "kubelet", "host": "node4"}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"kind": "EventList", "apiVersion": "v1", "metadata": map[string]any{},
			"items": []any{ev("web-2", "Pulled", "2026-11-26T01:00:00Z", 1), ev("web-2", "BackOff", "2026-11-26T02:00:00Z", 23),
				ev("web-3", "Killing", "2026-11-26T03:00:00Z", 1), ev("web-2", "Started", "2026-11-26T00:30:00Z", 1)}})
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	kc := kubernetes.NewForConfigOrDie(&rest.Config{Host: srv.URL})
	evs, err := PodEvents(context.Background(), kc, "app", "web-2", 2)
	if err != nil {
		t.Fatal(err)
	}
	terms := strings.Split(gotSel, ",") // a field selector's terms come in any order
	sort.Strings(terms)
	if gotPath != "/api/v1/namespaces/app/events" || strings.Join(terms, ",") != "involvedObject.kind=Pod,involvedObject.name=web-2,involvedObject.namespace=app" {
		t.Errorf("asked %s ?fieldSelector=%s", gotPath, gotSel)
	}
	if len(evs) != 2 || evs[0].Reason != "BackOff" || evs[0].Count != 23 || evs[1].Reason != "Pulled" || evs[0].Source != "kubelet node4" {
		t.Errorf("%+v", evs)
	}
}
