package kube

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// heartbeatOnly says whether a Node update moved nothing but its conditions' heartbeats (and its
// resource version). A kubelet posts its status every 5 minutes though nothing changed
// (nodeStatusReportFrequency): about 7 such updates a second at 2,000 nodes, 17 at 5,000. Each
// moved the views to a full load of every node row, and the idle cockpit used 60 % of a core at
// 5,000 nodes. Where no Lease gives a newer heartbeat, the Nodes pane's BEAT column shows this
// one with the next reload that findings or the clock ask for: within about 10 s (the store's
// quiet refreshes, the cockpit's own reload). kube.node judges on time and says at once when a
// heartbeat is late.
func heartbeatOnly(old, cur any) bool {
	a, ok := old.(*corev1.Node)
	b, ok2 := cur.(*corev1.Node)
	if !ok || !ok2 || len(a.Status.Conditions) != len(b.Status.Conditions) {
		return false
	}
	ac, bc := *a, *b // shallow copies: only the blanked fields are replaced
	ac.Status.Conditions, bc.Status.Conditions = withoutHeartbeats(a.Status.Conditions), withoutHeartbeats(b.Status.Conditions)
	return equalButVersion(&ac, &bc)
}

func withoutHeartbeats(cs []corev1.NodeCondition) []corev1.NodeCondition {
	out := make([]corev1.NodeCondition, len(cs))
	for i, c := range cs {
		c.LastHeartbeatTime = metav1.Time{}
		out[i] = c
	}
	return out
}

// sameButVersion says whether an update left the cached object as it was but for its resource
// version: the API wrote a field the cache does not keep (an annotation; of a pod, a condition
// other than Ready or its IP; of a Node, its images). Nothing the checks read or the views show
// moved, so nothing is judged or loaded again; on a site such writes come steadily, and each
// moved the views to a full load. (The informers have no resync period: a resync would reach
// here as such an update, and be dropped.)
func sameButVersion(old, cur any) bool {
	switch a := old.(type) {
	case *Pod:
		b, ok := cur.(*Pod)
		return ok && equalButVersion(a, b)
	case *corev1.Node:
		b, ok := cur.(*corev1.Node)
		return ok && equalButVersion(a, b)
	}
	return false
}

// equalButVersion compares two objects with their resource versions blanked (on copies).
func equalButVersion[T any, P interface {
	*T
	SetResourceVersion(string)
}](a, b P) bool {
	ac, bc := *a, *b
	P(&ac).SetResourceVersion("")
	P(&bc).SetResourceVersion("")
	return equality.Semantic.DeepEqual(&ac, &bc)
}
