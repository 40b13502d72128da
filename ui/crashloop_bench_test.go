package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// BenchmarkCrashLoopLoad is the load after one crash-looping pod's finding moved, on a site where
// 1 % of the pods crash-loop as the lab's do (420 at 2,000 nodes, 1,000 at 5,000) and a host is
// dead: the Alerts pane lists them all, the pods folded into one row, the host's checks into one.
func BenchmarkCrashLoopLoad(b *testing.B) {
	for _, scale := range [][2]int{{2000, 42000}, {5000, 100000}} {
		be, snap := siteAtScale(scale[0], scale[1])
		var fs []*checks.Finding
		for i, p := range be.Pods() {
			if i%100 == 1 {
				fs = append(fs, &checks.Finding{Check: "kube.pod", Area: "kubernetes", Target: p.Namespace + "/" + p.Name, Status: checks.Crit,
					Summary: fmt.Sprintf("CrashLoopBackOff (%d restarts) in app", i%7), ObservedAt: t0.Add(-time.Duration(i%300) * time.Second)})
			}
		}
		for _, check := range []string{"host.memory", "host.disk", "host.load"} { // a dead host, as the lab has
			fs = append(fs, &checks.Finding{Check: check, Area: "host", Target: "node0003", Status: checks.Unknown, Summary: "ssh: timed out", ObservedAt: t0})
		}
		fs = append(slices.Clone(snap.Findings), fs...)
		slices.SortFunc(fs, checks.CompareWorstFirst)
		snap = checks.Snapshot{Version: 1, At: t0, Findings: fs}
		m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
		applySnapshot(m, snap)
		_ = loadFeeds(m.loadSpec())()
		at := slices.IndexFunc(fs, func(f *checks.Finding) bool { return f.Check == "kube.pod" && f.Summary != "CrashLoopBackOff" })
		b.Run(fmt.Sprintf("nodes-%d", scale[0]), func(b *testing.B) {
			var shown []*gridRow
			for i := 0; b.Loop(); i++ {
				f := *fs[at]
				f.Summary = fmt.Sprintf("CrashLoopBackOff (%d restarts) in app", i)
				f.ObservedAt = t0.Add(time.Duration(i) * time.Second)
				next := checks.Snapshot{Version: snap.Version + uint64(i) + 1, At: t0, Findings: slices.Clone(fs)}
				next.Findings[at] = &f
				m.Update(snapshotMsg(next))
				shown = loadShown(m, shown)
			}
		})
	}
}
