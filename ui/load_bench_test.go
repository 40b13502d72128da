package ui

import (
	"fmt"
	"slices"
	"strings"
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
		Nodes:        func() []NodeInfo { return ns },
		Pods:         func() []PodInfo { return ps },
		PodsVersion:  func() uint64 { return version },
		NodesVersion: func() uint64 { return version },
		API:          func() (int, int) { return 1, 1 },
	}
	snap := checks.SnapshotOf(t0, fs)
	snap.Version = 1 // as the store's are: loads keep what a snapshot gave by its version
	return b, snap
}

// withNodeDown is snap one version on, with node's kube.node finding replaced by a critical one
// saying summary, as the store replaces it: every other finding keeps its pointer.
func withNodeDown(snap checks.Snapshot, node, summary string) checks.Snapshot {
	fs := slices.DeleteFunc(slices.Clone(snap.Findings), func(f *checks.Finding) bool { return f.Check == "kube.node" && f.Target == node })
	fs = append(fs, &checks.Finding{Check: "kube.node", Area: "kubernetes", Kind: checks.KindNode, Target: node, Status: checks.Crit, Summary: summary, ObservedAt: t0})
	slices.SortFunc(fs, checks.CompareWorstFirst)
	return checks.Snapshot{Version: snap.Version + 1, At: t0, Findings: fs}
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
		var shown []*gridRow
		for b.Loop() {
			shown = loadShown(m, shown)
		}
	})
	// A crash-looping pod as a site always has some: its status moves, and with it its finding
	// (a new snapshot each time).
	at := slices.IndexFunc(snap.Findings, func(f *checks.Finding) bool { return f.Check == "kube.pod" })
	b.Run("one-pod-and-its-finding-changed", func(b *testing.B) {
		var shown []*gridRow
		for b.Loop() {
			f := *snap.Findings[at]
			f.Summary = fmt.Sprintf("CrashLoopBackOff, %d restarts", i)
			next := checks.Snapshot{Version: snap.Version + uint64(i) + 1, At: t0, Findings: slices.Clone(snap.Findings)}
			next.Findings[at] = &f
			m.Update(snapshotMsg(next))
			shown = loadShown(m, shown)
		}
	})
}

// loadShown runs a load and gives back the pods table the screen held before it, as the screen
// does when it takes the load's: the table it returns.
func loadShown(m *Model, shown []*gridRow) []*gridRow {
	msg := loadFeeds(m.loadSpec())().(feedMsg)
	m.cache.pods.giveBack(shown)
	return msg.pods
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
	// The selection deep in the table (an operator who scrolled): the load's rows are searched
	// for it.
	b.Run("apply-load-selected-deep", func(b *testing.B) {
		m.pods.grid.moveBy(30000)
		two := [2]feedMsg{msg.(feedMsg), msg.(feedMsg)} // two tables, as a pod that moved gives
		two[1].pods = slices.Clone(two[0].pods)
		i := 0
		for b.Loop() {
			m.feedLoading = true
			m.Update(two[i%2])
			_ = m.View()
			i++
		}
		m.pods.grid.moveBy(-30000)
	})
	// Typing a filter over 42,000 pods: each key (and each load while it is set) asks for a pass
	// over every row, off the UI goroutine ("filter-pass": what that goroutine does).
	for _, typed := range []string{"app-0419", "^app-04.*ns1", "!app-0419"} {
		b.Run("filter-key/"+typed, func(b *testing.B) {
			press(m, "/")
			typeText(m, typed[:len(typed)-1])
			for b.Loop() {
				typeText(m, typed[len(typed)-1:])
				_ = m.View()
				press(m, "backspace")
			}
			press(m, "enter")
		})
		b.Run("filter-pass/"+typed, func(b *testing.B) {
			f, _ := parseFilter(typed)
			all := m.pods.grid.all
			for b.Loop() {
				_ = filterAndSort(all, f, rowOrder{col: -1}, rowOrder{col: -1})
			}
		})
		b.Run("apply-load-filtered/"+typed, func(b *testing.B) {
			for b.Loop() {
				m.feedLoading = true
				m.Update(msg)
				_ = m.View()
			}
		})
		press(m, "/", "esc")
	}
}

// A load for moved pods reuses what the snapshot gave the last load (facts, finding panes); a
// new snapshot is read again, and its findings reach the node rows and the panes.
func TestLoadsReuseWhatTheirSnapshotGave(t *testing.T) {
	be, snap := siteAtScale(4, 8)
	m := New(Options{Site: "s", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, snap)
	first := loadFeeds(m.loadSpec())()
	p := be.Pods()[3]
	m.opts.Backend.PodChanges = func() ([]PodInfo, bool) { p.Restarts++; return []PodInfo{p}, false }
	again := loadFeeds(m.loadSpec())().(feedMsg)
	if len(again.findings) == 0 || len(again.findings[0].rows) == 0 || again.findings[0].rows[0] != first.(feedMsg).findings[0].rows[0] {
		t.Fatal("the same snapshot's findings were built again")
	}
	// A new snapshot: node0001 is down.
	m.Update(snapshotMsg(withNodeDown(snap, "node0001", "NotReady for 2m")))
	moved := loadFeeds(m.loadSpec())().(feedMsg)
	var row *gridRow
	for _, r := range moved.nodes {
		if strings.HasSuffix(r.key, "node0001") {
			row = r
		}
	}
	if row == nil || row.status != checks.Crit || moved.findings[0].rows[0].finding.Summary != "NotReady for 2m" {
		t.Fatalf("the new snapshot did not reach the rows: %+v / %+v", row, moved.findings[0].rows[0].finding)
	}
}
