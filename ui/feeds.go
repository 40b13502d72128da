package ui

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// NodeInfo is one Kubernetes Node as the caches hold it.
type NodeInfo struct {
	Cluster      string
	Name         string
	Ready        string    // True | False | Unknown
	Heartbeat    time.Time // the lease's renewTime, else the Ready condition's heartbeat
	Cordoned     bool
	PodsRunning  int
	PodsNotReady int
}

// PodInfo is one pod as the caches hold it.
type PodInfo struct {
	Cluster, Namespace, Name, Node string
	Phase, Reason                  string // Reason: the waiting/terminated reason that explains it, if any
	Ready                          bool
	Restarts                       int
	Created                        time.Time
	Terminating                    bool
	Gone                           bool // in PodChanges: the pod was deleted
}

// HostInfo is one inventory host and its SSH connection.
type HostInfo struct {
	Name, Address string
	Roles         []string
	Connected     bool
	RTTMS         float64
	LastError     string
}

// Backend is what the cockpit reads beyond findings. Every func but Beat is called off the UI
// goroutine (in a tea.Cmd); all must be cheap and never wait on the network.
type Backend struct {
	Clusters []string
	Nodes    func() []NodeInfo
	Pods     func() []PodInfo
	Hosts    func() []HostInfo
	API      func() (up, total int)
	// NodesVersion, when set, moves when anything Nodes returns moves: Nodes is read again only
	// then (pod changes ask for a load up to ten times a second; reading 5,000 Nodes for each
	// was a third of the load).
	NodesVersion func() uint64
	// Beat, when set, is a node's heartbeat as it is now (its Lease's renewal as last listed;
	// false: none, the row's own heartbeat stands). The Nodes pane draws it live, on the UI
	// goroutine, for the rows on screen: a renewal neither moves NodesVersion nor has its row
	// built again (but when the pane is sorted by BEAT: nodeList.rows).
	Beat func(cluster, node string) (time.Time, bool)
	// PodsVersion, when set, moves when pods change: without PodChanges, Pods is read again
	// only then.
	PodsVersion func() uint64
	// PodChanges, when set, is used instead of Pods: every pod on its first call (full), then
	// only the pods changed since the call before (Gone for deleted ones), or everything again
	// (full) when it lost track. The cockpit then counts pods per node itself: Nodes need not.
	PodChanges func() (pods []PodInfo, full bool)
	// PodsListed, when set, says whether every cluster's first list of pods is complete: until
	// then the Pods tile is marked partial (42,000 pods take seconds to list).
	PodsListed func() bool
	// Changed, when set, receives (coalesced) when the Kubernetes caches move.
	Changed <-chan struct{}
	// Configured says which optional areas have a data source, by pane name ("ADNS", "NTP",
	// "Certs", "Logs"), and the site-file key to set where not.
	Missing map[string]string
}

// feedMsg carries rows built, folded and ordered off the UI goroutine.
type feedMsg struct {
	nodes, pods, hosts    []*gridRow
	orders                [3]rowOrder // of nodes, pods, hosts, as they were sorted
	counts                [3]tile     // of nodes, pods, hosts
	findings              []builtFindings
	oldest                time.Time
	sshUp, sshAll         int
	apiUp, apiAll         int
	podsTotal, nodesTotal int
	podsPartial           bool       // the first list of pods is not complete yet
	podsShown             []*gridRow // pods through podsFilter (the Pods pane's when the load began)
	podsFilter            *rowFilter
	nodesShown            []*gridRow // nodes through nodesFilter: at 5,000 nodes a pass of their own
	nodesFilter           *rowFilter
	started, took         time.Duration // since the load was asked for: its wait for a goroutine, its work
}

// LoadTimes is when the load began after it was asked for, and how long it took (for
// $OPSDECK_KEYLOG: where a change's way to the screen waits).
func (m feedMsg) LoadTimes() (started, took time.Duration) { return m.started, m.took }

// loadSpec is what a load needs from the panes, copied on the UI goroutine.
type loadSpec struct {
	backend     Backend
	snap        checks.Snapshot
	now         time.Time
	orders      [3]rowOrder
	podsFilter  *rowFilter      // the Pods pane's, for the load to keep its rows through
	nodesFilter *rowFilter      // the Nodes pane's
	findings    []*findingsPane // build reads only their fixed settings
	staleFor    func(check string) time.Duration
	cache       *loadCache
}

// loadCache keeps what loads reuse: the Pods table, the node rows, and what the last snapshot
// gave. Loads run one at a time (the model starts the next only after the last one's message),
// so only the load in flight touches it.
type loadCache struct {
	podsVersion uint64 // of the last Pods read, for backends without PodChanges
	pods        podTable
	nodes       nodeList
	fromSnap    snapDerived
	// nodesShown are the last node rows through nodesShownFor, kept while the rows are the
	// same table (most loads move no node).
	nodesShown    []*gridRow
	nodesShownFor *rowFilter
	nodesShownOf  []*gridRow
}

// rowMetrics are the checks whose metrics a node row shows (nodeRow): the others' metrics (the
// Lease's age in kube.node, moving every 10 s on every node) must not rebuild rows.
var rowMetrics = map[string]bool{"host.cpu": true, "host.memory": true, "host.disk": true, "host.load": true, "host.uptime": true}

// factsSig sums up what a node row shows of its findings (FNV-1a per finding, combined in any
// order): their status, summary and the metrics shown.
func factsSig(h hostFacts, multi bool) uint64 {
	var sig uint64
	if multi {
		sig = 1
	}
	for _, f := range h {
		check := f.Check
		x := uint64(14695981039346656037)
		mix := func(s string) {
			for i := 0; i < len(s); i++ {
				x = (x ^ uint64(s[i])) * 1099511628211
			}
			x = (x ^ 0xff) * 1099511628211
		}
		mix(check)
		mix(f.Summary)
		x = (x ^ uint64(f.Status)) * 1099511628211
		if !rowMetrics[check] {
			sig += x
			continue
		}
		for _, m := range f.Metrics {
			mix(m.Name)
			x = (x ^ math.Float64bits(m.Value)) * 1099511628211
		}
		sig += x
	}
	return sig
}

// podChanges asks the backend what moved among the pods since the last load.
func (c *loadCache) podChanges(b Backend) ([]PodInfo, bool) {
	if b.PodChanges != nil {
		return b.PodChanges()
	}
	if b.PodsVersion != nil {
		v := b.PodsVersion()
		if v == c.podsVersion && c.pods.pods != nil {
			return nil, false
		}
		c.podsVersion = v
	}
	return b.Pods(), true
}

// kubeChangedMsg says the caches moved.
type kubeChangedMsg struct{}

func waitChanged(ch <-chan struct{}) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg { <-ch; return kubeChangedMsg{} }
}

// loadFeeds builds every pane's rows from the backend and a findings snapshot.
func loadFeeds(spec loadSpec) tea.Cmd {
	asked := time.Now()
	return func() tea.Msg {
		began := time.Now()
		b, now := spec.backend, spec.now
		c := spec.cache
		if c == nil {
			c = &loadCache{}
		}
		d, moved := c.derive(spec)
		facts := d.facts
		m := feedMsg{orders: spec.orders, oldest: d.oldest, findings: slices.Clone(d.findings)}
		if b.Hosts != nil {
			hs := b.Hosts()
			m.sshAll = len(hs)
			for _, h := range hs {
				if h.Connected {
					m.sshUp++
				}
				m.hosts = append(m.hosts, hostRow(h, facts[h.Name]))
			}
		}
		if b.API != nil {
			m.apiUp, m.apiAll = b.API()
		}
		multi := len(b.Clusters) > 1
		if b.Pods != nil || b.PodChanges != nil {
			changes, full := c.podChanges(b)
			m.pods = c.pods.update(changes, full, d.problems, spec.orders[1], multi)
			m.podsFilter, m.podsShown = spec.podsFilter, c.pods.filtered(spec.podsFilter)
			m.podsTotal = len(m.pods)
			m.podsPartial = b.PodsListed != nil && !b.PodsListed()
		}
		if b.Nodes != nil {
			counts := func(n NodeInfo) NodeInfo {
				if b.PodChanges != nil { // counted here from the pods followed, not by the backend
					n.PodsRunning, n.PodsNotReady = 0, 0
					if pc := c.pods.perNode[nodeID{n.Cluster, n.Name}]; pc != nil {
						n.PodsRunning, n.PodsNotReady = pc.running, pc.notReady
					}
				}
				return n
			}
			if b.PodChanges != nil {
				moved = moved.with(c.pods.countsMoved)
			}
			m.nodes = c.nodes.rows(b, d, counts, moved, spec.orders[0], multi, now)
			if f := spec.nodesFilter; f != nil { // a walk of 5,000 rows here, not a pass after the load
				if f != c.nodesShownFor || !sameRows(m.nodes, c.nodesShownOf) {
					c.nodesShown, c.nodesShownFor, c.nodesShownOf = filterAndSort(m.nodes, f, spec.orders[0], spec.orders[0]), f, m.nodes
				}
				m.nodesFilter, m.nodesShown = f, c.nodesShown
			}
			m.nodesTotal = len(m.nodes)
			m.counts[0] = c.nodes.counted
		}
		sortRows(m.hosts, spec.orders[2])
		m.counts[1], m.counts[2] = c.pods.counts(), countRows(m.hosts)
		m.counts[1].partial = m.podsPartial
		m.started, m.took = began.Sub(asked), time.Since(began)
		return m
	}
}

// hostFacts are the latest host findings of one host, one per check id: a slice, not a map (a
// load built one map per node, 4 MB at 5,000 nodes, for a dozen findings each).
type hostFacts []*checks.Finding

// get is the host's finding of check, or nil.
func (h hostFacts) get(check string) *checks.Finding {
	for _, f := range h {
		if f.Check == check {
			return f
		}
	}
	return nil
}

// put keeps f as the host's finding of its check, replacing an earlier one.
func (h hostFacts) put(f *checks.Finding) hostFacts {
	for i, g := range h {
		if g.Check == f.Check {
			h[i] = f
			return h
		}
	}
	return append(h, f)
}

// metric is the value of a named metric of a check, as text ("-" when unknown).
func (h hostFacts) metric(check, name, format string) (string, float64, checks.Status) {
	f := h.get(check)
	if f == nil {
		return "-", -1, checks.OK
	}
	for _, m := range f.Metrics {
		if name == "" || m.Name == name {
			return fmt.Sprintf(format, m.Value), m.Value, f.Status
		}
	}
	if f.Status == checks.Unknown {
		return "?", -1, checks.Unknown
	}
	return "-", -1, f.Status
}

// worstDisk is the fullest mount of a host.
func (h hostFacts) worstDisk() (string, float64) {
	f := h.get("host.disk")
	if f == nil {
		return "-", -1
	}
	best, name := -1.0, ""
	for _, m := range f.Metrics {
		if m.Value > best {
			best, name = m.Value, m.Name
		}
	}
	if best < 0 {
		return "?", -1
	}
	return fmt.Sprintf("%.0f%% %s", best, name), best
}

func (h hostFacts) status(check string) (string, checks.Status) {
	f := h.get(check)
	if f == nil {
		return "-", checks.OK
	}
	return f.Status.String(), f.Status
}

// worst is the worst status among a host's findings.
func (h hostFacts) worst() checks.Status {
	w := checks.OK
	for _, f := range h {
		w = max(w, f.Status)
	}
	return w
}

func (h hostFacts) reachable() string {
	f := h.get("host.reachable")
	switch {
	case f == nil:
		return "-"
	case f.Status == checks.OK:
		return "yes"
	}
	return "NO"
}

func uptimeText(h hostFacts) (string, float64) {
	_, v, _ := h.metric("host.uptime", "uptime", "%.0f")
	if v < 0 {
		return "-", -1
	}
	return Age(time.Duration(v * float64(time.Hour))), v
}

func nodeRow(n NodeInfo, h hostFacts, multi bool, now time.Time) *gridRow {
	st := checks.OK
	var probs []string
	switch n.Ready {
	case "True":
	case "":
		st = checks.Unknown
	default:
		st = checks.Crit
		probs = append(probs, "NotReady")
	}
	if n.Cordoned {
		st = max(st, checks.Warn)
		probs = append(probs, "cordoned")
	}
	if kn := h.get("kube.node"); kn != nil && kn.Status != checks.OK {
		probs = []string{kn.Summary} // the node check names every problem of the node at once
	}
	ready := map[string]string{"True": "Ready", "False": "NotReady", "Unknown": "Unknown"}[n.Ready]
	if n.Cordoned {
		ready += ",SchedDisabled"
	}
	hb := "-"
	if !n.Heartbeat.IsZero() {
		hb = Age(now.Sub(n.Heartbeat))
	}
	kubelet, kst := h.status("host.kubelet")
	cpu, cpuV, cst := h.metric("host.cpu", "cpu util", "%.0f%%")
	mem, memV, mst := h.metric("host.memory", "mem util", "%.0f%%")
	disk, diskV := h.worstDisk()
	load, loadV, lst := h.metric("host.load", "load1 per core", "%.2f")
	up, upV := uptimeText(h)
	st = max(st, kst, cst, mst, lst, h.worst())
	ref := checks.Ref{Kind: checks.KindNode, Name: n.Name}
	if multi {
		ref.Cluster = n.Cluster
	}
	pods := fmt.Sprintf("%d/%d", n.PodsRunning, n.PodsNotReady)
	r := &gridRow{key: ref.Target(), status: st, ref: ref, live: n.Heartbeat, liveCol: beatCol, numeric: nodeNumeric,
		cells:  []string{n.Name, ready, hb, kubelet, cpu, mem, disk, load, pods, up, h.reachable(), strings.Join(probs, ",")},
		sortBy: []float64{0, 0, -float64(n.Heartbeat.Unix()), 0, cpuV, memV, diskV, loadV, float64(n.PodsNotReady), upV, 0, 0}}
	r.text = rowText(r) // once per build: a filter set on 5,000 nodes read them at every load
	return r
}

// The columns of each table that sort by number (the heartbeat, metrics, counts, ages); the
// others sort by their text.
const (
	nodeNumeric = 1<<2 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9
	hostNumeric = 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8
	podNumeric  = 1<<4 | 1<<6
)

func hostRow(hi HostInfo, h hostFacts) *gridRow {
	st := h.worst()
	reach := h.reachable()
	if !hi.Connected && hi.LastError != "" {
		reach = "NO"
		st = max(st, checks.Unknown)
	}
	rtt := "-"
	if hi.Connected {
		rtt = fmt.Sprintf("%.0fms", hi.RTTMS)
	}
	cpu, cpuV, _ := h.metric("host.cpu", "cpu util", "%.0f%%")
	mem, memV, _ := h.metric("host.memory", "mem util", "%.0f%%")
	disk, diskV := h.worstDisk()
	load, loadV, _ := h.metric("host.load", "load1 per core", "%.2f")
	up, upV := uptimeText(h)
	units, _ := h.status("host.units")
	ports, _ := h.status("host.ports")
	note := hi.LastError
	if note == "" {
		note = strings.Join(hi.Roles, ",")
	}
	return &gridRow{key: hi.Name, status: st, ref: checks.Ref{Kind: checks.KindHost, Name: hi.Name}, numeric: hostNumeric,
		cells:  []string{hi.Name, hi.Address, reach, rtt, load, cpu, mem, disk, up, units, ports, note},
		sortBy: []float64{0, 0, 0, hi.RTTMS, loadV, cpuV, memV, diskV, upV, 0, 0, 0}}
}

func podRef(p PodInfo, multi bool) checks.Ref {
	ref := checks.Ref{Kind: checks.KindPod, Namespace: p.Namespace, Name: p.Name}
	if multi {
		ref.Cluster = p.Cluster
	}
	return ref
}

// podRow is a pod's row; its age is drawn from the clock at each frame (stamp), so the rows need
// not be rebuilt as pods grow older.
func podRow(p PodInfo, key string, problems map[string]checks.Status, multi bool) *gridRow {
	var s podSlab
	return s.row(p, key, problems, multi)
}

// podCols is how many cells a pod row has.
const podCols = 7

// podSlab hands out pod rows from shared blocks: a full load builds 42,000–100,000 rows, and
// one allocation per block instead of four per row is most of its time and of the collector's
// work. A block lives while any of its rows is shown: until the next full read if one pod of the
// first list lives that long (a DaemonSet's), at most one table's worth.
type podSlab struct {
	rows   []gridRow
	cells  []string
	sortBy []float64
	lower  map[string]string // statuses lower-cased ("Running" is the same for 40,000 pods)
}

func (s *podSlab) grow(n int) {
	s.rows, s.cells, s.sortBy = make([]gridRow, n), make([]string, n*podCols), make([]float64, n*podCols)
	if n > 1 {
		s.lower = map[string]string{}
	}
}

func (s *podSlab) lowered(status string) string {
	if s.lower == nil {
		return strings.ToLower(status)
	}
	l, ok := s.lower[status]
	if !ok {
		l = strings.ToLower(status)
		s.lower[status] = l
	}
	return l
}

func (s *podSlab) row(p PodInfo, key string, problems map[string]checks.Status, multi bool) *gridRow {
	if len(s.rows) == 0 {
		s.grow(1)
	}
	r := &s.rows[0]
	cells, sortBy := s.cells[:podCols:podCols], s.sortBy[:podCols:podCols]
	s.rows, s.cells, s.sortBy = s.rows[1:], s.cells[podCols:], s.sortBy[podCols:]
	ref := podRef(p, multi) // key is its Target
	st, judged := problems[key]
	if !judged && !p.Ready && p.Phase != "Succeeded" {
		st = checks.Warn // not ready, and the pod check has not said why yet
	}
	status := p.Phase
	if p.Reason != "" {
		status = p.Reason
	}
	if p.Terminating {
		status = "Terminating"
	}
	ready := "no"
	if p.Ready {
		ready = "yes"
	}
	restarts := strconv.Itoa(p.Restarts)
	copy(cells, []string{p.Name, p.Namespace, ready, status, restarts, p.Node, "-"})
	sortBy[4], sortBy[6] = float64(p.Restarts), -float64(p.Created.Unix())
	*r = gridRow{key: key, status: st, ref: ref, stamp: p.Created, staleAfter: neverStale, numeric: podNumeric,
		cells: cells, sortBy: sortBy,
		// rowText in one concatenation (built once per change, filtered on every load): names
		// are lower case already, and ToLower returns them as they are.
		text: strings.ToLower(p.Name) + " " + strings.ToLower(p.Namespace) + " " + ready + " " + s.lowered(status) + " " +
			restarts + " " + strings.ToLower(p.Node) + " -"}
	return r
}

// sortedKeys is a map's keys in order (deterministic views).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
