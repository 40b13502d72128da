package ui

import (
	"maps"
	"slices"
	"strings"
	"time"

	"opsdeck/checks"
)

// snapDerived is what a load makes of a snapshot alone: kept while the snapshot stays the same,
// so a load for moved pods or Nodes does not fold every finding again (at 5,000 nodes that was
// half of each load, and real pod changes on a site ask for one every 100 ms at most). A new
// snapshot that differs from the last by a few findings is derived from the last (moved).
type snapDerived struct {
	version  uint64 // of the snapshot (0: nothing kept; snapshots made by hand have no version)
	facts    map[string]hostFacts
	sigs     map[string]uint64 // factsSig per node, filled as rows ask
	findings []builtFindings   // rows are immutable and shared: handing them out again is safe
	oldest   time.Time
	problems map[string]checks.Status // of pods, never written once made (podTable keeps it)
	// seen holds every finding of the snapshot, stamped with the derivation that last saw it:
	// the store never changes a finding once put, so one not seen before is one that moved.
	seen map[*checks.Finding]uint64
	gen  uint64
}

// derive is what the snapshot gives: the kept one if the snapshot is the one it came from.
func (c *loadCache) derive(spec loadSpec) snapDerived {
	snap := spec.snap
	last := c.fromSnap
	if snap.Version != 0 && last.version == snap.Version && len(last.findings) == len(spec.findings) {
		return last
	}
	d, ok := last.moved(spec)
	if !ok {
		d = derived(spec)
	}
	c.fromSnap = d
	return d
}

// derived is what a snapshot gives, made from every finding.
func derived(spec loadSpec) snapDerived {
	snap := spec.snap
	d := snapDerived{version: snap.Version, facts: hostFactsFrom(snap.Findings), sigs: map[string]uint64{},
		problems: podProblems(snap.Findings), seen: make(map[*checks.Finding]uint64, len(snap.Findings)), gen: 1}
	for _, f := range snap.Findings {
		d.seen[f] = d.gen
		if d.oldest.IsZero() || f.ObservedAt.Before(d.oldest) {
			d.oldest = f.ObservedAt
		}
	}
	for _, p := range spec.findings {
		d.findings = append(d.findings, p.build(snap.Findings, spec.staleFor))
	}
	return d
}

// movedShare is the share of a snapshot's findings beyond which it is derived from every finding
// (a round that observed them all again): the pieces that moved are no longer few.
const movedShare = 8

// moved is what spec's snapshot gives, made from d (the last snapshot's) by the findings that
// came and went since. A crash-looping pod's finding moved with every status post, and each time
// 4,500 findings were folded again and 2,000 hosts' facts hashed again; now only the hosts,
// pods and panes those findings belong to are. d is spent (its maps are reused).
func (d snapDerived) moved(spec loadSpec) (snapDerived, bool) {
	snap := spec.snap
	if d.seen == nil || snap.Version == 0 || len(d.findings) != len(spec.findings) {
		return d, false
	}
	gen := d.gen + 1
	var changed []*checks.Finding
	oldest := time.Time{}
	for _, f := range snap.Findings {
		if _, ok := d.seen[f]; !ok {
			changed = append(changed, f)
		}
		d.seen[f] = gen
		if oldest.IsZero() || f.ObservedAt.Before(oldest) {
			oldest = f.ObservedAt
		}
	}
	for f, g := range d.seen {
		if g != gen {
			changed = append(changed, f)
			delete(d.seen, f)
		}
	}
	if len(changed)*movedShare > len(snap.Findings) {
		return d, false
	}
	hosts, pods, areas := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range changed {
		areas[f.Area] = true
		if name, ok := hostOf(f); ok {
			hosts[name] = true
		}
		if podProblem(f) {
			pods[f.Target] = true
		}
	}
	d.version, d.gen, d.oldest = snap.Version, gen, oldest
	if len(hosts) > 0 {
		fresh := map[string]hostFacts{}
		for _, f := range snap.Findings {
			if name, ok := hostOf(f); ok && hosts[name] {
				fresh[name] = fresh[name].put(f)
			}
		}
		for name := range hosts {
			delete(d.sigs, name)
			if h, ok := fresh[name]; ok {
				d.facts[name] = h
			} else {
				delete(d.facts, name)
			}
		}
	}
	if len(pods) > 0 {
		d.problems = maps.Clone(d.problems)
		for k := range pods {
			delete(d.problems, k)
		}
		for _, f := range snap.Findings {
			if podProblem(f) && pods[f.Target] {
				d.problems[f.Target] = max(d.problems[f.Target], f.Status)
			}
		}
	}
	d.findings = slices.Clone(d.findings)
	for i, p := range spec.findings {
		if p.areas == nil || anyArea(p.areas, areas) {
			d.findings[i] = p.build(snap.Findings, spec.staleFor)
		}
	}
	return d, true
}

func anyArea(pane, moved map[string]bool) bool {
	for a := range moved {
		if pane[a] {
			return true
		}
	}
	return false
}

// sig is factsSig of a node's facts, once per snapshot.
func (d snapDerived) sig(name string, h hostFacts, multi bool) uint64 {
	s, ok := d.sigs[name]
	if !ok {
		s = factsSig(h, multi)
		d.sigs[name] = s
	}
	return s
}

// hostOf is the host whose row a finding joins: host checks by their target, kube.node and
// friends by their node ("cluster/node" on a site with several clusters; node names hold no
// slash: no parse of every finding's ref).
func hostOf(f *checks.Finding) (string, bool) {
	switch {
	case strings.HasPrefix(f.Check, "host."):
		return f.Target, true
	case f.KindOrDefault() == checks.KindNode:
		name := f.Target
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		return name, true
	}
	return "", false
}

func hostFactsFrom(fs []*checks.Finding) map[string]hostFacts {
	out := map[string]hostFacts{}
	for _, f := range fs {
		if name, ok := hostOf(f); ok {
			out[name] = out[name].put(f)
		}
	}
	return out
}

func podProblem(f *checks.Finding) bool { return f.Check == "kube.pod" || f.Check == "kube.static-pod" }

// podProblems are the statuses the pod check gave, by pod target.
func podProblems(fs []*checks.Finding) map[string]checks.Status {
	out := map[string]checks.Status{}
	for _, f := range fs {
		if podProblem(f) {
			out[f.Target] = max(out[f.Target], f.Status)
		}
	}
	return out
}
