package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// tablePane shows live rows (nodes, pods, hosts) in a sortable, filterable grid.
type tablePane struct {
	title  string
	keys   PaneKeys
	grid   *grid
	ns     string // pods only: the namespace filter (":ns NAME")
	rows   []*gridRow
	counts tile   // of rows, from the load
	empty  string // the grid's text for no rows, when nothing is being listed
	loaded bool
}

func newTablePane(title string, cols []column, empty string) *tablePane {
	return &tablePane{title: title, keys: newPaneKeys(), grid: newGrid(cols, empty)}
}

func (p *tablePane) Title() string {
	if p.ns != "" {
		return p.title + " · ns " + p.ns
	}
	return p.title
}

func (p *tablePane) SetSize(w, h int)               { p.grid.SetSize(w, h) }
func (p *tablePane) Keys() []key.Binding            { return []key.Binding{p.keys.Sort, p.keys.Reverse} }
func (p *tablePane) SetFilter(f *rowFilter) tea.Cmd { return p.grid.setFilter(f) }
func (p *tablePane) Move(n int)                     { p.grid.moveBy(n) }
func (p *tablePane) holdSelection()                 { p.grid.hold() }
func (p *tablePane) releaseSelection()              { p.grid.release() }
func (p *tablePane) View(now time.Time) string      { return p.grid.View(now) }

func (p *tablePane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.keys.Sort):
			return p, p.grid.cycleSort()
		case key.Matches(k, p.keys.Reverse):
			return p, p.grid.flipOrder()
		}
	}
	return p, nil
}

// setOrdered takes rows prepared and ordered off the UI goroutine, and their counts.
func (p *tablePane) setOrdered(rs []*gridRow, o rowOrder, counts tile) tea.Cmd {
	return p.setShown(rs, o, counts, nil, nil)
}

// filterForLoad is the filter a load takes the rows through for this pane (none under a
// namespace: the pane narrows the rows to it first).
func (p *tablePane) filterForLoad() *rowFilter {
	if p.ns != "" {
		return nil
	}
	return p.grid.filter
}

// setShown is setOrdered with the rows also taken through f by the load (shown).
func (p *tablePane) setShown(rs []*gridRow, o rowOrder, counts tile, f *rowFilter, shown []*gridRow) tea.Cmd {
	p.loaded, p.counts = true, counts
	if p.empty == "" {
		p.empty = p.grid.empty
	}
	p.grid.empty = p.empty
	if counts.partial {
		p.grid.empty = "listing from the API…"
	}
	p.rows = rs
	if p.ns == "" {
		return p.grid.setShown(rs, o, f, shown)
	}
	keep := make([]*gridRow, 0, len(rs)/4)
	for _, r := range rs {
		if r.ref.Namespace == p.ns {
			keep = append(keep, r)
		}
	}
	return p.grid.setOrdered(keep, o)
}

func (p *tablePane) setNamespace(ns string) tea.Cmd {
	p.ns = ns
	return p.setOrdered(p.rows, unknownOrder, p.counts)
}

func (p *tablePane) Selected() (checks.Ref, *checks.Finding, bool) {
	r, ok := p.grid.current()
	return r.ref, nil, ok
}

func (p *tablePane) Tile() tile {
	t := p.counts // counted by the load: a frame never walks 42,000 rows
	t.label = p.title
	if t.partial && t.total == 0 {
		t.note = "listing…"
	}
	if !p.loaded {
		t.note = "…"
	}
	return t
}

// findingsPane lists findings (of some areas, or every non-ok one for Alerts) in a grid: status,
// target, check, summary, age. A host's identical failures fold into one row.
type findingsPane struct {
	title   string
	areas   map[string]bool // nil: every area
	onlyBad bool
	missing string // the site-file key to set when the area has no data source
	grid    *grid
	counts  tile
}

func newFindingsPane(title string, areas []string, onlyBad bool, missing string) *findingsPane {
	p := &findingsPane{title: title, onlyBad: onlyBad, missing: missing}
	if areas != nil {
		p.areas = map[string]bool{}
		for _, a := range areas {
			p.areas[a] = true
		}
	}
	empty := "no findings yet"
	if onlyBad {
		empty = "no alerts: every check is ok"
	}
	if missing != "" {
		empty = "no data source configured: set " + missing + " in the site file"
	}
	p.grid = newGrid([]column{{title: "STATUS", width: 7}, {title: "TARGET", width: 26}, {title: "CHECK", width: 18},
		{title: "SUMMARY"}, {title: "AGE", width: 9, right: true}}, empty)
	return p
}

func (p *findingsPane) Title() string { return p.title }

// SetSize narrows the columns beside another pane: the check column goes first.
func (p *findingsPane) SetSize(w, h int) {
	c := p.grid.cols
	c[1].width, c[2].width, c[4].width = 26, 18, 9
	switch {
	case w < 70:
		c[1].width, c[2].width, c[4].width = 14, -1, 5
	case w < 110:
		c[1].width, c[2].width = 20, -1
	}
	p.grid.SetSize(w, h)
}
func (p *findingsPane) Keys() []key.Binding            { return nil }
func (p *findingsPane) SetFilter(f *rowFilter) tea.Cmd { return p.grid.setFilter(f) }
func (p *findingsPane) Move(n int)                     { p.grid.moveBy(n) }
func (p *findingsPane) holdSelection()                 { p.grid.hold() }
func (p *findingsPane) releaseSelection()              { p.grid.release() }
func (p *findingsPane) View(now time.Time) string      { return p.grid.View(now) }
func (p *findingsPane) Update(tea.Msg) (Pane, tea.Cmd) { return p, nil }
func (p *findingsPane) Tile() tile                     { return p.counts }

// take shows rows built by build.
func (p *findingsPane) take(b builtFindings) tea.Cmd {
	p.counts = b.tile
	return p.grid.setOrdered(b.rows, rowOrder{col: -1})
}

func (p *findingsPane) Selected() (checks.Ref, *checks.Finding, bool) {
	r, ok := p.grid.current()
	if !ok {
		return checks.Ref{}, nil, false
	}
	f := *r.finding
	if n := r.folded; len(n) > 0 {
		f.Details = fmt.Sprintf("Folded into this row, %d checks on %s: %s\n%s", len(n), f.Target, strings.Join(n, ", "), f.Details)
	}
	if n := r.across; len(n) > 1 {
		f.Details = fmt.Sprintf("%s %s on %d targets (this row shows the first; the others are in their own panes and in `opsdeck check`): %s\n%s",
			f.Check, f.Status, len(n), strings.Join(n, ", "), f.Details)
	}
	return r.ref, &f, true
}

// countRows tallies rows for a pane's tile.
func countRows(rs []*gridRow) tile {
	t := tile{total: len(rs)}
	for _, r := range rs {
		if r.status != checks.OK {
			t.bad++
		}
		t.worst = max(t.worst, r.status)
	}
	return t
}
