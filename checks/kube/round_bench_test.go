package kube

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"opsdeck/config"
)

// BenchmarkPodRound42k is kube.pod's targets and the pod summary, a round's walk over the pods
// at 2,000 nodes (42,000 pods, 1 % crash-looping, as in the bench lab).
func BenchmarkPodRound42k(b *testing.B) {
	objs := make([]runtime.Object, 0, 42_000)
	for i := range 42_000 {
		objs = append(objs, pod("ns", fmt.Sprintf("p%05d", i), func(p *corev1.Pod) {
			if i%100 == 0 {
				p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "c", RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
			}
		}))
	}
	w, _ := startFake(b, fake.NewSimpleClientset(objs...), nil, "pods")
	site := config.Defaults()
	c := &cluster{site: &site, w: w}
	if n := len(c.problemPods()); n != 420 {
		b.Fatalf("%d problems, want 420", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = c.problemPods()
		_ = c.podSummary("pods")
	}
}
