package ui

import (
	"fmt"
	"strings"
	"time"

	"opsdeck/checks"
)

// FindingList shows findings grouped by status, worst first. Only the visible rows are rendered.
type FindingList struct {
	width, height int
	offset        int
	cursor        int    // index into rows of the selected finding
	selected      string // its key, so the selection survives new snapshots
	rows          []listRow
	staleAfter    time.Duration
	targetW       int
	checkW        int
}

// ageWidth fits "stale 59m".
const ageWidth = 9

// listRow is a section header (f == nil) or one finding — or, for a dead or hung host, all its
// findings that failed the same way (folded: one line, not one per check).
type listRow struct {
	header string
	status checks.Status
	f      checks.Finding
	folded []string // the checks folded into this row
}

// SetSize sets the pane's size in cells.
func (l *FindingList) SetSize(w, h int) {
	l.width, l.height = w, h
	l.clamp()
}

// SetStaleAfter marks findings older than d as stale.
func (l *FindingList) SetStaleAfter(d time.Duration) { l.staleAfter = d }

// SetFindings replaces the rows from a snapshot (already sorted worst first).
func (l *FindingList) SetFindings(fs []checks.Finding) {
	counts := map[checks.Status]int{}
	for _, f := range fs {
		counts[f.Status]++
	}
	l.rows = l.rows[:0]
	l.targetW, l.checkW = 6, 5
	i := 0
	for _, s := range worstFirst {
		if counts[s] == 0 {
			continue
		}
		l.rows = append(l.rows, listRow{header: fmt.Sprintf("%s (%d)", upper(s.String()), counts[s]), status: s})
		start := i
		for ; i < len(fs) && fs[i].Status == s; i++ {
		}
		for _, r := range fold(fs[start:i]) {
			l.rows = append(l.rows, r)
			l.targetW = max(l.targetW, len(r.f.Target))
			l.checkW = max(l.checkW, len(r.f.Check))
		}
	}
	l.targetW, l.checkW = min(l.targetW, 32), min(l.checkW, 24)
	l.cursor = l.firstFinding()
	for i, r := range l.rows {
		if r.header == "" && r.f.Key() == l.selected {
			l.cursor = i
		}
	}
	l.follow()
}

// fold turns three or more unknown findings of one target with the same summary into one row.
func fold(fs []checks.Finding) []listRow {
	same := map[[2]string][]string{}
	for _, f := range fs {
		if f.Status == checks.Unknown {
			k := [2]string{f.Target, f.Summary}
			same[k] = append(same[k], f.Check)
		}
	}
	var out []listRow
	done := map[[2]string]bool{}
	for _, f := range fs {
		k := [2]string{f.Target, f.Summary}
		if n := same[k]; len(n) >= 3 {
			if !done[k] {
				done[k] = true
				out = append(out, listRow{status: f.Status, f: f, folded: n})
			}
			continue
		}
		out = append(out, listRow{status: f.Status, f: f})
	}
	return out
}

func (l *FindingList) firstFinding() int {
	for i, r := range l.rows {
		if r.header == "" {
			return i
		}
	}
	return 0
}

// MoveBy moves the selection by n findings (section headers are skipped).
func (l *FindingList) MoveBy(n int) {
	if len(l.rows) == 0 {
		return
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for ; n > 0; n-- {
		next := l.cursor + step
		for next >= 0 && next < len(l.rows) && l.rows[next].header != "" {
			next += step
		}
		if next < 0 || next >= len(l.rows) {
			break
		}
		l.cursor = next
	}
	l.selected = l.rows[l.cursor].f.Key()
	l.follow()
}

// Selected is the finding under the cursor (for a folded row: the first, naming all the checks).
func (l *FindingList) Selected() (checks.Finding, bool) {
	if l.cursor < len(l.rows) && l.rows[l.cursor].header == "" {
		r := l.rows[l.cursor]
		f := r.f
		if len(r.folded) > 0 {
			f.Details = strings.TrimSpace(fmt.Sprintf("The same for %d checks: %s\n%s", len(r.folded), strings.Join(r.folded, ", "), f.Details))
		}
		return f, true
	}
	return checks.Finding{}, false
}

// follow scrolls so the cursor is visible (with its section header when it is the first row).
func (l *FindingList) follow() {
	if l.cursor < l.offset+1 {
		l.offset = l.cursor - 1
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	l.clamp()
}

// ScrollBy moves the view by n rows (negative is up).
func (l *FindingList) ScrollBy(n int) {
	l.offset += n
	l.clamp()
}

// ScrollTo moves to the top (0) or, with a large n, the bottom, taking the selection along.
func (l *FindingList) ScrollTo(n int) {
	if n <= 0 {
		l.cursor = l.firstFinding()
	} else {
		l.cursor = len(l.rows) - 1
	}
	if len(l.rows) > 0 {
		l.selected = l.rows[l.cursor].f.Key()
	}
	l.follow()
}

// PageSize is how many rows one screen holds.
func (l *FindingList) PageSize() int { return max(l.height, 1) }

func (l *FindingList) clamp() {
	l.offset = min(l.offset, len(l.rows)-l.height)
	l.offset = max(l.offset, 0)
}

// View renders the visible rows at time now, always exactly height lines.
func (l *FindingList) View(now time.Time) string {
	lines := make([]string, 0, l.height)
	if len(l.rows) == 0 {
		lines = append(lines, dimStyle.Render("  waiting for the first findings…"))
	}
	end := min(l.offset+l.height, len(l.rows))
	for i, r := range l.rows[l.offset:end] {
		if r.header != "" {
			lines = append(lines, statusText[r.status].Render(sectionStyle.Render(r.header)))
			continue
		}
		f := r.f
		if len(r.folded) > 0 {
			f.Check = fmt.Sprintf("%d checks", len(r.folded))
		}
		lines = append(lines, l.renderRow(f, now, l.offset+i == l.cursor))
	}
	for len(lines) < l.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (l *FindingList) renderRow(f checks.Finding, now time.Time, selected bool) string {
	age := Age(f.Age(now))
	ageCell := dimStyle.Render(fmt.Sprintf("%*s", ageWidth, age))
	if l.staleAfter > 0 && f.Age(now) > l.staleAfter {
		ageCell = staleStyle.Render(fmt.Sprintf("%*s", ageWidth, "stale "+age))
	}
	summary := f.Summary
	if f.Exception != "" {
		summary += " [known exception]"
	}
	mark := " "
	if selected {
		mark = cursorStyle.Render("›")
	}
	prefix := fmt.Sprintf("%s%s %s  %s  ", mark, statusStyle[f.Status].Render(padRight(upper(f.Status.String()), 8)),
		padRight(cut(f.Target, l.targetW), l.targetW), padRight(cut(f.Check, l.checkW), l.checkW))
	room := l.width - (9 + 1 + l.targetW + 2 + l.checkW + 2) - 1 - ageWidth - 1
	return cut(prefix+padRight(cut(summary, room), max(room, 0))+" "+ageCell, l.width)
}
