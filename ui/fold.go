package ui

import "opsdeck/checks"

// listRow is one finding — or, for a dead or hung host, all its findings that failed the same
// way (folded: one line, not one per check).
type listRow struct {
	f      checks.Finding
	folded []string // the checks folded into this row
}

// fold turns three or more failing findings of one target with the same status and summary (a
// dead host, a changed host key) into one row.
func fold(fs []checks.Finding) []listRow {
	type id struct {
		target, summary string
		status          checks.Status
	}
	same := map[id][]string{}
	for _, f := range fs {
		if f.Status != checks.OK {
			k := id{f.Target, f.Summary, f.Status}
			same[k] = append(same[k], f.Check)
		}
	}
	var out []listRow
	done := map[id]bool{}
	for _, f := range fs {
		k := id{f.Target, f.Summary, f.Status}
		if n := same[k]; len(n) >= 3 {
			if !done[k] {
				done[k] = true
				out = append(out, listRow{f: f, folded: n})
			}
			continue
		}
		out = append(out, listRow{f: f})
	}
	return out
}
