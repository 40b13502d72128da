package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/actions"
	"opsdeck/checks"
	"opsdeck/config"
)

// drain runs a run's message stream to its end, feeding every message to the model.
func drain(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- c() }()
		var msg tea.Msg
		select {
		case msg = <-got:
		case <-deadline:
			t.Fatal("the run never finished")
		}
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case nil:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func auditPhases(t *testing.T, path string) []string {
	t.Helper()
	recs, problems, err := actions.ReadAudit(path, actions.Filter{})
	if err != nil || len(problems) > 0 {
		t.Fatalf("audit: %v %v", err, problems)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Phase+" "+r.Action+" "+r.Target)
	}
	return out
}

// A node → a → the destructive restart → the name typed → it runs, verified, audited twice.
func TestKeyFlowDestructiveNeedsTheName(t *testing.T) {
	sess, runner, path := testSession(t, config.Changes{})
	m := newModel(t, Options{Session: sess}, 120, 40)
	press(m, "2") // Nodes: node3 first (problems first)
	if ref, _, _ := m.panes[m.focus].Selected(); ref.Name != "node3" {
		t.Fatalf("selected %v, want node3", ref)
	}
	m.Update(press(m, "a")())
	if s := screen(t, m); !strings.Contains(s, "host.restart-kubelet node3") || !strings.Contains(s, "allowed") {
		t.Fatalf("actions of node3:\n%s", s)
	}
	press(m, "1")
	s := screen(t, m)
	if !strings.Contains(s, "DESTRUCTIVE") || !strings.Contains(s, "ssh node3: systemctl restart kubelet") || !strings.Contains(s, `Type "node3"`) {
		t.Fatalf("confirm shows the exact plan and asks for the name:\n%s", s)
	}
	typeText(m, "yes")
	press(m, "enter")
	if s := screen(t, m); !strings.Contains(s, "does not match") {
		t.Fatalf("yes is not the name:\n%s", s)
	}
	if len(runner.ran) != 0 {
		t.Fatal("nothing may run before the name is typed")
	}
	for range 3 {
		m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typeText(m, "node3")
	drain(t, m, press(m, "enter"))
	if len(runner.ran) != 1 || runner.ran[0] != "node3: systemctl restart kubelet" {
		t.Fatalf("ran %v", runner.ran)
	}
	got := auditPhases(t, path)
	if strings.Join(got, ";") != "started host.restart-kubelet node3;finished host.restart-kubelet node3" {
		t.Fatalf("audit: %v", got)
	}
	if s := screen(t, m); !strings.Contains(s, "›✓node3") {
		t.Fatalf("the result stays visible in the row:\n%s", s)
	}
	m.Update(press(m, "enter")())
	if s := screen(t, m); !strings.Contains(s, "host.restart-kubelet on node3: succeeded") || !strings.Contains(s, "verify: host.kubelet on node3") {
		t.Fatalf("the result stays in the detail:\n%s", s)
	}
}

func TestKeyFlowRefusedOutsideWindowThenEmergency(t *testing.T) {
	closed := config.Changes{Timezone: "UTC", Windows: []config.TimeWindow{{Start: "2026-12-01 00:00", End: "2026-12-01 06:00", Reason: "CHG-1"}}}
	sess, runner, path := testSession(t, closed)
	m := newModel(t, Options{Session: sess}, 120, 40)
	press(m, "2")
	m.Update(press(m, "a")())
	if s := screen(t, m); !strings.Contains(s, "outside-window: emergency reason needed") {
		t.Fatalf("the menu shows the gate's refusal:\n%s", s)
	}
	press(m, "2") // start-kubelet (not destructive)
	if s := screen(t, m); !strings.Contains(s, "Emergency reason") {
		t.Fatalf("outside a window an emergency reason is asked first:\n%s", s)
	}
	// Cancelling is recorded.
	drain(t, m, press(m, "esc"))
	if got := auditPhases(t, path); len(got) != 1 || !strings.HasPrefix(got[0], "cancelled host.start-kubelet") {
		t.Fatalf("audit after cancel: %v", got)
	}
	m.Update(press(m, "a")())
	press(m, "2")
	typeText(m, "short")
	press(m, "enter")
	if s := screen(t, m); !strings.Contains(s, "at least 10 characters") {
		t.Fatalf("a short reason is refused:\n%s", s)
	}
	typeText(m, ": node3 rebooted, kubelet down, INC-42")
	press(m, "enter")
	typeText(m, "yes")
	drain(t, m, press(m, "enter"))
	if len(runner.ran) != 1 {
		t.Fatalf("ran %v", runner.ran)
	}
	recs, _, _ := actions.ReadAudit(path, actions.Filter{})
	last := recs[len(recs)-1]
	if last.Phase != "finished" || !strings.Contains(last.Emergency, "INC-42") {
		t.Fatalf("the emergency and its reason are audited: %+v", last)
	}
}

// Watch mode has no executor: the session is dropped, `a` does nothing but say so.
func TestWatchModeCannotAct(t *testing.T) {
	sess, runner, path := testSession(t, config.Changes{})
	m := newModel(t, Options{Session: sess, ReadOnly: true, Watch: true}, 120, 40)
	if m.opts.Session != nil {
		t.Fatal("a read-only cockpit must not hold a session")
	}
	press(m, "2")
	if cmd := press(m, "a"); cmd != nil {
		t.Fatal("a must do nothing in watch mode")
	}
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("details must not look up actions in watch mode")
	}
	if s := screen(t, m); !strings.Contains(s, "read-only") {
		t.Fatalf("the detail says why no action applies:\n%s", s)
	}
	if len(runner.ran) != 0 || len(auditPhases(t, path)) != 0 {
		t.Fatal("nothing ran")
	}
	if _, err := actions.NewExecutor(actions.ReadOnly, actions.ExecutorConfig{Gate: &actions.Gate{Mode: actions.ReadOnly}}); err == nil {
		t.Fatal("no executor can be built read-only")
	}
}

// A host hanging at the banner (its state read blocks) never delays a frame: the feeds load in
// a command, and Update/Render return while it hangs.
func TestHangingHostNeverDelaysAFrame(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	b := demoBackend()
	b.Hosts = func() []HostInfo { <-hang; return nil }
	m2 := New(Options{Site: "demo", Backend: b, Now: func() time.Time { return t0 }})
	cmd := m2.requestFeeds(true)
	go cmd() // hangs, as a real host would
	done := make(chan struct{})
	go func() {
		for range 100 {
			m2.Update(tickMsg(t0))
			m2.Update(snapshotMsg(checks.SnapshotOf(t0, demoFindings())))
			_ = m2.Render()
			press(m2, "j")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the screen froze behind a hanging host")
	}
}

func TestFilterAndNamespace(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	press(m, "3", "/")
	typeText(m, "web")
	press(m, "enter")
	s := screen(t, m)
	if !strings.Contains(s, "web-2") || strings.Contains(s, "coredns") {
		t.Fatalf("filter web:\n%s", s)
	}
	press(m, "/")
	typeText(m, "!") // "!web": everything but web
	m.filter.value = "!web"
	m.applyFilter()
	press(m, "enter")
	if s := screen(t, m); strings.Contains(s, "web-2") || !strings.Contains(s, "coredns") {
		t.Fatalf("inverted filter:\n%s", s)
	}
	press(m, "/", "esc")
	press(m, ":")
	typeText(m, "ns kube-system")
	msg := press(m, "enter")()
	m.Update(msg)
	if s := screen(t, m); strings.Contains(s, "web-2") || !strings.Contains(s, "coredns") || !strings.Contains(s, "ns kube-system") {
		t.Fatalf(":ns kube-system:\n%s", s)
	}
}

// Each pane keeps its own filter: the title shows the focused pane's, and "/" edits that one.
func TestEachPaneKeepsItsFilter(t *testing.T) {
	m := newModel(t, Options{}, 120, 30) // no Alerts beside the pane
	press(m, "2", "/")
	typeText(m, "node2")
	press(m, "enter")
	press(m, "3")
	if s := screen(t, m); strings.Contains(s, "filter /") || !strings.Contains(s, "coredns") {
		t.Fatalf("the Pods pane shows the Nodes pane's filter:\n%s", s)
	}
	press(m, "/")
	typeText(m, "web")
	press(m, "enter")
	if s := screen(t, m); !strings.Contains(s, "filter /web") || strings.Contains(s, "node2web") || strings.Contains(s, "coredns") {
		t.Fatalf("the Pods pane's filter:\n%s", s)
	}
	press(m, "2")
	if s := screen(t, m); !strings.Contains(s, "filter /node2") || strings.Contains(s, "node3") {
		t.Fatalf("back on Nodes, its filter:\n%s", s)
	}
	press(m, "/", "esc", "3")
	if s := screen(t, m); !strings.Contains(s, "filter /web") {
		t.Fatalf("clearing Nodes' filter cleared the Pods pane's:\n%s", s)
	}
}

// A pattern that does not compile is not left in the title over rows filtered by the last one
// that did: enter goes back to that one.
func TestEnterOnABadPatternKeepsTheLastGoodOne(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	press(m, "3", "/")
	typeText(m, "web(")
	if s := screen(t, m); !strings.Contains(s, "bad regex") {
		t.Fatalf("no error for web(:\n%s", s)
	}
	press(m, "enter")
	if s := screen(t, m); !strings.Contains(s, "filter /web") || strings.Contains(s, "web(") || strings.Contains(s, "coredns") {
		t.Fatalf("after enter:\n%s", s)
	}
}

// A wall screen's cycling waits while a filter is typed: the text would land on another pane.
func TestWatchDoesNotCycleWhileFiltering(t *testing.T) {
	m := newModel(t, Options{ReadOnly: true, Watch: true, Cycle: 15 * time.Second}, 160, 40)
	m.lastCycle = t0
	press(m, "/")
	m.Update(tickMsg(t0.Add(16 * time.Second)))
	if m.focus != paneAlerts {
		t.Fatalf("cycled to %d while a filter was typed", m.focus)
	}
}

func TestPaletteGoesToANode(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	press(m, ":")
	typeText(m, "node2")
	press(m, "enter")
	if m.focus != paneNodes {
		t.Fatalf("focus %d, want Nodes", m.focus)
	}
	if ref, _, _ := m.panes[m.focus].Selected(); ref.Name != "node2" {
		t.Fatalf("selected %v", ref)
	}
}

func TestQuitAsksWhileAnActionRuns(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	m.runs = append(m.runs, &run{id: 1, action: "host.restart-kubelet", target: "node3"})
	if cmd := press(m, "q"); cmd != nil {
		t.Fatal("q must ask first while an action runs")
	}
	if !strings.Contains(screen(t, m), "press q again") {
		t.Fatal("the footer says how to quit anyway")
	}
	cmd := press(m, "q")
	if cmd == nil {
		t.Fatal("q again quits")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q again quits")
	}
}

func TestWatchCyclesToPanesWithProblems(t *testing.T) {
	m := newModel(t, Options{ReadOnly: true, Watch: true, Cycle: 15 * time.Second}, 160, 40)
	m.lastCycle = t0
	m.Update(tickMsg(t0.Add(16 * time.Second)))
	if m.focus != paneNodes {
		t.Fatalf("cycled to %d, want Nodes (next pane with problems)", m.focus)
	}
	press(m, "p")
	m.Update(tickMsg(t0.Add(40 * time.Second)))
	if m.focus != paneNodes {
		t.Fatal("p pauses the cycling")
	}
}

// When rows reorder (another node turns crit and sorts first), the selection stays on its row.
func TestSelectionFollowsTheRowNotThePosition(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	press(m, "2", "esc") // a key while the pane is focused: someone is looking at it
	if ref, _, _ := m.panes[m.focus].Selected(); ref.Name != "node3" {
		t.Fatalf("selected %v", ref)
	}
	fs := append(demoFindings(), checks.Finding{Check: "host.disk", Area: "hosts", Target: "node1", Status: checks.Crit, Summary: "/ 99 % used", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	if ref, _, _ := m.panes[m.focus].Selected(); ref.Name != "node3" {
		t.Fatalf("the selection moved to %v when node1 sorted first", ref)
	}
}

// The Pods table is rebuilt only when pods (or their findings) move, not on every load: at
// 42,000 pods a load per lease renewal would keep a core busy.
func TestPodsRebuiltOnlyWhenTheyMove(t *testing.T) {
	b := demoBackend()
	calls := 0
	pods := b.Pods
	b.Pods = func() []PodInfo { calls++; return pods() }
	var version uint64 = 1
	b.PodsVersion = func() uint64 { return version }
	m := newModel(t, Options{Backend: b}, 120, 30)
	before := calls
	m.Update(loadFeeds(m.loadSpec())())
	m.Update(loadFeeds(m.loadSpec())())
	if calls != before {
		t.Fatalf("pods re-read %d times without a change", calls-before)
	}
	version++
	m.Update(loadFeeds(m.loadSpec())())
	if calls != before+1 {
		t.Fatalf("a pod change must rebuild the table once, got %d", calls-before)
	}
	if s := screen(t, m); !strings.Contains(s, "3Pods 1") {
		t.Fatalf("the cached rows still count:\n%s", s)
	}
}

func TestWatchQuitsOnlyOnASecondQ(t *testing.T) {
	m := newModel(t, Options{ReadOnly: true, Watch: true}, 120, 30)
	if cmd := press(m, "q"); cmd != nil {
		t.Fatal("one q must not end a wall screen")
	}
	press(m, "j") // anything else disarms
	if cmd := press(m, "q"); cmd != nil {
		t.Fatal("a q after another key asks again")
	}
	cmd := press(m, "q")
	if cmd == nil {
		t.Fatal("q twice quits")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q twice quits")
	}
}

// Staleness follows each check's own schedule: an hourly certificate read is not stale after ten
// minutes, while a 30-second check is.
func TestStaleFollowsTheChecksSchedule(t *testing.T) {
	m := newModel(t, Options{StaleAfterFor: func(id string) time.Duration {
		if id == "cert.files" {
			return 2 * time.Hour
		}
		return time.Minute
	}}, 160, 40)
	fs := append(demoFindings(), checks.Finding{Check: "cert.files", Area: "certs", Target: "master1:/etc/kubernetes/pki/ca.crt",
		Status: checks.Warn, Summary: "expires in 50d", ObservedAt: t0.Add(-10 * time.Minute)})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	press(m, "7")
	s := screen(t, m)
	if !strings.Contains(s, "expires in 50d") || strings.Contains(s, "stale 10m") {
		t.Fatalf("an hourly check 10 minutes old is not stale:\n%s", s)
	}
	press(m, "1")
	if s := screen(t, m); !strings.Contains(s, "stale 5m") {
		t.Fatalf("a 30-second check 5 minutes old is stale:\n%s", s)
	}
}

// Typing a filter over a big Pods table: the typed text shows at once, the rows when the pass
// (off the UI goroutine) is back, and a load while the filter is set is filtered too.
func TestFilteringABigPodsTable(t *testing.T) {
	be, snap := siteAtScale(50, bigGrid+1000)
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	applySnapshot(m, snap)
	press(m, "3", "/")
	var passes []tea.Cmd
	for _, r := range "APP-00012" {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		passes = append(passes, cmd)
	}
	if s := screen(t, m); !strings.Contains(s, "/APP-00012") || !strings.Contains(s, "app-000040") {
		t.Fatalf("before the pass: the typed text, the rows as they were:\n%s", s)
	}
	runPasses(m, passes...)
	s := screen(t, m)
	if !strings.Contains(s, "app-000120") || strings.Contains(s, "app-000040") {
		t.Fatalf("after the pass:\n%s", s)
	}
	_, cmd := m.Update(loadFeeds(m.loadSpec())())
	runPasses(m, cmd)
	if s2 := screen(t, m); s2 != s {
		t.Fatalf("a load undid the filter:\n%s", s2)
	}
}

// runPasses runs grids' passes as the program would, handing them back to the model, until
// none is left.
func runPasses(m *Model, cmds ...tea.Cmd) {
	for len(cmds) > 0 {
		cmd := cmds[0]
		cmds = cmds[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			cmds = append(cmds, msg...)
		case filteredMsg:
			_, next := m.Update(msg)
			cmds = append(cmds, next)
		}
	}
}

// A table the screen still shows while its pass is out (a new sort order over a big Pods table)
// is not handed back to the loads to refill: the screen drew rows a load was writing.
func TestAShownTableIsNotRefilled(t *testing.T) {
	be, snap := siteAtScale(50, bigGrid+1000)
	ps := be.Pods()
	i := 0
	be.PodChanges = func() ([]PodInfo, bool) {
		if i == 0 {
			i++
			return ps, true
		}
		i++
		p := ps[i]
		p.Restarts = i
		return []PodInfo{p}, false
	}
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	applySnapshot(m, snap)
	applySnapshot(m, snap) // a table handed out, one given back
	press(m, "3")
	spec := m.loadSpec()  // loads that began before the new order
	pass := press(m, "s") // a pass out; the screen shows the table as it was
	before, shown := screen(t, m), slices.Clone(m.pods.grid.rows)
	for range 3 {
		m.Update(loadFeeds(spec)()) // they end while the pass is out
		if !slices.Equal(m.pods.grid.rows, shown) {
			t.Fatal("a load refilled the table on screen")
		}
	}
	runPasses(m, pass)
	if s := screen(t, m); s == before {
		t.Fatal("the new order never came")
	}
}

// With a filter set on a big Pods pane, a load brings the rows through it (kept by the pods that
// moved): the screen takes them with no pass of its own over every row, and shows the change.
func TestALoadBringsTheFilteredPods(t *testing.T) {
	be, snap := siteAtScale(50, bigGrid+1000)
	ps := be.Pods()
	var next []PodInfo
	first := true
	be.PodChanges = func() ([]PodInfo, bool) {
		if first {
			first = false
			return ps, true
		}
		c := next
		next = nil
		return c, false
	}
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	applySnapshot(m, snap)
	filterTo(m, "3", "app-00012")
	at := slices.IndexFunc(ps, func(p PodInfo) bool { return p.Name == "app-000120" })
	p := ps[at]
	p.Phase, p.Reason, p.Ready = "Running", "CrashLoopBackOff", false
	next = []PodInfo{p}
	msg := loadFeeds(m.loadSpec())().(feedMsg)
	if msg.podsFilter == nil || msg.podsFilter != m.pods.grid.filter || len(msg.podsShown) != 10 {
		t.Fatalf("the load's filtered pods: %d, filter %v", len(msg.podsShown), msg.podsFilter)
	}
	_, cmd := m.Update(msg)
	if m.pods.grid.passing {
		t.Fatal("the screen started a pass over rows the load had filtered")
	}
	runPasses(m, cmd)
	if row := lineWith(screen(t, m), "app-000120"); !strings.Contains(row, "CrashLoopBackOff") {
		t.Fatalf("the change is not on screen: %q", row)
	}
}

// lineWith is the screen's line holding s ("" when none does).
func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// The same for a Nodes pane of more than 5,000 nodes: a node that goes NotReady shows in the
// filtered pane with the load that read it, no pass after.
func TestALoadBringsTheFilteredNodes(t *testing.T) {
	be, snap := siteAtScale(bigGrid+10, bigGrid+10)
	ns := be.Nodes()
	var version uint64 = 1
	be.NodesVersion = func() uint64 { return version }
	m := New(Options{Site: "big", Backend: be, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	applySnapshot(m, snap)
	filterTo(m, "2", "node500")
	if n := len(m.nodes.grid.rows); n != 10 {
		t.Fatalf("filtered: %d nodes", n)
	}
	a, b := loadFeeds(m.loadSpec())().(feedMsg), loadFeeds(m.loadSpec())().(feedMsg)
	if len(a.nodesShown) != 10 || !sameRows(a.nodesShown, b.nodesShown) {
		t.Fatal("loads that moved no node walked the nodes through the filter again")
	}
	ns[5003].Ready = "False"
	version++
	_, cmd := m.Update(loadFeeds(m.loadSpec())())
	if m.nodes.grid.passing {
		t.Fatal("the screen started a pass over nodes the load had filtered")
	}
	runPasses(m, cmd)
	if row := lineWith(screen(t, m), "node5003"); !strings.Contains(row, "NotReady") {
		t.Fatalf("the change is not on screen: %q", row)
	}
}

// filterTo goes to pane (its key), types text into its filter and enter, running the passes.
func filterTo(m *Model, pane, text string) {
	press(m, pane, "/")
	var passes []tea.Cmd
	for _, r := range text {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		passes = append(passes, cmd)
	}
	runPasses(m, append(passes, press(m, "enter"))...)
}

// A pane nobody has looked at keeps its top row selected when its rows reorder: the Pods table
// built before the first findings came selected its first healthy pod, and once the problems
// sorted above it the pane opened scrolled past every one of them (1,000 at 5,000 nodes). A key
// while a pane is focused holds its selection from then on (TestSelectionFollowsTheRowNotThePosition).
func TestAPaneNobodyLookedAtKeepsItsTopRowSelected(t *testing.T) {
	m := New(Options{Site: "demo", StaleAfter: time.Minute, Now: func() time.Time { return t0 }, Backend: demoBackend(),
		Window: func(time.Time) string { return "" }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	applySnapshot(m, checks.SnapshotOf(t0, demoFindings()))
	if ref, _, _ := m.panes[panePods].Selected(); ref.Name != "web-2" {
		t.Fatalf("the Pods pane selects %v first", ref)
	}
	// web-1 turns crit: it sorts above web-2 (by key), in both panes.
	fs := append(demoFindings(), checks.Finding{Check: "kube.pod", Area: "kubernetes", Target: "app/web-1", Status: checks.Crit, Summary: "OOMKilled", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	if ref, _, _ := m.panes[panePods].Selected(); ref.Name != "web-1" {
		t.Fatalf("the Pods pane, never looked at, selects %v, not its top row", ref)
	}
	alerts := m.panes[paneAlerts].(*findingsPane)
	if g := alerts.grid; g.cursor != 0 || len(g.rows) == 0 || g.selected != g.rows[0].key {
		t.Fatalf("the Alerts pane before any key selects row %d, not its top row", g.cursor)
	}
	press(m, "3")
	if line := lineWith(ansi.Strip(m.Render()), "web-1"); !strings.Contains(line, "›") {
		t.Fatalf("the top row is not shown selected: %q", line)
	}
}

// The first key in a pane holds the row the screen showed selected, not one a load moved the
// selection to after that frame: the key acts on what the operator saw.
func TestAKeyHoldsTheRowTheScreenShowed(t *testing.T) {
	m := newModel(t, Options{}, 120, 30)
	press(m, "3")
	if line := lineWith(ansi.Strip(m.Render()), "web-2"); !strings.Contains(line, "›") {
		t.Fatalf("web-2 is not shown selected: %q", line)
	}
	fs := append(demoFindings(), checks.Finding{Check: "kube.pod", Area: "kubernetes", Target: "app/web-1", Status: checks.Crit, Summary: "OOMKilled", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs)) // web-1 sorts first; no frame drawn since
	press(m, "esc")
	if ref, _, _ := m.panes[panePods].Selected(); ref.Name != "web-2" {
		t.Fatalf("the key held %v, not the row the screen showed", ref)
	}
}

// A wall screen holds no selection: whatever key someone pressed on it, its panes show their
// worst rows first when the rows reorder.
func TestAWallScreenHoldsNoSelection(t *testing.T) {
	m := newModel(t, Options{Watch: true}, 120, 30)
	press(m, "2", "esc")
	fs := append(demoFindings(), checks.Finding{Check: "host.disk", Area: "hosts", Target: "node1", Status: checks.Crit, Summary: "/ 99 % used", ObservedAt: t0})
	checks.SortWorstFirst(fs)
	applySnapshot(m, checks.SnapshotOf(t0, fs))
	if ref, _, _ := m.panes[paneNodes].Selected(); ref.Name != "node1" {
		t.Fatalf("the wall screen's Nodes pane kept %v selected, not its top row", ref)
	}
}
