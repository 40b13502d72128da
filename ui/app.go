package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/actions"
	"opsdeck/checks"
)

// Options configure the cockpit.
type Options struct {
	Site       string
	Store      *checks.Store
	Backend    Backend
	Session    *actions.Session // nil in a read-only process: no action key is bound
	ReadOnly   bool
	Watch      bool          // wall screen: big tiles, cycling through panes with problems
	Cycle      time.Duration // watch mode: time on each pane (0: no cycling)
	Theme      string
	StaleAfter time.Duration // findings older than this are marked stale
	// StaleAfterFor, when set, is the stale line of one check (two of its intervals and its
	// timeout): a certificate read hourly is not stale after a minute.
	StaleAfterFor func(check string) time.Duration
	Now           func() time.Time
	// Window says where now falls in the change discipline (header).
	Window func(now time.Time) string
	// Rerun re-runs one check on one target now (r); it is called off the UI goroutine.
	Rerun func(ctx context.Context, check, target string)
	// Logs is the log pane, when the site has log sources.
	Logs Pane
	// PodEvents, when set, lists the newest events of one pod (called off the UI goroutine).
	PodEvents func(ctx context.Context, ref checks.Ref, limit int) ([]PodEvent, error)
}

// Model is the root: header, status strip, panes, the dialog stack and the footer.
type Model struct {
	opts    Options
	keys    KeyMap
	panes   []Pane
	focus   int
	dialogs []dialog
	zoom    bool

	sub    chan checks.Snapshot
	snap   checks.Snapshot
	oldest time.Time
	feed   feedMsg

	feedLoading            bool
	feedDirty, dirtyUrgent bool       // asked for during a load; urgently (the caches moved)
	feedWaiting            bool       // a calm load is scheduled
	lastLoad               time.Time  // wall clock: spacing loads is not the screen's clock
	cache                  *loadCache // only the load in flight uses it

	filtering bool
	filter    lineInput      // the focused pane's filter, as typed
	filters   map[int]string // every other pane's: each pane keeps its own
	filterOK  string         // the focused pane's last filter that compiled (enter keeps it)
	filterErr string

	runs    []*run
	nextRun int
	flash   string
	quitArm bool

	cyclePaused bool
	lastCycle   time.Time

	now           time.Time
	width, height int
	// frame is the last View's: a frame drawn again the same is handed out as the same string,
	// so bubbletea's renderer, comparing the view at each of its 120 ticks a second, compares
	// two pointers instead of 40 kB until the screen moves.
	frame string
	memo  lineMemos

	alerts, adns, ntp, certs *findingsPane
	nodes, pods, hosts       *tablePane
}

type snapshotMsg checks.Snapshot
type tickMsg time.Time
type feedTickMsg struct{ urgent bool }

// New builds the cockpit on a store; it subscribes to the store's snapshots.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ReadOnly {
		o.Session = nil // read-only by construction: nothing here can reach an executor
	}
	if o.Theme != "" {
		setTheme(o.Theme, noColorEnv(), utf8Locale())
	}
	m := &Model{opts: o, keys: newKeyMap(o.Session == nil, o.Watch), now: o.Now(), width: 80, height: 24, cache: &loadCache{}}
	if o.Store != nil {
		m.sub = o.Store.Subscribe()
	}
	miss := o.Backend.Missing
	m.alerts = newFindingsPane("Alerts", nil, true, "")
	m.adns = newFindingsPane("ADNS", []string{"adns", "dns"}, false, miss["ADNS"])
	m.ntp = newFindingsPane("NTP", []string{"ntp"}, false, miss["NTP"])
	m.certs = newFindingsPane("Certs", []string{"certs"}, false, miss["Certs"])
	noKube := "no cluster configured: set clusters: in the site file"
	m.nodes = newTablePane("Nodes", []column{{title: "NODE", width: 16}, {title: "STATUS", width: 14}, {title: "BEAT", width: 5, right: true},
		{title: "KUBELET", width: 7}, {title: "CPU", width: 4, right: true, drop: 3}, {title: "MEM", width: 4, right: true, drop: 4},
		{title: "DISK", width: 16, drop: 5}, {title: "LOAD", width: 5, right: true, drop: 6}, {title: "PODS r/nr", width: 9, right: true, drop: 1},
		{title: "UP", width: 4, right: true, drop: 7}, {title: "SSH", width: 3, drop: 2}, {title: "PROBLEMS"}}, noKube)
	if beat := o.Backend.Beat; beat != nil {
		m.nodes.grid.liveOf = func(r *gridRow) (time.Time, bool) { return beat(r.ref.Cluster, r.ref.Name) }
	}
	m.pods = newTablePane("Pods", []column{{title: "POD", width: 34}, {title: "NAMESPACE", width: 14}, {title: "READY", width: 5, drop: 2},
		{title: "STATUS", width: 18}, {title: "RESTARTS", width: 8, right: true, drop: 1}, {title: "NODE", width: 14, drop: 3}, {title: "AGE"}}, noKube)
	m.hosts = newTablePane("Hosts", []column{{title: "HOST", width: 14}, {title: "ADDRESS", width: 15, drop: 6}, {title: "SSH", width: 3},
		{title: "RTT", width: 6, right: true, drop: 5}, {title: "LOAD", width: 5, right: true, drop: 4}, {title: "CPU", width: 4, right: true, drop: 1},
		{title: "MEM", width: 4, right: true, drop: 2}, {title: "DISK", width: 16, drop: 3}, {title: "UP", width: 4, right: true, drop: 7},
		{title: "UNITS", width: 7, drop: 8}, {title: "PORTS", width: 7, drop: 9}, {title: "ROLES / LAST ERROR"}}, "no hosts in the inventory: set hosts: in the site file")
	m.grids(func(g *grid) { g.staleAfter = o.StaleAfter })
	for _, g := range []*grid{m.alerts.grid, m.adns.grid, m.ntp.grid, m.certs.grid, m.nodes.grid, m.pods.grid, m.hosts.grid} {
		g.mark = m.runMark
	}
	logs := o.Logs
	if logs == nil {
		logs = &placeholderPane{title: "Logs", text: "no data source configured: set logs: in the site file (local files, hosts over SSH, containers, pods)"}
	}
	m.panes = []Pane{m.alerts, m.nodes, m.pods, m.hosts, m.adns, m.ntp, m.certs, logs}
	m.layout()
	return m
}

func (m *Model) grids(f func(*grid)) {
	for _, g := range []*grid{m.alerts.grid, m.adns.grid, m.ntp.grid, m.certs.grid} {
		f(g)
	}
}

// Init starts listening for snapshots and cache changes, and the clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitSnapshot(), tick(), waitChanged(m.opts.Backend.Changed), m.requestFeeds(true)}
	if m.opts.Logs != nil {
		if in, ok := m.opts.Logs.(interface{ Init() tea.Cmd }); ok {
			cmds = append(cmds, in.Init())
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) waitSnapshot() tea.Cmd {
	if m.sub == nil {
		return nil
	}
	ch := m.sub
	return func() tea.Msg { return snapshotMsg(<-ch) }
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// calmEvery spaces loads that findings and the clock ask for; a change of Nodes or pods in the
// caches (urgent) loads within 100 ms. A round of checks publishes a snapshot every 100 ms for
// a second or two: each used to start a load as the last one ended.
const calmEvery = time.Second

// urgentEvery is the least time between the starts of two loads a cache change asks for.
const urgentEvery = 100 * time.Millisecond

// requestFeeds rebuilds the panes' rows off the UI goroutine, one load at a time: changes that
// arrive during a load are folded into the next one.
func (m *Model) requestFeeds(urgent bool) tea.Cmd {
	if m.feedLoading {
		m.feedDirty = true
		m.dirtyUrgent = m.dirtyUrgent || urgent
		return nil
	}
	if since := time.Since(m.lastLoad); !urgent && since < calmEvery {
		m.feedDirty = true // a load started since covers it
		if m.feedWaiting {
			return nil
		}
		m.feedWaiting = true
		return tea.Tick(calmEvery-since, func(time.Time) tea.Msg { return feedTickMsg{} })
	}
	m.feedLoading, m.feedDirty, m.dirtyUrgent, m.lastLoad = true, false, false, time.Now()
	return loadFeeds(m.loadSpec())
}

func (m *Model) loadSpec() loadSpec {
	return loadSpec{backend: m.opts.Backend, snap: m.snap, now: m.now,
		orders:     [3]rowOrder{m.nodes.grid.order(), m.pods.grid.order(), m.hosts.grid.order()},
		podsFilter: m.pods.filterForLoad(), nodesFilter: m.nodes.filterForLoad(),
		findings: []*findingsPane{m.alerts, m.adns, m.ntp, m.certs}, staleFor: m.opts.StaleAfterFor, cache: m.cache}
}

// Update routes one message; it never does I/O.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case snapshotMsg:
		m.snap = checks.Snapshot(msg) // rows are built from it in the next load, off this goroutine
		return m, tea.Batch(m.waitSnapshot(), m.requestFeeds(m.snap.Urgent))
	case kubeChangedMsg:
		return m, tea.Batch(waitChanged(m.opts.Backend.Changed), m.requestFeeds(true))
	case feedMsg:
		m.feedLoading = false
		m.feed, m.oldest = msg, msg.oldest
		passes := []tea.Cmd{m.nodes.setShown(msg.nodes, msg.orders[0], msg.counts[0], msg.nodesFilter, msg.nodesShown)}
		last := m.pods.rows
		passes = append(passes, m.pods.setShown(msg.pods, msg.orders[1], msg.counts[1], msg.podsFilter, msg.podsShown))
		if !m.pods.grid.holds(last) { // no load is in flight; a pass out may still read it
			m.cache.pods.giveBack(last)
		}
		passes = append(passes, m.hosts.setOrdered(msg.hosts, msg.orders[2], msg.counts[2]))
		for i, p := range []*findingsPane{m.alerts, m.adns, m.ntp, m.certs} {
			if i < len(msg.findings) {
				passes = append(passes, p.take(msg.findings[i]))
			}
		}
		return m, tea.Batch(append(passes, m.afterLoad())...)
	case filteredMsg:
		return m, msg.g.takeFiltered(msg)
	case feedTickMsg:
		if !msg.urgent {
			m.feedWaiting = false
			if !m.feedDirty { // an urgent load came first and covered it
				return m, nil
			}
		}
		return m, m.requestFeeds(msg.urgent)
	case tickMsg:
		m.now = time.Time(msg)
		var cmds []tea.Cmd
		cmds = append(cmds, tick())
		// Connection states move without cache events or findings; on a site with clusters a
		// quiet snapshot loads every 10 s anyway (ages tick at each frame).
		if time.Since(m.lastLoad) >= 10*time.Second {
			cmds = append(cmds, m.requestFeeds(false))
		}
		m.cycle()
		return m, tea.Batch(cmds...)
	case actionsMsg:
		for _, d := range m.dialogs {
			switch d := d.(type) {
			case *actionsDialog:
				if d.ref == msg.ref {
					d.items, d.ready = msg.items, true
				}
			case *detailDialog:
				if d.ref == msg.ref {
					d.actions, d.loading = msg.items, false
				}
			}
		}
		return m, nil
	case runEventMsg:
		if r := m.run(msg.id); r != nil {
			r.events = append(r.events, eventText(msg.ev))
		}
		return m, nil
	case runDoneMsg:
		if r := m.run(msg.id); r != nil {
			r.done, r.result, r.auditID = true, msg.out.Result, msg.out.ID
			if msg.err != nil {
				r.err = msg.err.Error()
			}
			m.flash = r.short()
		}
		return m, nil
	case auditedMsg:
		if msg.err != nil {
			m.flash = "audit: " + msg.err.Error()
		}
		return m, nil
	case podEventsMsg:
		m.takePodEvents(msg)
		return m, nil
	case namespaceMsg:
		m.focusPane(panePods)
		return m, m.pods.setNamespace(string(msg))
	case tea.KeyPressMsg:
		m.holdSelection()
		return m, m.key(msg)
	}
	// Anything else belongs to a pane (the log pane's stream messages).
	if m.opts.Logs != nil {
		p, cmd := m.opts.Logs.Update(msg)
		m.opts.Logs = p
		m.panes[paneLogs] = p
		return m, cmd
	}
	return m, nil
}

// afterLoad starts the next load when changes came during this one.
func (m *Model) afterLoad() tea.Cmd {
	switch {
	case m.dirtyUrgent:
		// Coalesce: at most one rebuild per urgentEvery however fast the caches move, counted
		// from the start of this load: after a slow one (5,000 node rows) the next starts at
		// once, where it waited 100 ms more.
		if wait := urgentEvery - time.Since(m.lastLoad); wait > 0 {
			return tea.Tick(wait, func(time.Time) tea.Msg { return feedTickMsg{urgent: true} })
		}
		return m.requestFeeds(true)
	case m.feedDirty:
		return m.requestFeeds(false) // findings or the clock: within calmEvery of this load
	}
	return nil
}

// key handles a key press: the top dialog first, then the filter line, then the focused pane's
// own bindings, then the global keymap.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit(true)
	}
	if n := len(m.dialogs); n > 0 {
		done, cmd := m.dialogs[n-1].key(m, k)
		if done { // pop this dialog; one it opened meanwhile stays on top
			m.dialogs = append(m.dialogs[:n-1], m.dialogs[n:]...)
		}
		return cmd
	}
	if m.filtering {
		return m.filterKey(k)
	}
	p := m.panes[m.focus]
	if c, ok := p.(interface{ Capturing() bool }); ok && c.Capturing() || matchesAny(k, p.Keys()) {
		np, cmd := p.Update(k)
		m.panes[m.focus] = np
		return cmd
	}
	if !key.Matches(k, m.keys.Quit) {
		m.quitArm = false
	}
	ks := m.keys
	switch {
	case key.Matches(k, ks.Quit):
		return m.quit(false)
	case key.Matches(k, ks.Down):
		p.Move(1)
	case key.Matches(k, ks.Up):
		p.Move(-1)
	case key.Matches(k, ks.PageDown):
		p.Move(m.bodyHeight() - 1)
	case key.Matches(k, ks.PageUp):
		p.Move(-(m.bodyHeight() - 1))
	case key.Matches(k, ks.Top):
		p.Move(-1 << 30)
	case key.Matches(k, ks.Bottom):
		p.Move(1 << 30)
	case key.Matches(k, ks.NextPane):
		m.focusPane((m.focus + 1) % len(m.panes))
	case key.Matches(k, ks.PrevPane):
		m.focusPane((m.focus + len(m.panes) - 1) % len(m.panes))
	case key.Matches(k, ks.Enter):
		return m.openDetail()
	case key.Matches(k, ks.Actions):
		if ref, _, ok := p.Selected(); ok {
			return m.openActions(ref)
		}
	case key.Matches(k, ks.Rerun):
		return m.rerun()
	case key.Matches(k, ks.Logs):
		if ref, _, ok := p.Selected(); ok {
			return m.openLogs(ref)
		}
	case key.Matches(k, ks.Palette):
		m.dialogs = append(m.dialogs, newPalette(m.paletteEntries()))
	case key.Matches(k, ks.Filter):
		m.filtering = true
		m.filter.prompt = "/"
		m.filterOK = m.filter.value
	case key.Matches(k, ks.Help):
		m.dialogs = append(m.dialogs, helpDialog{})
	case key.Matches(k, ks.Zoom):
		m.zoom = !m.zoom
		m.layout()
	case key.Matches(k, ks.Pause):
		m.cyclePaused = !m.cyclePaused
	case key.Matches(k, ks.Back):
		m.flash = ""
	default:
		for i, b := range ks.Panes {
			if key.Matches(k, b) {
				m.focusPane(i)
			}
		}
	}
	return nil
}

func matchesAny(k tea.KeyPressMsg, bs []key.Binding) bool {
	return len(bs) > 0 && key.Matches(k, bs...)
}

// focusPane shows pane i; the filter line follows, each pane keeping its own filter (the title
// said "filter /node-7" over an unfiltered Pods pane, and typing there appended to it).
func (m *Model) focusPane(i int) {
	if m.filters == nil {
		m.filters = map[int]string{}
	}
	m.filters[m.focus] = m.filter.value
	m.focus = i
	m.filter.value, m.filterErr = m.filters[i], ""
	m.lastCycle = m.now
	m.layout()
}

// holdSelection keeps the focused pane's selection on the row the operator sees selected, however
// its rows reorder: a key pressed while a pane is focused says someone is looking at it. A pane
// nobody has pressed a key in yet (one just switched to, the panes before the first key) keeps
// its top row selected (grid.chosen), and so does a wall screen, which cycles its panes itself.
func (m *Model) holdSelection() {
	if m.opts.Watch {
		return
	}
	if h, ok := m.panes[m.focus].(interface{ holdSelection() }); ok {
		h.holdSelection()
	}
}

// quit asks once more while an action runs, and on a wall screen for q (ctrl+c is deliberate).
func (m *Model) quit(ctrlC bool) tea.Cmd {
	running := 0
	for _, r := range m.runs {
		if !r.done {
			running++
		}
	}
	if running > 0 && !m.quitArm {
		m.quitArm = true
		m.flash = fmt.Sprintf("%d action(s) still running: press q again to quit anyway (the audit log keeps what ran)", running)
		return nil
	}
	if m.opts.Watch && !ctrlC && !m.quitArm {
		// A wall screen must not vanish on one stray key (or a terminal reply read as one).
		m.quitArm = true
		m.flash = "watch: press q again to quit"
		return nil
	}
	if m.opts.Store != nil && m.sub != nil {
		m.opts.Store.Unsubscribe(m.sub)
	}
	return tea.Quit
}

// filterKey edits the focused pane's filter: a regex, "!" in front inverts.
func (m *Model) filterKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.filtering = false
		m.filter.value, m.filterErr = "", ""
		return m.panes[m.focus].SetFilter(nil)
	case "enter":
		m.filtering = false
		if m.filterErr != "" { // the pane is filtered by the last pattern that compiled: say so
			m.filter.value, m.filterErr = m.filterOK, ""
		}
		return nil
	}
	if m.filter.update(k) {
		return m.applyFilter()
	}
	return nil
}

func (m *Model) applyFilter() tea.Cmd {
	f, err := parseFilter(m.filter.value)
	if err != nil {
		m.filterErr = "bad regex: " + err.Error()
		return nil
	}
	m.filterErr, m.filterOK = "", m.filter.value
	return m.panes[m.focus].SetFilter(f)
}

// openDetail pushes the detail page of the selection.
func (m *Model) openDetail() tea.Cmd {
	p := m.panes[m.focus]
	ref, f, ok := p.Selected()
	if !ok {
		return nil
	}
	d := &detailDialog{ref: ref, finding: f}
	if tp, ok := p.(*tablePane); ok {
		if r, ok := tp.grid.current(); ok {
			for i, c := range tp.grid.cols {
				if t := tp.grid.cellAt(r, i, m.now); t != "" {
					d.row = append(d.row, padRight(strings.ToLower(c.title), 12)+t)
				}
			}
		}
	}
	m.dialogs = append(m.dialogs, d)
	events := d.startPodEvents(m, false) // a not-ready pod's events, asked off this goroutine
	if m.opts.Session == nil {
		return events
	}
	d.loading = true
	return tea.Batch(events, lookupActions(m.opts.Session, ref))
}

// openActions pushes the actions menu of ref (nothing in read-only mode).
func (m *Model) openActions(ref checks.Ref) tea.Cmd {
	if m.opts.Session == nil {
		m.flash = "read-only: no action can run here"
		return nil
	}
	m.dialogs = append(m.dialogs, &actionsDialog{ref: ref})
	return lookupActions(m.opts.Session, ref)
}

// confirmAction pushes the confirmation of one planned action, unless the gate refuses outright.
func (m *Model) confirmAction(it actionItem) tea.Cmd {
	switch {
	case it.err != nil:
		m.flash = "cannot plan " + it.app.Action.Name + ": " + it.err.Error()
		return nil
	case it.pending == nil:
		return nil
	case !it.pending.Verdict.Allowed && !it.pending.NeedsEmergency():
		m.flash = it.app.Action.Name + " refused: " + it.pending.Verdict.String()
		return nil
	}
	m.dialogs = append(m.dialogs, newConfirm(it))
	return nil
}

// cancelAction records the abandoned attempt (audit I/O, so in a command).
func (m *Model) cancelAction(p *actions.Pending, typed, why string) tea.Cmd {
	s := m.opts.Session
	m.flash = "cancelled " + p.Plan.Action + " on " + p.Plan.Target + " (recorded in the audit log)"
	return func() tea.Msg { return auditedMsg{s.Cancel(p, typed, why)} }
}

// startRun runs a confirmed plan in the background; its events come back as messages.
func (m *Model) startRun(ref checks.Ref, p *actions.Pending, typed, emergency string) tea.Cmd {
	m.nextRun++
	r := &run{id: m.nextRun, action: p.Plan.Action, target: p.Plan.Target, ref: ref, started: m.now}
	m.runs = append(m.runs, r)
	m.flash = "running " + r.action + " on " + r.target
	events := make(chan tea.Msg, 64)
	s := m.opts.Session
	go func() {
		out, err := s.Run(context.Background(), p, typed, emergency, func(ev actions.Event) {
			events <- runEventMsg{id: r.id, ev: ev}
		})
		events <- runDoneMsg{id: r.id, out: out, err: err}
		close(events)
	}()
	return listen(events)
}

// listen delivers a run's events one message at a time.
func listen(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		if _, done := msg.(runDoneMsg); done {
			return msg
		}
		return tea.BatchMsg{func() tea.Msg { return msg }, listen(ch)}
	}
}

func (m *Model) run(id int) *run {
	for _, r := range m.runs {
		if r.id == id {
			return r
		}
	}
	return nil
}

// runMark is the state of the newest action run on ref, as one cell.
func (m *Model) runMark(ref checks.Ref) string {
	for i := len(m.runs) - 1; i >= 0; i-- {
		if r := m.runs[i]; r.ref.Name == ref.Name && r.ref.Cluster == ref.Cluster && r.ref.Namespace == ref.Namespace {
			switch {
			case !r.done:
				return statusText[checks.Warn].Render(sym.running)
			case r.result == "succeeded":
				return statusText[checks.OK].Render(sym.ok)
			}
			return statusText[checks.Crit].Render(sym.failed)
		}
	}
	return ""
}

func (m *Model) runsOn(ref checks.Ref) []*run {
	var out []*run
	for _, r := range m.runs {
		if r.ref == ref {
			out = append(out, r)
		}
	}
	return out
}

// rerun re-runs the checks of the selection now.
func (m *Model) rerun() tea.Cmd {
	ref, f, ok := m.panes[m.focus].Selected()
	if !ok || m.opts.Rerun == nil {
		return nil
	}
	fs := findingsOn(m.snap.Findings, ref)
	if f != nil {
		fs = append(fs, *f)
	}
	seen := map[string]bool{}
	var jobs [][2]string
	for _, f := range fs {
		if !seen[f.Key()] {
			seen[f.Key()] = true
			jobs = append(jobs, [2]string{f.Check, f.Target})
		}
	}
	m.flash = fmt.Sprintf("re-checking %s (%d checks)", ref.Target(), len(jobs))
	rerun := m.opts.Rerun
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, j := range jobs {
			rerun(ctx, j[0], j[1])
		}
		return nil
	}
}

// openLogs focuses the log pane on what ref names.
func (m *Model) openLogs(ref checks.Ref) tea.Cmd {
	lp, ok := m.panes[paneLogs].(interface{ ShowTarget(string) bool })
	if !ok {
		m.flash = "no log sources configured (logs: in the site file)"
		return nil
	}
	if !lp.ShowTarget(ref.Target()) {
		m.flash = "no log source belongs to " + ref.Target()
	}
	m.dialogs = nil
	m.focusPane(paneLogs)
	return nil
}

// cycle moves the wall screen to the next pane with problems every Cycle.
func (m *Model) cycle() {
	if !m.opts.Watch || m.opts.Cycle <= 0 || m.cyclePaused || len(m.dialogs) > 0 || m.filtering {
		return
	}
	if m.now.Sub(m.lastCycle) < m.opts.Cycle {
		return
	}
	for i := 1; i <= len(m.panes); i++ {
		j := (m.focus + i) % len(m.panes)
		if t := m.panes[j].Tile(); t.bad > 0 {
			if r, ok := m.panes[j].(interface{ releaseSelection() }); ok {
				r.releaseSelection() // someone moved it meanwhile: the wall shows the worst rows first
			}
			m.focusPane(j)
			return
		}
	}
	m.lastCycle = m.now
}

// paletteEntries are everything `:` can go to.
func (m *Model) paletteEntries() []paletteEntry {
	var es []paletteEntry
	for i, n := range paneNames {
		es = append(es, paletteEntry{label: "pane " + n, run: func(m *Model) tea.Cmd { m.focusPane(i); return nil }})
	}
	goTo := func(pane int, tp *tablePane, kind string) {
		for _, r := range tp.rows {
			k := r.key
			es = append(es, paletteEntry{label: kind + " " + k, run: func(m *Model) tea.Cmd {
				tp.grid.choose(k) // kept by the rows shown next, now or when their pass is back
				cmd := tp.grid.setFilter(nil)
				tp.grid.selectKey(k)
				m.focusPane(pane)
				m.filter.value = "" // the row is shown whatever the pane's filter was
				return cmd
			}})
		}
	}
	goTo(paneNodes, m.nodes, "node")
	goTo(paneHosts, m.hosts, "host")
	nss := map[string]bool{}
	for _, r := range m.pods.rows {
		nss[r.ref.Namespace] = true
	}
	for _, ns := range sortedKeys(nss) {
		es = append(es, paletteEntry{label: "ns " + ns, run: func(*Model) tea.Cmd { return func() tea.Msg { return namespaceMsg(ns) } }})
	}
	es = append(es, paletteEntry{label: "ns (all namespaces)", run: func(*Model) tea.Cmd { return func() tea.Msg { return namespaceMsg("") } }})
	if s := m.opts.Session; s != nil {
		for _, a := range s.Registry.All() {
			name := a.Name
			es = append(es, paletteEntry{label: "action " + name + " — " + a.Title, run: func(m *Model) tea.Cmd {
				ref, _, ok := m.panes[m.focus].Selected()
				if !ok {
					m.flash = "select a row first: " + name + " runs on the selection"
					return nil
				}
				return m.openActions(ref)
			}})
		}
	}
	return es
}

// layout gives every pane its size.
func (m *Model) layout() {
	h := m.bodyHeight()
	for i, p := range m.panes {
		w := m.width
		if m.split() && i == m.focus {
			w = m.width - m.alertsWidth() - 1
		}
		p.SetSize(w, h)
	}
	if m.split() {
		m.alerts.SetSize(m.alertsWidth(), h)
	}
}

// split: at ≥ 160 columns the Alerts pane stands beside the focused pane.
func (m *Model) split() bool { return m.width >= 160 && !m.zoom && m.focus != paneAlerts }

func (m *Model) alertsWidth() int { return min(m.width*2/5, max(m.width-120, 48)) }

func (m *Model) stripHeight() int {
	switch {
	case m.zoom:
		return 0
	case m.opts.Watch:
		return 3
	}
	return 1
}

// bodyHeight is what is left for a pane: header, strip, title line, footer.
func (m *Model) bodyHeight() int { return max(m.height-m.stripHeight()-3, 1) }

// View draws the screen.
func (m *Model) View() tea.View {
	if f := m.Render(); f != m.frame {
		m.frame = f
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "opsdeck · " + m.opts.Site
	return v
}

// Render is the screen as a string (View wraps it; tests read it with ansi.Strip).
func (m *Model) Render() string {
	parts := []string{m.header()}
	if s := m.stripHeight(); s > 0 {
		parts = append(parts, m.strip())
	}
	h := m.bodyHeight()
	var body string
	if n := len(m.dialogs); n > 0 {
		parts = append(parts, m.titleLine(dialogTitle(m.dialogs[n-1])))
		body = m.dialogs[n-1].view(m, m.width, h)
	} else {
		parts = append(parts, m.titleLine(""))
		body = m.panes[m.focus].View(m.now)
		if m.split() {
			body = m.memo.left.join(m.alerts.View(m.now), body, m.alertsWidth(), h)
		}
	}
	parts = append(parts, body, m.footer())
	return strings.Join(parts, "\n")
}

func dialogTitle(d dialog) string {
	switch d.(type) {
	case *detailDialog:
		return "details"
	case *actionsDialog:
		return "actions"
	case *confirmDialog:
		return "confirm"
	case *paletteDialog:
		return "go to"
	case helpDialog:
		return "help"
	}
	return ""
}

// titleLine names what the body shows: the focused pane (and Alerts beside it), or a dialog.
func (m *Model) titleLine(dialog string) string {
	k := titleKey{title: m.panes[m.focus].Title(), dialog: dialog, filter: m.filter.value, filtering: m.filtering,
		split: m.split() && dialog == "", width: m.width}
	if k.split {
		k.alertsWidth = m.alertsWidth()
	}
	return m.memo.title.get(k, drawTitle)
}

func drawTitle(k titleKey) string {
	t := " " + labelStyle.Render(k.title)
	if k.dialog != "" {
		t += " " + sym.sep + " " + k.dialog
	}
	if k.filter != "" || k.filtering {
		t += dimStyle.Render("  filter /" + k.filter)
	}
	if k.split {
		t = padRight(" "+labelStyle.Render("Alerts"), k.alertsWidth+1) + t
	}
	return cut(t, k.width)
}

// footer is the filter line while filtering, else runs, a message, or the keys.
func (m *Model) footer() string {
	if m.filtering {
		line := m.filter.view(m.width - 1)
		if m.filterErr != "" {
			line += "  " + statusText[checks.Crit].Render(m.filterErr)
		}
		return cut(line, m.width)
	}
	k := footerKey{width: m.width}
	if m.quitArm {
		k.text, k.style = " "+m.flash, footerWarn
		return m.memo.footer.get(k, drawFooter)
	}
	var running []string
	for _, r := range m.runs {
		if !r.done {
			running = append(running, r.short())
		}
	}
	if len(running) > 0 {
		k.text, k.style = " ▶ "+strings.Join(running, " | "), footerWarn
		return m.memo.footer.get(k, drawFooter)
	}
	if m.flash != "" {
		k.text = " " + m.flash
		return m.memo.footer.get(k, drawFooter)
	}
	var hints []string
	for _, b := range m.keys.short() {
		if b.Enabled() {
			hints = append(hints, b.Help().Key+" "+b.Help().Desc)
		}
	}
	if m.opts.Watch {
		state := "cycling"
		if m.cyclePaused || m.opts.Cycle <= 0 {
			state = "not cycling"
		}
		hints = append([]string{"watch (read-only) · " + state}, hints...)
	}
	k.text, k.style = " "+strings.Join(hints, " "+sym.sep+" "), footerDim
	return m.memo.footer.get(k, drawFooter)
}

func drawFooter(k footerKey) string {
	switch k.style {
	case footerWarn:
		return cut(statusText[checks.Warn].Render(k.text), k.width)
	case footerDim:
		return dimStyle.Render(cut(k.text, k.width))
	}
	return cut(k.text, k.width)
}
