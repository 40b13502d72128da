package ui

import (
	"slices"
	"time"

	"opsdeck/checks"
)

// foldState is how the listed failing findings fold (fold, foldTargets), kept so that a finding
// that moves re-folds its own host and group only: 1,000 crash-looping pods fold into one row,
// and folding every listed finding again for each was the largest part of a load at 5,000 nodes.
type foldState struct {
	byTarget map[string][]*checks.Finding // failing listed findings per target, in the snapshot's order
	hostRows map[string][]*gridRow        // rows folding a host's findings (targets with 3 or more)
	inHost   map[*checks.Finding]bool     // the findings in those rows: they are in no group
	groups   map[groupID]*group           // the other failing listed findings
}

type groupID struct {
	check  string
	status checks.Status
}

// group are the failing listed findings of one check and status.
type group struct {
	members []*checks.Finding // in the snapshot's order
	targets []string          // theirs, in the same order
	row     *gridRow          // their one row when they fold across targets (foldAcross or more)
}

// refold is the rows of b.listed, made from the last rows (prev) again only for the hosts and
// groups of the findings that went (gone) and came (added), of those b lists; b.plain still
// holds the rows of the gone.
func (p *findingsPane) refold(b *builtFindings, prev []*gridRow, gone map[*checks.Finding]bool, added []*checks.Finding, staleFor func(check string) time.Duration) []*gridRow {
	fs := b.folds
	removed := map[*gridRow]bool{}
	hosts := map[string]bool{}
	isAdded := make(map[*checks.Finding]bool, len(added))
	for f := range gone {
		if f.Status == checks.OK { // an ok finding is never folded: its own row goes
			removed[b.plain[f]] = true
			continue
		}
		hosts[f.Target] = true
	}
	for _, f := range added {
		isAdded[f] = true
		if f.Status != checks.OK {
			hosts[f.Target] = true
		}
	}
	// The hosts' folds as they were, then as they are.
	wasIn := map[*checks.Finding]bool{}
	for t := range hosts {
		for _, r := range fs.hostRows[t] {
			removed[r] = true
		}
		for _, f := range fs.byTarget[t] {
			if fs.inHost[f] {
				wasIn[f] = true
				delete(fs.inHost, f)
			}
		}
	}
	for f := range gone {
		if f.Status != checks.OK {
			fs.drop(f)
		}
	}
	for _, f := range added {
		if f.Status != checks.OK {
			fs.put(f)
		}
	}
	var rows []*gridRow
	for t := range hosts {
		rs, in := hostFold(fs.byTarget[t], staleFor)
		if len(rs) > 0 {
			fs.hostRows[t] = rs
		} else {
			delete(fs.hostRows, t)
		}
		rows = append(rows, rs...)
		for _, f := range in {
			fs.inHost[f] = true
		}
	}
	// Who leaves and joins a group: a failing listed finding is in one unless its host folds it.
	var leave, join []*checks.Finding
	for f := range gone {
		if f.Status != checks.OK && !wasIn[f] {
			leave = append(leave, f)
		}
	}
	for f := range wasIn {
		if !gone[f] && !isAdded[f] && !fs.inHost[f] {
			join = append(join, f)
		}
	}
	for t := range hosts {
		for _, f := range fs.byTarget[t] {
			if fs.inHost[f] && !wasIn[f] && !isAdded[f] {
				leave = append(leave, f)
			}
		}
	}
	for _, f := range added {
		if f.Status != checks.OK && !fs.inHost[f] {
			join = append(join, f)
		}
	}
	touched := map[groupID]bool{}
	for _, f := range slices.Concat(leave, join) {
		touched[groupID{f.Check, f.Status}] = true
	}
	for id := range touched { // the touched groups' rows as they were
		switch g := fs.groups[id]; {
		case g == nil:
		case g.row != nil: // folded across its targets: its members have no rows of their own
			removed[g.row] = true
		default:
			for _, m := range g.members {
				removed[b.plain[m]] = true
			}
		}
	}
	for _, f := range leave {
		fs.leave(f)
	}
	for _, f := range join {
		fs.join(f)
	}
	for f := range gone {
		delete(b.plain, f)
	}
	rows = append(slices.DeleteFunc(slices.Clone(prev), func(r *gridRow) bool { return removed[r] }), rows...)
	for _, f := range added {
		if f.Status == checks.OK {
			rows = append(rows, aloneRow(f, staleFor, b.plain))
		}
	}
	for id := range touched {
		g := fs.groups[id]
		switch {
		case g == nil:
		case len(g.members) >= foldAcross:
			g.row = findingRow(listRow{f: g.members[0], across: slices.Clone(g.targets)}, staleFor)
			rows = append(rows, g.row)
		default:
			g.row = nil
			for _, m := range g.members {
				rows = append(rows, aloneRow(m, staleFor, b.plain))
			}
		}
	}
	sortRows(rows, rowOrder{col: -1})
	return rows
}

// hostFold is the rows folding some of one target's failing findings (fl, in the snapshot's
// order) into one, as fold makes them, and the findings they hold.
func hostFold(fl []*checks.Finding, staleFor func(check string) time.Duration) (rows []*gridRow, in []*checks.Finding) {
	if len(fl) < 3 {
		return nil, nil
	}
	for _, r := range fold(fl) {
		if len(r.folded) == 0 {
			continue
		}
		rows = append(rows, findingRow(r, staleFor))
		k := hostFoldKey(r.f)
		for _, f := range fl {
			if hostFoldKey(f) == k {
				in = append(in, f)
			}
		}
	}
	return rows, in
}

// aloneRow is the row of a finding alone: the one made before, if it was.
func aloneRow(f *checks.Finding, staleFor func(check string) time.Duration, plain map[*checks.Finding]*gridRow) *gridRow {
	if r, ok := plain[f]; ok {
		return r
	}
	r := findingRow(listRow{f: f}, staleFor)
	plain[f] = r
	return r
}

// newFoldState is how listed folded into rows (rowsOf).
func newFoldState(listed []*checks.Finding, rows []*gridRow) *foldState {
	fs := &foldState{byTarget: map[string][]*checks.Finding{}, hostRows: map[string][]*gridRow{}, inHost: map[*checks.Finding]bool{},
		groups: map[groupID]*group{}}
	for _, f := range listed {
		if f.Status != checks.OK {
			fs.byTarget[f.Target] = append(fs.byTarget[f.Target], f)
		}
	}
	for _, r := range rows {
		if len(r.folded) > 0 {
			t := r.finding.Target
			fs.hostRows[t] = append(fs.hostRows[t], r)
			k := hostFoldKey(r.finding)
			for _, f := range fs.byTarget[t] {
				if hostFoldKey(f) == k {
					fs.inHost[f] = true
				}
			}
		}
	}
	for _, f := range listed {
		if f.Status != checks.OK && !fs.inHost[f] {
			fs.join(f)
		}
	}
	for _, r := range rows {
		if r.across != nil {
			fs.groups[groupID{r.finding.Check, r.finding.Status}].row = r
		}
	}
	return fs
}

// put and drop keep a failing listed finding among its target's; join and leave, in its group.
func (fs *foldState) put(f *checks.Finding) {
	fl := fs.byTarget[f.Target]
	i, _ := slices.BinarySearchFunc(fl, f, checks.CompareWorstFirst)
	fs.byTarget[f.Target] = slices.Insert(fl, i, f)
}

func (fs *foldState) drop(f *checks.Finding) {
	fl := fs.byTarget[f.Target]
	if i := slices.Index(fl, f); i >= 0 {
		fl = slices.Delete(fl, i, i+1)
	}
	if len(fl) == 0 {
		delete(fs.byTarget, f.Target)
	} else {
		fs.byTarget[f.Target] = fl
	}
}

func (fs *foldState) join(f *checks.Finding) {
	id := groupID{f.Check, f.Status}
	g := fs.groups[id]
	if g == nil {
		g = &group{}
		fs.groups[id] = g
	}
	i, _ := slices.BinarySearchFunc(g.members, f, checks.CompareWorstFirst)
	g.members = slices.Insert(g.members, i, f)
	g.targets = slices.Insert(g.targets, i, f.Target)
}

func (fs *foldState) leave(f *checks.Finding) {
	id := groupID{f.Check, f.Status}
	g := fs.groups[id]
	if g == nil {
		return
	}
	if i := slices.Index(g.members, f); i >= 0 {
		g.members = slices.Delete(g.members, i, i+1)
		g.targets = slices.Delete(g.targets, i, i+1)
	}
	if len(g.members) == 0 {
		delete(fs.groups, id)
	}
}
