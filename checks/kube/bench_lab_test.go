//go:build lab

package kube

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"opsdeck/checks"
	"opsdeck/internal/labenv"
	sitekube "opsdeck/site/kube"
)

// BenchmarkLabNodeFlipToStore: a Node's Ready condition flipped through the API, until the
// store holds the re-judged kube.node finding (informer → reactor → RunOne → store), with the
// check schedule an hour away. Reports the median and the worst flip.
func BenchmarkLabNodeFlipToStore(b *testing.B) {
	lab := labenv.Load(b)
	site := *lab.Site
	site.Clusters = site.Clusters[:1] // the meta cluster: targets without a prefix
	site.Checks.Interval = 3600 * 1e9
	ro, err := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	var crds []schema.GroupVersionResource
	for _, full := range site.Resources.ByName() {
		g, _ := sitekube.ParseGVR(full)
		crds = append(crds, g)
	}
	w := sitekube.NewWatcher("lab", ro, crds)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitSynced(ctx) {
		b.Fatal("not synced")
	}
	store := checks.NewStore(10 * time.Millisecond)
	sched := &checks.Scheduler{Store: store, Limit: 64, Checks: checks.Select(Checks(&site, []*sitekube.Watcher{w}, nil), []string{"kube.node"})}
	React(ctx, &site, []*sitekube.Watcher{w}, store, 100*time.Millisecond, func(ctx context.Context, check, target string) error {
		_, err := sched.RunOne(ctx, check, target)
		return err
	})
	admin, err := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		b.Fatal(err)
	}
	flip := func(status corev1.ConditionStatus) {
		n, err := admin.Kube.CoreV1().Nodes().Get(ctx, "node1", metav1.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n.Status.Conditions {
			if n.Status.Conditions[i].Type == corev1.NodeReady {
				n.Status.Conditions[i].Status = status
				n.Status.Conditions[i].LastTransitionTime = metav1.Now()
			}
		}
		if _, err := admin.Kube.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	defer flip(corev1.ConditionTrue)
	status, want := corev1.ConditionFalse, checks.Crit
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		flip(status)
		for {
			if f, ok := latest(store, "kube.node", "node1"); ok && (f.Status == want) == (status == corev1.ConditionFalse) && f.ObservedAt.After(start) {
				break
			}
			if time.Since(start) > 30*time.Second {
				b.Fatal("no re-judged finding within 30 s")
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
		if status == corev1.ConditionFalse {
			status = corev1.ConditionTrue
		} else {
			status = corev1.ConditionFalse
		}
	}
	worst, sorted := time.Duration(0), append([]time.Duration(nil), took...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if sorted[j] < sorted[i] {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
		worst = max(worst, sorted[i])
	}
	b.ReportMetric(float64(sorted[len(sorted)/2].Milliseconds()), "ms-median")
	b.ReportMetric(float64(worst.Milliseconds()), "ms-worst")
}

func latest(st *checks.Store, check, target string) (checks.Finding, bool) {
	for _, f := range st.Snapshot().Findings {
		if f.Check == check && f.Target == target {
			return *f, true
		}
	}
	return checks.Finding{}, false
}
