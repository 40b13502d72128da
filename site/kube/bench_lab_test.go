//go:build lab

package kube

import (
	"context"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"opsdeck/internal/labenv"
)

// BenchmarkLabWatchSync: time until the trimmed caches are synced, and the heap they take, on
// whatever the lab holds (LAB_SEED_ARGS="-nodes 5000 -pods 100000" for the recorded figures).
func BenchmarkLabWatchSync(b *testing.B) {
	lab := labenv.Load(b)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		w, _ := labWatcher(b, lab)
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		w.Start(ctx)
		if !w.WaitSynced(ctx) {
			b.Fatal("not synced")
		}
		took := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(took.Seconds(), "s-to-sync")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-heap")
		b.ReportMetric(float64(len(w.Nodes())), "nodes")
		b.ReportMetric(float64(len(w.Pods())), "pods")
		cancel()
		// Let the informers' goroutines end so the next round starts from the same heap.
		time.Sleep(time.Second)
		runtime.GC()
	}
}

// BenchmarkLabNodeFlip: a Node turned NotReady in the API, until the cache shows it.
func BenchmarkLabNodeFlip(b *testing.B) {
	lab := labenv.Load(b)
	w, _ := labWatcher(b, lab)
	admin, err := Connect(Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitSynced(ctx) {
		b.Fatal("not synced")
	}
	status := corev1.ConditionFalse
	var worst time.Duration
	for b.Loop() {
		n, err := admin.Kube.CoreV1().Nodes().Get(ctx, "node1", metav1.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n.Status.Conditions {
			if n.Status.Conditions[i].Type == corev1.NodeReady {
				n.Status.Conditions[i].Status = status
			}
		}
		start := time.Now()
		if _, err := admin.Kube.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		for {
			c, _ := w.Node("node1")
			if c != nil && readyStatus(c) == status {
				break
			}
			time.Sleep(time.Millisecond)
		}
		worst = max(worst, time.Since(start))
		if status == corev1.ConditionFalse {
			status = corev1.ConditionTrue
		} else {
			status = corev1.ConditionFalse
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "ms-worst")
	// Leave node1 Ready, as the scenario has it.
	if n, err := admin.Kube.CoreV1().Nodes().Get(ctx, "node1", metav1.GetOptions{}); err == nil {
		for i := range n.Status.Conditions {
			if n.Status.Conditions[i].Type == corev1.NodeReady {
				n.Status.Conditions[i].Status = corev1.ConditionTrue
				n.Status.Conditions[i].LastHeartbeatTime = metav1.Now()
			}
		}
		admin.Kube.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	}
}

func readyStatus(n *corev1.Node) corev1.ConditionStatus {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}
