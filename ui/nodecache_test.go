package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// Node rows are kept between loads, and rebuilt when the node or its findings move; a new
// heartbeat alone gives a copy with the new beat (rows are shared with the screen).
func TestNodeRowsKeptUntilTheyMove(t *testing.T) {
	nodes := []NodeInfo{{Cluster: "c", Name: "n1", Ready: "True", Heartbeat: t0}, {Cluster: "c", Name: "n2", Ready: "True", Heartbeat: t0}}
	snap := checks.Snapshot{At: t0}
	m := New(Options{Site: "s", Now: func() time.Time { return t0 }, Backend: Backend{Clusters: []string{"c"}, Nodes: func() []NodeInfo { return nodes }}})
	load := func() map[string]*gridRow {
		spec := m.loadSpec()
		spec.snap = snap
		out := map[string]*gridRow{}
		for _, r := range loadFeeds(spec)().(feedMsg).nodes {
			out[r.key] = r
		}
		return out
	}
	first := load()
	if again := load(); again["n1"] != first["n1"] {
		t.Fatal("an unchanged node's row was rebuilt")
	}
	nodes[0].Heartbeat = t0.Add(10 * time.Second)
	beat := load()
	if beat["n1"] == first["n1"] || !beat["n1"].live.Equal(nodes[0].Heartbeat) || first["n1"].live.Equal(nodes[0].Heartbeat) || beat["n2"] != first["n2"] {
		t.Fatal("a new heartbeat must give n1 a new row, leave the shared one alone, and keep n2's")
	}
	nodes[1].Ready = "False"
	if r := load()["n2"]; r.status != checks.Crit || r.cells[1] != "NotReady" {
		t.Fatalf("n2 NotReady: %v %v", r.status, r.cells)
	}
	snap = checks.SnapshotOf(t0, []checks.Finding{{Check: "host.kubelet", Target: "n1", Status: checks.Crit, Summary: "kubelet inactive"}})
	if r := load()["n1"]; r.status != checks.Crit || r.cells[3] != "crit" {
		t.Fatalf("n1 with a crit finding: %v %v", r.status, r.cells)
	}
}

// While the first list of pods runs, the Pods tile says so instead of a small final-looking count.
func TestPodsTileWhileListing(t *testing.T) {
	listed := false
	m := New(Options{Site: "s", Now: func() time.Time { return t0 }, Backend: Backend{Clusters: []string{"c"}, Pods: func() []PodInfo {
		return []PodInfo{{Cluster: "c", Namespace: "ns", Name: "p", Phase: "Running", Ready: true}}
	}, PodsListed: func() bool { return listed }}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	applySnapshot(m, checks.Snapshot{At: t0})
	if s := screen(t, m); !strings.Contains(s, "Pods 0/1…") {
		t.Fatalf("partial count not marked:\n%s", s)
	}
	listed = true
	applySnapshot(m, checks.Snapshot{At: t0})
	if s := screen(t, m); !strings.Contains(s, "Pods 0/1 ") {
		t.Fatalf("complete count still marked:\n%s", s)
	}
}

// A pod's age is drawn from the clock, in its row and in its details.
func TestPodAgeInDetails(t *testing.T) {
	m := New(Options{Site: "s", Now: func() time.Time { return t0 }, Backend: Backend{Clusters: []string{"c"}, Pods: func() []PodInfo {
		return []PodInfo{{Cluster: "c", Namespace: "ns", Name: "web-1", Phase: "Running", Ready: true, Created: t0.Add(-2 * time.Hour)}}
	}}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	applySnapshot(m, checks.Snapshot{At: t0})
	press(m, "3", "enter")
	if s := screen(t, m); !strings.Contains(s, "age         2h") {
		t.Fatalf("pod details without its age:\n%s", s)
	}
}

// One check failing the same way on many targets is one Alerts row (a repository down on every
// node), with every target named in its details; fewer stay apart.
func TestAlertsFoldOneCheckAcrossTargets(t *testing.T) {
	var fs []checks.Finding
	for _, n := range []string{"node1", "node2", "node3", "node5", "node6"} {
		fs = append(fs, checks.Finding{Check: "yum.repo", Area: "services", Target: n, Status: checks.Crit, Summary: "site-base does not answer", ObservedAt: t0})
	}
	fs = append(fs, checks.Finding{Check: "host.disk", Area: "hosts", Target: "node5", Status: checks.Crit, Summary: "/home/t4 93 %", ObservedAt: t0},
		checks.Finding{Check: "host.disk", Area: "hosts", Target: "node6", Status: checks.Crit, Summary: "/home/t4 95 %", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	m := newModel(t, Options{}, 160, 30)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	s := screen(t, m)
	if strings.Count(s, "yum.repo") != 1 || !strings.Contains(s, "node1 +4 more") || strings.Count(s, "host.disk") != 2 {
		t.Fatalf("want one yum.repo row for five nodes, two disk rows:\n%s", s)
	}
	for _, r := range m.alerts.grid.rows {
		if r.finding.Check == "yum.repo" {
			m.alerts.grid.selectKey(r.key)
		}
	}
	_, f, _ := m.alerts.Selected()
	if !strings.Contains(f.Details, "on 5 targets") || !strings.Contains(f.Details, "node6") {
		t.Fatalf("details %q", f.Details)
	}
}

// A node row is rebuilt when what it shows moves, not when a metric it does not show does (the
// Lease's age in kube.node moves every 10 s on every node).
func TestNodeRowSignatureCoversWhatIsShown(t *testing.T) {
	facts := func(leaseAge, cpu float64) hostFacts {
		return hostFacts{
			{Check: "kube.node", Status: checks.OK, Summary: "Ready", Metrics: []checks.Metric{{Name: "lease age", Value: leaseAge}}},
			{Check: "host.cpu", Status: checks.OK, Metrics: []checks.Metric{{Name: "cpu util", Value: cpu}}},
		}
	}
	if factsSig(facts(3, 50), false) != factsSig(facts(9, 50), false) {
		t.Error("the Lease's age, which the row does not show, rebuilds it")
	}
	if factsSig(facts(3, 50), false) == factsSig(facts(3, 51), false) {
		t.Error("the cpu the row shows moved and the row is kept")
	}
}

// A host's facts hold one finding per check, the latest.
func TestHostFactsKeepTheLatestPerCheck(t *testing.T) {
	older := &checks.Finding{Check: "kube.node", Target: "node1", Status: checks.OK, Kind: checks.KindNode}
	newer := &checks.Finding{Check: "kube.node", Target: "lab/node1", Status: checks.Crit, Kind: checks.KindNode}
	disk := &checks.Finding{Check: "host.disk", Target: "node1", Status: checks.Warn}
	h := factsOf(indexBy([]*checks.Finding{older, disk, newer}, hostOf)["node1"])
	if len(h) != 2 || h.get("kube.node") != newer || h.get("host.disk") != disk || h.get("host.load") != nil {
		t.Fatalf("facts %v", h)
	}
}

// A node whose Lease the backend reads live (Beat) shows each renewal without a row built for it
// (2,000 every 10 s); a node without one keeps the heartbeat its row was built with.
func TestLiveBeatsBuildNoRows(t *testing.T) {
	nodes := []NodeInfo{{Cluster: "c", Name: "n1", Ready: "True", Heartbeat: t0}, {Cluster: "c", Name: "n2", Ready: "True", Heartbeat: t0}}
	renewed := map[string]time.Time{"n1": t0}
	now := t0.Add(2 * time.Second)
	m := New(Options{Site: "s", Now: func() time.Time { return now }, Backend: Backend{Clusters: []string{"c"}, Nodes: func() []NodeInfo { return nodes },
		Beat: func(cluster, node string) (time.Time, bool) {
			t, ok := renewed[node]
			return t, ok && (cluster == "" || cluster == "c")
		}}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	press(m, "2")
	load := func() map[string]*gridRow {
		applySnapshot(m, checks.Snapshot{At: t0})
		out := map[string]*gridRow{}
		for _, r := range m.nodes.rows {
			out[r.key] = r
		}
		return out
	}
	first := load()
	beat := func(node string) string {
		for _, l := range strings.Split(screen(t, m), "\n") {
			f := strings.Fields(l)
			if i := slices.Index(f, node); i >= 0 && i+2 < len(f) {
				return f[i+2] // NODE STATUS BEAT
			}
		}
		t.Fatalf("no row of %s:\n%s", node, screen(t, m))
		return ""
	}
	if beat("n1") != "0s" || beat("n2") != "0s" {
		t.Fatalf("beats %s %s, want 0s 0s", beat("n1"), beat("n2"))
	}
	now = t0.Add(30 * time.Second)
	renewed["n1"] = t0.Add(20 * time.Second)
	m.Update(tickMsg(now))
	if beat("n1") != "10s" || beat("n2") != "30s" {
		t.Fatalf("beats %s %s after n1's renewal, want 10s 30s", beat("n1"), beat("n2"))
	}
	// The node list is read again (a Node event): n1's renewal is live, its row is kept.
	nodes[0].Heartbeat, nodes[1].Heartbeat = renewed["n1"], t0.Add(25*time.Second)
	again := load()
	if again["n1"] != first["n1"] {
		t.Error("a renewal the screen reads live had n1's row built again")
	}
	if again["n2"] == first["n2"] || beat("n2") != "5s" {
		t.Errorf("n2 has no Lease: its new heartbeat needs its row (beat %s)", beat("n2"))
	}
	if d := m.nodes.grid.cellAt(again["n1"], 2, now); d != "10s" {
		t.Errorf("the detail page's BEAT is %q, want the live 10s", d)
	}
}

// Two clusters with a node of the same name: each row reads its own cluster's Lease live, in
// the incremental loads too; sorted by BEAT the rows follow the beats as they are now; a node
// whose Lease went shows its own heartbeat again.
func TestLiveBeatsPerClusterSortedAndGone(t *testing.T) {
	nodes := []NodeInfo{{Cluster: "c1", Name: "n1", Ready: "True", Heartbeat: t0}, {Cluster: "c2", Name: "n1", Ready: "True", Heartbeat: t0},
		{Cluster: "c1", Name: "n2", Ready: "True", Heartbeat: t0}}
	renewed := map[string]time.Time{"c1/n1": t0, "c2/n1": t0}
	version := uint64(1)
	now := t0.Add(30 * time.Second)
	m := New(Options{Site: "s", Now: func() time.Time { return now }, Backend: Backend{Clusters: []string{"c1", "c2"},
		Nodes: func() []NodeInfo { // as the cockpit's: the Lease's renewal, else the node's own
			out := slices.Clone(nodes)
			for i, n := range out {
				if t, ok := renewed[n.Cluster+"/"+n.Name]; ok {
					out[i].Heartbeat = t
				}
			}
			return out
		}, NodesVersion: func() uint64 { return version },
		Beat: func(cluster, node string) (time.Time, bool) { t, ok := renewed[cluster+"/"+node]; return t, ok }}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	load := func() {
		m.Update(snapshotMsg(checks.Snapshot{At: t0, Version: version}))
		m.Update(loadFeeds(m.loadSpec())())
	}
	beats := func() map[string]string {
		out := map[string]string{}
		for _, r := range m.nodes.grid.rows {
			out[r.key] = m.nodes.grid.cellAt(r, beatCol, now)
		}
		return out
	}
	load()
	first := slices.Clone(m.nodes.grid.rows)
	renewed["c1/n1"], renewed["c2/n1"] = t0.Add(25*time.Second), t0.Add(5*time.Second)
	load() // the version stands: the incremental path
	if b := beats(); b["c1/n1"] != "5s" || b["c2/n1"] != "25s" || b["c1/n2"] != "30s" {
		t.Fatalf("beats %v, want c1/n1 5s, c2/n1 25s, c1/n2 30s", b)
	}
	if !slices.Equal(m.nodes.grid.rows, first) {
		t.Fatal("renewals read live had rows built")
	}
	m.nodes.grid.sortCol = beatCol // sorted by BEAT: the freshest first
	load()
	var order []string
	for _, r := range m.nodes.grid.rows {
		order = append(order, r.key)
	}
	if want := []string{"c1/n1", "c2/n1", "c1/n2"}; !slices.Equal(order, want) {
		t.Fatalf("sorted by BEAT %v, want %v (the beats as they are now)", order, want)
	}
	m.nodes.grid.sortCol = -1
	delete(renewed, "c1/n1") // its Lease went: the node's own heartbeat again
	nodes[0].Heartbeat = t0.Add(28 * time.Second)
	version++
	load()
	if b := beats(); b["c1/n1"] != "0s" {
		t.Fatalf("c1/n1 without its Lease shows %s, want its own heartbeat's 0s", b["c1/n1"])
	}
}
