package ui

import (
	"fmt"
	"slices"
	"time"

	"opsdeck/checks"
)

// builtFindings are a findings pane's rows, built off the UI goroutine. The UI reads rows and
// tile; the rest is what the next snapshot's rows are derived from (rebuild), read by loads only.
type builtFindings struct {
	rows []*gridRow
	tile tile

	listed []*checks.Finding            // the findings the pane lists, in the snapshot's order
	count  [checks.Crit + 1]int         // the pane's findings by status, listed or not
	plain  map[*checks.Finding]*gridRow // rows of one finding alone, kept while it is listed
	folds  *foldState                   // nil: a build could not count (buildUncounted); the next is built whole
}

// build makes the pane's rows from a snapshot (sorted worst first); it reads only the pane's
// fixed settings, so it runs in a command.
func (p *findingsPane) build(fs []*checks.Finding, staleFor func(check string) time.Duration) builtFindings {
	b := builtFindings{plain: map[*checks.Finding]*gridRow{}}
	for _, f := range fs {
		if !p.holds(f) {
			continue
		}
		if !countable(f) {
			return p.buildUncounted(fs, staleFor)
		}
		b.count[f.Status]++
		if p.lists(f) {
			b.listed = append(b.listed, f)
		}
	}
	b.tile = p.tileOf(b.count)
	b.rows = p.rowsOf(b.listed, staleFor, b.plain)
	b.folds = newFoldState(b.listed, b.rows)
	return b
}

// rebuild is build for a snapshot that differs from prev's by the findings that went and came
// (in the snapshot's order): no walk of the site's findings, only of the pane's listed findings
// and rows as pointers (copied, not read), and a fold again of the hosts and groups the moved
// findings belong to. A moved finding the pane does not list leaves its rows as they were. prev
// is spent (its plain and folds are reused).
func (p *findingsPane) rebuild(prev builtFindings, went, came, fs []*checks.Finding, staleFor func(check string) time.Duration) builtFindings {
	if prev.folds == nil {
		return p.build(fs, staleFor)
	}
	b := prev
	// tally counts the pane's findings among moved into b (by d) and says which it lists.
	tally := func(moved []*checks.Finding, d int) (listed []*checks.Finding, ok bool) {
		for _, f := range moved {
			if !p.holds(f) {
				continue
			}
			if !countable(f) {
				return nil, false
			}
			b.count[f.Status] += d
			if p.lists(f) {
				listed = append(listed, f)
			}
		}
		return listed, true
	}
	left, ok := tally(went, -1)
	added, ok2 := tally(came, +1)
	if !ok || !ok2 {
		return p.build(fs, staleFor)
	}
	gone := make(map[*checks.Finding]bool, len(left))
	for _, f := range left {
		gone[f] = true
	}
	b.tile = p.tileOf(b.count)
	if len(gone) == 0 && len(added) == 0 {
		return b // the rows are the last snapshot's
	}
	b.listed = slices.DeleteFunc(slices.Clone(prev.listed), func(f *checks.Finding) bool { return gone[f] })
	for _, f := range added { // a binary search each: a merge would read every listed finding
		i, _ := slices.BinarySearchFunc(b.listed, f, checks.CompareWorstFirst)
		b.listed = slices.Insert(b.listed, i, f)
	}
	b.rows = p.refold(&b, prev.rows, gone, added, staleFor)
	return b
}

// buildUncounted is build for findings with a status out of range (never made by a check): the
// rows without what rebuild needs, so the next snapshot is built whole again.
func (p *findingsPane) buildUncounted(fs []*checks.Finding, staleFor func(check string) time.Duration) builtFindings {
	t := tile{label: p.title}
	var listed []*checks.Finding
	for _, f := range fs {
		if !p.holds(f) {
			continue
		}
		t.total++
		if f.Status != checks.OK {
			t.bad++
		}
		t.worst = max(t.worst, f.Status)
		if p.lists(f) {
			listed = append(listed, f)
		}
	}
	p.noteAbsent(&t)
	return builtFindings{tile: t, rows: p.rowsOf(listed, staleFor, map[*checks.Finding]*gridRow{})}
}

func countable(f *checks.Finding) bool { return f.Status >= checks.OK && f.Status <= checks.Crit }

// holds says whether f is of the pane's areas; lists, whether the pane shows it as a row.
func (p *findingsPane) holds(f *checks.Finding) bool { return p.areas == nil || p.areas[f.Area] }
func (p *findingsPane) lists(f *checks.Finding) bool { return !p.onlyBad || f.Status != checks.OK }

func (p *findingsPane) tileOf(count [checks.Crit + 1]int) tile {
	t := tile{label: p.title}
	for st, n := range count {
		if n > 0 {
			t.total += n
			if checks.Status(st) != checks.OK {
				t.bad += n
			}
			t.worst = max(t.worst, checks.Status(st))
		}
	}
	p.noteAbsent(&t)
	return t
}

func (p *findingsPane) noteAbsent(t *tile) {
	if t.total == 0 && p.missing != "" {
		t.absent, t.note = true, "not configured"
	}
}

// rowsOf folds the listed findings into rows, worst first. A row of one finding alone is taken
// from plain when it was made before (it depends on the finding only), and put there when not.
func (p *findingsPane) rowsOf(listed []*checks.Finding, staleFor func(check string) time.Duration, plain map[*checks.Finding]*gridRow) []*gridRow {
	rows := make([]*gridRow, 0, len(listed))
	for _, r := range foldTargets(fold(listed)) {
		if len(r.folded) == 0 && r.across == nil {
			rows = append(rows, aloneRow(r.f, staleFor, plain))
		} else {
			rows = append(rows, findingRow(r, staleFor))
		}
	}
	sortRows(rows, rowOrder{col: -1})
	return rows
}

// findingRow is the grid row of a finding, or of the findings folded into it.
func findingRow(r listRow, staleFor func(check string) time.Duration) *gridRow {
	f := r.f
	check := f.Check
	if len(r.folded) > 0 {
		check = fmt.Sprintf("%d checks", len(r.folded))
	}
	target := f.Target
	if len(r.across) > 1 {
		target = fmt.Sprintf("%s +%d more", f.Target, len(r.across)-1)
	}
	summary := f.Summary
	if f.Exception != "" {
		summary += " [known exception]"
	}
	var stale time.Duration
	if staleFor != nil {
		stale = staleFor(f.Check)
	}
	return &gridRow{key: f.Key(), status: f.Status, ref: f.Ref(), stamp: f.ObservedAt, staleAfter: stale, finding: f, folded: r.folded,
		across: r.across, cells: []string{upper(f.Status.String()), target, check, summary, ""}}
}
