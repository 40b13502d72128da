package ui

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// A snapshot derived from the last one by the findings that moved gives what one derived from
// every finding gives: host facts, pod problems, the oldest reading, every pane's rows.
func TestMovedIsDerivedFromEveryFinding(t *testing.T) {
	be, snap := siteAtScale(40, 400)
	m := New(Options{Site: "s", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, snap)
	// Findings by key, as the store keeps them: an unchanged finding keeps its pointer.
	store := map[string]*checks.Finding{}
	for _, f := range snap.Findings {
		store[f.Key()] = f
	}
	areas := []string{"kubernetes", "host", "dns", "ntp", "certs"}
	r := rand.New(rand.NewPCG(1, 2))
	c := &loadCache{}
	incremental, withHosts, areaFolds, folds, across := 0, 0, 0, 0, 0
	var lastProblems, lastSeen map[string]checks.Status
	lastAcross := map[*gridRow][]string{}
	var lastRows, lastRowsSeen [][]*gridRow
	for step := 1; step <= 300; step++ {
		moves := 1 + r.IntN(3)
		if step%50 == 0 {
			moves = 200 // a whole round: derived from every finding again
		}
		for range moves {
			node := fmt.Sprintf("node%04d", r.IntN(40))
			st := checks.Status(r.IntN(4))
			var f checks.Finding
			switch r.IntN(7) {
			case 0:
				// "cluster/node" on a site of several clusters: two findings join one row
				target := []string{"", "a/", "b/"}[r.IntN(3)] + node
				f = checks.Finding{Check: "kube.node", Area: "kubernetes", Kind: checks.KindNode, Target: target, Status: st, Summary: fmt.Sprint("node ", step)}
			case 1:
				f = checks.Finding{Check: "host.cpu", Area: "host", Target: node, Status: st, Summary: "cpu",
					Metrics: []checks.Metric{{Name: "cpu util", Value: float64(r.IntN(100))}}}
			case 2:
				f = checks.Finding{Check: "kube.pod", Area: "kubernetes", Target: fmt.Sprintf("ns%02d/app-%06d", r.IntN(3), r.IntN(30)), Status: st, Summary: fmt.Sprint("pod ", step)}
			case 3: // panes that list ok findings too; a zone's checks that cannot tell fold into one row
				check := []string{"adns.resolve", "dns.soa", "dns.axfr", "dns.recursion"}[r.IntN(4)]
				f = checks.Finding{Check: check, Area: areas[2+r.IntN(3)], Target: fmt.Sprint("zone", r.IntN(5)), Status: st, Summary: fmt.Sprint("dns ", step)}
				if check != "adns.resolve" {
					f.Area, f.Summary, f.Status = "dns", "no answer", []checks.Status{checks.Unknown, checks.OK}[r.IntN(2)]
				}
			case 4: // hosts that stop answering (steps 100–199): three checks or more fail alike and fold
				check := deadHostChecks[r.IntN(4)]
				st := []checks.Status{checks.Unknown, checks.Crit, checks.OK}[r.IntN(3)]
				if step < 100 || step >= 200 {
					st = checks.OK
				}
				f = checks.Finding{Check: check, Area: "host", Target: fmt.Sprintf("node%04d", r.IntN(5)), Status: st, Summary: "ssh: unreachable"}
			default: // one goes, as a recovered pod's or a deleted node's finding does
				keys := slices.Sorted(maps.Keys(store))
				delete(store, keys[r.IntN(len(keys))])
				continue
			}
			f.ObservedAt = t0.Add(time.Duration(step) * time.Second)
			store[f.Key()] = &f
		}
		if step == 200 { // the hosts answer again
			maps.DeleteFunc(store, func(_ string, f *checks.Finding) bool { return slices.Contains(deadHostChecks, f.Check) })
		}
		var vals []checks.Finding // worst first, as the store keeps them
		for _, f := range store {
			vals = append(vals, *f)
		}
		checks.SortWorstFirst(vals)
		next := checks.Snapshot{Version: snap.Version + uint64(step), At: t0}
		for _, v := range vals {
			next.Findings = append(next.Findings, store[v.Key()])
		}
		m.Update(snapshotMsg(next))
		spec := m.loadSpec()
		got, _ := c.derive(spec)
		if got.steps > 0 {
			incremental++
			if f := got.findings[0].folds; f != nil && len(f.hostRows) > 0 {
				withHosts++
			}
			for _, b := range got.findings[1:] {
				if b.folds != nil && len(b.folds.hostRows) > 0 {
					areaFolds++
				}
			}
		}
		if lastProblems != nil && !maps.Equal(lastProblems, lastSeen) {
			t.Fatalf("step %d: the last problems map, which the pods table keeps, was written", step)
		}
		lastProblems, lastSeen = got.problems, maps.Clone(got.problems)
		for r, across := range lastAcross { // rows the screen holds are never written
			if !slices.Equal(r.across, across) {
				t.Fatalf("step %d: a row handed out before changed its targets: %v, was %v", step, r.across, across)
			}
		}
		for i, rows := range lastRows {
			if !slices.Equal(rows, lastRowsSeen[i]) {
				t.Fatalf("step %d: pane %d's rows handed out before were written", step, i)
			}
		}
		clear(lastAcross)
		lastRows, lastRowsSeen = nil, nil
		for _, b := range got.findings {
			lastRows, lastRowsSeen = append(lastRows, b.rows), append(lastRowsSeen, slices.Clone(b.rows))
			for _, r := range b.rows {
				lastAcross[r] = slices.Clone(r.across)
			}
		}
		if !slices.Equal(slices.Sorted(maps.Keys(got.byPod)), slices.Sorted(maps.Keys(got.problems))) {
			t.Fatalf("step %d: pods indexed %v, with problems %v", step, slices.Sorted(maps.Keys(got.byPod)), slices.Sorted(maps.Keys(got.problems)))
		}
		for i, b := range got.findings {
			if len(b.plain) > len(b.listed) {
				t.Fatalf("step %d: pane %d keeps %d rows for %d listed findings", step, i, len(b.plain), len(b.listed))
			}
		}
		want := derived(spec)
		for _, n := range slices.Sorted(maps.Keys(want.facts)) {
			if !slices.Equal(got.facts[n], want.facts[n]) {
				t.Fatalf("step %d: facts of %s: %v, want %v", step, n, got.facts[n], want.facts[n])
			}
			if g, w := got.sig(n, got.facts[n], false), want.sig(n, want.facts[n], false); g != w {
				t.Fatalf("step %d: signature of %s: %x, want %x", step, n, g, w)
			}
		}
		if len(got.facts) != len(want.facts) || !maps.Equal(got.problems, want.problems) || !got.oldest.Equal(want.oldest) {
			t.Fatalf("step %d: %d hosts, problems %v, oldest %v; want %d, %v, %v", step, len(got.facts), got.problems, got.oldest,
				len(want.facts), want.problems, want.oldest)
		}
		for i := range want.findings {
			g, w := got.findings[i], want.findings[i]
			if g.tile != w.tile || len(g.rows) != len(w.rows) {
				t.Fatalf("step %d: pane %d: tile %+v, %d rows; want %+v, %d", step, i, g.tile, len(g.rows), w.tile, len(w.rows))
			}
			for j := range w.rows {
				gr, wr := g.rows[j], w.rows[j]
				if gr.key != wr.key || gr.finding != wr.finding || !slices.Equal(gr.cells, wr.cells) || !slices.Equal(gr.folded, wr.folded) ||
					!slices.Equal(gr.across, wr.across) || gr.status != wr.status || gr.ref != wr.ref || !gr.stamp.Equal(wr.stamp) || gr.staleAfter != wr.staleAfter {
					t.Fatalf("step %d: pane %d row %d: %v %v %v, want %v %v %v", step, i, j, gr.cells, gr.folded, gr.across, wr.cells, wr.folded, wr.across)
				}
				folds += len(wr.folded)
				across += len(wr.across)
			}
		}
	}
	if folds == 0 || across == 0 {
		t.Fatalf("no row folded a host's checks (%d) or one check's targets (%d): the fold is not tried", folds, across)
	}
	if areaFolds == 0 {
		t.Fatal("no pane that lists ok findings folded a target's checks")
	}
	if incremental < 250 || withHosts < 50 || incremental-withHosts < 100 {
		t.Fatalf("only %d of 300 snapshots were derived from the last one, %d of them with a host's findings folded", incremental, withHosts)
	}
}

var deadHostChecks = []string{"host.memory", "host.disk", "host.load", "host.uptime"}

// The node list is read again only when the backend's NodesVersion moved; in between, pod
// counts and findings still reach the rows.
func TestNodesAreReadAgainOnlyWhenTheyMoved(t *testing.T) {
	be, snap := siteAtScale(40, 80) // enough findings that one moved is derived from the last snapshot
	var version uint64 = 1
	reads := 0
	nodes := be.Nodes()
	be.Nodes = func() []NodeInfo { reads++; return slices.Clone(nodes) }
	be.NodesVersion = func() uint64 { return version }
	m := New(Options{Site: "s", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, snap)
	load := func() feedMsg {
		t.Helper()
		spec := m.loadSpec()
		msg := loadFeeds(spec)().(feedMsg)
		want := slices.Clone(msg.nodes)
		sortRows(want, spec.orders[0])
		if !slices.Equal(msg.nodes, want) {
			t.Fatal("the node rows are out of order")
		}
		if msg.counts[0] != countRows(msg.nodes) {
			t.Fatalf("Nodes tile %+v, rows count %+v", msg.counts[0], countRows(msg.nodes))
		}
		return msg
	}
	zeroth := load()
	before := reads
	first := load()
	if reads != before {
		t.Fatalf("Nodes read %d times more while its version stood", reads-before)
	}
	if &first.nodes[0] != &zeroth.nodes[0] {
		t.Fatal("a load in which no node row moved must hand out the same table")
	}
	// A finding of node0002 moves: its row shows it without a read of the nodes.
	m.Update(snapshotMsg(withNodeDown(snap, "node0002", "NotReady for 1m")))
	moved := load()
	if reads != before || moved.nodes[0].ref.Name != "node0002" || moved.nodes[0].status != checks.Crit {
		t.Fatalf("reads %d (want %d), first row %s %v", reads, before, moved.nodes[0].ref.Name, moved.nodes[0].status)
	}
	for i, r := range moved.nodes[1:] {
		if !slices.Contains(first.nodes, r) {
			t.Fatalf("row %d (%s) was built again though nothing it shows moved", i+1, r.ref.Name)
		}
	}
	// A pod on node0001 turns not ready: that node's count moves, and only its row.
	pods := be.Pods()
	var changes []PodInfo
	m.opts.Backend.PodChanges = podChangesOf(pods, &changes)
	counted := load()
	p := pods[slices.IndexFunc(pods, func(p PodInfo) bool { return p.Node == "node0001" && p.Ready })]
	p.Ready = false
	changes = []PodInfo{p}
	recount := load()
	for _, r := range recount.nodes {
		switch {
		case r.ref.Name == "node0001" && r.cells[8] != "2/1":
			t.Fatalf("node0001 counts %s, want 2/1 (running/not ready)", r.cells[8])
		case r.ref.Name != "node0001" && !slices.Contains(counted.nodes, r):
			t.Fatalf("%s was built again though its counts did not move", r.ref.Name)
		}
	}
	if reads != before {
		t.Fatalf("Nodes read %d times more while its version stood", reads-before)
	}
	// The nodes move: read again, and a new Ready state shows.
	nodes[1].Ready = "False"
	version++
	again := load()
	if reads != before+1 {
		t.Fatalf("Nodes read %d times after its version moved, want 1", reads-before)
	}
	if i := slices.IndexFunc(again.nodes, func(r *gridRow) bool { return r.ref.Name == nodes[1].Name }); i < 0 || again.nodes[i].cells[1] != "NotReady" {
		t.Fatalf("the new Ready state did not reach the row: %v", again.nodes)
	}
}

// What moved between two snapshots is found whatever their order: out of order, unchanged
// findings may be taken for moved ones, but a moved one is never missed.
func TestChangedBetweenMissesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		var old []*checks.Finding
		for i := range 30 {
			old = append(old, &checks.Finding{Check: "c", Area: "a", Target: fmt.Sprint(i), Status: checks.Status(r.IntN(4))})
		}
		cur := slices.Clone(old)
		for range 1 + r.IntN(5) {
			i := r.IntN(len(cur))
			if r.IntN(2) == 0 { // a new verdict
				f := *cur[i]
				f.Status = checks.Status(r.IntN(4))
				cur[i] = &f
			} else { // gone
				cur = slices.Delete(cur, i, i+1)
			}
		}
		want := map[*checks.Finding]bool{} // in one and not the other
		for _, f := range old {
			want[f] = !slices.Contains(cur, f)
		}
		for _, f := range cur {
			want[f] = !slices.Contains(old, f)
		}
		maps.DeleteFunc(want, func(_ *checks.Finding, moved bool) bool { return !moved })
		sorted := round%2 == 0
		if sorted {
			sortPtrs := func(fs []*checks.Finding) {
				slices.SortFunc(fs, checks.CompareWorstFirst)
			}
			sortPtrs(old)
			sortPtrs(cur)
		} else {
			r.Shuffle(len(cur), func(i, j int) { cur[i], cur[j] = cur[j], cur[i] })
		}
		went, came := changedBetween(old, cur)
		for _, f := range went {
			if !slices.Contains(old, f) {
				t.Fatalf("round %d: %s went but was never there", round, f.Target)
			}
		}
		for _, f := range came {
			if !slices.Contains(cur, f) {
				t.Fatalf("round %d: %s came but is not there", round, f.Target)
			}
		}
		got := slices.Concat(went, came)
		for k := range want {
			if !slices.Contains(got, k) {
				t.Fatalf("round %d (sorted %v): %s missed", round, sorted, k.Target)
			}
		}
		if sorted && len(got) != len(want) {
			t.Fatalf("round %d: %d changed, want %d", round, len(got), len(want))
		}
	}
}

// Two clusters with a node of the same name: a pod count that moves on one moves that row only.
func TestSameNodeNameInTwoClustersCountsApart(t *testing.T) {
	nodes := []NodeInfo{{Cluster: "a", Name: "n1", Ready: "True"}, {Cluster: "b", Name: "n1", Ready: "True"}}
	pods := []PodInfo{{Cluster: "a", Namespace: "ns", Name: "p", Node: "n1", Phase: "Running", Ready: true},
		{Cluster: "b", Namespace: "ns", Name: "p", Node: "n1", Phase: "Running", Ready: true}}
	var changes []PodInfo
	be := Backend{Clusters: []string{"a", "b"}, Nodes: func() []NodeInfo { return nodes }, NodesVersion: func() uint64 { return 1 },
		Pods: func() []PodInfo { return pods }, PodChanges: podChangesOf(pods, &changes)}
	m := New(Options{Site: "s", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	applySnapshot(m, checks.Snapshot{Version: 1, At: t0})
	load := func() map[string]string {
		out := map[string]string{}
		for _, r := range loadFeeds(m.loadSpec())().(feedMsg).nodes {
			out[r.ref.Cluster+"/"+r.ref.Name] = r.cells[8]
		}
		return out
	}
	load()
	for i, cluster := range []string{"b", "a"} {
		p := pods[slices.IndexFunc(pods, func(p PodInfo) bool { return p.Cluster == cluster })]
		p.Ready = false
		changes = []PodInfo{p}
		got := load()
		want := map[string]string{"a/n1": "1/0", "b/n1": "1/1"}
		if i == 1 {
			want["a/n1"] = "1/1"
		}
		if !maps.Equal(got, want) {
			t.Fatalf("after %s's pod turned not ready: %v, want %v", cluster, got, want)
		}
	}
}

// podChangesOf is a backend's PodChanges: every pod at the first call, then what *changes holds
// (taken: nothing more until the test sets it again).
func podChangesOf(pods []PodInfo, changes *[]PodInfo) func() ([]PodInfo, bool) {
	first := true
	return func() ([]PodInfo, bool) {
		if first {
			first = false
			return pods, true
		}
		out := *changes
		*changes = nil
		return out, false
	}
}

// TestOldestAfterIsOldestOf: the oldest observation kept from the last snapshot is the one a walk
// of every finding gives, when the oldest goes, an older one comes, or a finding has no time.
func TestOldestAfterIsOldestOf(t *testing.T) {
	at := func(min int) *checks.Finding {
		return &checks.Finding{Check: "c", Target: fmt.Sprint(min), ObservedAt: t0.Add(time.Duration(min) * time.Minute)}
	}
	a, b, c, none := at(1), at(2), at(3), &checks.Finding{Check: "c", Target: "none"}
	for _, tc := range []struct {
		name               string
		before, went, came []*checks.Finding
	}{
		{"an older one came", []*checks.Finding{b, c}, nil, []*checks.Finding{a}},
		{"the oldest went", []*checks.Finding{a, b, c}, []*checks.Finding{a}, nil},
		{"a newer one went", []*checks.Finding{a, b, c}, []*checks.Finding{c}, nil},
		{"every one went", []*checks.Finding{a, b}, []*checks.Finding{a, b}, nil},
		{"the first came", nil, nil, []*checks.Finding{b, c}},
		{"one without its time came", []*checks.Finding{b}, nil, []*checks.Finding{none}},
		{"only one without its time", nil, nil, []*checks.Finding{none}},
		{"the oldest went and came again", []*checks.Finding{a, b}, []*checks.Finding{a}, []*checks.Finding{a}},
	} {
		after := slices.DeleteFunc(slices.Clone(tc.before), func(f *checks.Finding) bool { return slices.Contains(tc.went, f) })
		after = append(after, tc.came...)
		got, want := oldestAfter(oldestOf(tc.before), tc.went, tc.came, after), oldestOf(after)
		if !got.Equal(want) {
			t.Errorf("%s: oldest %v, want %v", tc.name, got, want)
		}
	}
	if got := oldestOf([]*checks.Finding{none, b, a}); !got.Equal(a.ObservedAt) {
		t.Errorf("a finding without its time hid the oldest: %v", got)
	}
}
