package main

import (
	"context"
	"encoding/json"
	"log"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// crashLoop makes share of the scale pods crash-loop as long as it runs, as a site always has
// some: each of them restarts once per every (a kubelet's back-off tops out at 5 minutes) and its
// status is posted twice per restart — waiting in CrashLoopBackOff, not ready, one restart more;
// then running and ready again. Spread evenly over the period, that is 2 × share × pods / every
// status posts a second (1 % of 42,000 pods every 5 minutes: 2.8 a second). Without them the
// lab's pods never change and no figure shows what a pod change costs the cockpit.
func (s *seeder) crashLoop(ctx context.Context, share float64, every time.Duration) {
	if share <= 0 {
		return
	}
	var pods []corev1.Pod
	for ctx.Err() == nil {
		l, err := s.kube.CoreV1().Pods("scale").List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err == nil {
			pods = l.Items
			break
		}
		log.Printf("crashloop: list pods: %v", err)
		time.Sleep(10 * time.Second)
	}
	stride := int(1 / share)
	var loop []*corev1.Pod
	for i := 0; i < len(pods); i += stride {
		loop = append(loop, &pods[i])
	}
	if len(loop) == 0 {
		return
	}
	log.Printf("crashloop: %d of %d scale pods, a restart each every %s", len(loop), len(pods), every)
	t := time.NewTicker(every / time.Duration(2*len(loop)))
	defer t.Stop()
	for round := 0; ctx.Err() == nil; round++ {
		down := round%2 == 0
		for _, p := range loop {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := s.postCrash(ctx, p, down); err != nil && ctx.Err() == nil {
				log.Printf("crashloop %s: %v", p.Name, err)
			}
		}
	}
}

// postCrash posts p's status: down (back-off after one restart more) or up (running, ready).
func (s *seeder) postCrash(ctx context.Context, p *corev1.Pod, down bool) error {
	if len(p.Status.ContainerStatuses) == 0 {
		return nil
	}
	cs := p.Status.ContainerStatuses[0]
	now := metav1.Now()
	ready := corev1.ConditionTrue
	cs.Ready, cs.State = true, corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
	if down {
		ready = corev1.ConditionFalse
		cs.RestartCount++
		cs.Ready = false
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: "back-off 5m0s restarting failed container=main pod=" + p.Name}}
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: now}}
	}
	p.Status.ContainerStatuses[0] = cs
	patch, err := json.Marshal(map[string]any{"status": map[string]any{
		"conditions":        []map[string]any{{"type": "Ready", "status": ready, "lastTransitionTime": now}},
		"containerStatuses": []corev1.ContainerStatus{cs},
	}})
	if err != nil {
		return err
	}
	_, err = s.kube.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	return err
}
