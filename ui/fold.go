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
// Rows of one check and status mostly come together (the snapshot's order), so the last id's
// count is kept at hand: a map lookup per run of rows, not per row (1,000 crash-looping pods).
func foldTargets(rows []listRow) []listRow {
	type id struct {
		check  string
		status checks.Status
	}
	type group struct {
		n  int
		at int // where the folded row is in out (-1: not yet)
	}
	groups := map[id]*group{}
	var last id
	var g *group
	groupOf := func(k id) *group {
		if g == nil || k != last {
			if g = groups[k]; g == nil {
				g = &group{at: -1}
				groups[k] = g
			}
			last = k
		}
		return g
	}
	for _, r := range rows {
		if len(r.folded) == 0 && r.f.Status != checks.OK {
			groupOf(id{r.f.Check, r.f.Status}).n++
		}
	}
	out := make([]listRow, 0, len(rows))
	for _, r := range rows {
		if len(r.folded) > 0 || r.f.Status == checks.OK {
			out = append(out, r)
			continue
		}
		g := groupOf(id{r.f.Check, r.f.Status})
		switch {
		case g.n < foldAcross:
			out = append(out, r)
		case g.at >= 0:
			out[g.at].across = append(out[g.at].across, r.f.Target)
		default:
			g.at = len(out)
			out = append(out, listRow{f: r.f, across: []string{r.f.Target}})
		}
	}
	return out
}

// fold turns a host's failures into one row when they are really one: three or more findings of
// one target that could not tell (a dead or hung host: every check times out or cannot run, each
// in its own words), or that fail with the same status and summary (a changed host key).
func fold(fs []*checks.Finding) []listRow {
	type id = hostFoldID
	key := hostFoldKey
	// Only targets with three failing findings or more can fold: count first, so the common
	// case (one finding per target) builds no key.
	perTarget := make(map[string]int, len(fs))
	most := 0
	for _, f := range fs {
		if f.Status != checks.OK {
			perTarget[f.Target]++
			most = max(most, perTarget[f.Target])
		}
	}
	out := make([]listRow, 0, len(fs))
	if most < 3 { // nothing folds (the common case): no second lookup per finding
		for _, f := range fs {
			out = append(out, listRow{f: f})
		}
		return out
	}
	same := map[id][]string{}
	for _, f := range fs {
		if f.Status != checks.OK && perTarget[f.Target] >= 3 {
			k := key(f)
			same[k] = append(same[k], f.Check)
		}
	}
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

// hostFoldID is what a host's failing findings share when they fold into one row.
type hostFoldID struct {
	target, summary string
	status          checks.Status
}

func hostFoldKey(f *checks.Finding) hostFoldID {
	if f.Status == checks.Unknown { // could not tell, each in its own words
		return hostFoldID{target: f.Target, status: f.Status}
	}
	return hostFoldID{f.Target, f.Summary, f.Status}
}
