package kube

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
)

// NodeFacts are one Node's facts as a view needs them, read from the caches without any lock
// that network code holds (the informers' stores have their own short read locks).
type NodeFacts struct {
	Name        string
	InternalIP  string
	Master      bool
	Ready       corev1.ConditionStatus // True, False, Unknown, or "" without a Ready condition
	ReadyReason string
	ReadySince  time.Time // the Ready condition's last transition
	// LeaseRenew is the node Lease's renewTime (zero without a Lease); StatusHeartbeat is the
	// Ready condition's lastHeartbeatTime (refreshed only every nodeStatusReportFrequency when
	// a Lease exists).
	LeaseRenew      time.Time
	StatusHeartbeat time.Time
	Cordoned        bool
	PodsRunning     int // Running pods bound to the node
	PodsNotReady    int // bound pods neither Succeeded nor Running with every container ready
}

// NodeFacts reads one node's facts from the caches (pods through the node index).
func (w *Watcher) NodeFacts(name string) (NodeFacts, bool) {
	n, ok := w.Node(name)
	if !ok {
		return NodeFacts{Name: name}, false
	}
	return w.factsOf(n), true
}

// AllNodeFacts reads every node's facts without the pod counts: counting through the node index
// for 2,000 nodes took a third of an idle cockpit's CPU. A view counts pods from the pod changes
// it follows (TrackPods); NodeFacts counts them for one node.
func (w *Watcher) AllNodeFacts() []NodeFacts {
	ns := w.Nodes()
	out := make([]NodeFacts, 0, len(ns))
	for _, n := range ns {
		out = append(out, w.nodeOnly(n))
	}
	return out
}

func (w *Watcher) factsOf(n *corev1.Node) NodeFacts {
	f := w.nodeOnly(n)
	for _, p := range w.PodsOnNode(n.Name) {
		switch {
		case p.Status.Phase == corev1.PodSucceeded:
		case p.Status.Phase == corev1.PodRunning && allReady(p):
			f.PodsRunning++
		case p.Status.Phase == corev1.PodRunning:
			f.PodsRunning++
			f.PodsNotReady++
		default:
			f.PodsNotReady++
		}
	}
	return f
}

func (w *Watcher) nodeOnly(n *corev1.Node) NodeFacts {
	f := NodeFacts{Name: n.Name, Cordoned: n.Spec.Unschedulable}
	_, m := n.Labels["node-role.kubernetes.io/master"]
	_, cp := n.Labels["node-role.kubernetes.io/control-plane"]
	f.Master = m || cp
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && f.InternalIP == "" {
			f.InternalIP = a.Address
		}
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			f.Ready, f.ReadyReason = c.Status, c.Reason
			f.ReadySince, f.StatusHeartbeat = c.LastTransitionTime.Time, c.LastHeartbeatTime.Time
		}
	}
	if t, ok := w.LeaseRenew(n.Name); ok {
		f.LeaseRenew = t
	}
	return f
}

func allReady(p *Pod) bool {
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			return false
		}
	}
	return true
}

// PodsVersion counts pod events: a view compares it with the version it last drew.
func (w *Watcher) PodsVersion() uint64 { return w.podsVersion.Load() }

// NodesVersion moves whenever what AllNodeFacts reads may have moved (a Node event, a Lease that
// came or went, a status heartbeat of a node without a Lease), but for a Lease's renewal: a view
// that drew a version reads the nodes again only after it moved, and reads renewals live
// (LeaseRenew). A node with a Lease posts its status every 5 minutes (7 posts a second at 2,000
// nodes) and the views show its Lease's renewal instead: those posts move nothing either.
func (w *Watcher) NodesVersion() uint64 { return w.nodesVersion.Load() }

// Moved is signalled (never blocking, coalesced) on every pod or Node event, the first list's
// too, for the views (Changed belongs to the checks). One reader per watcher: a second would
// take signals from the first.
func (w *Watcher) Moved() <-chan struct{} { return w.moved }

// Changed is signalled (never blocking, coalesced into one pending signal) when the caches
// change; read TakeTouched after it fires. One reader per watcher.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

// TakeTouched returns the node names whose Node or pods changed (or whose Lease came back after
// going stale), and the pods (namespace/name) that changed, since the last call, and forgets
// them. A routine Lease renewal touches nothing: it changes no judgement.
func (w *Watcher) TakeTouched() (nodes, pods []string) {
	w.dirtyMu.Lock()
	defer w.dirtyMu.Unlock()
	for n := range w.dirty {
		nodes = append(nodes, n)
	}
	for p := range w.dirtyPods {
		pods = append(pods, p)
	}
	clear(w.dirty)
	clear(w.dirtyPods)
	return nodes, pods
}

// routineRenewal is a Lease renewed on time: the node was live before and is live after.
const routineRenewal = 40 * time.Second

// touchNodes remembers nodes to judge again (their Leases came, went or came back) and signals.
func (w *Watcher) touchNodes(names []string) {
	if len(names) == 0 {
		return
	}
	w.dirtyMu.Lock()
	for _, n := range names {
		w.dirty[n] = true
	}
	w.dirtyMu.Unlock()
	w.signal()
}

func (w *Watcher) move() {
	select {
	case w.moved <- struct{}{}:
	default:
	}
}

func (w *Watcher) signal() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// heartbeat is a Node update that moved only heartbeats: the node is judged again (without a
// Lease its Ready heartbeat is its liveness) but the views are not moved (heartbeatOnly).
func (w *Watcher) heartbeat(n *corev1.Node) {
	if _, ok := w.LeaseRenew(n.Name); !ok { // with a Lease, views show its renewal, not this
		w.nodesVersion.Add(1)
	}
	w.dirtyMu.Lock()
	if len(w.dirty) < 1_000_000 { // as changedObject's
		w.dirty[n.Name] = true
	}
	w.dirtyMu.Unlock()
	w.signal()
}

// changedObject is every informer's event handler: count, tell the views, remember the nodes and
// pods to judge again, signal. The first list's adds (firstList) move the views (Moved) but are
// not handed to their PodTouches: they read the list whole once it is cached (the handler hears of 100,000 pods seconds after the
// cache holds them, and a view rebuilt them all a second time). Nor are they judged again when
// the first round judges them (judged: that round waited for the list); the reactor judged every
// pod, and every node, a second time at each start.
func (w *Watcher) changedObject(obj any, firstList, judged bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	switch o := obj.(type) {
	case *Pod:
		w.podsVersion.Add(1)
		w.move()
		if !firstList {
			w.touchPod(o)
		}
	case *corev1.Node:
		w.nodesVersion.Add(1)
		w.move()
	}
	if judged {
		return
	}
	node, pod := "", ""
	switch o := obj.(type) {
	case *corev1.Node:
		node = o.Name
	case *Pod:
		node, pod = o.Spec.NodeName, o.Namespace+"/"+o.Name
	}
	if node != "" || pod != "" {
		w.dirtyMu.Lock()
		if node != "" && len(w.dirty) < 1_000_000 { // bounded by the nodes anyway
			w.dirty[node] = true
		}
		if pod != "" && len(w.dirtyPods) < 1_000_000 {
			w.dirtyPods[pod] = true
		}
		w.dirtyMu.Unlock()
	}
	w.signal()
}
