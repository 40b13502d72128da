package checks

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Snapshot is the store's content at one moment, sorted worst first. Its findings are the
// store's own, shared and never changed once put (a new verdict is a new Finding): a snapshot
// copies pointers, not findings (100,000 findings: 21 ms of copying before).
type Snapshot struct {
	Version  uint64
	At       time.Time
	Findings []*Finding
	// Urgent: a verdict someone waits for moved since the last one (PutNow), to be shown at
	// once rather than with the calm changes.
	Urgent bool
}

// SnapshotOf is a snapshot of findings given by value (tests, reports).
func SnapshotOf(at time.Time, fs []Finding) Snapshot {
	out := Snapshot{At: at, Findings: make([]*Finding, len(fs))}
	for i := range fs {
		out.Findings[i] = &fs[i]
	}
	return out
}

// Values copies the findings (a report sorts and prints them).
func (s Snapshot) Values() []Finding {
	out := make([]Finding, len(s.Findings))
	for i, f := range s.Findings {
		out[i] = *f
	}
	return out
}

// Counts tallies findings by status.
func (s Snapshot) Counts() map[Status]int {
	c := map[Status]int{}
	for _, f := range s.Findings {
		c[f.Status]++
	}
	return c
}

// Worst is the worst status present (OK when empty).
func (s Snapshot) Worst() Status {
	w := OK
	for _, f := range s.Findings {
		w = max(w, f.Status)
	}
	return w
}

// Worst is the worst status among findings (OK when empty).
func Worst(fs []Finding) Status {
	w := OK
	for _, f := range fs {
		w = max(w, f.Status)
	}
	return w
}

// SortWorstFirst orders findings by status (worst first), then area, check and target.
func SortWorstFirst(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int { return compareWorstFirst(&a, &b) })
}

// CompareWorstFirst is the order of a snapshot's findings (SortWorstFirst's).
func CompareWorstFirst(a, b *Finding) int { return compareWorstFirst(a, b) }

// compareWorstFirst stops at the first difference (cmp.Or would evaluate every comparison).
func compareWorstFirst(a, b *Finding) int {
	if c := cmp.Compare(b.Status, a.Status); c != 0 {
		return c
	}
	if c := strings.Compare(a.Area, b.Area); c != 0 {
		return c
	}
	if c := strings.Compare(a.Check, b.Check); c != 0 {
		return c
	}
	return strings.Compare(a.Target, b.Target)
}

// Store keeps the latest finding per (check, target) and publishes coalesced snapshots: however
// many findings arrive, a subscriber gets at most one snapshot per interval, and always the last.
type Store struct {
	mu       sync.Mutex
	latest   map[string]*Finding            // never mutated once stored
	byCheck  map[string]map[string]*Finding // the same, by check then key: Retain walks one check's
	order    []*Finding                     // the same findings, worst first: kept in order as they come
	version  uint64
	subs     map[chan Snapshot]struct{}
	changed  chan struct{}
	interval time.Duration
	once     sync.Once
	now      func() time.Time
	// quiet is set when only observation times moved (the same verdict confirmed again): those
	// refreshes are published every QuietEvery instead of waking subscribers each time — a
	// 2,000-node cluster confirms 2,000 node verdicts every 30 s.
	quiet bool
	// urgent is set when PutNow moved a verdict; the next snapshot published says so.
	urgent bool
}

// QuietEvery is how often refreshes that changed no verdict are published: each wakes the
// cockpit to rebuild its rows (90 ms at 5,000 nodes; at 5 s, 2 % of a core at idle). The
// readings it carries are 0–30 s old anyway (the checks' schedules), and each row shows the age
// of its own; the cockpit reloads every 10 s regardless, for connection states.
const QuietEvery = 10 * time.Second

// sameVerdict says b only confirms a: the same status and the same words, only when it was
// observed or the numbers it quotes moved ("cpu 99.1 % busy" then "cpu 98.8 % busy"). Such a
// refresh is published with the quiet ones: every host quotes a sample each round, and at 5,000
// hosts every round woke the cockpit 30,000 times over for values nobody has to act on at once.
func sameVerdict(a, b *Finding) bool {
	return a.Status == b.Status && a.Error == b.Error && a.Exception == b.Exception &&
		sameWords(a.Summary, b.Summary) && sameWords(a.Details, b.Details)
}

// sameWords compares two texts with every number in them left out.
func sameWords(a, b string) bool {
	if a == b {
		return true
	}
	i, j := 0, 0
	for {
		i, j = skipNumber(a, i), skipNumber(b, j)
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i++
		j++
	}
}

// skipNumber skips a number (digits, with a decimal point or separators inside) at s[i:].
func skipNumber(s string, i int) int {
	digit := func(k int) bool { return k < len(s) && s[k] >= '0' && s[k] <= '9' }
	if !digit(i) {
		return i
	}
	for digit(i) || (i < len(s) && (s[i] == '.' || s[i] == ',') && digit(i+1)) {
		i++
	}
	return i
}

// NewStore makes a store whose subscribers hear at most once per interval (≥ 50 ms is sensible).
func NewStore(interval time.Duration) *Store {
	return &Store{
		latest:   map[string]*Finding{},
		byCheck:  map[string]map[string]*Finding{},
		subs:     map[chan Snapshot]struct{}{},
		changed:  make(chan struct{}, 1),
		interval: interval,
		now:      time.Now,
	}
}

// Put records a finding, replacing the previous one for its (check, target).
func (s *Store) Put(f Finding) {
	key := f.Key() // once, before the lock: up to 64 probes at once contend for it
	s.mu.Lock()
	moved := s.put(key, &f)
	s.mu.Unlock()
	if moved {
		s.wake()
	}
}

// PutAll records a round's verdicts judged from memory, a block at a time under the lock (a
// mass flip of 5,000 nodes moves each in the order; the lock is not held for all of them). A
// finding observed before the one stored for its key is dropped: the reactor may have judged
// that target again while the round judged the rest (the scheduler stamps each reading with
// time.Now, whose monotonic clock a step of the wall clock does not move). The store keeps pointers into fs (one
// array for all: it lives while any of them is stored); the caller must not change it after.
func (s *Store) PutAll(fs []Finding) { s.putAll(fs, false) }

// PutNow is PutAll for verdicts someone waits for: an informer event's re-judgement, an
// action's verification, a rerun asked for. When one moves, the snapshot that carries it is
// Urgent: the cockpit loads it at once, where other changes wait up to a second (a Node back to
// Ready kept its NotReady alert and problem on screen 1.1 s on a quiet site).
func (s *Store) PutNow(fs ...Finding) { s.putAll(fs, true) }

func (s *Store) putAll(fs []Finding, urgent bool) {
	keys := make([]string, len(fs))
	for i := range fs {
		keys[i] = fs[i].Key()
	}
	moved := false
	for len(fs) > 0 {
		n := min(len(fs), putBlock)
		s.mu.Lock()
		for i := range n {
			if old, had := s.latest[keys[i]]; had && fs[i].ObservedAt.Before(old.ObservedAt) {
				continue
			}
			moved = s.put(keys[i], &fs[i]) || moved
		}
		s.urgent = s.urgent || urgent && moved
		s.mu.Unlock()
		fs, keys = fs[n:], keys[n:]
	}
	if moved {
		s.wake()
	}
}

// putBlock is how many findings PutAll stores per turn at the lock.
const putBlock = 256

// put stores f under key with s.mu held, and says whether its verdict moved (a refresh only
// marks the store quiet).
func (s *Store) put(key string, f *Finding) (moved bool) {
	old, had := s.latest[key]
	s.latest[key] = f
	if s.byCheck[f.Check] == nil {
		s.byCheck[f.Check] = map[string]*Finding{}
	}
	s.byCheck[f.Check][key] = f
	s.place(old, f)
	s.version++
	if had && sameVerdict(old, f) {
		s.quiet = true
		return false
	}
	return true
}

// wake tells the publisher something moved (it coalesces).
func (s *Store) wake() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Retain drops the findings of check whose target is within scope (nil: any) and no longer
// listed (a pod that recovered or was deleted), so the store holds only what is still there.
// The scope keeps one cluster's round from dropping another cluster's findings of the same
// check (they flickered in and out between the two rounds).
func (s *Store) Retain(check string, scope func(target string) bool, targets []string) {
	keep := make(map[string]bool, len(targets))
	for _, t := range targets {
		keep[t] = true
	}
	s.mu.Lock()
	dropped := false
	for k, f := range s.byCheck[check] { // a round of one check no longer walks every finding
		if !keep[f.Target] && (scope == nil || scope(f.Target)) {
			delete(s.latest, k)
			delete(s.byCheck[check], k)
			s.place(f, nil)
			dropped = true
		}
	}
	if dropped {
		s.version++
	}
	s.mu.Unlock()
	if dropped {
		s.wake()
	}
}

// place moves a finding in the order: old out (nil: new key), f in (nil: dropped). A binary
// search each, so a snapshot copies findings already in order instead of sorting them all
// (100,000 findings: 62 ms of sorting per snapshot before).
func (s *Store) place(old, f *Finding) {
	if old != nil {
		if i, ok := slices.BinarySearchFunc(s.order, old, compareWorstFirst); ok {
			if f != nil && compareWorstFirst(old, f) == 0 {
				s.order[i] = f // same place: the verdict kept its status
				return
			}
			s.order = slices.Delete(s.order, i, i+1)
		}
	}
	if f != nil {
		i, _ := slices.BinarySearchFunc(s.order, f, compareWorstFirst)
		s.order = slices.Insert(s.order, i, f)
	}
}

// Snapshot is the current findings, worst first (kept in order as they are put).
func (s *Store) Snapshot() Snapshot {
	s.mu.Lock()
	ptrs := slices.Clone(s.order)
	v := s.version
	s.mu.Unlock()
	return Snapshot{Version: v, At: s.now(), Findings: ptrs}
}

// Subscribe returns a channel that receives a snapshot after changes, coalesced; it holds only
// the newest snapshot, so a slow reader never blocks the store. Cancel with Unsubscribe.
func (s *Store) Subscribe() chan Snapshot {
	ch := make(chan Snapshot, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	s.once.Do(func() { go s.publish() })
	s.wake() // a new subscriber gets the current state at once
	return ch
}

// Unsubscribe stops deliveries to ch.
func (s *Store) Unsubscribe(ch chan Snapshot) {
	s.mu.Lock()
	delete(s.subs, ch)
	s.mu.Unlock()
}

func (s *Store) publish() {
	quiet := time.NewTicker(QuietEvery)
	defer quiet.Stop()
	for {
		select {
		case _, ok := <-s.changed:
			if !ok {
				return
			}
		case <-quiet.C:
			s.mu.Lock()
			q := s.quiet
			s.mu.Unlock()
			if !q {
				continue
			}
		}
		s.mu.Lock()
		s.quiet = false
		urgent := s.urgent
		s.urgent = false
		s.mu.Unlock()
		snap := s.Snapshot()
		snap.Urgent = urgent
		s.mu.Lock()
		for ch := range s.subs {
			select { // replace an unread snapshot with the newer one
			case <-ch:
			default:
			}
			ch <- snap
		}
		s.mu.Unlock()
		time.Sleep(s.interval)
	}
}

// Has tells whether the store holds a finding for (check, target) (the Kubernetes reactor asks
// it before re-judging a pod that turned healthy: only a listed one needs clearing).
func (s *Store) Has(check, target string) bool {
	s.mu.Lock()
	_, ok := s.latest[keyOf(check, target)]
	s.mu.Unlock()
	return ok
}
