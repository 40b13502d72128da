package ui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/actions"
	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func init() { setTheme(ThemeDark, false, true) }

func demoFindings() []checks.Finding {
	fs := []checks.Finding{
		{Check: "host.kubelet", Area: "hosts", Target: "node3", Status: checks.Crit, Summary: "kubelet inactive: the node cannot run pods", ObservedAt: t0.Add(-2 * time.Second),
			Details: "After a reboot kubelet may not have started (§2.3.2): systemctl start kubelet."},
		{Check: "kube.node", Area: "kubernetes", Target: "node3", Status: checks.Crit, Summary: "NotReady for 13m", ObservedAt: t0.Add(-time.Second)},
		{Check: "host.disk", Area: "hosts", Target: "node5", Status: checks.Crit, Summary: "/home/t4 93 % used of 3.5 TiB", ObservedAt: t0.Add(-3 * time.Second),
			Metrics: []checks.Metric{{Name: "/home/t4", Value: 93, Unit: "%", Warn: 80, Crit: 90}}},
		{Check: "host.uptime", Area: "hosts", Target: "ops2", Status: checks.Warn, Summary: "rebooted 10m ago", ObservedAt: t0.Add(-4 * time.Second)},
		{Check: "host.reachable", Area: "hosts", Target: "node2", Status: checks.Unknown, Summary: "unreachable (dial): connection refused", ObservedAt: t0.Add(-5 * time.Minute)},
		{Check: "kube.pod", Area: "kubernetes", Target: "app/web-2", Status: checks.Crit, Summary: "CrashLoopBackOff (23 restarts) in main", ObservedAt: t0},
		{Check: "adns.processes", Area: "adns", Target: "ops2/adns-slave", Status: checks.Crit, Summary: "dnsagent EXITED", ObservedAt: t0},
		{Check: "ntp.offset", Area: "ntp", Target: "node1", Status: checks.OK, Summary: "offset 2 ms to 10.0.0.1", ObservedAt: t0},
		{Check: "certs.file", Area: "certs", Target: "master1:/etc/kubernetes/pki/apiserver.crt", Status: checks.Warn, Summary: "expires in 45 days", ObservedAt: t0},
	}
	for i := range 30 {
		fs = append(fs, checks.Finding{Check: "host.load", Area: "hosts", Target: fmt.Sprintf("node%02d", i), Status: checks.OK, Summary: "load 0.10 0.10 0.10 on 32 cores",
			ObservedAt: t0.Add(-time.Second), Metrics: []checks.Metric{{Name: "load1 per core", Value: 0.1}}})
	}
	checks.SortWorstFirst(fs)
	return fs
}

func demoBackend() Backend {
	return Backend{
		Clusters: []string{"meta"},
		Nodes: func() []NodeInfo {
			return []NodeInfo{
				{Cluster: "meta", Name: "node1", Ready: "True", Heartbeat: t0.Add(-8 * time.Second), PodsRunning: 5},
				{Cluster: "meta", Name: "node3", Ready: "Unknown", Heartbeat: t0.Add(-13 * time.Minute), PodsRunning: 2, PodsNotReady: 2},
				{Cluster: "meta", Name: "node2", Ready: "True", Heartbeat: t0.Add(-8 * time.Second), Cordoned: true, PodsRunning: 3},
			}
		},
		Pods: func() []PodInfo {
			return []PodInfo{
				{Cluster: "meta", Namespace: "app", Name: "web-2", Node: "node1", Phase: "Running", Reason: "CrashLoopBackOff", Restarts: 23, Created: t0.Add(-48 * time.Hour)},
				{Cluster: "meta", Namespace: "app", Name: "web-1", Node: "node1", Phase: "Running", Ready: true, Created: t0.Add(-48 * time.Hour)},
				{Cluster: "meta", Namespace: "kube-system", Name: "coredns-1", Node: "node2", Phase: "Running", Ready: true, Created: t0.Add(-90 * 24 * time.Hour)},
			}
		},
		Hosts: func() []HostInfo {
			return []HostInfo{
				{Name: "node1", Address: "10.0.0.11", Roles: []string{"node"}, Connected: true, RTTMS: 1.2},
				{Name: "node2", Address: "10.0.0.12", Roles: []string{"node"}, LastError: "dial tcp 10.0.0.12:22: connection refused"},
				{Name: "node3", Address: "10.0.0.13", Roles: []string{"node"}, Connected: true, RTTMS: 0.9},
				{Name: "ops2", Address: "10.0.0.2", Roles: []string{"ops", "adns"}, Connected: true, RTTMS: 0.8},
			}
		},
		API:     func() (int, int) { return 1, 1 },
		Missing: map[string]string{"Logs": "logs"},
	}
}

// fakeSSH answers every command with exit 0 and remembers what ran.
type fakeSSH struct{ ran []string }

func (f *fakeSSH) Run(_ context.Context, h config.Host, argv ...string) (ssh.Result, error) {
	f.ran = append(f.ran, h.Name+": "+strings.Join(argv, " "))
	return ssh.Result{}, nil
}

// testSession is a read-write session whose actions restart kubelet (destructive) and start
// kubelet on node3, through a fake SSH runner, with a real audit log.
func testSession(t *testing.T, changes config.Changes) (*actions.Session, *fakeSSH, string) {
	t.Helper()
	node3 := config.Host{Name: "node3", Address: "10.0.0.13"}
	plan := func(name string, destructive bool, verb string) actions.Action {
		return actions.Action{Name: name, Title: verb + " kubelet", TargetKind: "host", Destructive: destructive,
			Targets: func() []string { return []string{"node3"} },
			Plan: func(_ context.Context, target string) (*actions.Plan, error) {
				return &actions.Plan{Action: name, Target: target, Destructive: destructive,
					Steps:  []actions.Step{{SSH: &actions.Command{Host: node3, Argv: []string{"systemctl", verb, "kubelet"}}, Timeout: time.Second}},
					Verify: &actions.Verify{Check: "host.kubelet", Target: target, Within: time.Second}}, nil
			}}
	}
	reg := actions.NewRegistry(plan("host.restart-kubelet", true, "restart"), plan("host.start-kubelet", false, "start"))
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	audit, err := actions.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	gate := &actions.Gate{Mode: actions.ReadWrite, Changes: changes, Now: func() time.Time { return t0 }}
	runner := &fakeSSH{}
	x, err := actions.NewExecutor(actions.ReadWrite, actions.ExecutorConfig{Gate: gate, Audit: audit, SSH: runner, Site: "demo",
		Now: func() time.Time { return t0 },
		Verify: func(context.Context, string, string) (checks.Finding, error) {
			return checks.Finding{Status: checks.OK, Summary: "kubelet active"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return &actions.Session{Registry: reg, Gate: gate, Audit: audit, Exec: x, Site: "demo", Now: func() time.Time { return t0 }}, runner, path
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

// newModel is the cockpit on the fixture findings and backend, at w × h, with feeds loaded.
func newModel(t *testing.T, o Options, w, h int) *Model {
	t.Helper()
	o.Site = "demo"
	o.StaleAfter = time.Minute
	o.Now = func() time.Time { return t0 }
	if o.Backend.Nodes == nil {
		o.Backend = demoBackend()
	}
	if o.Window == nil {
		o.Window = func(time.Time) string { return "in window, 3h00m left" }
	}
	m := New(o)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	applySnapshot(m, checks.SnapshotOf(t0.Add(-time.Second), demoFindings()))
	return m
}

// applySnapshot delivers a snapshot and runs the load it starts, as the program would.
func applySnapshot(m *Model, s checks.Snapshot) {
	m.Update(snapshotMsg(s))
	m.Update(loadFeeds(m.loadSpec())())
}

func press(m *Model, keys ...string) tea.Cmd {
	var last tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		_, last = m.Update(msg)
	}
	return last
}

// typeText types s into whatever has the focus.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func checkFits(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("screen has %d lines, want the terminal's %d", len(lines), h)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("line wider than %d: %q", w, l)
		}
	}
}

// TestGoldenPanes renders every pane at 80×24 and at 200×50 (Alerts beside the pane).
func TestGoldenPanes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for i, name := range paneNames {
			m := newModel(t, Options{}, size[0], size[1])
			press(m, string(rune('1'+i)))
			s := screen(t, m)
			checkFits(t, s, size[0], size[1])
			golden(t, fmt.Sprintf("pane-%s-%dx%d.golden", strings.ToLower(name), size[0], size[1]), s)
		}
	}
}

func TestHeaderAndTiles(t *testing.T) {
	m := newModel(t, Options{}, 200, 50)
	s := screen(t, m)
	head := strings.Split(s, "\n")[0]
	for _, want := range []string{"demo", "meta", "RW", "in window, 3h00m left", "oldest data 5m", "ssh 3/4", "api 1/1", "2026-11-25 03:00:00"} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q: %q", want, head)
		}
	}
	strip := strings.Split(s, "\n")[1]
	for _, want := range []string{"1 Alerts 8", "2 Nodes 2/3", "3 Pods 1/3", "5 ADNS 1/1", "6 NTP 0/1", "7 Certs 1/1", "8 Logs —"} {
		if !strings.Contains(strip, want) {
			t.Errorf("strip lacks %q: %q", want, strip)
		}
	}
	if !strings.Contains(s, "stale 5m") {
		t.Error("a 5-minute-old finding must show it is stale")
	}
	ro := newModel(t, Options{ReadOnly: true}, 120, 30)
	if !strings.Contains(screen(t, ro), "READ-ONLY") {
		t.Error("read-only mode must say so in the header")
	}
}

func TestGoldenDialogs(t *testing.T) {
	sess, _, _ := testSession(t, config.Changes{})
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		w, h := size[0], size[1]
		m := newModel(t, Options{Session: sess}, w, h)
		press(m, "2") // Nodes, node3 (problems first)
		m.Update(press(m, "enter")())
		golden(t, fmt.Sprintf("dialog-detail-%dx%d.golden", w, h), screen(t, m))
		m.Update(press(m, "a")())
		golden(t, fmt.Sprintf("dialog-actions-%dx%d.golden", w, h), screen(t, m))
		press(m, "1")
		golden(t, fmt.Sprintf("dialog-confirm-%dx%d.golden", w, h), screen(t, m))
		press(m, "esc", "esc", "esc", ":")
		typeText(m, "node3")
		golden(t, fmt.Sprintf("dialog-palette-%dx%d.golden", w, h), screen(t, m))
		press(m, "esc", "?")
		golden(t, fmt.Sprintf("dialog-help-%dx%d.golden", w, h), screen(t, m))
		checkFits(t, screen(t, m), w, h)
	}
}

func TestWatchModeGolden(t *testing.T) {
	m := newModel(t, Options{ReadOnly: true, Watch: true, Cycle: 15 * time.Second}, 160, 40)
	s := screen(t, m)
	checkFits(t, s, 160, 40)
	golden(t, "watch-160x40.golden", s)
}

func TestNarrowAndEmpty(t *testing.T) {
	m := New(Options{Site: "demo", ReadOnly: true, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 8})
	s := screen(t, m)
	if !strings.Contains(s, "no alerts") && !strings.Contains(s, "no findings") {
		t.Errorf("empty screen:\n%s", s)
	}
	checkFits(t, s, 40, 8)
	applySnapshot(m, checks.SnapshotOf(t0, demoFindings()))
	checkFits(t, screen(t, m), 40, 8)
}

func TestStoreUpdatesReachTheScreen(t *testing.T) {
	st := checks.NewStore(time.Millisecond)
	m := New(Options{Site: "demo", Store: st, Now: func() time.Time { return t0 }})
	st.Put(checks.Finding{Check: "host.kubelet", Target: "node3", Status: checks.Crit, Summary: "kubelet inactive", ObservedAt: t0})
	msg := m.waitSnapshot()()
	for len(checks.Snapshot(msg.(snapshotMsg)).Findings) == 0 {
		msg = m.waitSnapshot()()
	}
	applySnapshot(m, checks.Snapshot(msg.(snapshotMsg)))
	if s := screen(t, m); !strings.Contains(s, "kubelet inactive") {
		t.Errorf("store update not shown:\n%s", s)
	}
}

func TestDeadHostIsOneRow(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	fs := demoFindings()
	for _, c := range []string{"host.cpu", "host.disk", "host.load", "host.memory"} {
		fs = append(fs, checks.Finding{Check: c, Area: "hosts", Target: "node7", Status: checks.Crit, Summary: "host key changed: possible MITM", ObservedAt: t0})
	}
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	s := screen(t, m)
	if strings.Count(s, "node7") != 1 || !strings.Contains(s, "4 checks") {
		t.Fatalf("a host's identical failures fold into one row:\n%s", s)
	}
	// A hung host: every check could not tell, each in its own words — one row too.
	for _, c := range []string{"host.cpu", "host.disk", "host.units"} {
		fs = append(fs, checks.Finding{Check: c, Area: "hosts", Target: "node4", Status: checks.Unknown, Summary: "could not run: " + c + " still running on the host", ObservedAt: t0})
	}
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	if s := screen(t, m); strings.Count(s, "node4") != 1 || !strings.Contains(s, "3 checks") {
		t.Fatalf("a hung host's unknowns fold into one row:\n%s", s)
	}
}

func TestChineseTextWidth(t *testing.T) {
	m := newModel(t, Options{}, 80, 24)
	fs := append(demoFindings(), checks.Finding{Check: "host.logdirs", Area: "hosts", Target: "节点七", Status: checks.Crit,
		Summary: "日志目录占用磁盘超过百分之九十，请清理旧日志文件以释放空间", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	s := screen(t, m)
	if !strings.Contains(s, "节点七") {
		t.Fatalf("CJK row missing:\n%s", s)
	}
	checkFits(t, s, 80, 24)
}

func BenchmarkRender100kFindings(b *testing.B) {
	fs := make([]checks.Finding, 100_000)
	for i := range fs {
		fs[i] = checks.Finding{Check: "host.load", Target: fmt.Sprintf("node%05d", i), Status: checks.Status(i % 4), Summary: "load 0.10", ObservedAt: t0}
	}
	checks.SortWorstFirst(fs)
	m := New(Options{Site: "big", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	snap := checks.SnapshotOf(t0, fs)
	applySnapshot(m, snap)
	b.Run("snapshot-update", func(b *testing.B) { // what the UI goroutine does per snapshot
		for b.Loop() {
			m.Update(snapshotMsg(snap))
			m.feedLoading = false
		}
	})
	b.Run("load", func(b *testing.B) { // the rows, folds and order, built in a command
		for b.Loop() {
			_ = loadFeeds(m.loadSpec())()
		}
	})
	msg := loadFeeds(m.loadSpec())()
	b.Run("take", func(b *testing.B) { // what the UI goroutine does with a load
		for b.Loop() {
			m.feedLoading = true
			m.Update(msg)
		}
	})
	b.Run("frame", func(b *testing.B) {
		for b.Loop() {
			_ = m.Render()
		}
	})
}

// Snapshots that arrive during a load (a round of checks publishes every 100 ms) wait for
// calmEvery after it; a cache change during a load is loaded again urgentEvery after the start of
// that load.
func TestLoadsAreCoalescedByUrgency(t *testing.T) {
	m := New(Options{Site: "demo", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.requestFeeds(true)
	for range 5 {
		m.Update(snapshotMsg(checks.Snapshot{}))
	}
	m.Update(loadFeeds(m.loadSpec())())
	if m.feedLoading || !m.feedWaiting || m.dirtyUrgent {
		t.Fatalf("calm requests during a load: loading %v, waiting %v, urgent %v; want a calm wait", m.feedLoading, m.feedWaiting, m.dirtyUrgent)
	}
	m.Update(feedTickMsg{}) // the calm wait ends before calmEvery has passed: it waits again
	if m.feedLoading {
		t.Fatal("loaded again within calmEvery of the last load")
	}
	m.lastLoad = time.Now().Add(-calmEvery)
	m.Update(feedTickMsg{})
	if !m.feedLoading {
		t.Fatal("the calm wait ended and nothing loaded")
	}
	m.Update(kubeChangedMsg{})
	m.Update(loadFeeds(m.loadSpec())())
	if !m.dirtyUrgent {
		t.Fatal("a cache change during a load is not urgent")
	}
	m.Update(feedTickMsg{urgent: true})
	if !m.feedLoading {
		t.Fatal("an urgent reload waited for calmEvery")
	}
	// A load that took longer than urgentEvery is followed at once by the change it missed.
	m.Update(kubeChangedMsg{})
	m.lastLoad = time.Now().Add(-2 * urgentEvery)
	m.Update(loadFeeds(m.loadSpec())())
	if !m.feedLoading || m.dirtyUrgent {
		t.Fatalf("after a slow load the urgent change waits: loading %v, urgent %v", m.feedLoading, m.dirtyUrgent)
	}
}

// TestSameFrameIsTheSameString: bubbletea compares the view at each renderer tick; a frame drawn
// again unchanged must be the same string (one pointer compare), a changed one a new string.
func TestSameFrameIsTheSameString(t *testing.T) {
	m := newModel(t, Options{}, 200, 50)
	a, b := m.View(), m.View()
	if a.Content != b.Content || unsafe.StringData(a.Content) != unsafe.StringData(b.Content) {
		t.Fatal("an unchanged frame must be handed out as the same string")
	}
	if a.WindowTitle != "opsdeck · demo" {
		t.Errorf("window title %q", a.WindowTitle)
	}
	press(m, "2")
	if c := m.View(); c.Content == a.Content {
		t.Fatal("a key that moves the screen must move the frame")
	}
}

// An urgent snapshot (a verdict someone waits for) starts a load at once; a calm one within a
// second of the last load waits.
func TestUrgentSnapshotsLoadAtOnce(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	m.lastLoad, m.feedLoading = time.Now(), false
	snap := checks.SnapshotOf(t0, demoFindings())
	m.Update(snapshotMsg(snap))
	if m.feedLoading || !m.feedWaiting {
		t.Fatalf("a calm snapshot loaded at once (loading %v, waiting %v)", m.feedLoading, m.feedWaiting)
	}
	snap.Urgent = true
	m.Update(snapshotMsg(snap))
	if !m.feedLoading {
		t.Fatal("an urgent snapshot waited for the calm load")
	}
}
