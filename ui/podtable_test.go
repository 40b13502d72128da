package ui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// The table kept by changes always equals the table built from scratch from the same pods and
// findings, in every order, and counts pods per node the same way.
func TestPodTableChangesMatchRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pods := map[string]PodInfo{}
	mk := func(i int) PodInfo {
		phases := []string{"Running", "Running", "Running", "Pending", "Succeeded", "Failed"}
		return PodInfo{Cluster: []string{"a", "b"}[i%2], Namespace: fmt.Sprintf("ns%d", i%3), Name: fmt.Sprintf("p%03d", i),
			Node: fmt.Sprintf("n%d", i%5), Phase: phases[rng.IntN(len(phases))], Ready: rng.IntN(4) != 0, Restarts: rng.IntN(3), Created: t0}
	}
	var kept podTable
	var shown, shownWas []*gridRow // the table the screen holds while the next change is made
	for step := 0; step < 300; step++ {
		var changes []PodInfo
		n := rng.IntN(6)
		if step%25 == 0 {
			n = 150 // many at once take the one-pass path
		}
		for range n {
			p := mk(rng.IntN(60))
			if rng.IntN(5) == 0 {
				p.Gone = true
				delete(pods, p.Namespace+"/"+p.Cluster+p.Name)
			} else {
				pods[p.Namespace+"/"+p.Cluster+p.Name] = p
			}
			changes = append(changes, p)
		}
		if step%50 == 30 { // every pod goes: an empty table, then pods again
			for k, p := range pods {
				p.Gone = true
				changes = append(changes, p)
				delete(pods, k)
			}
		}
		problems := map[string]checks.Status{}
		for _, p := range pods {
			if rng.IntN(8) == 0 {
				problems[podRef(p, true).Target()] = checks.Status(1 + rng.IntN(3))
			}
		}
		o := rowOrder{col: -1}
		if step%7 == 0 {
			o = rowOrder{col: 4, reverse: step%2 == 0}
		}
		update := func(changes []PodInfo) []*gridRow {
			got := kept.update(changes, step == 0, problems, o, true)
			if !slices.Equal(shown, shownWas) {
				t.Fatalf("step %d: a change wrote into the table the screen holds", step)
			}
			kept.giveBack(shown) // as the screen does once it holds got
			if cap(kept.spare) > 0 && cap(got) > 0 && &kept.spare[:1][0] == &got[:1][0] {
				t.Fatalf("step %d: the spare is the table the screen now holds", step)
			}
			shown, shownWas = got, slices.Clone(got)
			return got
		}
		got := update(changes)
		if step%10 == 5 {
			update(nil) // nothing moved: the same table again, which the screen still holds
			update(changes[:0])
		}
		var all []PodInfo
		for _, p := range pods {
			all = append(all, p)
		}
		var fresh podTable
		want := fresh.update(all, true, problems, o, true)
		if !slices.EqualFunc(got, want, func(a, b *gridRow) bool {
			return a.key == b.key && a.status == b.status && slices.Equal(a.cells, b.cells)
		}) {
			t.Fatalf("step %d: kept table differs from a rebuild:\n got %v\nwant %v", step, keys(got), keys(want))
		}
		if g, w := kept.counts(), fresh.counts(); g != w || w != countRows(want) {
			t.Fatalf("step %d: tile %+v, rebuilt %+v, counted %+v", step, g, w, countRows(want))
		}
		for k, c := range fresh.perNode {
			if kc := kept.perNode[k]; (kc == nil) != (c == nil) || kc != nil && *kc != *c {
				t.Fatalf("step %d: node %q counts %v, rebuilt %v", step, k, kc, c)
			}
		}
	}
}

func keys(rs []*gridRow) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.key)
	}
	return out
}

// BenchmarkPodTableOneChange is one pod changing among 42,000 (the budget: ≤ 5 ms a rebuild).
func BenchmarkPodTableOneChange(b *testing.B) {
	be, snap := siteAtScale(2000, 42000)
	var tab podTable
	problems := derived(loadSpec{snap: snap}).problems
	tab.update(be.Pods(), true, problems, rowOrder{col: -1}, false)
	p := be.Pods()[777]
	var shown []*gridRow
	for i := 0; b.Loop(); i++ {
		p.Restarts = i
		rows := tab.update([]PodInfo{p}, false, problems, rowOrder{col: -1}, false)
		tab.giveBack(shown) // as the screen does
		shown = rows
	}
}

// BenchmarkPodTableIssueChanges is a crash-looping pod's change among 100,000 pods of which 1 %
// crash-loop (the 5,000-node lab): its row moves within the ~1,000 problem rows on top.
func BenchmarkPodTableIssueChanges(b *testing.B) {
	be, _ := siteAtScale(5000, 100000)
	pods := be.Pods()
	problems := map[string]checks.Status{}
	for i := 0; i < len(pods); i += 100 {
		problems[podRef(pods[i], false).Target()] = checks.Crit
	}
	var tab podTable
	tab.update(pods, true, problems, rowOrder{col: -1}, false)
	var shown []*gridRow
	for i := 0; b.Loop(); i++ {
		p := pods[(i%1000)*100]
		p.Restarts, p.Ready = i, i%2 == 0
		rows := tab.update([]PodInfo{p}, false, problems, rowOrder{col: -1}, false)
		tab.giveBack(shown)
		shown = rows
	}
}

// A pod told again unchanged (the informer's adds arriving after the first full read) keeps its
// row: 33,000 such adds rebuilt 33,000 rows for nothing at every start on the bench lab.
func TestPodTableKeepsRowsOfUnchangedPods(t *testing.T) {
	p := PodInfo{Cluster: "a", Namespace: "ns", Name: "web-1", Node: "n1", Phase: "Running", Ready: true, Created: t0}
	var tab podTable
	first := tab.update([]PodInfo{p}, true, nil, rowOrder{col: -1}, false)
	again := tab.update([]PodInfo{p}, false, nil, rowOrder{col: -1}, false)
	if len(again) != 1 || again[0] != first[0] {
		t.Fatal("an unchanged pod's row was rebuilt")
	}
	p.Restarts = 1
	moved := tab.update([]PodInfo{p}, false, nil, rowOrder{col: -1}, false)
	if len(moved) != 1 || moved[0] == first[0] || moved[0].cells[4] != "1" {
		t.Fatalf("a changed pod's row was kept: %v", moved[0].cells)
	}
}

// Sorting by a column orders by what the column shows: text columns by their text (the pods'
// status column sorted by row key before), number columns by value (restarts 10 after 9).
func TestSortByColumnOrdersByWhatItShows(t *testing.T) {
	mk := func(name, node, reason string, restarts int) *gridRow {
		p := PodInfo{Namespace: "ns", Name: name, Node: node, Phase: "Running", Ready: true, Reason: reason, Restarts: restarts, Created: t0}
		return podRow(p, "ns/"+name, nil, false)
	}
	rows := []*gridRow{mk("a", "n3", "", 10), mk("b", "n1", "CrashLoopBackOff", 9), mk("c", "n2", "Error", 100)}
	order := func(col int) []string {
		rs := slices.Clone(rows)
		sortRows(rs, rowOrder{col: col})
		var names []string
		for _, r := range rs {
			names = append(names, r.cells[0])
		}
		return names
	}
	for col, want := range map[int][]string{
		3: {"b", "c", "a"}, // CrashLoopBackOff, Error, Running
		4: {"b", "a", "c"}, // 9, 10, 100 restarts
		5: {"b", "c", "a"}, // n1, n2, n3
	} {
		if got := order(col); !slices.Equal(got, want) {
			t.Errorf("by column %d: %v, want %v", col, got, want)
		}
	}
}

// A pod row's filter text is its cells lower-cased, however the names are written.
func TestPodRowTextIsItsCellsLowered(t *testing.T) {
	p := PodInfo{Cluster: "C", Namespace: "NS", Name: "Web-1", Node: "Node-A", Phase: "Running", Reason: "CrashLoopBackOff", Restarts: 12, Created: t0}
	r := podRow(p, "NS/Web-1", nil, false)
	if r.text != rowText(r) {
		t.Fatalf("text %q, cells say %q", r.text, rowText(r))
	}
}

// Table ages move in 5 s steps under a minute, as Age above it.
func TestCellAge(t *testing.T) {
	for d, want := range map[time.Duration]string{-time.Second: "0s", 0: "0s", 4 * time.Second: "0s", 7 * time.Second: "5s",
		59 * time.Second: "55s", 61 * time.Second: "1m", 3 * time.Hour: "3h"} {
		if got := cellAge(d); got != want {
			t.Errorf("cellAge(%s) = %q, want %q", d, got, want)
		}
	}
}

// The spare is never the table on screen, through empty tables (which have no room to give
// back): a site with no pods yet, pods, none again, pods again.
func TestPodTableSpareNeverTheShownTable(t *testing.T) {
	pod := func(name string, gone bool) PodInfo {
		return PodInfo{Cluster: "c", Namespace: "ns", Name: name, Node: "n1", Phase: "Running", Ready: true, Created: t0, Gone: gone}
	}
	restarted := func(p PodInfo) PodInfo { p.Restarts++; return p }
	var tab podTable
	var shown, shownWas []*gridRow
	for i, changes := range [][]PodInfo{nil, {pod("a", false), pod("b", false)}, {pod("a", true), pod("b", true)},
		{pod("a", false), pod("b", false)}, {restarted(pod("a", false))}, {pod("a", false)}} {
		got := tab.update(changes, i == 0, nil, rowOrder{col: -1}, false)
		if !slices.Equal(shown, shownWas) {
			t.Fatalf("change %d wrote into the table on screen", i)
		}
		tab.giveBack(shown)
		shown, shownWas = got, slices.Clone(got)
	}
}

// The screen gives back the table it held before a load's, never the one it now shows: the
// next load fills the table given back while the screen draws its own.
func TestScreenGivesBackTheTableItNoLongerHolds(t *testing.T) {
	pods := []PodInfo{}
	for i := range 20 {
		pods = append(pods, PodInfo{Cluster: "c", Namespace: "ns", Name: fmt.Sprintf("p%02d", i), Node: "n1", Phase: "Running", Ready: true, Created: t0})
	}
	var changes []PodInfo
	m := New(Options{Site: "s", Now: func() time.Time { return t0 }, Backend: Backend{Clusters: []string{"c"}, PodChanges: podChangesOf(pods, &changes)}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	load := func() tea.Msg { m.feedLoading = true; return loadFeeds(m.loadSpec())() }
	m.Update(load())
	for i := range 6 {
		p := pods[i]
		p.Restarts = i + 1
		changes = []PodInfo{p}
		m.Update(load())
		held := slices.Clone(m.pods.rows)
		p.Restarts += 10
		changes = []PodInfo{p}
		next := load() // not yet taken: the screen still draws held
		if !slices.Equal(m.pods.rows, held) || !slices.Equal(m.pods.grid.all, held) {
			t.Fatalf("round %d: a load wrote into the table on screen", i)
		}
		m.Update(next)
	}
}

// TestDeleteAtIsDeleteFunc: removing rows by their indices keeps the others in order, whichever
// indices and in whatever order they come.
func TestDeleteAtIsDeleteFunc(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		n := rng.IntN(40)
		rs := make([]*gridRow, n)
		for i := range rs {
			rs[i] = &gridRow{key: fmt.Sprint(i)}
		}
		drop := map[*gridRow]bool{}
		var at []int
		for _, i := range rng.Perm(n)[:rng.IntN(n+1)] {
			drop[rs[i]] = true
			at = append(at, i)
		}
		want := slices.DeleteFunc(slices.Clone(rs), func(r *gridRow) bool { return drop[r] })
		full := rs[:cap(rs)]
		got := deleteAt(rs, at)
		if !slices.Equal(got, want) {
			t.Fatalf("deleteAt(%d rows, %v) = %v, want %v", n, at, keys(got), keys(want))
		}
		for _, r := range full[len(got):] {
			if r != nil {
				t.Fatal("the tail keeps a row alive")
			}
		}
	}
}

// The table through a filter, kept by the rows each update moved, always equals the table read
// again through it, in every order, as pods come, change, crash and go.
func TestPodTableFilteredMatchesAPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mk := func(i int) PodInfo {
		phases := []string{"Running", "Running", "Running", "Pending", "Succeeded", "Failed"}
		return PodInfo{Cluster: "a", Namespace: fmt.Sprintf("ns%d", i%3), Name: fmt.Sprintf("p%03d", i),
			Node: fmt.Sprintf("n%d", i%5), Phase: phases[rng.IntN(len(phases))], Ready: rng.IntN(4) != 0, Restarts: rng.IntN(3), Created: t0}
	}
	word, _ := parseFilter("ns1")
	pattern, _ := parseFilter("^p0[0-4]")
	inverted, _ := parseFilter("!running")
	filters := []*rowFilter{word, pattern, inverted}
	var table podTable
	f := word
	incremental := 0
	for step := 0; step < 400; step++ {
		var changes []PodInfo
		n := rng.IntN(5)
		if step%40 == 0 {
			n = 120 // more than fewChanges: the table is read again
		}
		for range n {
			p := mk(rng.IntN(80))
			p.Gone = rng.IntN(5) == 0
			changes = append(changes, p)
		}
		problems := map[string]checks.Status{}
		for i := range 80 {
			if rng.IntN(10) == 0 {
				problems[podRef(mk(i), false).Target()] = checks.Status(1 + rng.IntN(3))
			}
		}
		o := rowOrder{col: -1}
		if step%9 == 0 {
			o = rowOrder{col: 4, reverse: step%2 == 0}
		}
		if step%13 == 0 {
			f = filters[rng.IntN(len(filters))]
		}
		was, wasCopy := table.shown, slices.Clone(table.shown)
		rows := table.update(changes, step == 0, problems, o, false)
		sorted := slices.Clone(rows)
		sortRows(sorted, o)
		if !slices.Equal(rows, sorted) {
			t.Fatalf("step %d: the table is not in its order", step)
		}
		if table.shownOK && f == table.shownFor && len(table.out)+len(table.in) > 0 && len(table.out)+len(table.in) <= fewChanges {
			incremental++
		}
		got := table.filtered(f)
		want := filterAndSort(rows, f, o, o)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: kept %d rows, read again %d", step, len(got), len(want))
		}
		if !slices.Equal(was, wasCopy) {
			t.Fatalf("step %d: a table handed out was written", step)
		}
	}
	if incremental < 100 {
		t.Fatalf("only %d updates kept the filtered table by their changes", incremental)
	}
}
