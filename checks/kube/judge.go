// Package kube checks a cluster through its watched caches (guide §5, §2.3.1, §6.4): nodes, pods,
// kube-system workloads, static pods, namespaces, machines, machineops, ADNS zones and
// dnsendpoints, per-node allocation. Probes read the caches; they make no API calls.
package kube

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"opsdeck/checks"
	sitekube "opsdeck/site/kube"
)

// Heartbeat holds the liveness thresholds the node lifecycle controller uses.
type Heartbeat struct {
	LeaseStale  time.Duration // a Lease not renewed for this long (40 s)
	StatusStale time.Duration // without a Lease: the Ready condition's heartbeat (5m40s)
}

func readyCondition(n *corev1.Node) *corev1.NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == corev1.NodeReady {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}

// NotReady tells whether the node's Ready condition is missing or not True.
func NotReady(n *corev1.Node) bool {
	r := readyCondition(n)
	return r == nil || r.Status != corev1.ConditionTrue
}

// JudgeNode applies §5 (all Ready; cordoned is worth a warning) and the heartbeat the way the
// node controller reads it: the Lease's renewTime (lease nil: no Lease, then the Ready
// condition's heartbeat, which a kubelet with a Lease refreshes only every 5 minutes). The
// summary names every problem of the node.
func JudgeNode(n *corev1.Node, lease *time.Time, now time.Time, hb Heartbeat) (checks.Status, string) {
	var problems []string
	st := checks.OK
	ready := readyCondition(n)
	switch {
	case ready == nil:
		st = checks.Crit
		problems = append(problems, "NotReady: no Ready condition reported")
	case ready.Status != corev1.ConditionTrue:
		st = checks.Crit
		since := ""
		if !ready.LastTransitionTime.IsZero() {
			since = " for " + human(now.Sub(ready.LastTransitionTime.Time))
		}
		problems = append(problems, fmt.Sprintf("NotReady%s (%s: %s)", since, ready.Reason, ready.Message))
	}
	heartbeat := ""
	switch {
	case lease != nil:
		age := now.Sub(*lease)
		// No age in a healthy verdict: it would change the summary of every node at every
		// round (2,000 verdicts re-published for nothing); the age is a metric and the Nodes
		// pane's BEAT column.
		heartbeat = "lease renewed on time"
		if age > hb.LeaseStale {
			st = max(st, checks.Warn)
			problems = append(problems, fmt.Sprintf("lease not renewed for %s (stale after %s)", human(age), hb.LeaseStale))
		}
	case ready != nil && !ready.LastHeartbeatTime.IsZero():
		age := now.Sub(ready.LastHeartbeatTime.Time)
		heartbeat = "no Lease, status heartbeat on time"
		if age > hb.StatusStale {
			st = max(st, checks.Warn)
			problems = append(problems, fmt.Sprintf("no Lease and the last status heartbeat is %s old (stale after %s)", human(age), hb.StatusStale))
		}
	}
	if n.Spec.Unschedulable {
		st = max(st, checks.Warn)
		problems = append(problems, "cordoned (SchedulingDisabled)")
	}
	if len(problems) == 0 {
		if heartbeat == "" {
			return checks.OK, "Ready"
		}
		return checks.OK, "Ready, " + heartbeat
	}
	if ready != nil && ready.Status == corev1.ConditionTrue {
		problems = append([]string{"Ready"}, problems...)
	}
	return st, strings.Join(problems, "; ")
}

// PodProblem applies the guide's not-ready rule (§5.6: READY not N/N) with the statuses that
// matter; ok=false means the pod is fine (or a completed job, shown apart).
func PodProblem(p *sitekube.Pod, now time.Time, pending, terminating time.Duration) (status checks.Status, summary string, problem bool) {
	if p.DeletionTimestamp != nil {
		// A graceful deletion stamps the deadline (now + grace period): Terminating began earlier.
		began := p.DeletionTimestamp.Time
		if p.DeletionGracePeriodSeconds != nil {
			began = began.Add(-time.Duration(*p.DeletionGracePeriodSeconds) * time.Second)
		}
		age := now.Sub(began)
		if age < terminating {
			return checks.OK, "", false
		}
		msg := fmt.Sprintf("Terminating for %s", human(age))
		if len(p.Finalizers) > 0 {
			msg += ", held by finalizer " + strings.Join(p.Finalizers, ", ")
		}
		return checks.Crit, msg, true
	}
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		return checks.OK, "", false // a completed job: expected
	case corev1.PodFailed:
		return checks.Crit, "Failed: " + p.Status.Reason, true
	}
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && (w.Reason == "CrashLoopBackOff" || w.Reason == "ImagePullBackOff" || w.Reason == "ErrImagePull" || w.Reason == "CreateContainerConfigError") {
			msg := w.Reason
			if cs.RestartCount > 0 {
				msg += fmt.Sprintf(" (%d restarts)", cs.RestartCount)
			}
			return checks.Crit, msg + " in " + cs.Name, true
		}
	}
	if p.Status.Phase == corev1.PodPending {
		age := now.Sub(p.CreationTimestamp.Time)
		if age < pending {
			return checks.OK, "", false
		}
		where := "not scheduled"
		if p.Spec.NodeName != "" {
			where = "on " + p.Spec.NodeName
		}
		return checks.Warn, fmt.Sprintf("Pending for %s (%s)", human(age), where), true
	}
	ready, total := 0, len(p.Status.ContainerStatuses)
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
	}
	if total > 0 && ready < total {
		return checks.Warn, fmt.Sprintf("%s, %d/%d containers ready", p.Status.Phase, ready, total), true
	}
	return checks.OK, "", false
}

// Requests sums the requests of running pods (completed ones hold nothing), each pod's as of
// says (the cache keeps each pod's sums: sitekube.PodRequests).
func Requests(pods []*sitekube.Pod, of func(*sitekube.Pod) (cpuMilli, memBytes int64)) (cpuMilli, memBytes int64) {
	for _, p := range pods {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		c, m := of(p)
		cpuMilli, memBytes = cpuMilli+c, memBytes+m
	}
	return cpuMilli, memBytes
}

// MigrationPlan is the guide's §2.3.1 plan for a node that went down: its pods, their PVCs
// (deleting PV/PVC loses data) and their IPInstances.
type MigrationPlan struct {
	Node        string
	Pods        []string
	PVCs        []string
	IPInstances []string
}

// PlanMigration builds the plan from the caches.
func PlanMigration(node string, pods []*sitekube.Pod, ipInstances []*unstructured.Unstructured) MigrationPlan {
	mp := MigrationPlan{Node: node}
	onNode := map[string]bool{}
	for _, p := range pods {
		key := p.Namespace + "/" + p.Name
		mp.Pods = append(mp.Pods, key)
		onNode[key] = true
		for _, v := range p.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				mp.PVCs = append(mp.PVCs, p.Namespace+"/"+v.PersistentVolumeClaim.ClaimName+" (pod "+p.Name+")")
			}
		}
	}
	for _, ip := range ipInstances {
		podNS, _, _ := unstructured.NestedString(ip.Object, "spec", "podNamespace")
		podName, _, _ := unstructured.NestedString(ip.Object, "spec", "podName")
		if onNode[podNS+"/"+podName] {
			mp.IPInstances = append(mp.IPInstances, ip.GetNamespace()+"/"+ip.GetName()+" (pod "+podName+")")
		}
	}
	sort.Strings(mp.Pods)
	sort.Strings(mp.PVCs)
	sort.Strings(mp.IPInstances)
	return mp
}

// Text is the plan as the detail view and the JSON details show it, in the guide's order.
func (mp MigrationPlan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Migration plan for %s (§2.3.1), in this order:\n", mp.Node)
	fmt.Fprintf(&b, "1. review PVCs/PVs of its pods (%d): %s", len(mp.PVCs), orNone(mp.PVCs))
	if len(mp.PVCs) > 0 {
		b.WriteString(" — WARNING: deleting a PV/PVC loses its data; ask the product's owner first")
	}
	fmt.Fprintf(&b, "\n2. IPInstances in asp-aks (%d): %s — delete those whose pod need not keep its IP\n", len(mp.IPInstances), orNone(mp.IPInstances))
	fmt.Fprintf(&b, "3. delete its pods so they reschedule (%d): %s — the other nodes must have room (action kube.delete-pod)\n", len(mp.Pods), orNone(mp.Pods))
	b.WriteString("4. delete the machine, 5. strip its finalizer " + "finalizer.k8s.alipay.com/machine" + ", 6. delete the Node, 7. delete the configmaps <name>-conditions and <name>-readiness-gates in sigma-operator-machine-conditions — action kube.remove-node does 4–7")
	return b.String()
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// heartbeatMetric is the age of the heartbeat JudgeNode read (lease nil: the Ready condition's).
func heartbeatMetric(n *corev1.Node, lease *time.Time, now time.Time, hb Heartbeat) (checks.Metric, bool) {
	if lease != nil {
		return checks.Metric{Name: "lease age", Value: now.Sub(*lease).Round(time.Second).Seconds(), Unit: "s", Warn: hb.LeaseStale.Seconds()}, true
	}
	if r := readyCondition(n); r != nil && !r.LastHeartbeatTime.IsZero() {
		return checks.Metric{Name: "status heartbeat age", Value: now.Sub(r.LastHeartbeatTime.Time).Round(time.Second).Seconds(), Unit: "s", Warn: hb.StatusStale.Seconds()}, true
	}
	return checks.Metric{}, false
}
