package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	kubechecks "opsdeck/checks/kube"
	sitekube "opsdeck/site/kube"
)

type overrideKey struct{}

// WithOverride carries an operator's reason to remove a node whose host is not (long enough)
// known to be unreachable; the reason lands in the plan's title and notes.
func WithOverride(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, overrideKey{}, strings.TrimSpace(reason))
}

func overrideOf(ctx context.Context) string {
	s, _ := ctx.Value(overrideKey{}).(string)
	return s
}

// MinOverrideReason is the shortest override reason accepted.
const MinOverrideReason = 10

// removable applies kube.remove-node's preconditions from the caches and the SSH pool: the
// host has been unreachable for node_down_before_removal (or an override says why not), and
// no pod of the node still waits to be rescheduled (§2.3.1 deletes them first). It returns
// the override used, if any.
func (a *acts) removable(ctx context.Context, w *sitekube.Watcher, node string) (string, error) {
	n, ok := w.Node(node)
	if !ok {
		return "", fmt.Errorf("node %q is not in the cache", node)
	}
	if !kubechecks.NotReady(n) {
		return "", fmt.Errorf("node %s is Ready: only a dead node is removed", node)
	}
	if pending := podsToReschedule(w.PodsOnNode(node)); len(pending) > 0 {
		return "", fmt.Errorf("%d pod(s) of %s still need rescheduling (%s): follow the migration plan (PVCs, IPInstances, kube.delete-pod) first",
			len(pending), node, strings.Join(first(pending, 5), ", "))
	}
	need := a.site.Thresholds.NodeDownBeforeRemoval.D()
	override := overrideOf(ctx)
	if override != "" && len(override) < MinOverrideReason {
		return "", fmt.Errorf("an override reason must say what and why (at least %d characters)", MinOverrideReason)
	}
	h, inInventory := kubechecks.HostOf(a.site, n)
	var problem string
	switch {
	case !inInventory:
		problem = fmt.Sprintf("the host of node %s is not in the inventory: its reachability is unknown", node)
	case a.hosts == nil:
		problem = "no SSH pool: the host's reachability is unknown"
	default:
		since, _ := kubechecks.UnreachableSince(a.hosts, h.Name)
		if since.IsZero() {
			// Not tried by this process yet (a one-shot command): ask now. Unreachable now and
			// NotReady since T is down since T, as far as anyone can tell.
			pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			_, err := a.hosts.Run(pctx, h, "true")
			cancel()
			if kubechecks.Unreachable(err) {
				since = notReadySince(n)
			}
		}
		switch down := a.clock().Sub(since); {
		case since.IsZero():
			problem = fmt.Sprintf("host %s is not known to be unreachable (it answers over SSH): §2.3.2 says start its kubelet", h.Name)
		case down < need:
			problem = fmt.Sprintf("host %s has been unreachable for %s only (needs %s, thresholds.node_down_before_removal)", h.Name, down.Round(time.Second), need)
		}
	}
	if problem == "" {
		return "", nil
	}
	if override == "" {
		return "", fmt.Errorf("%s; to remove it anyway give an override reason (opsdeck action … --override-reason TEXT)", problem)
	}
	return problem + " — " + override, nil
}

// podsToReschedule are the node's pods that are neither finished nor already being deleted.
func podsToReschedule(pods []*sitekube.Pod) []string {
	var out []string
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// notReadySince is when the node's Ready condition last changed (its heartbeats stopped).
func notReadySince(n *corev1.Node) time.Time {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && !c.LastTransitionTime.IsZero() {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}
