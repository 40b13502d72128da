package kube

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Node Leases are listed every LeaseEvery, not watched. Kubelets renew them every 10 s: at
// 2,000 nodes a watch delivers 200 events a second, each received, decoded and handed through
// an informer's queues on its own — most of an idle cockpit's CPU (2–3 % of a core alone). One
// list of 2,000 Leases from the API's watch cache costs about as many bytes every 8 s, decoded
// in one pass. A Lease renewed between two lists is seen at most LeaseEvery late; the stale
// threshold (40 s by default) is judged against a renewTime at most 10 s + LeaseEvery old on a
// live node, so LeaseEvery stays well under it (NodeLeaseEvery: 8 s at 40 s).

// DefaultLeaseEvery is how often the Leases are listed when a watcher's LeaseEvery is unset.
const DefaultLeaseEvery = 10 * time.Second

// NodeLeaseEvery is a listing period for a stale threshold: a fifth of it, 1–10 s, so a
// kubelet renewing every 10 s never looks stale because of the period.
func NodeLeaseEvery(stale time.Duration) time.Duration {
	return min(max(stale/5, time.Second), DefaultLeaseEvery)
}

// leaseTable is the newest list's renewTimes by node name.
type leaseTable struct {
	mu     sync.RWMutex
	renew  map[string]time.Time // zero: a Lease without renewTime
	listed atomic.Bool
}

// LeaseRenew is the renewTime of a node's heartbeat Lease (false without a Lease, or a Lease
// without renewTime).
func (w *Watcher) LeaseRenew(node string) (time.Time, bool) {
	w.leaseTab.mu.RLock()
	t, ok := w.leaseTab.renew[node]
	w.leaseTab.mu.RUnlock()
	return t, ok && !t.IsZero()
}

func (w *Watcher) leaseEvery() time.Duration {
	if w.LeaseEvery > 0 {
		return w.LeaseEvery
	}
	return DefaultLeaseEvery
}

// newLeasePoll is the Leases' collection: health like an informer's (a failed list makes it
// unhealthy until one succeeds), filled by pollLeases. It has no access probe: every list is one.
func (w *Watcher) newLeasePoll(k kubernetes.Interface) *informer {
	in := &informer{name: "leases", stop: make(chan struct{}), synced: w.leaseTab.listed.Load}
	in.start = func(stop <-chan struct{}) { w.pollLeases(k, in, stop) }
	return in
}

// leasePrune keeps a Lease's name and renewTime: a kubelet's Lease carries its managed fields,
// and 2,000 of them were 6 MB of garbage every list.
var leasePrune = &protoPrune{only: map[uint64]*protoPrune{1: {only: map[uint64]*protoPrune{1: nil}}, 2: {only: map[uint64]*protoPrune{4: nil}}}}

// listLeases reads every node Lease from the API's watch cache (resourceVersion 0), streamed
// and pruned item by item where the API speaks protobuf.
func listLeases(ctx context.Context, k kubernetes.Interface) ([]*coordv1.Lease, error) {
	o := metav1.ListOptions{ResourceVersion: "0"}
	src := &streamSource{client: func() rest.Interface { return k.CoordinationV1().RESTClient() }, resource: "leases", namespace: LeaseNamespace,
		newItem: func() protoObject { return &coordv1.Lease{} }, newList: func() runtime.Object { return &coordv1.LeaseList{} }, prune: leasePrune}
	var out []*coordv1.Lease
	if !src.streams() { // a fake clientset
		l, err := k.CoordinationV1().Leases(LeaseNamespace).List(ctx, o)
		if err != nil {
			return nil, err
		}
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
		return out, nil
	}
	obj, err := streamList(ctx, *src, o, nil)
	if err != nil {
		return nil, err
	}
	for _, it := range obj.(*metav1.List).Items {
		if l, ok := it.Object.(*coordv1.Lease); ok {
			out = append(out, l)
		}
	}
	return out, nil
}

func (w *Watcher) pollLeases(k kubernetes.Interface, in *informer, stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-stop; cancel() }()
	for {
		// A list that hangs must not keep the table for minutes (its renewTimes age, and every
		// node would look stale): bounded by a call's deadline, retried soon after a failure.
		lctx, done := context.WithTimeout(ctx, max(w.callTimeout(), w.leaseEvery()))
		ls, err := listLeases(lctx, k)
		done()
		if ctx.Err() != nil {
			return
		}
		in.result(err)
		next := w.leaseEvery()
		if err == nil {
			w.takeLeases(ls, in.failedBefore())
		} else {
			next = min(next, leaseRetry)
		}
		select {
		case <-stop:
			return
		case <-time.After(next):
		}
	}
}

// leasesCameOrWent tells whether a node gained or lost its Lease or the Lease's renewTime between
// two lists: what moves the node list's version (NodesVersion), where a renewal does not.
func leasesCameOrWent(prev, next map[string]time.Time) bool {
	if len(prev) != len(next) {
		return true
	}
	for n, t := range next {
		if p, ok := prev[n]; !ok || p.IsZero() != t.IsZero() {
			return true
		}
	}
	return false
}

// leaseRetry is how soon a failed Lease list is tried again.
const leaseRetry = 2 * time.Second

// takeLeases replaces the table and marks the nodes to judge again: a new or deleted Lease, or
// one renewed after a gap (the node came back). A routine renewal touches nothing, nor does the
// first list, which kube.node's first round waits for — unless lists failed before it (that
// round then judged without Leases).
func (w *Watcher) takeLeases(items []*coordv1.Lease, failedBefore bool) {
	next := make(map[string]time.Time, len(items))
	for _, l := range items {
		var t time.Time
		if r := l.Spec.RenewTime; r != nil {
			t = r.Time
		}
		next[l.Name] = t
	}
	w.leaseTab.mu.Lock()
	prev := w.leaseTab.renew
	w.leaseTab.renew = next
	w.leaseTab.mu.Unlock()
	if leasesCameOrWent(prev, next) {
		// The views draw a node without a Lease from its own heartbeat: read it at once. A
		// routine renewal moves only LeaseRenew, which they read live.
		w.nodesVersion.Add(1)
		w.move()
	}
	if !w.leaseTab.listed.Swap(true) && !failedBefore {
		return
	}
	var touched []string
	for n, t := range next {
		if p, ok := prev[n]; !ok || !t.Equal(p) && (p.IsZero() || t.IsZero() || t.Sub(p) >= routineRenewal) {
			touched = append(touched, n)
		}
	}
	for n := range prev {
		if _, ok := next[n]; !ok {
			touched = append(touched, n)
		}
	}
	w.touchNodes(touched)
}
