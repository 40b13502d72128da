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
)

// JudgeNode applies §5 (all Ready; cordoned is worth a warning) and a stale heartbeat.
func JudgeNode(n *corev1.Node, now time.Time, stale time.Duration) (checks.Status, string) {
	var ready *corev1.NodeCondition
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == corev1.NodeReady {
			ready = &n.Status.Conditions[i]
		}
	}
	switch {
	case ready == nil:
		return checks.Crit, "NotReady: no Ready condition reported"
	case ready.Status != corev1.ConditionTrue:
		since := ""
		if !ready.LastTransitionTime.IsZero() {
			since = " for " + human(now.Sub(ready.LastTransitionTime.Time))
		}
		return checks.Crit, fmt.Sprintf("NotReady%s (%s: %s)", since, ready.Reason, ready.Message)
	case !ready.LastHeartbeatTime.IsZero() && now.Sub(ready.LastHeartbeatTime.Time) > stale:
		return checks.Warn, fmt.Sprintf("Ready, but the last heartbeat is %s old", human(now.Sub(ready.LastHeartbeatTime.Time)))
	case n.Spec.Unschedulable:
		return checks.Warn, "Ready, cordoned (SchedulingDisabled)"
	}
	return checks.OK, "Ready"
}

// PodProblem applies the guide's not-ready rule (§5.6: READY not N/N) with the statuses that
// matter; ok=false means the pod is fine (or a completed job, shown apart).
func PodProblem(p *corev1.Pod, now time.Time, pending, terminating time.Duration) (status checks.Status, summary string, problem bool) {
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

// Requests sums the CPU (millicores) and memory (bytes) requests of running pods.
func Requests(pods []*corev1.Pod) (cpuMilli, memBytes int64) {
	for _, p := range pods {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		for _, c := range p.Spec.Containers {
			cpuMilli += c.Resources.Requests.Cpu().MilliValue()
			memBytes += c.Resources.Requests.Memory().Value()
		}
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
func PlanMigration(node string, pods []*corev1.Pod, ipInstances []*unstructured.Unstructured) MigrationPlan {
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

// Text is the plan as the detail view and the JSON details show it.
func (mp MigrationPlan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Migration plan for %s (§2.3.1):\n", mp.Node)
	fmt.Fprintf(&b, "1. pods to reschedule (%d): %s\n", len(mp.Pods), orNone(mp.Pods))
	fmt.Fprintf(&b, "2. PVCs (%d): %s", len(mp.PVCs), orNone(mp.PVCs))
	if len(mp.PVCs) > 0 {
		b.WriteString(" — WARNING: deleting a PV/PVC loses its data")
	}
	fmt.Fprintf(&b, "\n3. IPInstances in asp-aks (%d): %s — delete those whose pod need not keep its IP\n", len(mp.IPInstances), orNone(mp.IPInstances))
	b.WriteString("4. delete the pods so they reschedule, then remove the node (action kube.remove-node)")
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
