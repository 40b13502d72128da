package ui

import "opsdeck/checks"

// listRow is one finding — or, for a dead or hung host, all its findings that failed the same
// way (folded: one line, not one per check).
type listRow struct {
	f      *checks.Finding
	folded []string // the checks folded into this row
	across []string // the targets folded into this row (one check failing the same way on many)
}

// foldAcross is how many targets one check must fail on, with one status, before the cockpit
// shows them as one row: a repository down makes every node's yum.repo crit, and 2,000 rows of it
// would bury everything else.
const foldAcross = 5

// foldTargets folds rows of one check and status on foldAcross targets or more into the first.
func foldTargets(rows []listRow) []listRow {
	type id struct {
		check  string
		status checks.Status
	}
	n := map[id]int{}
	for _, r := range rows {
		if len(r.folded) == 0 && r.f.Status != checks.OK {
			n[id{r.f.Check, r.f.Status}]++
		}
	}
	var out []listRow
	at := map[id]int{} // where the folded row of an id is in out
	for _, r := range rows {
		k := id{r.f.Check, r.f.Status}
		if len(r.folded) > 0 || r.f.Status == checks.OK || n[k] < foldAcross {
			out = append(out, r)
			continue
		}
		if i, ok := at[k]; ok {
			out[i].across = append(out[i].across, r.f.Target)
			continue
		}
		at[k] = len(out)
		out = append(out, listRow{f: r.f, across: []string{r.f.Target}})
	}
	return out
}

// fold turns a host's failures into one row when they are really one: three or more findings of
// one target that could not tell (a dead or hung host: every check times out or cannot run, each
// in its own words), or that fail with the same status and summary (a changed host key).
func fold(fs []*checks.Finding) []listRow {
	type id struct {
		target, summary string
		status          checks.Status
	}
	key := func(f *checks.Finding) id {
		if f.Status == checks.Unknown {
			return id{target: f.Target, status: f.Status}
		}
		return id{f.Target, f.Summary, f.Status}
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
			k := key(f)
			same[k] = append(same[k], f.Check)
		}
	}
	var out []listRow
	done := map[id]bool{}
	for _, f := range fs {
		if perTarget[f.Target] < 3 || f.Status == checks.OK {
			out = append(out, listRow{f: f})
			continue
		}
		k := key(f)
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
