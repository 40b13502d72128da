package checks

import (
	"context"
	"path"
	"strings"
	"time"

	"opsdeck/config"
)

// Check is one kind of probe, run on each of its targets. Area packages declare a Def and let
// Build make the Check, so the site's schedule and overrides are applied in one place.
type Check struct {
	ID       string // dotted, area first: "host.disk"
	Area     string // grouping in reports: "hosts", "kubernetes", …
	Kind     string // what a target names: KindHost, KindNode, … (Ref)
	Guide    string // the guide's section the check follows, shown in the cockpit's details
	Title    string
	Interval time.Duration
	Timeout  time.Duration
	// Scope, when set, is the prefix of every target of this check ("lab/" for a cluster of a
	// multi-cluster site; the cluster's own name "lab" counts too). Checks that share an ID split
	// their targets by it: a round retains only its own scope, RunOne picks the owner.
	Scope string
	// Targets lists what to probe now (called every round, so inventories can change).
	Targets func() []string
	// Probe inspects one target. It must honour ctx; the scheduler gives up on it at Timeout
	// either way. Check, Area, Target, ObservedAt and Duration are filled in by the scheduler.
	Probe func(ctx context.Context, target string) Finding
	// FromMemory, when set, gives a target's finding from memory at once (a watch cache's
	// verdict), or ok false when that needs a wait or I/O: Probe then runs as usual. A round
	// asks it for every target in the round's own goroutine and stores the verdicts together;
	// the scheduler fills in and cleans its findings as a probe's. It runs outside the
	// concurrency limit and without a timeout, so it must not block, and rounds and RunOne may
	// call it at once.
	FromMemory func(target string) (f Finding, ok bool)
}

// Def declares a check: what it is, what it looks at and how. Its schedule comes from the site.
type Def struct {
	ID, Area, Title string
	Kind            string // what a target names (Ref); "" takes the default of the id
	Guide           string // the guide's section, e.g. "§2.3.2" ("" takes the default of the id)
	Targets         func() []string
	Probe           func(ctx context.Context, target string) Finding
	// Every, when longer than the site's interval, is this check's interval unless the site
	// overrides it (certificates need not be read every 30 s).
	Every time.Duration
}

// Build turns defs into checks with the site's schedule applied once: interval and timeout from
// checks.overrides.<id>, else the site's defaults; a check overridden as disabled is left out.
func Build(site *config.Site, defs ...Def) []Check {
	var out []Check
	for _, d := range defs {
		iv, to, off := site.CheckSchedule(d.ID)
		if off {
			continue
		}
		if site.Checks.Overrides[d.ID].Interval == 0 {
			iv = max(iv, d.Every)
		}
		out = append(out, Check{ID: d.ID, Area: d.Area, Kind: d.Kind, Guide: d.Guide, Title: d.Title, Interval: iv, Timeout: to,
			Targets: d.Targets, Probe: d.Probe})
	}
	return out
}

// Fixed is a target list that does not change while opsdeck runs.
func Fixed(targets []string) func() []string {
	return func() []string { return targets }
}

// Select keeps the checks whose id matches one of the globs (all checks when globs is empty).
// A glob also matches as a prefix: "host" selects "host.disk".
func Select(all []Check, globs []string) []Check {
	if len(globs) == 0 {
		return all
	}
	var out []Check
	for _, c := range all {
		for _, g := range globs {
			if ok, _ := path.Match(g, c.ID); ok || strings.HasPrefix(c.ID, g+".") {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Owns says whether target is within the check's scope.
func (c Check) Owns(target string) bool {
	return c.Scope == "" || strings.HasPrefix(target+"/", c.Scope)
}
