package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// siteAtScale is a 2,000-node, 42,000-pod cluster as the backend shows it, with the findings a
// round leaves: kube.node and kube.allocation per node, a few problem pods.
func siteAtScale(nodes, pods int) (Backend, checks.Snapshot) {
	ns := make([]NodeInfo, nodes)
	for i := range ns {
		ns[i] = NodeInfo{Cluster: "lab", Name: fmt.Sprintf("node%04d", i), Ready: "True", Heartbeat: t0.Add(-time.Duration(i%10) * time.Second), PodsRunning: pods / nodes}
	}
	ps := make([]PodInfo, pods)
	for i := range ps {
		ps[i] = PodInfo{Cluster: "lab", Namespace: fmt.Sprintf("ns%02d", i%40), Name: fmt.Sprintf("app-%06d", i), Node: ns[i%nodes].Name,
			Phase: "Running", Ready: i%2000 != 0, Created: t0.Add(-time.Duration(i) * time.Minute)}
	}
	var fs []checks.Finding
	for _, n := range ns {
		fs = append(fs, checks.Finding{Check: "kube.node", Area: "kubernetes", Kind: checks.KindNode, Target: n.Name, Status: checks.OK, Summary: "Ready", ObservedAt: t0},
			checks.Finding{Check: "kube.allocation", Area: "kubernetes", Kind: checks.KindNode, Target: n.Name, Status: checks.OK, Summary: "requests 40%", ObservedAt: t0})
	}
	for i := 0; i < pods; i += 2000 {
		p := ps[i]
		fs = append(fs, checks.Finding{Check: "kube.pod", Area: "kubernetes", Target: p.Namespace + "/" + p.Name, Status: checks.Crit, Summary: "CrashLoopBackOff", ObservedAt: t0})
	}
	checks.SortWorstFirst(fs)
	var version uint64 = 1
	b := Backend{Clusters: []string{"lab"},
		Nodes:       func() []NodeInfo { return ns },
		Pods:        func() []PodInfo { return ps },
		PodsVersion: func() uint64 { return version },
		API:         func() (int, int) { return 1, 1 },
	}
	return b, checks.SnapshotOf(t0, fs)
}

// BenchmarkLoadSite is the load command at 2,000 nodes / 42,000 pods: "calm" when nothing moved
// (the clock, a quiet re-confirmation), "one-pod-changed" when the backend reports one pod
// changed, "all-pods-reloaded" when it hands every pod again (the first list).
func BenchmarkLoadSite(b *testing.B) {
	be, snap := siteAtScale(2000, 42000)
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, snap)
	b.Run("calm", func(b *testing.B) {
		for b.Loop() {
			_ = loadFeeds(m.loadSpec())()
		}
	})
	b.Run("all-pods-reloaded", func(b *testing.B) {
		for b.Loop() {
			m.cache.podsVersion = 0
			_ = loadFeeds(m.loadSpec())()
		}
	})
	p := be.Pods()[777]
	i := 0
	m.opts.Backend.PodChanges = func() ([]PodInfo, bool) { i++; p.Restarts = i; return []PodInfo{p}, false }
	b.Run("one-pod-changed", func(b *testing.B) {
		for b.Loop() {
			_ = loadFeeds(m.loadSpec())()
		}
	})
}

// BenchmarkKeyFrame is what the UI goroutine does between a key and its frame on the Pods pane
// at 42,000 pods ("j": Update, then View), and what it does when a load's result arrives
// (applying a feedMsg, then View): a key that lands behind the second waits for it.
func BenchmarkKeyFrame(b *testing.B) {
	be, snap := siteAtScale(2000, 42000)
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, snap)
	press(m, "3")
	_ = m.View()
	b.Run("key-j", func(b *testing.B) {
		for b.Loop() {
			press(m, "j")
			_ = m.View()
		}
	})
	msg := loadFeeds(m.loadSpec())()
	b.Run("apply-load", func(b *testing.B) {
		for b.Loop() {
			m.feedLoading = true
			m.Update(msg)
			_ = m.View()
		}
	})
}
