package main

import (
	"context"
	"fmt"
	"log"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// beatStatus posts each Ready node's status once per every, spread evenly over the period, as
// kubelets do (nodeStatusReportFrequency, 5 minutes by default): the update moves nothing but
// the Ready condition's heartbeat, and a site of 2,000 nodes sends about 7 of them a second, 5,000
// nodes 17. Nodes in skip, paused in pauseDir, or not Ready (a kubelet that is down posts
// nothing) are left alone.
func (s *seeder) beatStatus(ctx context.Context, every time.Duration, skip map[string]bool, pauseDir string) {
	for ctx.Err() == nil {
		ns, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil || len(ns.Items) == 0 {
			log.Printf("status: list nodes: %v", err)
			time.Sleep(10 * time.Second)
			continue
		}
		step := every / time.Duration(len(ns.Items))
		t := time.NewTicker(step)
		for _, n := range ns.Items {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if kubeletDown(n.Name, skip, pauseDir) || !ready(&n) {
				continue
			}
			patch := fmt.Sprintf(`{"status":{"conditions":[{"type":"Ready","lastHeartbeatTime":%q}]}}`, time.Now().UTC().Format(time.RFC3339))
			if _, err := s.kube.CoreV1().Nodes().Patch(ctx, n.Name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "status"); err != nil && ctx.Err() == nil {
				log.Printf("status %s: %v", n.Name, err)
			}
		}
		t.Stop()
	}
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
