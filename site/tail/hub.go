package tail

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Source describes one followed log.
type Source struct {
	Name      string
	Kind      string // file | pod | supervisor (as the site file says)
	Host      string // inventory host; "" for this machine
	Path      string // file path (kind file), program (supervisor), namespace/pod[/container] (pod)
	Container string // the file or program is inside this container
	Runtime   string // docker | crictl (with Container)
	Cluster   string // kind pod
	Format    string // auto | log4j | logrus | klog | gateway | raw
	Where     string // how it is read, for the pane's status line ("ssh node1: tail -n 200 -F …")
}

// State is a source's stream health, as the pane shows it.
type State struct {
	Up      bool
	Since   time.Time // when it came up or was lost
	Err     string    // why it is down
	Lines   uint64    // lines read since start
	Entries int       // entries held now
}

type source struct {
	Source
	ring   *ring
	parser Parser
	state  State
	lostAt time.Time // zero while up
	rate   rate
	// scratch holds a batch being parsed; only the source's one writer (its stream) uses it.
	scratch []parsed
}

type parsed struct {
	e    Entry
	cont bool
}

// Hub holds every source's ring and tells subscribers when something changed.
type Hub struct {
	mu      sync.RWMutex
	sources []*source

	version  atomic.Uint64
	changed  chan struct{}
	subMu    sync.Mutex
	subs     map[chan uint64]struct{}
	interval time.Duration
	now      func() time.Time
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// NewHub makes an empty hub whose subscribers hear at most once per interval.
func NewHub(interval time.Duration) *Hub {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	return &Hub{changed: make(chan struct{}, 1), subs: map[chan uint64]struct{}{}, interval: interval, now: time.Now}
}

// Add registers a source with a ring of limit lines and returns its index.
func (h *Hub) Add(s Source, p Parser, limit int) int {
	if p == nil {
		p = rawParser{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sources = append(h.sources, &source{Source: s, ring: newRing(limit), parser: p})
	return len(h.sources) - 1
}

// Sources lists the sources, in the order they were added.
func (h *Hub) Sources() []Source {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]Source, len(h.sources))
	for i, s := range h.sources {
		out[i] = s.Source
	}
	return out
}

// State reports one source's stream health.
func (h *Hub) State(src int) State {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s := h.sources[src]
	st := s.state
	st.Entries = s.ring.len()
	return st
}

// Version moves whenever an entry is added or a stream changes state.
func (h *Hub) Version() uint64 { return h.version.Load() }

// Subscribe returns a channel that receives the version, at most once per interval, after a
// change. It holds one value: a slow reader only ever sees the latest.
func (h *Hub) Subscribe() <-chan uint64 {
	ch := make(chan uint64, 1)
	h.subMu.Lock()
	h.subs[ch] = struct{}{}
	h.subMu.Unlock()
	if h.version.Load() > 0 {
		ch <- h.version.Load()
	}
	return ch
}

// Unsubscribe stops notifications to ch.
func (h *Hub) Unsubscribe(ch <-chan uint64) {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	for c := range h.subs {
		if c == ch {
			delete(h.subs, c)
		}
	}
}

func (h *Hub) bump() {
	h.version.Add(1)
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

// publish coalesces changes: one notification per interval at most, always the latest version.
func (h *Hub) publish(ctx context.Context) {
	defer h.wg.Done()
	t := time.NewTimer(h.interval)
	defer t.Stop()
	for {
		select {
		case <-h.changed:
		case <-ctx.Done():
			return
		}
		v := h.version.Load()
		h.subMu.Lock()
		for ch := range h.subs {
			select {
			case <-ch:
			default:
			}
			ch <- v
		}
		h.subMu.Unlock()
		t.Reset(h.interval)
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// Start runs the notifier; Close (or ctx) stops it and every stream started by StartAll.
func (h *Hub) Start(ctx context.Context) context.Context {
	ctx, h.cancel = context.WithCancel(ctx)
	h.wg.Add(1)
	go h.publish(ctx)
	return ctx
}

// Close stops the streams and waits for them.
func (h *Hub) Close() {
	if h.cancel != nil {
		h.cancel()
	}
	h.wg.Wait()
}

// Ingest parses lines read at recv and appends them to src's ring. Parsing happens before the
// lock; the lock is held only to append, never while reading from the network. A source has one
// writer: its stream (or a test).
func (h *Hub) Ingest(src int, lines []string, recv time.Time) {
	if len(lines) == 0 {
		return
	}
	h.mu.RLock()
	s := h.sources[src]
	h.mu.RUnlock()
	if cap(s.scratch) < len(lines) {
		s.scratch = make([]parsed, len(lines))
	}
	batch := s.scratch[:len(lines)]
	for i, l := range lines {
		e := Entry{Source: src, Time: recv, Recv: recv, Text: Clean(l)}
		cont := s.parser.Parse(e.Text, &e)
		batch[i] = parsed{e, cont}
	}
	h.mu.Lock()
	for i := range batch {
		b := &batch[i]
		if b.cont && s.ring.fold(b.e.Text) {
			continue
		}
		s.ring.push(b.e)
		s.rate.add(b.e.Recv, b.e.Level)
	}
	s.state.Lines += uint64(len(lines))
	h.mu.Unlock()
	clear(batch) // the ring has its copies; drop the strings
	h.bump()
}

// note appends one of the stream's own entries (a gap or news).
func (h *Hub) note(src int, kind Kind, text, detail string) {
	now := h.now()
	h.mu.Lock()
	h.sources[src].ring.push(Entry{Source: src, Kind: kind, Time: now, Recv: now, Text: text, Note: detail})
	h.mu.Unlock()
	h.bump()
}

// up marks src's stream connected; after a loss it records the gap.
func (h *Hub) up(src int) {
	now := h.now()
	h.mu.Lock()
	s := h.sources[src]
	lost, why := s.lostAt, s.state.Err
	s.state.Up, s.state.Since, s.state.Err, s.lostAt = true, now, "", time.Time{}
	if !lost.IsZero() {
		s.ring.push(Entry{Source: src, Kind: Gap, Time: now, Recv: now, Level: Warn,
			Text: "stream lost " + lost.Format("15:04:05") + ", resumed " + now.Format("15:04:05") + ": lines written in between are missing",
			Note: why})
	}
	h.mu.Unlock()
	h.bump()
}

// down marks src's stream lost (once per outage; the error is updated).
func (h *Hub) down(src int, err error) {
	now := h.now()
	h.mu.Lock()
	s := h.sources[src]
	first := s.lostAt.IsZero()
	if first {
		s.lostAt = now
		s.state.Since = now
	}
	s.state.Up, s.state.Err = false, err.Error()
	if first {
		s.ring.push(Entry{Source: src, Kind: Note, Time: now, Recv: now, Level: Warn, Text: "stream lost: " + firstLine(err.Error())})
	}
	h.mu.Unlock()
	h.bump()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Bounds returns the seq range [first, next) src holds.
func (h *Hub) Bounds(src int) (first, next uint64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	r := h.sources[src].ring
	return r.first, r.next
}

// Range calls fn for src's entries from seq on (or from the oldest kept), at most max of them,
// and returns the seq after the last one seen. The entry is only valid inside fn.
func (h *Hub) Range(src int, from uint64, max int, fn func(*Entry)) uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	r := h.sources[src].ring
	s := from
	if s < r.first {
		s = r.first
	}
	for n := 0; s < r.next && n < max; s, n = s+1, n+1 {
		e, _ := r.at(s)
		fn(e)
	}
	return s
}

// Ref names one entry.
type Ref struct {
	Src int
	Seq uint64
}

// Lookup calls fn for each ref still held (i is its index in refs), under one read lock.
func (h *Hub) Lookup(refs []Ref, fn func(i int, e *Entry)) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for i, r := range refs {
		if r.Src < 0 || r.Src >= len(h.sources) {
			continue
		}
		if e, ok := h.sources[r.Src].ring.at(r.Seq); ok {
			fn(i, e)
		}
	}
}

// Recent calls fn for src's entries read at or after since, newest first.
func (h *Hub) Recent(src int, since time.Time, fn func(*Entry)) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	r := h.sources[src].ring
	for s := r.next; s > r.first; s-- {
		e, _ := r.at(s - 1)
		if e.Recv.Before(since) {
			return
		}
		fn(e)
	}
}

// Clean makes a line safe to print: control characters (escape sequences included) become
// visible, tabs become a space, a trailing CR goes, invalid UTF-8 is replaced.
func Clean(s string) string {
	s = strings.TrimRight(s, "\r\n")
	bad := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			bad = true
			break
		}
	}
	if !bad && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return '\uFFFD'
		}
		return r
	}, s)
}
