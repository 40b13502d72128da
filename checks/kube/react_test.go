package kube

import (
	"context"
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
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
	React(ctx, &site, ws, store, 20*time.Millisecond, func(ctx context.Context, check, target string) { _, _ = sched.RunOne(ctx, check, target) })
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
		func(_ context.Context, check, target string) { reran <- check + " " + target })
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
