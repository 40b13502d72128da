package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/checks"
)

// A frame reuses the lines of rows whose drawing did not move, and draws again those whose age,
// staleness, selection or width moved.
func TestShownLinesFollowTheClockTheCursorAndTheWidth(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 10}, {title: "AGE", width: 6}}, "none")
	g.staleAfter = time.Minute
	g.SetSize(40, 5)
	rows := []*gridRow{
		{key: "a", status: checks.OK, cells: []string{"alpha", ""}, stamp: t0},
		{key: "b", status: checks.OK, cells: []string{"beta", ""}, stamp: t0.Add(-20 * time.Second)},
		{key: "c", status: checks.OK, cells: []string{"gamma", "-"}, live: t0.Add(-10 * time.Second), liveCol: 1}, // a heartbeat
	}
	g.setOrdered(rows, rowOrder{col: -1})
	line := func(v string, i int) string { return ansi.Strip(strings.Split(v, "\n")[i+1]) }
	first := g.View(t0.Add(2 * time.Second))
	if !strings.Contains(line(first, 0), "0s") || !strings.Contains(line(first, 1), "20s") || !strings.Contains(line(first, 2), "10s") {
		t.Fatalf("ages: %q", first)
	}
	cached := g.shown[rows[0]].line
	if same := g.View(t0.Add(3 * time.Second)); same != first || g.shown[rows[0]].line != cached {
		t.Fatal("nothing moved, yet the frame changed or its lines were drawn again")
	}
	later := g.View(t0.Add(7 * time.Second)) // the next 5 s step
	if !strings.Contains(line(later, 0), "5s") || !strings.Contains(line(later, 1), "25s") || !strings.Contains(line(later, 2), "15s") {
		t.Fatalf("the ages did not move on: %q", later)
	}
	if stale := g.View(t0.Add(65 * time.Second)); !strings.Contains(line(stale, 0), "stale") {
		t.Fatalf("a reading past its limit is not marked stale: %q", stale)
	}
	g.moveBy(1)
	moved := g.View(t0.Add(65 * time.Second))
	if line(moved, 0) == line(moved, 1) || !strings.HasPrefix(line(moved, 1), sym.cursor) {
		t.Fatalf("the cursor did not move on screen: %q", moved)
	}
	g.SetSize(20, 5)
	if narrow := g.View(t0.Add(65 * time.Second)); ansi.StringWidth(strings.Split(narrow, "\n")[1]) > 20 {
		t.Fatalf("lines drawn at the old width: %q", narrow)
	}
}

// A big grid filters and sorts off the UI goroutine: it keeps its rows until the pass is back,
// and a pass made stale by new rows, another filter or another order is done again.
func TestBigGridFiltersOffTheUIGoroutine(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 12}, {title: "N", width: 6}}, "none")
	g.SetSize(40, 10)
	rowsOf := func(n int, tag string) []*gridRow {
		rs := make([]*gridRow, n)
		for i := range rs {
			k := fmt.Sprintf("row-%05d", i)
			rs[i] = &gridRow{key: k, status: checks.OK, cells: []string{k, tag}, text: k + " " + tag}
		}
		return rs
	}
	all := rowsOf(bigGrid+10, "a")
	if cmd := g.setOrdered(all, rowOrder{col: -1}); cmd != nil || len(g.rows) != len(all) {
		t.Fatalf("unfiltered rows in order need no pass (%d rows)", len(g.rows))
	}
	pass := func(cmd tea.Cmd) tea.Cmd {
		t.Helper()
		if cmd == nil {
			t.Fatal("no pass")
		}
		return g.takeFiltered(cmd().(filteredMsg))
	}
	w, _ := parseFilter("ROW-0001")
	cmd := g.setFilter(w)
	if len(g.rows) != len(all) {
		t.Fatal("the rows moved before the pass was back")
	}
	if next := pass(cmd); next != nil || len(g.rows) != 10 || g.rows[0].key != "row-00010" {
		t.Fatalf("filtered: %d rows", len(g.rows))
	}
	// Another filter while a pass is out: that pass is done again, for the new one.
	w1, _ := parseFilter("row-0003")
	cmd = g.setFilter(w1)
	cmd2, _ := parseFilter("row-0002")
	if g.setFilter(cmd2) != nil {
		t.Fatal("a second pass while one is out")
	}
	if next := pass(cmd); next == nil {
		t.Fatal("no pass followed a stale one")
	} else if pass(next); len(g.rows) != 10 || g.rows[0].key != "row-00020" {
		t.Fatalf("after the second pass: %d rows", len(g.rows))
	}
	// New rows from a load while a pass is out: the pass is shown (on a busy site a load lands
	// during every pass, and the filtered rows must not wait for a quiet moment), then another.
	w4, _ := parseFilter("row-0004")
	cmd = g.setFilter(w4)
	g.cycleSort() // by NAME: a pass (sorting) even with the filter, after this one
	g.setOrdered(rowsOf(bigGrid+10, "b"), rowOrder{col: -1})
	next := pass(cmd)
	if next == nil || len(g.rows) != 10 || g.rows[0].key != "row-00040" || g.rows[0].cells[1] != "a" {
		t.Fatalf("a pass overtaken by a load: %d rows shown, next pass %v", len(g.rows), next != nil)
	}
	if g.setOrdered(g.all, rowOrder{col: -1}) != nil || !g.passing {
		t.Fatal("the same table again started another pass")
	}
	if pass(next); len(g.rows) != 10 || g.rows[0].cells[1] != "b" {
		t.Fatalf("the load's rows were not filtered: %d rows", len(g.rows))
	}
	// A regexp and an inverted filter.
	re, _ := parseFilter("^row-0(0|1)00[0-4] ")
	pass(g.setFilter(re))
	if len(g.rows) != 10 {
		t.Fatalf("regexp: %d rows", len(g.rows))
	}
	inv, _ := parseFilter("!row-0")
	pass(g.setFilter(inv))
	if len(g.rows) != 0 {
		t.Fatalf("inverted: %d rows", len(g.rows))
	}
}

// A filter cleared while its pass is out: that pass, come back, neither shows its rows nor
// takes the selection to them (the selection jumped back to the one row filtered after the
// operator had gone to the top: at 5,000 nodes a pass is out at nearly every moment).
func TestAStalePassDoesNotMoveTheSelection(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 12}}, "none")
	g.SetSize(40, 10)
	rowsOf := func(tag string) []*gridRow { return keyedRows(bigGrid+10, tag) }
	g.setOrdered(rowsOf("a"), rowOrder{col: -1})
	last, _ := parseFilter(fmt.Sprintf("row-%05d", bigGrid+9))
	g.takeFiltered(g.setFilter(last)().(filteredMsg))
	if len(g.rows) != 1 {
		t.Fatalf("filtered: %d rows", len(g.rows))
	}
	out := g.setOrdered(rowsOf("b"), rowOrder{col: -1}) // a load: a pass out under the filter
	if out == nil {
		t.Fatal("no pass for the load")
	}
	if g.setFilter(nil) != nil || len(g.rows) != bigGrid+10 {
		t.Fatalf("cleared: %d rows", len(g.rows))
	}
	g.moveBy(-1 << 30)
	if next := g.takeFiltered(out().(filteredMsg)); next != nil {
		t.Fatal("a pass with no filter and the order as loaded")
	}
	if len(g.rows) != bigGrid+10 || g.cursor != 0 || g.selected != "row-00000" {
		t.Fatalf("after the stale pass: %d rows, cursor %d on %s", len(g.rows), g.cursor, g.selected)
	}
}

// A pass overtaken by newer rows shown at once (a load sorted the new way) is not shown over
// them: the operator's pick among the new rows would go to the top. (A review found it.)
func TestAStalePassDoesNotHideNewerRows(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 12}}, "none")
	g.SetSize(40, 10)
	rowsOf := func(n int) []*gridRow { return keyedRows(n, "") }
	g.setOrdered(rowsOf(bigGrid+10), rowOrder{col: -1})
	out := g.cycleSort() // by NAME: a pass over the table as it was
	if out == nil {
		t.Fatal("no pass for the sort")
	}
	newer := rowsOf(bigGrid + 20) // a load, sorted the new way: shown at once
	if g.setOrdered(newer, g.order()) != nil || len(g.rows) != bigGrid+20 {
		t.Fatalf("the load's rows: %d", len(g.rows))
	}
	g.moveBy(bigGrid + 15) // a row only the load has
	picked := g.selected
	if next := g.takeFiltered(out().(filteredMsg)); next != nil {
		t.Fatal("another pass over rows already in order")
	}
	if len(g.rows) != bigGrid+20 || g.selected != picked || g.rows[g.cursor].key != picked {
		t.Fatalf("after the stale pass: %d rows, %s selected (picked %s)", len(g.rows), g.selected, picked)
	}
}

// A load's rows already through the filter are shown even while a pass is out, and that pass,
// come back older, starts no other: on a busy site a load lands during most passes, and each
// started the next.
func TestALoadsFilteredRowsEndThePasses(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 12}}, "none")
	g.SetSize(40, 10)
	rowsOf := func(tag string) []*gridRow { return keyedRows(bigGrid+10, tag) }
	o := rowOrder{col: -1}
	g.setOrdered(rowsOf("a"), o)
	f, _ := parseFilter("row-0001")
	g.takeFiltered(g.setFilter(f)().(filteredMsg))
	out := g.setOrdered(rowsOf("b"), o) // a load the screen filters: a pass out
	if out == nil {
		t.Fatal("no pass")
	}
	newer := rowsOf("c")
	if g.setShown(newer, o, f, filterAndSort(newer, f, o, o)) != nil || len(g.rows) != 10 || g.rows[0].cells[1] != "c" {
		t.Fatalf("the load's filtered rows while a pass is out: %d rows", len(g.rows))
	}
	if next := g.takeFiltered(out().(filteredMsg)); next != nil {
		t.Fatal("the older pass started another")
	}
	if g.passing || len(g.rows) != 10 || g.rows[0].cells[1] != "c" {
		t.Fatalf("after the older pass: %d rows of %q", len(g.rows), g.rows[0].cells[1])
	}
}

func TestParseFilter(t *testing.T) {
	for _, c := range []struct {
		typed, text string
		want        bool
	}{
		{"Web", "web-2 app yes running", true},
		{"web-3", "web-2 app yes running", false},
		{"!web", "web-2 app yes running", false},
		{"!web", "coredns kube-system", true},
		{"^WEB-\\d APP", "web-2 app yes running", true},
		{"Running$", "web-2 app yes running", true},
		{"[A-Z]+-2", "web-2 app", true},
		{"CrashLoop|Error", "web-2 app no crashloopbackoff", true},
		{"(?-i)Web", "web-2", true}, // rows are lower-cased: case never tells apart
	} {
		f, err := parseFilter(c.typed)
		if err != nil {
			t.Fatalf("%q: %v", c.typed, err)
		}
		if got := f.match(c.text); got != c.want {
			t.Errorf("%q on %q: %v, want %v", c.typed, c.text, got, c.want)
		}
	}
	if f, err := parseFilter("!"); f != nil || err != nil {
		t.Errorf("a lone ! is no filter: %v %v", f, err)
	}
	if _, err := parseFilter("web("); err == nil {
		t.Error("a bad regexp is not an error")
	}
}

// The selection is found by the same row, then by its key near where it was, then anywhere.
func TestFindSelected(t *testing.T) {
	rows := make([]*gridRow, 2000)
	for i := range rows {
		rows[i] = &gridRow{key: fmt.Sprintf("row-%05d", i)}
	}
	if i := findSelected(rows, rows[1500], "row-01500", 3); i != 1500 {
		t.Errorf("the same row far from where it was: %d", i)
	}
	moved := slices.Clone(rows)
	moved[1700] = &gridRow{key: "row-01700"} // the pod changed: a new row, the same key
	if i := findSelected(moved, rows[1700], "row-01700", 1690); i != 1700 {
		t.Errorf("a new row for the key, near: %d", i)
	}
	if i := findSelected(moved, rows[1700], "row-01700", 10); i != 1700 {
		t.Errorf("a new row for the key, far: %d", i)
	}
	if i := findSelected(rows, nil, "row-00042", 1999); i != 42 {
		t.Errorf("by key alone: %d", i)
	}
	if i := findSelected(rows, &gridRow{key: "gone"}, "gone", 500); i != 0 {
		t.Errorf("gone: %d", i)
	}
}

// keyedRows are n rows keyed row-00000…, their second cell tag.
func keyedRows(n int, tag string) []*gridRow {
	rs := make([]*gridRow, n)
	for i := range rs {
		k := fmt.Sprintf("row-%05d", i)
		rs[i] = &gridRow{key: k, status: checks.OK, cells: []string{k, tag}, text: k + " " + tag}
	}
	return rs
}

// A key in a pane whose rows have not come yet holds nothing: its first rows (before any
// finding) would be held while the problems sort above them.
func TestAnEmptyGridHoldsNothing(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 12}}, "none")
	g.SetSize(20, 5)
	g.hold()
	rs := keyedRows(10, "")
	g.setOrdered(rs, rowOrder{col: -1})
	crit := *rs[7]
	crit.status = checks.Crit
	reordered := append([]*gridRow{&crit}, append(slices.Clone(rs[:7]), rs[8:]...)...)
	g.setOrdered(reordered, rowOrder{col: -1})
	if r, _ := g.current(); r.key != "row-00007" {
		t.Fatalf("selected %s, not the row that sorted first", r.key)
	}
}
