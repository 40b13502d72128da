package logview

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"opsdeck/site/tail"
)

// item is one shown entry in the merged index: its (source-monotonic) time, where it lives in
// the hub, and its level (so jumping to the next error reads no entries).
type item struct {
	t     int64
	seq   uint64
	src   int32
	level tail.Level
	kind  tail.Kind
}

// readBudget bounds the entries one Update reads; the rest come in the next one.
const readBudget = 100_000

// match tells whether e passes the filter. Gaps and the stream's own notes always show: they say
// what the lines cannot.
func (f *filter) match(e *tail.Entry) bool {
	if e.Kind != tail.Line {
		return true
	}
	if f.minLevel > tail.Unknown && e.Level < f.minLevel {
		return false
	}
	if f.re == nil {
		return true
	}
	hit := f.re.MatchString(e.Text) || e.Note != "" && f.re.MatchString(e.Note)
	for i := 0; !hit && i < len(e.More); i++ {
		hit = f.re.MatchString(e.More[i])
	}
	return hit != f.invert
}

// syncSources grows the per-source state when the hub gained sources.
func (m *Model) syncSources() {
	n := len(m.hub.Sources())
	for len(m.shown) < n {
		m.shown = append(m.shown, true)
		m.next = append(m.next, 0)
		m.lastT = append(m.lastT, 0)
	}
}

// live is the part of the index still held by the hub.
func (m *Model) live() []item { return m.idx[m.start:] }

// refresh reads what is new in the shown sources, filters it and merges it by time.
func (m *Model) refresh() tea.Cmd {
	if m.hub == nil {
		return nil
	}
	if m.paused || m.rebuilding {
		m.pending = true
		return nil
	}
	m.pending = false
	m.syncSources()
	var batch []item
	budget := readBudget
	more := false
	for src := range m.shown {
		if !m.shown[src] {
			continue
		}
		last := m.lastT[src]
		f := &m.filter
		m.next[src] = m.hub.Range(src, m.next[src], budget, func(e *tail.Entry) {
			t := e.Time.UnixNano()
			if t < last {
				t = last // a source keeps its own order; merging is between sources
			}
			last = t
			if f.match(e) {
				batch = append(batch, item{t: t, seq: e.Seq, src: int32(src), level: e.Level, kind: e.Kind})
			}
			budget--
		})
		m.lastT[src] = last
		if budget <= 0 {
			more = true
			break
		}
	}
	m.trim()
	m.merge(batch)
	if more {
		id := m.id
		return func() tea.Msg { return moreMsg{id} }
	}
	return nil
}

// merge adds a batch (each source's part already in order) to the index, by time.
func (m *Model) merge(batch []item) {
	if len(batch) == 0 {
		return
	}
	slices.SortStableFunc(batch, func(a, b item) int { return cmpInt(a.t, b.t) })
	live := m.live()
	at := len(live)
	if at > 0 && batch[0].t < live[at-1].t {
		// Earlier than what is shown already: merge with the tail it overlaps.
		at, _ = slices.BinarySearchFunc(live, batch[0].t+1, func(a item, t int64) int { return cmpInt(a.t, t) })
	}
	if at == len(live) {
		m.idx = append(m.idx, batch...)
	} else {
		tail := append([]item(nil), live[at:]...)
		merged := make([]item, 0, len(tail)+len(batch))
		i, j := 0, 0
		for i < len(tail) || j < len(batch) {
			if j == len(batch) || i < len(tail) && tail[i].t <= batch[j].t {
				merged = append(merged, tail[i])
				i++
			} else {
				merged = append(merged, batch[j])
				j++
			}
		}
		m.idx = append(m.idx[:m.start+at], merged...)
		if !m.follow && m.pos >= at {
			m.pos += len(batch) // keep the same entry at the bottom (approximately: the inserted ones may land below)
		}
	}
	if m.follow {
		m.pos = len(m.live()) - 1
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// trim drops index entries the rings have evicted, from the front (where the oldest are), and
// compacts the slice once the dead part is as big as the live one.
func (m *Model) trim() {
	firsts := make([]uint64, len(m.shown))
	for src := range m.shown {
		firsts[src], _ = m.hub.Bounds(src)
	}
	n := 0
	for _, it := range m.live() {
		if it.seq >= firsts[it.src] {
			break
		}
		n++
	}
	m.start += n
	m.pos = max(m.pos-n, 0)
	if m.start > 4096 && m.start > len(m.idx)/2 {
		m.idx = append(m.idx[:0:0], m.idx[m.start:]...)
		m.start = 0
	}
}

// rebuiltMsg carries an index built from scratch for a new filter or source choice.
type rebuiltMsg struct {
	id    int64
	gen   int
	idx   []item
	next  []uint64
	lastT []int64
}

// rebuild re-reads every shown source with the current filter in a command, so a filter change
// over a million lines never stalls a frame. Changes that arrive meanwhile are read afterwards.
func (m *Model) rebuild() tea.Cmd {
	if m.hub == nil {
		return nil
	}
	m.syncSources()
	m.gen++
	m.rebuilding = true
	id, gen, hub, f := m.id, m.gen, m.hub, m.filter
	shown := slices.Clone(m.shown)
	return func() tea.Msg {
		msg := rebuiltMsg{id: id, gen: gen, next: make([]uint64, len(shown)), lastT: make([]int64, len(shown))}
		for src, on := range shown {
			if !on {
				continue
			}
			var part []item
			last := int64(0)
			from := uint64(0)
			for {
				before := from
				from = hub.Range(src, from, 65536, func(e *tail.Entry) {
					t := max(e.Time.UnixNano(), last)
					last = t
					if f.match(e) {
						part = append(part, item{t: t, seq: e.Seq, src: int32(src), level: e.Level, kind: e.Kind})
					}
				})
				if from == before {
					break
				}
			}
			msg.next[src], msg.lastT[src] = from, last
			msg.idx = mergeSorted(msg.idx, part)
		}
		return msg
	}
}

func mergeSorted(a, b []item) []item {
	if len(a) == 0 {
		return b
	}
	out := make([]item, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || i < len(a) && a[i].t <= b[j].t {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

func (m *Model) applyRebuild(msg rebuiltMsg) {
	m.rebuilding = false
	m.idx, m.start = msg.idx, 0
	for src := range msg.next {
		if src < len(m.next) {
			m.next[src], m.lastT[src] = msg.next[src], msg.lastT[src]
		}
	}
	if m.follow || m.pos >= len(m.idx) {
		m.pos = len(m.idx) - 1
	}
}
