package kube

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

// kube.pod's round reads only the pods the cache calls unsettled: a Settled pod must be no
// problem now nor at any later time, whatever the thresholds, or the round would miss it.
func TestASettledPodIsNoProblemAtAnyTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	phases := []corev1.PodPhase{corev1.PodRunning, corev1.PodPending, corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown, ""}
	reasons := []string{"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "ContainerCreating", ""}
	settled := 0
	for i := range 20_000 {
		p := pod("ns", "p", func(p *corev1.Pod) {
			p.Status.Phase = phases[r.IntN(len(phases))]
			p.CreationTimestamp = metav1.NewTime(now.Add(-time.Duration(r.IntN(3600)) * time.Second))
			if r.IntN(4) == 0 {
				at := metav1.NewTime(now.Add(time.Duration(r.IntN(7200)-3600) * time.Second))
				p.DeletionTimestamp = &at
				if r.IntN(2) == 0 {
					grace := int64(r.IntN(60))
					p.DeletionGracePeriodSeconds = &grace
				}
			}
			p.Status.ContainerStatuses = nil
			for range r.IntN(3) {
				cs := corev1.ContainerStatus{Name: "c", Ready: r.IntN(3) > 0, RestartCount: int32(r.IntN(5))}
				switch r.IntN(3) {
				case 0:
					cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reasons[r.IntN(len(reasons))]}
				case 1:
					cs.State.Running = &corev1.ContainerStateRunning{}
				default:
					cs.State.Terminated = &corev1.ContainerStateTerminated{Reason: "Completed"}
				}
				p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, cs)
			}
		})
		cp := sitekube.PodOf(p)
		if !cp.Settled() {
			continue
		}
		settled++
		for _, at := range []time.Duration{0, time.Minute, time.Hour, 24 * 365 * time.Hour} {
			for _, th := range []time.Duration{0, 10 * time.Minute} {
				if st, s, bad := PodProblem(cp, now.Add(at), th, th); bad {
					t.Fatalf("pod %d is Settled but at +%s (thresholds %s) a problem: %s %q\n%+v", i, at, th, st, s, cp.Status)
				}
			}
		}
	}
	if settled < 1_000 {
		t.Fatalf("only %d of the pods were Settled: the test says little", settled)
	}
}

// The index follows each pod's changes: a pod that goes bad joins kube.pod's round and the
// summary's counts, one that recovers, completes or goes leaves them.
func TestTheRoundFollowsPodsThatSettleAndUnsettle(t *testing.T) {
	kc := fake.NewSimpleClientset(pod("ns", "web", nil), pod("ns", "api", nil))
	w, ctx := startFake(t, kc, nil, "pods")
	site := config.Defaults()
	c := &cluster{site: &site, w: w, now: func() time.Time { return now }}
	set := func(name string, mut func(*corev1.Pod)) {
		t.Helper()
		p, err := kc.CoreV1().Pods("ns").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mut(p)
		if _, err := kc.CoreV1().Pods("ns").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(problems []string, summary string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, sum := c.problemPods(), c.podSummary("pods").Summary
			slices.Sort(got) // the index lists them in no order
			if slices.Equal(got, problems) && sum == summary {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("problems %v, summary %q; want %v, %q", got, sum, problems, summary)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	expect(nil, "2 pods: 2 running, 0 completed jobs (expected), 0 other; 0 not ready (see kube.pod)")
	set("web", func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "c", RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
	})
	expect([]string{"ns/web"}, "2 pods: 2 running, 0 completed jobs (expected), 0 other; 1 not ready (see kube.pod)")
	set("api", func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending })
	expect([]string{"ns/api", "ns/web"}, "2 pods: 1 running, 0 completed jobs (expected), 1 other; 2 not ready (see kube.pod)")
	set("web", func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "c", Ready: true, RestartCount: 3, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	})
	set("api", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded })
	expect(nil, "2 pods: 1 running, 1 completed jobs (expected), 0 other; 0 not ready (see kube.pod)")
	if err := kc.CoreV1().Pods("ns").Delete(ctx, "api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(nil, "1 pods: 1 running, 0 completed jobs (expected), 0 other; 0 not ready (see kube.pod)")
}
