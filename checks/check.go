package checks

import (
	"context"
	"path"
	"strings"
	"time"
)

// Check is one kind of probe, run on each of its targets.
type Check struct {
	ID       string // dotted, area first: "host.disk"
	Area     string // grouping in reports: "hosts", "kubernetes", …
	Kind     string // what a target names: KindHost, KindNode, … (Ref)
	Title    string
	Interval time.Duration
	Timeout  time.Duration
	// Targets lists what to probe now (called every round, so inventories can change).
	Targets func() []string
	// Probe inspects one target. It must honour ctx; the scheduler gives up on it at Timeout
	// either way. Check, Area, Target, ObservedAt and Duration are filled in by the scheduler.
	Probe func(ctx context.Context, target string) Finding
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
