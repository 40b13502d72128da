package tail

// ring keeps the newest entries of one source; memory is bounded by its line budget (an event
// with folded lines counts every line). Entry seq s sits at buf[s % len(buf)]; the buffer grows
// by doubling up to the budget, so a quiet source costs little.
type ring struct {
	buf   []Entry
	first uint64 // seq of the oldest kept entry
	next  uint64 // seq the next entry gets
	lines int    // lines held (heads + folded)
	limit int    // line budget
}

func newRing(limit int) *ring {
	limit = max(limit, 16)
	return &ring{buf: make([]Entry, min(limit, 1024)), limit: limit}
}

func (r *ring) len() int { return int(r.next - r.first) }

// at returns the entry with seq, if still kept.
func (r *ring) at(seq uint64) (*Entry, bool) {
	if seq < r.first || seq >= r.next {
		return nil, false
	}
	return &r.buf[seq%uint64(len(r.buf))], true
}

// push appends e (its Seq is set) and evicts the oldest entries beyond the line budget.
func (r *ring) push(e Entry) *Entry {
	if r.len() == len(r.buf) && len(r.buf) < r.limit {
		r.rehome(min(2*len(r.buf), r.limit))
	}
	for r.len() > 0 && (r.len() == len(r.buf) || r.lines+1+len(e.More) > r.limit) {
		r.evict()
	}
	e.Seq = r.next
	p := &r.buf[r.next%uint64(len(r.buf))]
	*p = e
	r.next++
	r.lines += 1 + len(e.More)
	return p
}

// last is the newest entry, if any.
func (r *ring) last() (*Entry, bool) {
	if r.len() == 0 {
		return nil, false
	}
	return r.at(r.next - 1)
}

// fold adds a continuation line to the newest entry; false when there is no line entry to
// fold into. Past MaxFolded lines the event keeps only a count.
func (r *ring) fold(line string) bool {
	last, ok := r.last()
	if !ok || last.Kind != Line {
		return false
	}
	if len(last.More) >= MaxFolded {
		last.Dropped++
		return true
	}
	for r.len() > 1 && r.lines+1 > r.limit {
		r.evict()
	}
	last.More = append(last.More, line)
	r.lines++
	return true
}

func (r *ring) evict() {
	e := &r.buf[r.first%uint64(len(r.buf))]
	r.lines -= 1 + len(e.More)
	*e = Entry{}
	r.first++
}

// rehome moves the kept entries into a buffer of n slots, each at seq % n.
func (r *ring) rehome(n int) {
	nb := make([]Entry, n)
	for s := r.first; s < r.next; s++ {
		nb[s%uint64(n)] = r.buf[s%uint64(len(r.buf))]
	}
	r.buf = nb
}
