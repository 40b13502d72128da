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
	_, err := s.writeLease(ctx, node, age)
	return err
}

// writeLease is lease, returning the Lease as written.
func (s *seeder) writeLease(ctx context.Context, node string, age time.Duration) (*coordv1.Lease, error) {
	renew := metav1.NewMicroTime(time.Now().Add(-age))
	secs := int32(40)
	l := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: node, Namespace: leaseNS},
		Spec: coordv1.LeaseSpec{HolderIdentity: &node, LeaseDurationSeconds: &secs, RenewTime: &renew}}
	out, err := s.kube.CoordinationV1().Leases(leaseNS).Create(ctx, l, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		return out, err
	}
	// The lab's renewer may write the same Lease meanwhile (a reseed failed on that conflict).
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := s.kube.CoordinationV1().Leases(leaseNS).Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Spec.RenewTime = &renew
		out, err = s.kube.CoordinationV1().Leases(leaseNS).Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	return out, err
}

// renew keeps the Leases of every node fresh like kubelets do, every period, except the nodes
// named in skip (their kubelets are down in the scenario) and those with a file of their name
// in pauseDir (a test stops one node's kubelet that way, and removes the file to restart it).
// Like kubelets, each node renews at its own moment in the period, with one Update of the Lease
// it wrote last (read again only on a conflict): renewing all at once, each a create, a get and
// an update, kept the lab's apiserver at 117 % of a core at 5,000 nodes, and the cores it took
// were the cockpit's.
func (s *seeder) renew(ctx context.Context, every time.Duration, skipped map[string]bool, pauseDir string, workers int) {
	var mu sync.Mutex
	held := map[string]*coordv1.Lease{}
	work := make(chan string)
	defer close(work)
	for i := 0; i < workers; i++ {
		go func() {
			for n := range work {
				mu.Lock()
				last := held[n]
				mu.Unlock()
				l, err := s.renewLease(ctx, n, last)
				if err != nil {
					if ctx.Err() == nil {
						log.Printf("renew %s: %v", n, err)
					}
					l = nil
				}
				mu.Lock()
				held[n] = l
				mu.Unlock()
			}
		}()
	}
	var nodes []string
	listed := time.Time{}
	for ctx.Err() == nil {
		if time.Since(listed) > time.Minute { // nodes come and go: look again now and then
			ns, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
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
		if len(nodes) == 0 {
			time.Sleep(every)
			continue
		}
		t := time.NewTicker(every / time.Duration(len(nodes)))
		for _, n := range nodes {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if !kubeletDown(n, skipped, pauseDir) {
				work <- n
			}
		}
		t.Stop()
	}
}

// renewLease renews node's Lease from the one it wrote last (nil: none yet, or it failed).
func (s *seeder) renewLease(ctx context.Context, node string, last *coordv1.Lease) (*coordv1.Lease, error) {
	if last != nil {
		l := last.DeepCopy()
		now := metav1.NewMicroTime(time.Now())
		l.Spec.RenewTime = &now
		out, err := s.kube.CoordinationV1().Leases(leaseNS).Update(ctx, l, metav1.UpdateOptions{})
		if err == nil || !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			return out, err
		}
	}
	return s.writeLease(ctx, node, 0) // written by someone else meanwhile (a test), or gone
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
