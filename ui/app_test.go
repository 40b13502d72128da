package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/checks"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func demoFindings() []checks.Finding {
	fs := []checks.Finding{
		{Check: "host.kubelet", Area: "hosts", Target: "node3", Status: checks.Crit, Summary: "kubelet inactive: the node cannot run pods", ObservedAt: t0.Add(-2 * time.Second)},
		{Check: "host.disk", Area: "hosts", Target: "node5", Status: checks.Crit, Summary: "/home/t4 93 % used of 3.5 TiB", ObservedAt: t0.Add(-3 * time.Second)},
		{Check: "host.uptime", Area: "hosts", Target: "ops2", Status: checks.Warn, Summary: "rebooted 10m ago", ObservedAt: t0.Add(-4 * time.Second)},
		{Check: "host.reachable", Area: "hosts", Target: "node2", Status: checks.Unknown, Summary: "unreachable (dial): connection refused", ObservedAt: t0.Add(-5 * time.Minute)},
	}
	for i := range 30 {
		fs = append(fs, checks.Finding{Check: "host.load", Area: "hosts", Target: fmt.Sprintf("node%02d", i), Status: checks.OK, Summary: "load 0.10 0.10 0.10 on 32 cores", ObservedAt: t0.Add(-time.Second)})
	}
	checks.SortWorstFirst(fs)
	return fs
}

func screen(t *testing.T, m *Model) string {
	t.Helper()
	return ansi.Strip(m.Render())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update)", err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s:\n%s", path, got)
	}
}

func newModel() *Model {
	m := New(Options{Site: "demo", StaleAfter: time.Minute, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 16})
	m.Update(snapshotMsg(checks.Snapshot{At: t0.Add(-time.Second), Findings: demoFindings()}))
	return m
}

func TestScreenGroupsWorstFirst(t *testing.T) {
	m := newModel()
	s := screen(t, m)
	golden(t, "screen.golden", s)
	lines := strings.Split(s, "\n")
	if len(lines) != 16 {
		t.Errorf("screen has %d lines, want the terminal's 16", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 100 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
	if !strings.Contains(lines[0], "2 crit  1 unknown  1 warn  30 ok") {
		t.Errorf("header counts: %q", lines[0])
	}
	if !strings.Contains(s, "stale 5m") {
		t.Error("a 5-minute-old finding must show it is stale")
	}
}

func TestScrollKeys(t *testing.T) {
	m := newModel()
	m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	s := screen(t, m)
	if !strings.Contains(s, "node29") || strings.Contains(s, "CRIT (2)") {
		t.Errorf("G must show the bottom:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
	if s := screen(t, m); !strings.Contains(s, "CRIT (2)") {
		t.Errorf("g must show the top:\n%s", s)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q must quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q must quit")
	}
}

func TestEmptyAndNarrow(t *testing.T) {
	m := New(Options{Site: "demo", ReadOnly: true, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 6})
	s := screen(t, m)
	if !strings.Contains(s, "waiting for the first findings") {
		t.Errorf("empty screen:\n%s", s)
	}
	m.Update(snapshotMsg(checks.Snapshot{At: t0, Findings: demoFindings()}))
	for _, l := range strings.Split(screen(t, m), "\n") {
		if ansi.StringWidth(l) > 40 {
			t.Errorf("line wider than 40: %q", l)
		}
	}
}

func TestStoreUpdatesReachTheScreen(t *testing.T) {
	st := checks.NewStore(time.Millisecond)
	m := New(Options{Site: "demo", Store: st, Now: func() time.Time { return t0 }})
	st.Put(checks.Finding{Check: "host.kubelet", Target: "node3", Status: checks.Crit, Summary: "kubelet inactive", ObservedAt: t0})
	msg := m.waitSnapshot()()
	for len(checks.Snapshot(msg.(snapshotMsg)).Findings) == 0 {
		msg = m.waitSnapshot()()
	}
	m.Update(msg)
	if s := screen(t, m); !strings.Contains(s, "kubelet inactive") {
		t.Errorf("store update not shown:\n%s", s)
	}
}

func BenchmarkRender100kFindings(b *testing.B) {
	fs := make([]checks.Finding, 100_000)
	for i := range fs {
		fs[i] = checks.Finding{Check: "host.load", Target: fmt.Sprintf("node%05d", i), Status: checks.Status(i % 4), Summary: "load 0.10", ObservedAt: t0}
	}
	checks.SortWorstFirst(fs)
	m := New(Options{Site: "big", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	snap := snapshotMsg(checks.Snapshot{At: t0, Findings: fs})
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			m.Update(snap)
		}
	})
	b.Run("frame", func(b *testing.B) {
		for b.Loop() {
			_ = m.Render()
		}
	})
}

func TestSelectionAndDetail(t *testing.T) {
	m := newModel()
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // second crit: node3
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	s := screen(t, m)
	if !strings.Contains(s, "host.kubelet on node3") || !strings.Contains(s, "kubelet inactive") || !strings.Contains(s, "esc/enter back") {
		t.Fatalf("detail of the selected finding:\n%s", s)
	}
	// A new snapshot keeps the same finding selected.
	m.Update(snapshotMsg(checks.Snapshot{At: t0, Findings: demoFindings()}))
	if s := screen(t, m); !strings.Contains(s, "host.kubelet on node3") {
		t.Fatalf("selection lost on a new snapshot:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if s := screen(t, m); !strings.Contains(s, "›CRIT     node3") {
		t.Fatalf("back to the list with node3 selected:\n%s", s)
	}
}

func TestDeadHostIsOneRow(t *testing.T) {
	m := newModel()
	fs := demoFindings()
	for _, c := range []string{"host.cpu", "host.disk", "host.load"} {
		fs = append(fs, checks.Finding{Check: c, Area: "hosts", Target: "node7", Status: checks.Unknown, Summary: "unreachable (dial): refused", ObservedAt: t0})
	}
	checks.SortWorstFirst(fs)
	m.Update(snapshotMsg(checks.Snapshot{At: t0, Findings: fs}))
	s := screen(t, m)
	if strings.Count(s, "node7") != 1 || !strings.Contains(s, "3 checks") {
		t.Fatalf("a dead host's identical unknowns fold into one row:\n%s", s)
	}
}
