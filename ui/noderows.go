package ui

import (
	"slices"
	"time"
)

// nodeEntry is a node row and what it was built from (the heartbeat aside: it moves every
// 10 s and is drawn live).
type nodeEntry struct {
	info  NodeInfo // with the pod counts the row shows, without the heartbeat
	facts uint64
	row   *gridRow
}

// movedNodes are the nodes whose rows may have moved since the last load, by name (all: any).
type movedNodes struct {
	all   bool
	names map[string]bool
}

// with adds the nodes whose pod counts moved (nil: the pods were read whole, any may have).
func (m movedNodes) with(counts map[nodeID]bool) movedNodes {
	if counts == nil {
		return movedNodes{all: true}
	}
	if m.all || len(counts) == 0 {
		return m
	}
	if m.names == nil {
		m.names = map[string]bool{}
	}
	for id := range counts {
		m.names[id.node] = true
	}
	return m
}

// nodeList is the last load's Nodes pane: the backend's list as it was read, an entry per node
// in that list's order, and the rows as they were sorted.
type nodeList struct {
	version  uint64 // the backend's NodesVersion when read
	infos    []NodeInfo
	entries  []nodeEntry
	byName   map[string][]int // entries by node name (a name may be in several clusters)
	sorted   []*gridRow
	sortedBy rowOrder
	// shown is the last table handed out (the screen keeps it: a copy of sorted) and counted its
	// tile: a load in which no row moved hands out the same again, without a copy or a count
	// of every node.
	shown   []*gridRow
	counted tile
}

// nodeInfos is the backend's node list, the last one when its version has not moved (same).
func (l *nodeList) nodeInfos(b Backend) (infos []NodeInfo, same bool) {
	if b.NodesVersion == nil {
		return b.Nodes(), false
	}
	v := b.NodesVersion() // before the read: a change during it moves the version past v
	if l.infos != nil && v == l.version {
		return l.infos, true
	}
	l.version = v
	return b.Nodes(), false
}

// rows are the Nodes pane's rows in order o. Where nothing a row shows moved (the node, its pod
// counts, its findings) the last load's row is kept. When the node list itself is the last one,
// only the nodes named in moved are looked at, and their new rows are placed in the last order
// instead of sorting every row: a site's pod changes ask for a load up to ten times a second,
// each moving a row or two of thousands.
func (l *nodeList) rows(b Backend, d snapDerived, counts func(NodeInfo) NodeInfo, moved movedNodes, o rowOrder, multi bool, now time.Time) []*gridRow {
	infos, same := l.nodeInfos(b)
	live := liveBeat(b)
	if o.col == beatCol && b.Beat != nil {
		// Sorted by BEAT, the order needs each row's beat as it is now: read and copied at
		// every load, as before beats were drawn live.
		live = func(NodeInfo) bool { return false }
		if same {
			infos, same = b.Nodes(), false
		}
	}
	if !same || len(l.entries) != len(infos) {
		return l.rebuild(infos, d, counts, live, o, multi, now)
	}
	replaced := map[*gridRow]*gridRow{} // old row → its replacement
	look := func(i int) {
		e := &l.entries[i]
		old := e.row
		if r := e.update(counts(infos[i]), d, live, multi, now); r != old {
			replaced[old] = r
		}
	}
	if moved.all {
		for i := range infos {
			look(i)
		}
	} else {
		for name := range moved.names {
			for _, i := range l.byName[name] {
				look(i)
			}
		}
	}
	if o != l.sortedBy {
		return l.sort(o)
	}
	if len(replaced) == 0 && l.shown != nil {
		return l.shown
	}
	if len(replaced) > fewChanges {
		for i, r := range l.sorted {
			if nr, ok := replaced[r]; ok {
				l.sorted[i] = nr
			}
		}
		sortRows(l.sorted, o)
	} else {
		for old, r := range replaced { // out of its place, into the new one: a binary search each
			if i, ok := slices.BinarySearchFunc(l.sorted, old, o.compare); ok && l.sorted[i] == old {
				l.sorted = slices.Delete(l.sorted, i, i+1)
			} else {
				l.sorted = slices.DeleteFunc(l.sorted, func(x *gridRow) bool { return x == old })
			}
			i, _ := slices.BinarySearchFunc(l.sorted, r, o.compare)
			l.sorted = slices.Insert(l.sorted, i, r)
		}
	}
	return l.handOut()
}

// handOut is a copy of the sorted rows for the screen, which keeps what it is given.
func (l *nodeList) handOut() []*gridRow {
	l.shown = slices.Clone(l.sorted)
	l.counted = countRows(l.shown)
	return l.shown
}

// beatCol is the Nodes pane's BEAT column.
const beatCol = 2

// liveBeat tells whether the screen draws a node's heartbeat live (grid.liveOf, Backend.Beat).
func liveBeat(b Backend) func(NodeInfo) bool {
	if b.Beat == nil {
		return func(NodeInfo) bool { return false }
	}
	return func(n NodeInfo) bool {
		_, ok := b.Beat(n.Cluster, n.Name)
		return ok
	}
}

// rebuild makes the entries of a new node list, keeping the rows of nodes that did not move.
func (l *nodeList) rebuild(infos []NodeInfo, d snapDerived, counts func(NodeInfo) NodeInfo, live func(NodeInfo) bool, o rowOrder, multi bool, now time.Time) []*gridRow {
	last := make(map[string]nodeEntry, len(l.entries))
	for _, e := range l.entries {
		last[nodeKey(e.info.Cluster, e.info.Name)] = e
	}
	l.infos = infos
	l.entries = make([]nodeEntry, len(infos))
	l.byName = make(map[string][]int, len(infos))
	for i, n := range infos {
		l.byName[n.Name] = append(l.byName[n.Name], i)
		n = counts(n)
		e := last[nodeKey(n.Cluster, n.Name)]
		e.update(n, d, live, multi, now)
		l.entries[i] = e
	}
	return l.sort(o)
}

func (l *nodeList) sort(o rowOrder) []*gridRow {
	l.sorted = make([]*gridRow, len(l.entries))
	for i, e := range l.entries {
		l.sorted[i] = e.row
	}
	sortRows(l.sorted, o)
	l.sortedBy = o
	return l.handOut()
}

// update makes e the entry of n and returns its row: the same row when neither the node nor its
// findings moved, nor its heartbeat unless the screen draws that live (live); a copy with the
// new heartbeat when only that moved; else a new row.
func (e *nodeEntry) update(n NodeInfo, d snapDerived, live func(NodeInfo) bool, multi bool, now time.Time) *gridRow {
	h := d.facts[n.Name]
	sig := d.sig(n.Name, h, multi)
	beat := n.Heartbeat
	n.Heartbeat = time.Time{}
	if e.row != nil && e.info == n && e.facts == sig && (!beat.IsZero() || e.row.live.IsZero()) { // a beat gone: "-" drawn anew
		// Rows are shared with the screen: a copy carries the new beat, unless the screen
		// draws it live (and its order by BEAT is then the one of the row's last build).
		if !e.row.live.Equal(beat) && !live(n) {
			cp := *e.row
			cp.live, cp.sortBy = beat, slices.Clone(e.row.sortBy)
			cp.sortBy[beatCol] = -float64(beat.Unix())
			e.row = &cp
		}
		return e.row
	}
	n.Heartbeat = beat
	e.row = nodeRow(n, h, multi, now)
	n.Heartbeat = time.Time{}
	e.info, e.facts = n, sig
	return e.row
}
