package ui

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
)

// The lines drawn again only when what they show changes (memo.go) must still change with it,
// frame after frame of one model: the clock, the Alerts column beside a pane, the column
// titles' sort mark, the tiles' counts.
func TestTheChromeFollowsWhatItShows(t *testing.T) {
	now := t0
	m := newModel(t, Options{}, 200, 50)
	m.opts.Now = func() time.Time { return now }
	press(m, "2")
	first := screen(t, m)
	if !strings.Contains(first, "2026-11-25 03:00:00") || !strings.Contains(first, "2 Nodes 2/3") {
		t.Fatalf("the first frame lacks its clock or tile:\n%s", first)
	}

	now = t0.Add(7 * time.Second)
	m.Update(tickMsg(now))
	if s := screen(t, m); !strings.Contains(strings.Split(s, "\n")[0], "2026-11-25 03:00:07") {
		t.Errorf("the header kept its old clock: %q", strings.Split(s, "\n")[0])
	}

	titles := func() string {
		for _, l := range strings.Split(screen(t, m), "\n") {
			if strings.Contains(l, "NODE") && strings.Contains(l, "STATUS") {
				return l
			}
		}
		t.Fatal("no column titles on the Nodes pane")
		return ""
	}
	before := titles()
	press(m, "s")
	if after := titles(); after == before || !strings.ContainsAny(after, "↓↑") {
		t.Errorf("sorting by a column did not mark it in the titles:\n%s\n%s", before, after)
	}

	fs := append(demoFindings(), checks.Finding{Check: "host.kubelet", Area: "host", Kind: checks.KindHost, Target: "node9",
		Status: checks.Crit, Summary: "kubelet inactive since the memo test", ObservedAt: now})
	applySnapshot(m, checks.SnapshotOf(now, fs))
	s := screen(t, m)
	if !strings.Contains(s, "kubelet inactive since") {
		t.Errorf("a new alert did not reach the Alerts column beside the Nodes pane:\n%s", s)
	}
	if !strings.Contains(strings.Split(s, "\n")[1], "1 Alerts 9") {
		t.Errorf("the Alerts tile kept its old count: %q", strings.Split(s, "\n")[1])
	}
}
