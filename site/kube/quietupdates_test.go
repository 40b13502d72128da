package kube

import (
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A kubelet's periodic status post moves nothing but heartbeats; anything else is a change.
func TestHeartbeatOnly(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	node := func() *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", ResourceVersion: "1"},
			Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("31")},
				Conditions: []corev1.NodeCondition{
					{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: t0, LastTransitionTime: t0},
					{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: t0, LastTransitionTime: t0}}}}
	}
	later := metav1.NewTime(t0.Add(5 * time.Minute))
	beat := node()
	beat.ResourceVersion = "2"
	for i := range beat.Status.Conditions {
		beat.Status.Conditions[i].LastHeartbeatTime = later
	}
	if !heartbeatOnly(node(), beat) {
		t.Error("a status post that moved only the heartbeats is a change")
	}
	changes := map[string]func(n *corev1.Node){
		"not ready":  func(n *corev1.Node) { n.Status.Conditions[1].Status = corev1.ConditionFalse },
		"transition": func(n *corev1.Node) { n.Status.Conditions[1].LastTransitionTime = later },
		"pressure added": func(n *corev1.Node) {
			n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeDiskPressure})
		},
		"cordoned":         func(n *corev1.Node) { n.Spec.Unschedulable = true },
		"allocatable":      func(n *corev1.Node) { n.Status.Allocatable[corev1.ResourceCPU] = resource.MustParse("30") },
		"labels":           func(n *corev1.Node) { n.Labels = map[string]string{"node-role.kubernetes.io/master": ""} },
		"being deleted":    func(n *corev1.Node) { n.DeletionTimestamp = &later },
		"message of Ready": func(n *corev1.Node) { n.Status.Conditions[1].Message = "PLEG is not healthy" },
		"kubelet upgraded": func(n *corev1.Node) { n.Status.NodeInfo.KubeletVersion = "v1.37.3" },
	}
	for name, change := range changes {
		n := beat.DeepCopy()
		change(n)
		if heartbeatOnly(node(), n) {
			t.Errorf("%s: taken for a heartbeat", name)
		}
	}
	if heartbeatOnly(&Pod{}, &Pod{}) || heartbeatOnly(nil, beat) {
		t.Error("not two Nodes, yet a heartbeat")
	}
}

// A heartbeat has its node judged again but does not move the views.
func TestHeartbeatTouchesWithoutMoving(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), moved: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	w.heartbeat(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}})
	select {
	case <-w.Moved():
		t.Fatal("a heartbeat moved the views")
	default:
	}
	select {
	case <-w.Changed():
	default:
		t.Fatal("a heartbeat did not signal the checks")
	}
	if nodes, _ := w.TakeTouched(); len(nodes) != 1 || nodes[0] != "n1" {
		t.Fatalf("touched %v", nodes)
	}
}

// NodesVersion moves with everything AllNodeFacts reads, and with nothing else: a view that
// drew a version reads the nodes again only after it moved.
func TestNodesVersionMovesWithWhatNodeFactsRead(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), moved: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	moves := []struct {
		what string
		do   func()
	}{
		{"a status heartbeat of a node without a Lease", func() { w.heartbeat(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}) }},
		{"a Node event", func() { w.changedObject(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}, false, false) }},
		{"a Lease that came", func() { w.takeLeases([]*coordv1.Lease{lease("n1", time.Now())}, false) }},
		{"a Lease without a renewal that came", func() {
			w.takeLeases([]*coordv1.Lease{lease("n1", time.Now()), lease("n2", time.Time{})}, false)
		}},
		{"a Lease's first renewal", func() { w.takeLeases([]*coordv1.Lease{lease("n1", time.Now()), lease("n2", time.Now())}, false) }},
		{"a Lease that went", func() { w.takeLeases([]*coordv1.Lease{lease("n2", time.Now())}, false) }},
	}
	for _, m := range moves {
		v := w.NodesVersion()
		m.do()
		if w.NodesVersion() == v {
			t.Errorf("%s did not move NodesVersion", m.what)
		}
	}
	signalled := func() bool { return movedNow(w) }
	signalled()
	w.takeLeases([]*coordv1.Lease{lease("n1", time.Now()), lease("n2", time.Now())}, false)
	if !signalled() {
		t.Error("a Lease that came did not move the views: they draw the node from its own heartbeat until they read it again")
	}
	v := w.NodesVersion()
	w.takeLeases([]*coordv1.Lease{lease("n1", time.Now()), lease("n2", time.Now().Add(10*time.Second))}, false)
	if w.NodesVersion() != v || signalled() {
		t.Error("a Lease's routine renewal moved NodesVersion or the views: they read renewals live")
	}
	if at, ok := w.LeaseRenew("n2"); !ok || time.Until(at) < 5*time.Second {
		t.Errorf("the renewal is not what LeaseRenew reads: %v %v", at, ok)
	}
	v = w.NodesVersion()
	w.leaseTab.renew = map[string]time.Time{"n1": time.Now()}
	w.heartbeat(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}})
	if w.NodesVersion() != v {
		t.Error("a status heartbeat of a node with a Lease moved NodesVersion: the views show the Lease")
	}
	w.changedObject(&Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: PodSpec{NodeName: "n1"}}, false, false)
	if w.NodesVersion() != v {
		t.Error("a pod event moved NodesVersion: every pod change would read every Node again")
	}
}

// An update that changed only what the cache does not keep is no change at all.
func TestSameButVersion(t *testing.T) {
	pod := func() *Pod {
		return &Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", ResourceVersion: "1"}, Spec: PodSpec{NodeName: "n1"},
			Status: PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []ContainerStatus{{Name: "c", Ready: true,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}}
	}
	rewritten := pod()
	rewritten.ResourceVersion = "2"
	if !sameButVersion(pod(), rewritten) {
		t.Error("a pod rewritten with nothing the cache keeps changed is a change")
	}
	restarted := pod()
	restarted.ResourceVersion = "2"
	restarted.Status.ContainerStatuses[0].RestartCount = 1
	if sameButVersion(pod(), restarted) {
		t.Error("a restart was taken for no change")
	}
	waiting := pod()
	waiting.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	if sameButVersion(pod(), waiting) {
		t.Error("a container state change was taken for no change")
	}
	n1 := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", ResourceVersion: "1"}}
	n2 := n1.DeepCopy()
	n2.ResourceVersion = "2"
	if !sameButVersion(n1, n2) {
		t.Error("a Node rewritten unchanged is a change")
	}
	n2.Spec.Unschedulable = true
	if sameButVersion(n1, n2) || sameButVersion(pod(), n1) {
		t.Error("a cordon, or two kinds, taken for no change")
	}
}
