// Package logview is the cockpit's log pane: a self-contained Bubble Tea v2 component over a
// site/tail Hub. It follows or pauses, filters by regex (a leading ! inverts) and level,
// highlights matches, jumps between errors, wraps, shows or hides timestamps, saves what it
// shows, and merges several sources by time. It is virtualized: a frame looks up only the
// entries it draws, so its cost does not grow with what is buffered.
//
// The hub bumps a version and notifies at most once per interval; Update then reads only the
// entries that are new since the last read (under the hub's read lock, which ingestion holds only
// while appending a parsed batch, never during network reads). Filter changes rebuild the index
// in a command, off the update loop.
package logview

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/site/tail"
)

// Options configure a log pane.
type Options struct {
	Hub *tail.Hub
	// SaveDir is where `s` writes the shown lines ("" = the working directory).
	SaveDir string
	// Sources limits the pane to these source indexes at start (nil: all).
	Sources []int
}

// Model is the log pane.
type Model struct {
	id   int64
	hub  *tail.Hub
	opts Options
	sub  <-chan uint64

	width, height int

	shown   []bool   // by source index; grows as the hub adds sources
	next    []uint64 // by source: the first seq not read yet
	lastT   []int64  // by source: newest time indexed (keeps a source's own order)
	idx     []item   // shown entries, merged by time; idx[start:] is live
	start   int      // entries before it were evicted from their rings
	pos     int      // index (in idx[start:]) of the bottom row's entry
	follow  bool     // pos tracks the newest entry
	paused  bool     // new entries are not read until resumed
	pending bool     // a change arrived while paused or rebuilding

	filter     filter
	filterText string
	editing    bool
	input      []rune
	inputErr   string

	wrap, stamps, expand bool
	status               string
	gen                  int  // rebuild generation: stale results are dropped
	rebuilding           bool // an index rebuild is running
}

var ids atomic.Int64

// New makes a pane over o.Hub, following the newest lines.
func New(o Options) *Model {
	m := &Model{id: ids.Add(1), hub: o.Hub, opts: o, follow: true, stamps: true, width: 80, height: 24}
	if o.Hub != nil {
		m.sub = o.Hub.Subscribe()
		m.syncSources()
		if o.Sources != nil {
			for i := range m.shown {
				m.shown[i] = false
			}
			for _, s := range o.Sources {
				if s >= 0 && s < len(m.shown) {
					m.shown[s] = true
				}
			}
		}
	}
	return m
}

// changedMsg says the hub moved (for pane id).
type changedMsg struct {
	id      int64
	version uint64
}

// moreMsg asks for another read when one read hit its per-update budget.
type moreMsg struct{ id int64 }

// Init waits for the hub's first change.
func (m *Model) Init() tea.Cmd { return m.wait() }

func (m *Model) wait() tea.Cmd {
	if m.sub == nil {
		return nil
	}
	ch, id := m.sub, m.id
	return func() tea.Msg {
		v, ok := <-ch
		if !ok {
			return nil
		}
		return changedMsg{id, v}
	}
}

// Close stops the pane's subscription.
func (m *Model) Close() {
	if m.hub != nil && m.sub != nil {
		m.hub.Unsubscribe(m.sub)
	}
}

// SetSize sets the pane's size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 1), max(h, 1) }

// Capturing is true while the filter input has focus: the root then passes every key here.
func (m *Model) Capturing() bool { return m.editing }

// Update handles the pane's own messages and, when it has focus, its keys.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case changedMsg:
		if msg.id != m.id {
			return m, nil
		}
		return m, tea.Batch(m.refresh(), m.wait())
	case moreMsg:
		if msg.id != m.id {
			return m, nil
		}
		return m, m.refresh()
	case rebuiltMsg:
		if msg.id != m.id || msg.gen != m.gen {
			return m, nil
		}
		m.applyRebuild(msg)
		return m, m.refresh()
	case savedMsg:
		if msg.id != m.id {
			return m, nil
		}
		if msg.err != nil {
			m.status = "save failed: " + msg.err.Error()
		} else {
			m.status = "saved " + itoa(msg.n) + " lines to " + msg.path
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.editing {
			return m, m.editKey(msg)
		}
		return m, m.key(msg)
	}
	return m, nil
}

// filter is what decides whether an entry is shown; immutable once built, so a rebuild can use
// it from another goroutine.
type filter struct {
	re       *pattern
	invert   bool
	minLevel tail.Level
}

// Now is used by tests to pin the clock of saved file names.
var Now = time.Now
