package main

import (
	"context"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	sitekube "opsdeck/site/kube"
	"opsdeck/ui"
)

// backend adapts the site's caches and connections to what the cockpit reads. Every function
// reads memory only (informer caches, the pool's state): the cockpit calls them off its UI
// goroutine, and none may wait on the network.
func (e *env) backend(ctx context.Context) ui.Backend {
	b := ui.Backend{Missing: map[string]string{}}
	for _, c := range e.site.Clusters {
		b.Clusters = append(b.Clusters, c.Name)
	}
	if len(e.site.ADNS.Instances) == 0 && e.site.ADNS.MasterVIP == "" {
		b.Missing["ADNS"] = "adns.instances and adns.master_vip"
	}
	if len(e.site.NTP.Servers) == 0 {
		b.Missing["NTP"] = "ntp.servers"
	}
	if len(e.site.Certificates.Files)+len(e.site.Certificates.Endpoints)+len(e.site.Certificates.Kubeconfigs) == 0 {
		b.Missing["Certs"] = "certificates.files, certificates.endpoints or certificates.kubeconfigs"
	}
	inv := e.site.Inventory()
	b.Hosts = func() []ui.HostInfo {
		out := make([]ui.HostInfo, 0, len(inv))
		for _, h := range inv {
			st := e.pool.State(h.Name)
			out = append(out, ui.HostInfo{Name: h.Name, Address: h.Address, Roles: h.Roles,
				Connected: st.Connected, RTTMS: st.RTTMS, LastError: st.LastError})
		}
		return out
	}
	if len(e.watchers) == 0 {
		return b
	}
	b.API = func() (int, int) {
		up := 0
		for _, w := range e.watchers {
			if w.Health().Healthy() {
				up++
			}
		}
		return up, len(e.watchers)
	}
	b.Nodes = func() []ui.NodeInfo {
		var out []ui.NodeInfo
		for _, w := range e.watchers {
			fs := w.AllNodeFacts()
			out = slices.Grow(out, len(fs))
			for _, f := range fs {
				beat := f.LeaseRenew // liveness is the Lease; the Ready heartbeat only without one
				if beat.IsZero() {
					beat = f.StatusHeartbeat
				}
				out = append(out, ui.NodeInfo{Cluster: w.Cluster, Name: f.Name, Ready: string(f.Ready), Heartbeat: beat,
					Cordoned: f.Cordoned}) // the cockpit counts pods per node from PodChanges
			}
		}
		return out
	}
	b.Beat = func(cluster, node string) (time.Time, bool) {
		for _, w := range e.watchers {
			if w.Cluster == cluster || cluster == "" && len(e.watchers) == 1 { // a single cluster's rows name none
				return w.LeaseRenew(node)
			}
		}
		return time.Time{}, false
	}
	b.NodesVersion = func() uint64 {
		var v uint64
		for _, w := range e.watchers {
			v += w.NodesVersion()
		}
		return v
	}
	b.PodsVersion = func() uint64 {
		var v uint64
		for _, w := range e.watchers {
			v += w.PodsVersion()
		}
		return v
	}
	b.Changed = cacheChanges(ctx, e.watchers)
	b.Pods = func() []ui.PodInfo {
		n := 0
		for _, w := range e.watchers {
			n += w.PodCount()
		}
		out := make([]ui.PodInfo, 0, n) // 42,000 pods grown by doubling copied 12 MB more
		for _, w := range e.watchers {
			for _, p := range w.Pods() {
				out = append(out, podInfo(w.Cluster, p))
			}
		}
		return out
	}
	b.PodChanges = podChanges(e.watchers, b.Pods)
	b.PodsListed = func() bool {
		for _, w := range e.watchers {
			if !w.InformerHealth("pods").Synced {
				return false
			}
		}
		return true
	}
	return b
}

// podChanges follows every cluster's pod changes for the cockpit: all pods at the first call and
// when a cluster's first list is in the cache, then only those that moved, so a change among
// 42,000 pods redraws one row. (The cache holds the first list seconds before its handler has
// told of every pod: read whole at once, the screen was complete 1–2 s sooner.)
func podChanges(ws []*sitekube.Watcher, all func() []ui.PodInfo) func() ([]ui.PodInfo, bool) {
	touches := make([]*sitekube.PodTouches, len(ws))
	for i, w := range ws {
		touches[i] = w.TrackPods()
	}
	first := true
	listed := make([]bool, len(ws))
	return func() ([]ui.PodInfo, bool) {
		full := first
		first = false
		for i, w := range ws {
			if !listed[i] && w.InformerHealth("pods").Synced {
				listed[i], full = true, true
			}
		}
		keys := make([][]string, len(ws))
		for i, t := range touches {
			var lost bool
			keys[i], lost = t.Take()
			full = full || lost
		}
		if full {
			return all(), true
		}
		var out []ui.PodInfo
		for i, w := range ws {
			for _, k := range keys[i] {
				ns, name, _ := strings.Cut(k, "/")
				if p, ok := w.Pod(ns, name); ok {
					out = append(out, podInfo(w.Cluster, p))
				} else {
					out = append(out, ui.PodInfo{Cluster: w.Cluster, Namespace: ns, Name: name, Gone: true})
				}
			}
		}
		return out, false
	}
}

// cacheChanges signals when any cluster's Nodes or pods moved: at once, then at most every
// 100 ms while they keep moving (the watchers' Changed channels belong to the checks). Lease
// renewals alone do not signal: the heartbeat ages refresh with the clock. Nothing wakes while
// nothing moves (it polled ten times a second).
func cacheChanges(ctx context.Context, ws []*sitekube.Watcher) <-chan struct{} {
	ch := make(chan struct{}, 1)
	for _, w := range ws {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-w.Moved():
				}
				select {
				case ch <- struct{}{}:
				default:
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	return ch
}

func podReady(p *sitekube.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func podInfo(cluster string, p *sitekube.Pod) ui.PodInfo {
	pi := ui.PodInfo{Cluster: cluster, Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName,
		Phase: string(p.Status.Phase), Ready: podReady(p), Created: p.CreationTimestamp.Time,
		Terminating: p.DeletionTimestamp != nil}
	if p.Status.Reason != "" {
		pi.Reason = p.Status.Reason
	}
	for _, cs := range p.Status.ContainerStatuses {
		pi.Restarts += int(cs.RestartCount)
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			pi.Reason = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "" && pi.Reason == "":
			pi.Reason = cs.State.Terminated.Reason
		}
	}
	return pi
}
