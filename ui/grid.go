package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// column is one column of a grid: a header, a width (0 = takes the rest) and how to compare.
type column struct {
	title string
	width int
	right bool // numbers align right
	drop  int  // when the pane is too narrow, columns go in descending drop order (0: never)
}

// gridRow is one row: its cells already as text, its status for colour and order, and what it
// names (for details and actions). Rows are immutable once built: loads keep them and share them
// with the grid, which holds pointers (42,000 rows are copied and sorted as pointers).
type gridRow struct {
	key     string
	status  checks.Status
	cells   []string
	sortBy  []float64 // numeric sort keys per column (NaN-free), for the columns in numeric
	numeric uint32    // bit c set: column c sorts by sortBy[c]; the others by their text
	ref     checks.Ref
	// stamp, when set, is the time the row's data was observed: the last cell shows its age,
	// marked stale after staleAfter (the row's own check schedule), else the grid's.
	stamp      time.Time
	staleAfter time.Duration // neverStale for ages that are not readings (a pod's age)
	// live, when set, is shown in column liveCol as its age at each frame (a node's last
	// heartbeat): the row need not be rebuilt every second for the clock.
	live    time.Time
	liveCol int
	text    string // lower-cased cells, for the filter (set when built, where rows are many)
	// finding is the finding a findings pane's row shows (with the checks folded into it).
	finding *checks.Finding
	folded  []string
	across  []string // the targets of one check folded into this row
}

// grid is a virtualized table: only the visible rows are rendered, the selection survives new
// rows (by key), rows are ordered problems first then by the chosen column.
type grid struct {
	cols          []column
	all           []*gridRow
	rows          []*gridRow // all, filtered and ordered
	width, height int
	offset        int
	cursor        int
	selected      string
	// chosen: the operator moved the selection or pressed a key while the pane was focused
	// (Model.holdSelection), and it stays on its row however the rows reorder. Until then it
	// stays on the top row: a table first built before any finding came kept its first
	// healthy row selected when the problems sorted above it, and the pane opened scrolled
	// past every problem.
	chosen bool
	// drawnSel is the key of the row the last View drew selected: where a hold puts the
	// selection (a load after that frame may have moved an unheld selection to a new top row).
	drawnSel string
	sortCol  int  // -1: status order
	reverse  bool // of the chosen column
	filter   *rowFilter
	allOrder rowOrder // how all is ordered (unknownOrder: not known)
	// A big grid filters and orders off the UI goroutine, one pass at a time: gen counts the
	// changes of all, the filter and the order, and a pass of an older generation is done again.
	gen        uint64
	shownGen   uint64 // the generation of the rows shown
	passing    bool
	passAll    []*gridRow // the rows the pass out reads
	empty      string     // shown when there are no rows at all
	staleAfter time.Duration
	// mark, when set, gives a row a one-cell mark beside the cursor: an action running (▶),
	// succeeded (✓) or failed (✗) on what the row names.
	mark func(checks.Ref) string
	// liveOf, when set, is where a row's live time comes from at each frame (false: the row's
	// own): the Nodes pane reads each node's Lease renewal as last listed, so renewals build no
	// rows (2,000 every 10 s).
	liveOf func(r *gridRow) (time.Time, bool)
	// shown are the lines of the rows the last frame drew, reused while nothing drawn on them
	// moved: a frame follows every message, and most messages move no row on screen.
	shown      map[*gridRow]shownLine
	shownFor   []int // the column widths (and width) they were drawn at
	shownWidth int
	titles     gridTitles // the column titles' line as last drawn
}

type shownLine struct {
	drawn lineDrawn
	line  string
}

// lineDrawn is what a row's line depends on besides the row itself and the columns' widths.
type lineDrawn struct {
	selected    bool
	mark        string
	live, stamp string // the ages drawn
	stale       bool
}

// neverStale is a row stamp that only tells an age.
const neverStale = time.Duration(-1)

func newGrid(cols []column, empty string) *grid { return &grid{cols: cols, sortCol: -1, empty: empty} }

func (g *grid) SetSize(w, h int) { g.width, g.height = w, max(h, 1); g.follow() }

// setOrdered replaces the rows with ones already prepared and ordered by o (off the UI
// goroutine): only the filter and the selection are applied here.
func (g *grid) setOrdered(rs []*gridRow, o rowOrder) tea.Cmd {
	if o == g.allOrder && sameRows(rs, g.all) {
		return nil // the table as it was (no pod moved): a pass out stays current
	}
	g.all, g.allOrder = rs, o
	return g.refresh()
}

// setShown is setOrdered with rs already taken through f by the load (shown, in order o):
// no pass when f is still the filter and o the order. A pass out meanwhile comes back older
// than these rows and starts no other (on a busy site a load lands during most passes, and
// each would start the next).
func (g *grid) setShown(rs []*gridRow, o rowOrder, f *rowFilter, shown []*gridRow) tea.Cmd {
	if f == nil || f != g.filter || o != g.order() {
		return g.setOrdered(rs, o)
	}
	if !g.passing && g.shownGen == g.gen && sameRows(rs, g.all) && o == g.allOrder {
		return nil // the table as it was (no pod moved)
	}
	g.all, g.allOrder = rs, o
	g.gen++
	g.selectRows(shown)
	g.shownGen = g.gen
	return nil
}

// sameRows says whether a and b are one table (the same array and length), not equal ones.
func sameRows(a, b []*gridRow) bool {
	return len(a) == len(b) && (len(a) == 0 || sameArray(a, b))
}

// sameArray says whether a and b share their array (whatever their lengths): a table handed
// out and one refilled from it.
func sameArray(a, b []*gridRow) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

func rowText(r *gridRow) string { return strings.ToLower(strings.Join(r.cells, " ")) }

func (g *grid) setFilter(f *rowFilter) tea.Cmd {
	g.filter = f
	return g.refresh()
}

// cycleSort moves the sort to the next column (after the last: back to problems first).
func (g *grid) cycleSort() tea.Cmd {
	g.sortCol++
	if g.sortCol >= len(g.cols) {
		g.sortCol = -1
	}
	return g.refresh()
}

func (g *grid) flipOrder() tea.Cmd {
	g.reverse = !g.reverse
	return g.refresh()
}

// rowOrder is how a grid orders its rows; loads take it along to sort off the UI goroutine.
type rowOrder struct {
	col     int // -1: problems first
	reverse bool
}

// unknownOrder is the order of rows that must be sorted again whatever the grid's order.
var unknownOrder = rowOrder{col: -2}

func (g *grid) order() rowOrder { return rowOrder{g.sortCol, g.reverse} }

// sortRows orders rows: problems first (then by key), or by a column.
func sortRows(rows []*gridRow, o rowOrder) {
	// Keys are unique and break every tie, so an unstable sort gives one order, and pdqsort is
	// several times cheaper than the stable merge on rows this size.
	slices.SortFunc(rows, o.compare)
}

// compare is the order o puts rows in: by the chosen column (problems first without one), then
// by key.
func (o rowOrder) compare(a, b *gridRow) int {
	c := o.col
	if c < 0 {
		if d := cmp.Compare(b.status, a.status); d != 0 {
			return d
		}
		return strings.Compare(a.key, b.key)
	}
	var d int
	if bit := uint32(1) << c; a.numeric&bit != 0 && b.numeric&bit != 0 && c < len(a.sortBy) && c < len(b.sortBy) {
		d = cmp.Compare(a.sortBy[c], b.sortBy[c])
	} else if c < len(a.cells) && c < len(b.cells) {
		d = strings.Compare(a.cells[c], b.cells[c])
	}
	if o.reverse {
		d = -d
	}
	if d == 0 {
		d = strings.Compare(a.key, b.key)
	}
	return d
}

// bigGrid is the number of rows above which a grid filters and sorts off the UI goroutine: a
// pass over 42,000 pod rows takes 25–60 ms (500 ms with a (?i) regexp), at every key typed into
// the filter and every load while one is set, and a key's frame must not wait for it.
const bigGrid = 5000

// filteredMsg is a big grid's pass, done off the UI goroutine.
type filteredMsg struct {
	g      *grid
	gen    uint64
	filter *rowFilter // the filter the pass applied
	rows   []*gridRow
}

// refresh shows every row again through the filter, in the grid's order. A big grid keeps
// showing the rows it has until its pass comes back (takeFiltered).
func (g *grid) refresh() tea.Cmd {
	g.gen++
	if g.filter == nil && g.allOrder == g.order() {
		g.selectRows(g.all)
		g.shownGen = g.gen
		return nil
	}
	if len(g.all) <= bigGrid {
		g.selectRows(filterAndSort(g.all, g.filter, g.allOrder, g.order()))
		g.shownGen = g.gen
		return nil
	}
	if g.passing {
		return nil // takeFiltered starts the next pass: the generation moved
	}
	g.passing, g.passAll = true, g.all
	all, f, from, to, gen := g.all, g.filter, g.allOrder, g.order(), g.gen
	return func() tea.Msg { return filteredMsg{g: g, gen: gen, filter: f, rows: filterAndSort(all, f, from, to)} }
}

// takeFiltered shows a pass's rows, and starts another when the rows, the filter or the order
// moved meanwhile. A stale pass is shown when its filter is still the grid's and the rows on
// screen are older than it (on a busy site a load lands during every pass, and dropping those
// kept the screen on the rows from before the filter was typed), keeping the selection for the
// next pass to find; not under another filter (once the filter was cleared, its last pass came
// back with the one row filtered and took the selection there, after the operator had moved
// it), nor over newer rows shown meanwhile (a table sorted by the load, a small grid).
func (g *grid) takeFiltered(msg filteredMsg) tea.Cmd {
	g.passing, g.passAll = false, nil
	switch {
	case msg.gen == g.gen:
		g.selectRows(msg.rows)
		g.shownGen = msg.gen
		return nil
	case msg.filter == g.filter && msg.gen > g.shownGen:
		sel := g.selected
		g.selectRows(msg.rows)
		g.selected, g.shownGen = sel, msg.gen
	}
	if g.shownGen == g.gen {
		return nil // the rows shown are current (a load's, through the filter)
	}
	return g.refresh()
}

// holds says whether the rows shown, or a pass out, still read the array of rs: a table the
// loads refill (podTable.giveBack) must not be handed back while they do.
func (g *grid) holds(rs []*gridRow) bool {
	return sameArray(g.rows, rs) || g.passing && sameArray(g.passAll, rs)
}

// filterAndSort is all (ordered by from) through f, ordered by to, in a new slice when it
// differs from all: rows are shared with the loads and never written.
func filterAndSort(all []*gridRow, f *rowFilter, from, to rowOrder) []*gridRow {
	rows := all
	if f != nil {
		rows = make([]*gridRow, 0, len(all)/8)
		for _, r := range all {
			if f.keeps(r) {
				rows = append(rows, r)
			}
		}
	}
	if from != to {
		if f == nil {
			rows = slices.Clone(rows)
		}
		sortRows(rows, to)
	}
	return rows
}

// selectRows shows rows, keeping the selected row selected.
func (g *grid) selectRows(rows []*gridRow) {
	var was *gridRow
	if g.cursor < len(g.rows) && g.rows[g.cursor].key == g.selected {
		was = g.rows[g.cursor]
	}
	g.rows = rows
	if g.chosen {
		g.cursor = findSelected(rows, was, g.selected, g.cursor)
	} else {
		g.cursor = 0
	}
	if len(g.rows) > 0 {
		// Hold on to the row, not the position: when rows reorder (a host turns crit and sorts
		// first) the selection stays where the operator left it.
		g.selected = g.rows[g.cursor].key
	}
	g.follow()
}

// findSelected is the index of the selected row in rows (0 when it is gone): the same row
// first (a load keeps the rows of pods that did not move, and comparing pointers reads no row),
// then its key near where it was, then anywhere. Reading the key of every row up to the
// selection cost 5–14 ms a load at 100,000 pods (a cache miss or two a row), on the UI goroutine.
func findSelected(rows []*gridRow, was *gridRow, key string, near int) int {
	if was != nil {
		if i := slices.Index(rows, was); i >= 0 {
			return i
		}
	}
	lo, hi := max(0, near-256), min(len(rows), near+256)
	for i := lo; i < hi; i++ {
		if rows[i].key == key {
			return i
		}
	}
	for i, r := range rows {
		if r.key == key {
			return i
		}
	}
	return 0
}

func (g *grid) moveBy(n int) {
	if len(g.rows) == 0 {
		return
	}
	g.cursor = min(max(g.cursor+n, 0), len(g.rows)-1)
	g.selected, g.chosen = g.rows[g.cursor].key, true
	g.follow()
}

func (g *grid) pageSize() int { return max(g.height-1, 1) } // one line is the column header

func (g *grid) follow() {
	ps := g.pageSize()
	if g.cursor < g.offset {
		g.offset = g.cursor
	}
	if g.cursor >= g.offset+ps {
		g.offset = g.cursor - ps + 1
	}
	g.offset = max(min(g.offset, len(g.rows)-ps), 0)
}

func (g *grid) current() (*gridRow, bool) {
	if g.cursor < len(g.rows) {
		return g.rows[g.cursor], true
	}
	return &gridRow{}, false
}

// hold keeps the selection on its row from now on, the row the last frame showed selected. A
// grid with no rows yet holds nothing: its first rows would be held before any finding.
func (g *grid) hold() {
	if g.chosen || len(g.rows) == 0 {
		return
	}
	if g.drawnSel == "" || !g.selectKey(g.drawnSel) {
		g.selected = g.rows[g.cursor].key
	}
	g.chosen = true
}

// release lets the selection follow the top row again (a wall screen's pane it comes back to).
func (g *grid) release() {
	g.chosen = false
	g.selectRows(g.rows)
}

// choose selects the row with key k when the rows shown next hold it (a pass may be out).
func (g *grid) choose(k string) { g.selected, g.chosen = k, true }

// selectKey moves the selection to the row with key k, if there is one.
func (g *grid) selectKey(k string) bool {
	for i, r := range g.rows {
		if r.key == k {
			g.cursor, g.selected, g.chosen = i, k, true
			g.follow()
			return true
		}
	}
	return false
}

// widths gives every column its width; the zero-width column takes what is left. On a narrow
// screen the droppable columns go first (-1: not shown).
func (g *grid) widths() []int {
	ws := make([]int, len(g.cols))
	need := 2 + 12 // the cursor, and room for the flexible column
	for _, c := range g.cols {
		if c.width > 0 {
			need += c.width + 1
		}
	}
	hidden := map[int]bool{}
	for need > g.width {
		worst := -1
		for i, c := range g.cols {
			if c.drop > 0 && c.width > 0 && !hidden[i] && (worst < 0 || c.drop > g.cols[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		hidden[worst] = true
		need -= g.cols[worst].width + 1
	}
	used, flex := 2, -1
	for i, c := range g.cols {
		if c.width < 0 || hidden[i] {
			ws[i] = -1
			continue
		}
		if c.width == 0 {
			flex = i
			continue
		}
		ws[i] = c.width
		used += c.width + 1
	}
	if flex >= 0 {
		ws[flex] = max(g.width-used-1, 8)
	}
	return ws
}

// View renders the header line and the visible rows, exactly height lines.
func (g *grid) View(now time.Time) string {
	ws := g.widths()
	lines := make([]string, 0, g.height)
	lines = append(lines, g.titleLine(ws))
	if len(g.rows) == 0 {
		msg := g.empty
		if len(g.all) > 0 {
			msg = fmt.Sprintf("no row matches the filter (%d hidden)", len(g.all))
		}
		lines = append(lines, dimStyle.Render(cut("  "+msg, g.width)))
	}
	end := min(g.offset+g.pageSize(), len(g.rows))
	last := g.shown
	if !slices.Equal(ws, g.shownFor) || g.width != g.shownWidth {
		last = nil
	}
	g.shown, g.shownFor, g.shownWidth = make(map[*gridRow]shownLine, max(end-g.offset, 0)), ws, g.width
	for i := g.offset; i < end; i++ {
		r := g.rows[i]
		drawn := g.drawn(r, i == g.cursor, now)
		if i == g.cursor {
			g.drawnSel = r.key
		}
		s, ok := last[r]
		if !ok || s.drawn != drawn {
			s = shownLine{drawn: drawn, line: g.renderRow(r, ws, drawn, now)}
		}
		g.shown[r] = s
		lines = append(lines, s.line)
	}
	for len(lines) < g.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:g.height], "\n")
}

// gridTitles is the column titles' line and what it was drawn from.
type gridTitles struct {
	ws             []int
	sortCol, width int
	reverse        bool
	line           string
}

// titleLine is the column titles at widths ws, the sort column marked.
func (g *grid) titleLine(ws []int) string {
	t := &g.titles
	if t.line != "" && slices.Equal(t.ws, ws) && t.sortCol == g.sortCol && t.reverse == g.reverse && t.width == g.width {
		return t.line
	}
	var hdr strings.Builder
	hdr.WriteString("  ")
	for i, c := range g.cols {
		if ws[i] < 0 {
			continue
		}
		title := c.title
		if i == g.sortCol {
			title += map[bool]string{false: "↓", true: "↑"}[g.reverse]
		}
		hdr.WriteString(cell(title, ws[i], c.right) + " ")
	}
	*t = gridTitles{ws: slices.Clone(ws), sortCol: g.sortCol, width: g.width, reverse: g.reverse,
		line: colHeaderStyle.Render(cut(hdr.String(), g.width))}
	return t.line
}

// drawn is what r's line shows at now beyond the row itself.
func (g *grid) drawn(r *gridRow, selected bool, now time.Time) lineDrawn {
	d := lineDrawn{selected: selected, mark: " "}
	if g.mark != nil {
		if s := g.mark(r.ref); s != "" {
			d.mark = s
		}
	}
	n := len(g.cols)
	if live := g.liveAt(r); r.liveCol < n && !live.IsZero() {
		d.live = cellAge(now.Sub(live))
	}
	if !r.stamp.IsZero() {
		d.stamp = r.cellText(n-1, n, now)
		limit := g.staleAfter
		if r.staleAfter != 0 {
			limit = r.staleAfter // neverStale: an age, not a reading that goes stale
		}
		d.stale = limit > 0 && now.Sub(r.stamp) > limit
	}
	return d
}

// cellAt is what cell i of r shows at now, a live column's age included.
func (g *grid) cellAt(r *gridRow, i int, now time.Time) string {
	if live := g.liveAt(r); i == r.liveCol && !live.IsZero() {
		return cellAge(now.Sub(live))
	}
	return r.cellText(i, len(g.cols), now)
}

// liveAt is the time r's live column shows an age of (zero: none).
func (g *grid) liveAt(r *gridRow) time.Time {
	if g.liveOf != nil {
		if t, ok := g.liveOf(r); ok {
			return t
		}
	}
	return r.live
}

func (g *grid) renderRow(r *gridRow, ws []int, d lineDrawn, now time.Time) string {
	selected := d.selected
	var b strings.Builder
	if selected {
		b.WriteString(cursorStyle.Render(sym.cursor))
	} else {
		b.WriteString(" ")
	}
	b.WriteString(d.mark)
	for i, c := range g.cols {
		if ws[i] < 0 {
			continue
		}
		text := r.cellText(i, len(g.cols), now)
		if i == r.liveCol && d.live != "" {
			text = d.live
		}
		if i == len(g.cols)-1 && d.stale {
			b.WriteString(staleStyle.Render(cell("stale "+text, ws[i], c.right)))
			continue
		}
		s := cell(text, ws[i], c.right)
		if i == 0 {
			s = statusText[r.status].Render(s)
		}
		b.WriteString(s + " ")
	}
	line := cut(b.String(), g.width)
	if selected {
		return selectedStyle.Render(padRight(line, g.width))
	}
	return line
}

// cellText is what cell i shows at now: a finding's or a pod's age is drawn from the clock, the
// rest was written when the row was built (a live column's age: lineDrawn.live).
func (r *gridRow) cellText(i, ncols int, now time.Time) string {
	switch {
	case i == ncols-1 && !r.stamp.IsZero():
		return cellAge(now.Sub(r.stamp))
	case i < len(r.cells):
		return r.cells[i]
	}
	return ""
}

// cellAge is Age in 5 s steps under a minute. A table's ages need not move every second: each
// move repaints its row, and the 40 rows of a list whose findings a round observes together
// were all repainted every second (a fifth of an idle cockpit's CPU, and bytes over SSH).
func cellAge(d time.Duration) string {
	if d > 0 && d < time.Minute {
		d = d.Truncate(5 * time.Second)
	}
	return Age(d)
}

// cell fits text into width cells, padded (right-aligned for numbers).
func cell(text string, width int, right bool) string {
	text = cut(text, width)
	if right {
		if w := visibleWidth(text); w < width {
			return strings.Repeat(" ", width-w) + text
		}
		return text
	}
	return padRight(text, width)
}
