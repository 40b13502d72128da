package ui

import "opsdeck/checks"

// listRow is one finding — or, for a dead or hung host, all its findings that failed the same
// way (folded: one line, not one per check).
type listRow struct {
	f      *checks.Finding
	folded []string // the checks folded into this row
}

// fold turns three or more failing findings of one target with the same status and summary (a
// dead host, a changed host key) into one row.
func fold(fs []*checks.Finding) []listRow {
	type id struct {
		target, summary string
		status          checks.Status
	}
	// Only targets with three failing findings or more can fold: count first, so the common
	// case (one finding per target) builds no key.
	perTarget := map[string]int{}
	for _, f := range fs {
		if f.Status != checks.OK {
			perTarget[f.Target]++
		}
	}
	same := map[id][]string{}
	for _, f := range fs {
		if f.Status != checks.OK && perTarget[f.Target] >= 3 {
			k := id{f.Target, f.Summary, f.Status}
			same[k] = append(same[k], f.Check)
		}
	}
	var out []listRow
	done := map[id]bool{}
	for _, f := range fs {
		if perTarget[f.Target] < 3 {
			out = append(out, listRow{f: f})
			continue
		}
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
