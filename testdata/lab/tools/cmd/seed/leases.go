package main

import (
	"context"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

const leaseNS = "kube-node-lease"

// lease writes a node's heartbeat Lease with renewTime set age ago (a kubelet renews it every
// 10 s; age > 0 makes a node whose kubelet stopped).
func (s *seeder) lease(ctx context.Context, node string, age time.Duration) error {
	renew := metav1.NewMicroTime(time.Now().Add(-age))
	secs := int32(40)
	l := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: node, Namespace: leaseNS},
		Spec: coordv1.LeaseSpec{HolderIdentity: &node, LeaseDurationSeconds: &secs, RenewTime: &renew}}
	_, err := s.kube.CoordinationV1().Leases(leaseNS).Create(ctx, l, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	// The lab's renewer may write the same Lease meanwhile (a reseed failed on that conflict).
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := s.kube.CoordinationV1().Leases(leaseNS).Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Spec.RenewTime = &renew
		_, err = s.kube.CoordinationV1().Leases(leaseNS).Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
}

// renew keeps the Leases of every node fresh like kubelets do, every period, except the nodes
// named in skip (their kubelets are down in the scenario) and those with a file of their name
// in pauseDir (a test stops one node's kubelet that way, and removes the file to restart it).
func (s *seeder) renew(ctx context.Context, every time.Duration, skipped map[string]bool, pauseDir string, workers int) {
	var nodes []string
	listed := time.Time{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if time.Since(listed) > time.Minute { // nodes come and go: look again now and then
			ns, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			if err != nil {
				log.Printf("renew: list nodes: %v", err)
			} else {
				nodes = nodes[:0]
				for _, n := range ns.Items {
					nodes = append(nodes, n.Name)
				}
				listed = time.Now()
			}
		}
		work := make(chan string)
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range work {
					if err := s.lease(ctx, n, 0); err != nil && ctx.Err() == nil {
						log.Printf("renew %s: %v", n, err)
					}
				}
			}()
		}
		for _, n := range nodes {
			if kubeletDown(n, skipped, pauseDir) {
				continue
			}
			work <- n
		}
		close(work)
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// skipSet is -renew-skip's list of nodes as a set.
func skipSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		set[strings.TrimSpace(n)] = true
	}
	return set
}

// kubeletDown says whether a node's kubelet is down: named in skip (the scenario's) or paused
// by a file of its name in pauseDir (a test's). It renews no Lease and posts no status.
func kubeletDown(node string, skip map[string]bool, pauseDir string) bool {
	if skip[node] {
		return true
	}
	_, err := os.Stat(filepath.Join(pauseDir, node))
	return pauseDir != "" && err == nil
}
