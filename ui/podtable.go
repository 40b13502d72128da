package ui

import (
	"reflect"
	"slices"
	"strings"

	"opsdeck/checks"
)

// podTable keeps the Pods pane's rows between loads and changes only the rows of pods that moved
// (from the backend's pod changes) or whose findings moved: at 42,000 pods a full rebuild and
// sort took 120 ms, a change now costs a merge. It also counts pods per node for the Nodes pane.
// Only the load in flight touches it (loads run one at a time).
type podTable struct {
	pods     map[string]*PodInfo // by row key (pointers: a PodInfo is too big for a map to hold inline)
	problems map[string]checks.Status
	healthy  []*gridRow          // rows whose status is OK, by key
	issues   map[string]*gridRow // the other rows
	// issueRows are the issues in the default order (problems first, then by key), kept by each
	// update's moves: at 5,000 nodes ~1,000 rows were sorted again at every load.
	issueRows []*gridRow
	ofStatus  [checks.Crit + 1]int // the issues by status: the tile's worst without a walk of them
	perNode   map[nodeID]*podCount
	// countsMoved are the nodes whose counts the last update moved (nil after a rebuild: all).
	countsMoved map[nodeID]bool
	rows        []*gridRow // the last table handed out, in order
	// spare is the table handed out before that, given back by the screen once it took the
	// last (giveBack): ordered fills it instead of allocating 336 kB per change at 42,000 pods,
	// which was a quarter of what an idle cockpit allocated at 2,000 nodes.
	spare []*gridRow
	order rowOrder
	multi bool
	// shown is the table through the Pods pane's filter (shownFor), in the table's order, kept
	// by the rows each update took out and put in: with a filter set, the screen's pass read
	// all 42,000 rows again at every load (a busy site loads ten times a second), and a
	// filtered Pods pane cost 15 % of a core more.
	shown    []*gridRow
	shownFor *rowFilter
	shownOK  bool       // shown follows the table (false: read it again)
	out, in  []*gridRow // the rows the last update took out and put in
}

// fewChanges is where a pass over every row becomes cheaper than a binary search per change.
const fewChanges = 64

func rowKeyCmp(r *gridRow, k string) int { return strings.Compare(r.key, k) }

type podCount struct{ running, notReady int }

func nodeKey(cluster, node string) string { return cluster + "\x00" + node }

// nodeID names a node among clusters without building a string per pod counted.
type nodeID struct{ cluster, node string }

// update applies pod changes (all pods when full) and the pod findings, and returns the table
// in order o. It reuses the last table when nothing moved.
func (t *podTable) update(changes []PodInfo, full bool, problems map[string]checks.Status, o rowOrder, multi bool) []*gridRow {
	t.out, t.in = t.out[:0], t.in[:0]
	if o != t.order {
		t.shownOK = false
	}
	if full || t.pods == nil || multi != t.multi {
		t.shownOK = false
		t.rebuild(changes, problems, multi)
		t.order = o
		t.rows = t.ordered(o)
		return t.rows
	}
	t.countsMoved = map[nodeID]bool{}
	changed := make(map[string]PodInfo, len(changes))
	gone := map[string]bool{}
	for _, p := range changes {
		k := podRef(p, multi).Target()
		if p.Gone {
			gone[k] = true
			delete(changed, k)
			continue
		}
		delete(gone, k)
		changed[k] = p
	}
	for k, p := range changed {
		if old, ok := t.pods[k]; ok && *old == p {
			delete(changed, k) // told again, unchanged: the informer's adds after a full read
		}
	}
	// A pod whose finding appeared, went or changed status is redrawn too. The map is never
	// written once made (snapDerived copies it to change it): the same map, nothing to compare.
	if !sameMap(problems, t.problems) {
		for k, st := range problems {
			if was, ok := t.problems[k]; !ok || was != st {
				t.restate(k, changed, gone)
			}
		}
		for k := range t.problems {
			if _, ok := problems[k]; !ok {
				t.restate(k, changed, gone)
			}
		}
	}
	t.problems = problems
	if len(changed) == 0 && len(gone) == 0 && t.rows != nil && o == t.order {
		return t.rows
	}
	// Out with the old rows of every pod that moved…
	var left, came []*gridRow // issues
	drop := make(map[string]bool, len(changed)+len(gone))
	for k := range gone {
		drop[k] = true
	}
	for k := range changed {
		drop[k] = true
	}
	for k := range drop {
		if old, ok := t.pods[k]; ok {
			t.count(*old, -1)
			delete(t.pods, k)
		}
		if r, ok := t.issues[k]; ok {
			t.out = append(t.out, r)
			left = append(left, r)
		}
		t.dropIssue(k)
	}
	// A binary search each (a pass reading every row's key touches 100,000 rows scattered in
	// memory), then one compaction: no slice shifted once per row.
	at := make([]int, 0, len(drop))
	for k := range drop {
		if i, ok := slices.BinarySearchFunc(t.healthy, k, rowKeyCmp); ok {
			at = append(at, i)
			t.out = append(t.out, t.healthy[i])
		}
	}
	t.healthy = deleteAt(t.healthy, at)
	// …and in with the new ones, merged into the healthy rows by key.
	var fresh []*gridRow
	for k, p := range changed {
		t.pods[k] = &p
		t.count(p, +1)
		r := podRow(p, k, problems, multi)
		t.in = append(t.in, r)
		if r.status == checks.OK {
			fresh = append(fresh, r)
		} else {
			t.putIssue(k, r)
			came = append(came, r)
		}
	}
	t.reorderIssues(left, came)
	switch {
	case len(fresh) > fewChanges:
		slices.SortFunc(fresh, func(a, b *gridRow) int { return strings.Compare(a.key, b.key) })
		t.healthy = mergeByKey(t.healthy, fresh)
	default:
		for _, r := range fresh {
			i, _ := slices.BinarySearchFunc(t.healthy, r.key, rowKeyCmp)
			t.healthy = slices.Insert(t.healthy, i, r)
		}
	}
	t.order = o
	t.rows = t.ordered(o)
	return t.rows
}

// filtered is the table the last update returned, through f: the last one's kept by the rows
// that moved when f and the order are the same and few moved, else the table read again.
func (t *podTable) filtered(f *rowFilter) []*gridRow {
	switch {
	case f == nil:
		t.shown = nil
	case f != t.shownFor || !t.shownOK || len(t.out)+len(t.in) > fewChanges:
		t.shown = filterAndSort(t.rows, f, t.order, t.order)
	case len(t.out)+len(t.in) > 0:
		t.shown = refiltered(t.shown, f, t.order, t.out, t.in)
	}
	t.shownFor, t.shownOK = f, f != nil
	t.out, t.in = t.out[:0], t.in[:0]
	return t.shown
}

// refiltered is shown (rows through f, in order o) without the rows out and with those of in
// that f keeps, in a new slice: a table handed out is never written.
func refiltered(shown []*gridRow, f *rowFilter, o rowOrder, out, in []*gridRow) []*gridRow {
	return moveRows(slices.Clone(shown), o, out, in, f.keeps)
}

// moveRows takes the rows out out of rs (in order o) and puts in those of in that keep keeps
// (all, when nil), a binary search each; it writes rs's array.
func moveRows(rs []*gridRow, o rowOrder, out, in []*gridRow, keep func(*gridRow) bool) []*gridRow {
	for _, r := range out {
		if i, ok := slices.BinarySearchFunc(rs, r, o.compare); ok {
			rs = slices.Delete(rs, i, i+1)
		}
	}
	for _, r := range in {
		if keep == nil || keep(r) {
			i, _ := slices.BinarySearchFunc(rs, r, o.compare)
			rs = slices.Insert(rs, i, r)
		}
	}
	return rs
}

// rebuild builds the table from every pod (a first list, or a full read): no change sets, one
// block of rows.
func (t *podTable) rebuild(all []PodInfo, problems map[string]checks.Status, multi bool) {
	t.pods, t.issues, t.perNode, t.problems = make(map[string]*PodInfo, len(all)), map[string]*gridRow{}, map[nodeID]*podCount{}, problems
	t.ofStatus = [checks.Crit + 1]int{}
	t.countsMoved = nil
	t.multi = multi
	infos := slices.Clone(all) // one block, not one per pod (kept, like podSlab's, until the next full read)
	for i := range infos {
		p := &infos[i]
		k := podRef(*p, multi).Target()
		if p.Gone {
			delete(t.pods, k)
			continue
		}
		t.pods[k] = p // the last word on a pod told twice
	}
	var slab podSlab
	slab.grow(len(t.pods))
	// Sorted as (key, row) pairs: comparing keys held in the slice, not behind 42,000 pointers.
	healthy := make([]keyedRow, 0, len(t.pods))
	for k, p := range t.pods {
		t.count(*p, +1)
		r := slab.row(*p, k, problems, multi)
		if r.status == checks.OK {
			healthy = append(healthy, keyedRow{k, r})
		} else {
			t.putIssue(k, r)
		}
	}
	t.issueRows = nil
	t.reorderIssues(nil, nil)
	slices.SortFunc(healthy, func(a, b keyedRow) int { return strings.Compare(a.key, b.key) })
	t.healthy = make([]*gridRow, len(healthy))
	for i, kr := range healthy {
		t.healthy[i] = kr.row
	}
}

type keyedRow struct {
	key string
	row *gridRow
}

// restate marks a pod to be redrawn with its current info (its findings changed).
func (t *podTable) restate(k string, changed map[string]PodInfo, gone map[string]bool) {
	if _, ok := changed[k]; ok || gone[k] {
		return
	}
	if p, ok := t.pods[k]; ok {
		changed[k] = *p
	}
}

func (t *podTable) count(p PodInfo, d int) {
	if p.Node == "" {
		return
	}
	k := nodeID{p.Cluster, p.Node}
	if t.countsMoved != nil {
		t.countsMoved[k] = true
	}
	c := t.perNode[k]
	if c == nil {
		c = &podCount{}
		t.perNode[k] = c
	}
	switch {
	case p.Phase == "Succeeded":
	case p.Phase == "Running" && p.Ready:
		c.running += d
	case p.Phase == "Running":
		c.running += d
		c.notReady += d
	default:
		c.notReady += d
	}
}

// ordered is the problem rows then the healthy ones (the default order), or every row sorted by
// the chosen column.
func (t *podTable) ordered(o rowOrder) []*gridRow {
	n := len(t.issues) + len(t.healthy)
	out := t.spare[:0]
	if cap(out) < n {
		out = make([]*gridRow, 0, n+n/64) // room for a few pods more before the next allocation
	}
	t.spare = nil
	out = append(out, t.issueRows...)
	out = append(out, t.healthy...)
	if o.col >= 0 {
		sortRows(out, o)
	}
	clear(out[len(out):cap(out)]) // a spare's tail keeps no row alive
	return out
}

// giveBack takes back a table the screen no longer holds, for the next change to fill. The
// screen calls it between loads, never with the table last handed out.
func (t *podTable) giveBack(rs []*gridRow) {
	if cap(rs) == 0 || sameArray(rs, t.rows) {
		return
	}
	t.spare = rs[:0]
}

// deleteAt removes the rows at the indices at (distinct, in any order) in place.
func deleteAt(rs []*gridRow, at []int) []*gridRow {
	if len(at) == 0 {
		return rs
	}
	slices.Sort(at)
	w := at[0]
	for n, i := range at {
		end := len(rs)
		if n+1 < len(at) {
			end = at[n+1]
		}
		w += copy(rs[w:], rs[i+1:end])
	}
	clear(rs[w:]) // the tail keeps no row alive
	return rs[:w]
}

// mergeByKey merges two slices sorted by key into a new one.
func mergeByKey(a, b []*gridRow) []*gridRow {
	out := make([]*gridRow, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i].key <= b[j].key {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// counts tallies the table for the Pods tile from the problem rows alone.
func (t *podTable) counts() tile {
	c := tile{total: len(t.issues) + len(t.healthy), bad: len(t.issues)}
	for st, n := range t.ofStatus {
		if n > 0 {
			c.worst = checks.Status(st)
		}
	}
	return c
}

// problemsFirst is the default order.
var problemsFirst = rowOrder{col: -1}

// reorderIssues keeps issueRows in the default order by the issues that left and came (read
// again from the map after a rebuild or many moves).
func (t *podTable) reorderIssues(left, came []*gridRow) {
	if t.issueRows == nil || len(left)+len(came) > fewChanges {
		t.issueRows = t.issueRows[:0]
		for _, r := range t.issues {
			t.issueRows = append(t.issueRows, r)
		}
		sortRows(t.issueRows, problemsFirst)
		return
	}
	t.issueRows = moveRows(t.issueRows, problemsFirst, left, came, nil)
}

// putIssue and dropIssue keep issues and their count by status together.
func (t *podTable) putIssue(k string, r *gridRow) {
	t.dropIssue(k)
	t.issues[k] = r
	t.ofStatus[statusIndex(r.status)]++
}

func (t *podTable) dropIssue(k string) {
	if r, ok := t.issues[k]; ok {
		t.ofStatus[statusIndex(r.status)]--
		delete(t.issues, k)
	}
}

// statusIndex is st within OK..Crit (a pod row's status is one of them).
func statusIndex(st checks.Status) checks.Status { return min(max(st, checks.OK), checks.Crit) }

// sameMap tells whether a and b are one map (not equal ones).
func sameMap[K comparable, V any](a, b map[K]V) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
