package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
	"opsdeck/site/sim"
)

// A Node flipped NotReady in the API reaches the store through the reactor, with the schedule
// far away (1 h): only the informer event can have re-judged it.
func TestReactRejudgesTouchedNodes(t *testing.T) {
	s, ws, pool := demo(t)
	site := *s.Config
	site.Checks.Interval = config.Duration(time.Hour)
	cs := Checks(&site, ws, pool)
	store := checks.NewStore(10 * time.Millisecond)
	sched := &checks.Scheduler{Store: store, Limit: 16, Checks: checks.Select(cs, []string{"kube.node", "kube.pod"})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sched.RunOnce(ctx, nil)
	if f := find(store, "kube.node", "demo/node2"); f.Status != checks.OK {
		t.Fatalf("node2 before: %s %q", f.Status, f.Summary)
	}
	React(ctx, &site, ws, store, 20*time.Millisecond, func(ctx context.Context, check, target string) error {
		_, err := sched.RunOne(ctx, check, target)
		return err
	})
	now := time.Now().UTC().Format(time.RFC3339)
	s.Kube.Put("v1/nodes", map[string]any{"metadata": map[string]any{"name": "node2"}, "spec": map[string]any{},
		"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "KubeletNotReady",
			"message": "PLEG is not healthy", "lastHeartbeatTime": now, "lastTransitionTime": now}}}})
	deadline := time.Now().Add(10 * time.Second)
	for find(store, "kube.node", "demo/node2").Status != checks.Crit {
		if time.Now().After(deadline) {
			t.Fatalf("node2 never re-judged: %+v", find(store, "kube.node", "demo/node2"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func find(st *checks.Store, check, target string) checks.Finding {
	for _, f := range st.Snapshot().Findings {
		if f.Check == check && f.Target == target {
			return *f
		}
	}
	return checks.Finding{}
}

// A cluster whose pods cannot be listed (RBAC, a slow API) still has its Node events re-judged:
// the reactor waits for a first list only while it is coming, not when it fails.
func TestReactWithPodsFailingStillJudgesNodes(t *testing.T) {
	kc := fake.NewSimpleClientset(node("n1", corev1.ConditionTrue, 0, false))
	kc.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	})
	w := sitekube.NewWatcher("c1", &sitekube.Clients{Kube: kc, Dynamic: dynfake.NewSimpleDynamicClient(runtime.NewScheme())}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	w.WaitFor(ctx, "nodes", "pods")
	site := config.Defaults()
	reran := make(chan string, 16)
	React(ctx, &site, []*sitekube.Watcher{w}, checks.NewStore(time.Millisecond), 10*time.Millisecond,
		func(_ context.Context, check, target string) error { reran <- check + " " + target; return nil })
	n, _ := kc.CoreV1().Nodes().Get(ctx, "n1", metav1.GetOptions{})
	n.Status.Conditions[0].Status = corev1.ConditionFalse
	if _, err := kc.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-reran:
			if got == "kube.node n1" {
				return
			}
		case <-deadline:
			t.Fatal("the node flip was not re-judged while pods fail to list")
		}
	}
}

// A Node flip that comes while the pods' first list is still loading is judged by kube.node at
// once, and by kube.allocation (which reads the node's pods) as soon as that list is in where
// the first round judged already (its wait for the list gave up: a partial cache) — not left
// until the next round, minutes later. A node that round has not judged is left to it. The
// demo's API sits behind a proxy that holds the pods list.
func TestReactHoldsTouchesUntilTheirListsAreIn(t *testing.T) {
	api, err := sim.StartKubeAPI(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	nodeObj := func(name, ready string) map[string]any {
		at := time.Now().UTC().Format(time.RFC3339)
		return map[string]any{"metadata": map[string]any{"name": name}, "spec": map[string]any{},
			"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": ready,
				"lastHeartbeatTime": at, "lastTransitionTime": at}}}}
	}
	api.Put("v1/nodes", nodeObj("n1", "True"))
	api.Put("v1/nodes", nodeObj("n2", "True"))
	target, _ := url.Parse(api.URL())
	forward := httputil.NewSingleHostReverseProxy(target)
	release := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/pods" && r.URL.Query().Get("watch") != "true" {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	cl, err := sitekube.NewClients(&rest.Config{Host: proxy.URL}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := sitekube.NewWatcher("c1", cl, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitFor(ctx, "nodes") {
		t.Fatal("nodes never synced")
	}
	site := config.Defaults()
	reran := make(chan string, 16)
	store := checks.NewStore(time.Millisecond)
	store.Put(checks.Finding{Check: "kube.allocation", Target: "n1", Status: checks.OK, Summary: "0 % requested (pods not listed yet)"})
	React(ctx, &site, []*sitekube.Watcher{w}, store, 10*time.Millisecond,
		func(_ context.Context, check, target string) error { reran <- check + " " + target; return nil })
	api.Put("v1/nodes", nodeObj("n1", "False"))
	api.Put("v1/nodes", nodeObj("n2", "False"))
	listed := false
	expect := func(within time.Duration, wants ...string) { // in any order: kube.node runs in goroutines
		t.Helper()
		deadline := time.After(within)
		for len(wants) > 0 {
			select {
			case got := <-reran:
				if strings.HasPrefix(got, "kube.allocation") && !listed {
					t.Fatalf("%s before the pods were listed: %+v", got, w.InformerHealth("pods"))
				}
				if got == "kube.allocation n2" {
					t.Fatal("n2, which no round judged yet, was judged by the reactor")
				}
				wants = slices.DeleteFunc(wants, func(w string) bool { return w == got })
			case <-deadline:
				t.Fatalf("%v never ran", wants)
			}
		}
	}
	expect(5*time.Second, "kube.node n1", "kube.node n2")
	select {
	case got := <-reran:
		t.Fatalf("%s ran while the pods list was held", got)
	case <-time.After(200 * time.Millisecond):
	}
	listed = true
	close(release)
	expect(5*time.Second, "kube.allocation n1")
	select {
	case got := <-reran:
		t.Fatalf("%s ran after the list", got)
	case <-time.After(300 * time.Millisecond):
	}
}

// A touch whose rerun finds a probe of its node still out (a NotReady node's SSH look) is asked
// again once the probe is back, not left to the next event or round: that probe read the node
// before the touch.
func TestReactAsksAgainWhileAProbeIsOut(t *testing.T) {
	kc := fake.NewSimpleClientset(node("n1", corev1.ConditionTrue, 0, false))
	w, ctx := startFake(t, kc, nil, "nodes", "pods")
	site := config.Defaults()
	var calls atomic.Int32
	ran := make(chan struct{})
	React(ctx, &site, []*sitekube.Watcher{w}, checks.NewStore(time.Millisecond), 10*time.Millisecond,
		func(_ context.Context, check, target string) error {
			if check != "kube.node" || target != "n1" {
				return nil
			}
			if calls.Add(1) <= 3 { // the probe is out for three asks
				return fmt.Errorf("check %s on %s did not run: %w", check, target, checks.ErrProbeOut)
			}
			close(ran)
			return nil
		})
	n, _ := kc.CoreV1().Nodes().Get(ctx, "n1", metav1.GetOptions{})
	n.Status.Conditions[0].Status = corev1.ConditionFalse
	if _, err := kc.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatalf("asked %d times: a rerun that found the probe out was not asked again", calls.Load())
	}
}
