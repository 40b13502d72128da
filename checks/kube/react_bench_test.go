package kube

import (
	"context"
	"sort"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
)

// BenchmarkDemoNodeFlipToStore: a Node flipped in the demo API until the store holds the
// re-judged finding, through the reactor (the lab has the same benchmark against a real
// kube-apiserver: BenchmarkLabNodeFlipToStore).
func BenchmarkDemoNodeFlipToStore(b *testing.B) {
	s, ws, _ := demo(b)
	site := *s.Config
	site.Checks.Interval = config.Duration(time.Hour)
	store := checks.NewStore(10 * time.Millisecond)
	sched := &checks.Scheduler{Store: store, Limit: 16, Checks: checks.Select(Checks(&site, ws, nil), []string{"kube.node"})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, w := range ws {
		w.WaitSynced(ctx)
	}
	React(ctx, &site, ws, store, 100*time.Millisecond, func(ctx context.Context, check, target string) error {
		_, err := sched.RunOne(ctx, check, target)
		return err
	})
	status, want := "False", checks.Crit
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		ts := start.UTC().Format(time.RFC3339)
		s.Kube.Put("v1/nodes", map[string]any{"metadata": map[string]any{"name": "node2"}, "spec": map[string]any{},
			"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": status, "reason": "R", "message": "m",
				"lastHeartbeatTime": ts, "lastTransitionTime": ts}}}})
		for {
			f := find(store, "kube.node", "demo/node2")
			if (f.Status == checks.Crit) == (want == checks.Crit) && f.ObservedAt.After(start) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
		if status == "False" {
			status, want = "True", checks.OK
		} else {
			status, want = "False", checks.Crit
		}
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "ms-median")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "ms-worst")
}
