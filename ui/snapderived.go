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
	// of are the snapshot's findings: the store never changes a finding once put, so a pointer
	// in one snapshot and not in the other is a finding that moved.
	of []*checks.Finding
	// byHost are the findings each host's row joins (facts folds them in the snapshot's order).
	byHost findingIndex
	byPod  findingIndex // the pod checks' findings (problems), by pod
	steps  int          // derivations from the last snapshot since one from every finding
}

// derive is what the snapshot gives: the kept one if the snapshot is the one it came from. It
// also tells which nodes' facts moved since the last call.
func (c *loadCache) derive(spec loadSpec) (snapDerived, movedNodes) {
	snap := spec.snap
	last := c.fromSnap
	if snap.Version != 0 && last.version == snap.Version && len(last.findings) == len(spec.findings) {
		return last, movedNodes{}
	}
	d, hosts, ok := last.moved(spec)
	if !ok {
		d, hosts = derived(spec), nil
	}
	c.fromSnap = d
	return d, movedNodes{all: !ok, names: hosts}
}

// derived is what a snapshot gives, made from every finding.
func derived(spec loadSpec) snapDerived {
	snap := spec.snap
	d := snapDerived{version: snap.Version, sigs: map[string]uint64{}, of: snap.Findings, byHost: indexBy(snap.Findings, hostOf), byPod: indexBy(snap.Findings, podOf)}
	d.problems = make(map[string]checks.Status, len(d.byPod))
	for pod, fs := range d.byPod {
		d.problems[pod] = worstOf(fs)
	}
	d.facts = make(map[string]hostFacts, len(d.byHost))
	for name, fs := range d.byHost {
		d.facts[name] = factsOf(fs)
	}
	d.oldest = oldestOf(snap.Findings)
	for _, p := range spec.findings {
		d.findings = append(d.findings, p.build(snap.Findings, spec.staleFor))
	}
	return d
}

// oldestOf is the oldest observation among fs (zero without any; a finding without its time
// is passed over).
func oldestOf(fs []*checks.Finding) time.Time {
	var oldest time.Time
	for _, f := range fs {
		if !f.ObservedAt.IsZero() && (oldest.IsZero() || f.ObservedAt.Before(oldest)) {
			oldest = f.ObservedAt
		}
	}
	return oldest
}

// oldestAfter is oldestOf(fs), where fs differs from findings whose oldest was oldest by those
// that went and came: every finding is walked again only when the oldest may have gone (at
// 5,000 nodes a walk of every finding was 3 % of an idle cockpit's CPU).
func oldestAfter(oldest time.Time, went, came, fs []*checks.Finding) time.Time {
	for _, f := range went {
		if !f.ObservedAt.IsZero() && !f.ObservedAt.After(oldest) {
			return oldestOf(fs)
		}
	}
	if c := oldestOf(came); !c.IsZero() && (oldest.IsZero() || c.Before(oldest)) {
		return c
	}
	return oldest
}

// movedShare is the share of a snapshot's findings beyond which it is derived from every finding
// (a round that observed them all again): the pieces that moved are no longer few.
const movedShare = 8

// moved is what spec's snapshot gives, made from d (the last snapshot's) by the findings that
// came and went since. A crash-looping pod's finding moved with every status post, and each time
// 4,500 findings were folded again and 2,000 hosts' facts hashed again; now only the hosts,
// pods and panes those findings belong to are. d is spent (its maps are reused).
func (d snapDerived) moved(spec loadSpec) (_ snapDerived, hosts map[string]bool, ok bool) {
	snap := spec.snap
	if d.of == nil || snap.Version == 0 || len(d.findings) != len(spec.findings) {
		return d, nil, false
	}
	went, came := changedBetween(d.of, snap.Findings)
	if (len(went)+len(came))*movedShare > len(snap.Findings) {
		return d, nil, false
	}
	hosts = map[string]bool{}
	pods, areas := map[string]bool{}, map[string]bool{}
	touch := func(f *checks.Finding, move func(ix findingIndex, k string, f *checks.Finding)) { // what f moved
		areas[f.Area] = true
		if pod, ok := podOf(f); ok {
			pods[pod] = true
			move(d.byPod, pod, f)
		}
		if host, ok := hostOf(f); ok {
			hosts[host] = true
			move(d.byHost, host, f)
		}
	}
	for _, f := range went { // all that went first: an unchanged finding may go and come again
		touch(f, findingIndex.drop)
	}
	for _, f := range came {
		touch(f, findingIndex.add)
	}
	d.version, d.of, d.steps = snap.Version, snap.Findings, d.steps+1
	d.oldest = oldestAfter(d.oldest, went, came, snap.Findings)
	for name := range hosts {
		delete(d.sigs, name)
		fs := d.byHost[name]
		if len(fs) == 0 {
			delete(d.byHost, name)
			delete(d.facts, name)
			continue
		}
		slices.SortFunc(fs, checks.CompareWorstFirst) // as the snapshot holds them
		d.facts[name] = factsOf(fs)
	}
	cloned := false // problems is shared with the pods table: copied before a write, and only then
	for pod := range pods {
		fs := d.byPod[pod]
		was, had := d.problems[pod]
		if len(fs) > 0 && had && worstOf(fs) == was {
			continue // a crash-looping pod's new count of restarts: still as bad
		}
		if !cloned {
			d.problems, cloned = maps.Clone(d.problems), true
		}
		if len(fs) > 0 {
			d.problems[pod] = worstOf(fs)
		} else {
			delete(d.problems, pod)
			delete(d.byPod, pod)
		}
	}
	d.findings = slices.Clone(d.findings)
	for i, p := range spec.findings {
		if p.areas == nil || anyArea(p.areas, areas) {
			d.findings[i] = p.rebuild(d.findings[i], went, came, snap.Findings, spec.staleFor)
		}
	}
	return d, hosts, true
}

// changedBetween are the findings that went (in old, not in cur) and came (in cur, not in old),
// found in one walk of both in their order: a pointer in both is passed over without comparing
// anything. Were a snapshot out of order, an unchanged finding could be taken for one that went
// and came again; a moved one is never missed. Only the store's snapshots are derived from the
// last (they have a version), and the store keeps them in order: the panes' rows (rebuild) need
// it, to fold in the snapshot's order.
func changedBetween(old, cur []*checks.Finding) (went, came []*checks.Finding) {
	i, j := 0, 0
	for i < len(old) && j < len(cur) {
		a, b := old[i], cur[j]
		if a == b {
			i, j = i+1, j+1
			continue
		}
		switch c := checks.CompareWorstFirst(a, b); {
		case c < 0:
			went = append(went, a)
			i++
		case c > 0:
			came = append(came, b)
			j++
		default: // the same place, a new verdict
			went, came = append(went, a), append(came, b)
			i, j = i+1, j+1
		}
	}
	return append(went, old[i:]...), append(came, cur[j:]...)
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

// findingIndex are findings by a key (the host whose row they join, the pod they judge), each
// key's in the order they were added.
type findingIndex map[string][]*checks.Finding

// indexBy indexes fs by keyOf, in the order of fs.
func indexBy(fs []*checks.Finding, keyOf func(*checks.Finding) (string, bool)) findingIndex {
	ix := findingIndex{}
	for _, f := range fs {
		if k, ok := keyOf(f); ok {
			ix.add(k, f)
		}
	}
	return ix
}

func (ix findingIndex) add(k string, f *checks.Finding) { ix[k] = append(ix[k], f) }

func (ix findingIndex) drop(k string, f *checks.Finding) {
	ix[k] = slices.DeleteFunc(ix[k], func(g *checks.Finding) bool { return g == f })
}

// factsOf are a host's facts from its findings in the snapshot's order: one per check, the last.
func factsOf(fs []*checks.Finding) hostFacts {
	var h hostFacts
	for _, f := range fs {
		h = h.put(f)
	}
	return h
}

func podProblem(f *checks.Finding) bool { return f.Check == "kube.pod" || f.Check == "kube.static-pod" }

// podOf is the pod a pod check's finding judges.
func podOf(f *checks.Finding) (string, bool) { return f.Target, podProblem(f) }

func worstOf(fs []*checks.Finding) checks.Status {
	var st checks.Status
	for _, f := range fs {
		st = max(st, f.Status)
	}
	return st
}
