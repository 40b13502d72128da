package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// Options configure the cockpit.
type Options struct {
	Site       string
	Store      *checks.Store
	ReadOnly   bool
	StaleAfter time.Duration // findings older than this are marked stale
	Now        func() time.Time
	// SSH, when set, reports how many hosts have a live SSH connection (read on each tick).
	SSH func() (connected, total int)
}

// Model is the root model: header, findings list, footer.
type Model struct {
	opts   Options
	sub    chan checks.Snapshot
	snap   checks.Snapshot
	counts map[checks.Status]int // of snap, counted once per snapshot, not per frame
	sshUp  int
	sshAll int
	now    time.Time
	width  int
	height int
	list   FindingList
	detail bool // the selected finding in full instead of the list
}

type snapshotMsg checks.Snapshot
type tickMsg time.Time

// New builds the cockpit on a store; it subscribes to the store's snapshots.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Model{opts: o, now: o.Now(), width: 80, height: 24}
	if o.Store != nil {
		m.sub = o.Store.Subscribe()
	}
	m.list.SetStaleAfter(o.StaleAfter)
	m.layout()
	return m
}

// Init starts listening for snapshots and the clock.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.waitSnapshot(), tick()) }

func (m *Model) waitSnapshot() tea.Cmd {
	if m.sub == nil {
		return nil
	}
	ch := m.sub
	return func() tea.Msg { return snapshotMsg(<-ch) }
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles one message; it never does I/O.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case snapshotMsg:
		m.snap = checks.Snapshot(msg)
		m.counts = m.snap.Counts()
		m.list.SetFindings(m.snap.Findings)
		return m, m.waitSnapshot()
	case tickMsg:
		m.now = time.Time(msg)
		if m.opts.SSH != nil {
			m.sshUp, m.sshAll = m.opts.SSH()
		}
		return m, tick()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c":
			if m.opts.Store != nil {
				m.opts.Store.Unsubscribe(m.sub)
			}
			return m, tea.Quit
		case "enter":
			_, ok := m.list.Selected()
			m.detail = ok && !m.detail
		case "esc":
			m.detail = false
		case "j", "down":
			m.list.MoveBy(1)
		case "k", "up":
			m.list.MoveBy(-1)
		case "pgdown", "space", "ctrl+f":
			m.list.MoveBy(m.list.PageSize())
		case "pgup", "ctrl+b":
			m.list.MoveBy(-m.list.PageSize())
		case "g", "home":
			m.list.ScrollTo(0)
		case "G", "end":
			m.list.ScrollTo(1 << 30)
		}
	}
	return m, nil
}

func (m *Model) layout() { m.list.SetSize(m.width, max(m.height-3, 1)) }

// View draws header, list and footer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "opsdeck · " + m.opts.Site
	return v
}

// Render is the screen as a string (View wraps it; tests read it with ansi.Strip).
func (m *Model) Render() string {
	body := m.list.View(m.now)
	if f, ok := m.list.Selected(); ok && m.detail {
		body = renderDetail(f, m.now, m.width, m.list.PageSize())
	}
	return m.header() + "\n" + body + "\n\n" + m.footer()
}

func (m *Model) header() string {
	counts := m.counts
	left := fmt.Sprintf(" opsdeck · %s ", m.opts.Site)
	if m.opts.ReadOnly {
		left += roStyle.Render(" READ-ONLY ") + " "
	}
	var parts []string
	for _, s := range worstFirst {
		parts = append(parts, statusText[s].Render(fmt.Sprintf("%d %s", counts[s], s)))
	}
	right := strings.Join(parts, "  ") + "  " + m.now.Format("2006-01-02 15:04:05") + " "
	updated := "no data yet"
	if !m.snap.At.IsZero() {
		updated = "updated " + Age(m.now.Sub(m.snap.At)) + " ago"
	}
	if m.sshAll > 0 {
		updated += fmt.Sprintf(" · ssh %d/%d", m.sshUp, m.sshAll)
	}
	mid := dimStyle.Render(updated)
	gap := m.width - visibleWidth(left) - visibleWidth(mid) - visibleWidth(right)
	line := headerStyle.Render(left) + " " + mid + strings.Repeat(" ", max(gap-1, 1)) + right
	return cut(line, m.width)
}

func (m *Model) footer() string {
	keys := "j/k move · enter details · pgup/pgdn page · g/G top/bottom · q quit"
	if m.detail {
		keys = "esc/enter back to the list · j/k next finding · q quit"
	}
	pos := ""
	if n := len(m.list.rows); n > m.list.PageSize() {
		pos = fmt.Sprintf("  rows %d–%d of %d", m.list.offset+1, min(m.list.offset+m.list.PageSize(), n), n)
	}
	return dimStyle.Render(cut(" "+keys+pos, m.width))
}
