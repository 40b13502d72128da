package kube

import (
	"context"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
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
			return f
		}
	}
	return checks.Finding{}
}
