package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
	"opsdeck/site/ssh"
)

// Hosts is what the Kubernetes checks need from the SSH pool to decide about a NotReady node
// (guide §2.3.1 / §2.3.2): the connection states it already keeps, and read-only commands.
type Hosts interface {
	States() []ssh.HostState
	Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error)
}

// Checks returns the Kubernetes checks over the watchers (one per cluster of the site); hosts
// (may be nil) lets kube.node tell a host that is gone from a kubelet that did not start.
func Checks(site *config.Site, ws []*sitekube.Watcher, hosts Hosts) []checks.Check {
	var out []checks.Check
	for _, w := range ws {
		c := &cluster{site: site, w: w, prefix: "", hosts: hosts}
		if len(ws) > 1 {
			c.prefix = w.Cluster + "/"
		}
		out = append(out, c.checks()...)
	}
	return out
}

type cluster struct {
	site   *config.Site
	w      *sitekube.Watcher
	prefix string // "" with one cluster, "name/" with several
	now    func() time.Time
	hosts  Hosts
}

func (c *cluster) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// reads says which collections a check judges from: only their watches' health matters to it.
var reads = map[string][]string{
	"kube.node":       {"nodes"},
	"kube.allocation": {"nodes", "pods"},
	"kube.pod":        {"pods"},
	"kube.pods":       {"pods"},
	"kube.workload":   {"deployments", "daemonsets"},
	"kube.static-pod": {"nodes", "pods"},
	"kube.namespace":  {"namespaces"},
	// the custom resources' checks read the resource the site file names
}

// alsoWait are collections a check's round waits for without judging from them alone: a node is
// judged by its Lease when there is one (its absence, or a failing watch, is not untrusted).
var alsoWait = map[string][]string{"kube.node": {"leases"}}

// leaseWait bounds a single kube.node probe's wait for the Leases (its round waited already).
const leaseWait = 2 * time.Second

// safetyNet spaces the rounds of checks the reactor (react.go) re-judges on every event that
// touches them: their round only catches what an event could not say. kube.allocation sums
// every pod's requests on every node (a third of an idle cockpit's checking at 2,000 nodes).
var safetyNet = map[string]time.Duration{"kube.allocation": 5 * time.Minute}

// checks lists one cluster's checks. Every probe first asks whether the caches it reads can be
// trusted; a custom resource the cluster does not serve is one ok finding.
func (c *cluster) checks() []checks.Check {
	mk := func(id, area, title string, targets func() []string, j judges, cols ...string) checks.Check {
		iv, to, _ := c.site.CheckSchedule(id)
		if c.site.Checks.Overrides[id].Interval == 0 {
			iv = max(iv, safetyNet[id])
		}
		if len(cols) == 0 {
			cols = reads[id]
		}
		src := checks.Evidence{Source: "watch " + c.w.Cluster + ": " + title}
		return checks.Check{ID: id, Area: area, Title: title, Interval: iv, Timeout: to,
			Targets: func() []string {
				// Targets come from the caches: the first round waits for them, as long as a
				// list may take (a failing one ends the wait): the first list's objects are
				// judged by this round alone (sitekube's changedObject), and 100,000 pods take
				// longer than a check's timeout on a busy API.
				ctx, cancel := context.WithTimeout(context.Background(), max(to, c.w.ListTimeout))
				c.w.WaitFor(ctx, append(slices.Clone(cols), alsoWait[id]...)...)
				cancel()
				if cr, ok := c.customOf(cols); ok && cr.State != sitekube.Served {
					return []string{c.w.Cluster} // one finding says why there is nothing to check
				}
				ts := targets()
				if _, bad := c.untrusted(cols...); bad && len(ts) == 0 {
					return []string{c.w.Cluster} // nothing cached: one finding says why
				}
				for i := range ts {
					ts[i] = c.prefix + ts[i]
				}
				return ts
			},
			Probe: func(ctx context.Context, target string) checks.Finding {
				c.w.WaitFor(ctx, cols...) // the first round waits for the caches (bounded by the check's timeout)
				f, _ := c.verdict(cols, src, target, func(t string) (checks.Finding, bool) { return j.probe(ctx, t), true })
				return f
			},
			FromMemory: func(target string) (checks.Finding, bool) {
				if !c.w.Settled(cols...) {
					return checks.Finding{}, false // Probe waits for them
				}
				return c.verdict(cols, src, target, j.cached)
			}}
	}
	res := c.site.Resources
	all := []checks.Check{
		{ID: "kube.api", Area: "kubernetes", Title: "API connection", Interval: c.site.Checks.Interval.D(), Timeout: c.site.Checks.Timeout.D(),
			Targets: func() []string { return []string{c.w.Cluster} }, Probe: func(ctx context.Context, _ string) checks.Finding {
				c.w.WaitSynced(ctx)
				return c.api()
			}},
		mk("kube.node", "kubernetes", "node Ready, heartbeat, cordon", c.nodeNames, judges{c.node, c.nodeNow}),
		mk("kube.allocation", "kubernetes", "node requests vs allocatable", c.nodeNames, fromMemory(c.allocation)),
		mk("kube.pod", "kubernetes", "pods not ready", c.problemPods, fromMemory(c.pod)),
		mk("kube.pods", "kubernetes", "pod summary", func() []string { return []string{"pods"} }, fromMemory(c.podSummary)),
		mk("kube.workload", "kubernetes", "kube-system Deployments and DaemonSets", c.workloads, fromMemory(c.workload)),
		mk("kube.static-pod", "kubernetes", "control-plane static pods", c.staticPods, fromMemory(c.staticPod)),
		mk("kube.namespace", "kubernetes", "namespaces stuck Terminating", c.terminatingNamespaces, fromMemory(c.namespace)),
	}
	for _, cr := range []struct {
		id, area, title, full string
		judge                 func(string) checks.Finding
	}{
		{"kube.machine", "kubernetes", "machines", res.Machines, c.machine},
		{"kube.machineop", "kubernetes", "machineops", res.MachineOps, c.machineOp},
		{"adns.zone", "adns", "zones Created", res.Zones, c.phase(res.Zones, "Created", "zone")},
		{"adns.dnsendpoint", "adns", "dnsendpoints Succeed", res.DNSEndpoints, c.phase(res.DNSEndpoints, "Succeed", "dnsendpoint")},
	} {
		if config.IsOff(cr.full) {
			continue // switched off in the site file: never watched, never checked
		}
		all = append(all, mk(cr.id, cr.area, cr.title, c.names(cr.full), fromMemory(cr.judge), resourceName(cr.full)))
	}
	var out []checks.Check
	for _, ch := range all {
		if _, _, off := c.site.CheckSchedule(ch.ID); !off {
			ch.Scope = c.prefix // every cluster has these ids: each retains and reruns its own
			out = append(out, ch)
		}
	}
	return out
}

// judges are a check's two ways to its verdict on a target: probe may wait and do I/O; cached
// answers from the caches at once, or says it cannot (checks.Check's Probe and FromMemory).
type judges struct {
	probe  func(ctx context.Context, target string) checks.Finding
	cached func(target string) (checks.Finding, bool)
}

// fromMemory is a judgement that only ever reads the caches: both ways are the same.
func fromMemory(j func(string) checks.Finding) judges {
	return judges{
		probe:  func(_ context.Context, t string) checks.Finding { return j(t) },
		cached: func(t string) (checks.Finding, bool) { return j(t), true },
	}
}

// verdict is a check's finding on target once its caches are settled: one ok finding when its
// custom resource is not served, unknown while they cannot be trusted, else judge's.
func (c *cluster) verdict(cols []string, src checks.Evidence, target string, judge func(string) (checks.Finding, bool)) (checks.Finding, bool) {
	if cr, ok := c.customOf(cols); ok && cr.State != sitekube.Served {
		f := notServed(cr)
		f.Evidence = []checks.Evidence{src}
		return f, true
	}
	if f, ok := c.untrusted(cols...); ok {
		f.Evidence = []checks.Evidence{src}
		return f, true
	}
	f, ok := judge(strings.TrimPrefix(target, c.prefix))
	if !ok {
		return f, false
	}
	f.Evidence = append(f.Evidence, src)
	return f, true
}

// customOf finds the custom resource among a check's collections.
func (c *cluster) customOf(cols []string) (sitekube.ResourceState, bool) {
	for _, col := range cols {
		if st, ok := c.w.Resource(col); ok {
			return st, true
		}
		if !slices.Contains(sitekube.CoreCollections, col) { // a resource this watcher was not given
			return sitekube.ResourceState{GVR: schema.GroupVersionResource{Resource: col}, State: sitekube.NotServed, Reason: "not watched"}, true
		}
	}
	return sitekube.ResourceState{}, false
}

func notServed(cr sitekube.ResourceState) checks.Finding {
	if cr.State == sitekube.Discovering {
		if cr.Reason == "" {
			return checks.Finding{Status: checks.Unknown, Summary: "asking the API whether it serves " + cr.GVR.Resource}
		}
		return checks.Finding{Status: checks.Unknown, Summary: "could not tell whether the cluster serves " + cr.GVR.Resource + ": " + cr.Reason, Error: cr.Reason}
	}
	return checks.Finding{Status: checks.OK, Summary: "not installed on this cluster (" + cr.Reason + ")"}
}

// untrusted turns a finding unknown while a collection it reads is not synced or its watch
// fails, saying why and how old the last good data is. Other collections do not matter.
func (c *cluster) untrusted(cols ...string) (checks.Finding, bool) {
	now := c.clock()
	for _, col := range cols {
		h := c.w.InformerHealth(col)
		if h.Healthy() {
			continue
		}
		f := checks.Finding{Status: checks.Unknown, Error: h.LastError}
		api := strings.HasPrefix(h.LastError, "API: ")
		switch {
		case !h.Synced && h.LastError != "" && api:
			f.Summary = fmt.Sprintf("%s API unreachable: %s", c.w.Cluster, h.LastError)
		case !h.Synced && h.LastError != "":
			f.Summary = fmt.Sprintf("cannot watch %s: %s", col, h.LastError)
		case !h.Synced:
			f.Summary = fmt.Sprintf("waiting for the %s API (%s not synced after %s)", c.w.Cluster, col, human(now.Sub(h.StartedAt)))
		case api:
			f.Summary = fmt.Sprintf("%s API unreachable since %s; last good data %s old", c.w.Cluster, h.ErrorAt.Format("15:04:05"), human(now.Sub(h.GoodAt)))
		default:
			f.Summary = fmt.Sprintf("watch of %s failing since %s (%s); last good data %s old", col, h.ErrorAt.Format("15:04:05"), h.LastError, human(now.Sub(h.GoodAt)))
		}
		return f, true
	}
	return checks.Finding{}, false
}

func (c *cluster) api() checks.Finding {
	h := c.w.Health()
	now := c.clock()
	src := []checks.Evidence{{Source: "watch " + c.w.Cluster + ": GET /version every " + c.w.PingEvery.String() + ", list+watch per collection"}}
	if h.APIError {
		f := checks.Finding{Status: checks.Unknown, Error: h.LastError, Evidence: src}
		f.Summary = fmt.Sprintf("%s API unreachable: %s", c.w.Cluster, h.LastError)
		if h.Synced {
			f.Summary = fmt.Sprintf("%s API unreachable since %s; last good data %s old", c.w.Cluster, h.ErrorAt.Format("15:04:05"), human(now.Sub(h.LastEvent)))
		}
		return f
	}
	// The API answers: each collection for itself.
	var bad, notServed []string
	for _, col := range sitekube.CoreCollections {
		if ih := c.w.InformerHealth(col); !ih.Healthy() {
			bad = append(bad, col+": "+orWaiting(ih.LastError))
		}
	}
	served := 0
	for _, cr := range c.w.Resources() {
		switch cr.State {
		case sitekube.Served:
			served++
			if ih := c.w.InformerHealth(cr.GVR.Resource); !ih.Healthy() {
				bad = append(bad, cr.GVR.Resource+": "+orWaiting(ih.LastError))
			}
		case sitekube.NotServed:
			notServed = append(notServed, cr.GVR.Resource)
		case sitekube.Discovering:
			bad = append(bad, cr.GVR.Resource+": "+orWaiting(cr.Reason))
		}
	}
	f := checks.Finding{Status: checks.OK, Evidence: src}
	f.Summary = fmt.Sprintf("watching: %d nodes, %d pods, %d custom resources", len(c.w.Nodes()), c.w.PodCount(), served)
	if len(notServed) > 0 {
		f.Summary += fmt.Sprintf(" (not installed: %s)", strings.Join(notServed, ", "))
	}
	if len(bad) > 0 {
		f.Status = checks.Warn
		f.Summary += fmt.Sprintf("; %d watch(es) failing: %s", len(bad), strings.Join(bad, "; "))
	}
	f.Metrics = []checks.Metric{{Name: "oldest data", Value: now.Sub(h.LastEvent).Seconds(), Unit: "s"}}
	return f
}

func orWaiting(s string) string {
	if s == "" {
		return "not synced yet"
	}
	return s
}

func (c *cluster) nodeNames() []string {
	var out []string
	for _, n := range c.w.Nodes() {
		out = append(out, n.Name)
	}
	return out
}

func (c *cluster) heartbeat() Heartbeat {
	return Heartbeat{LeaseStale: c.site.Thresholds.NodeHeartbeatStale.D(), StatusStale: c.site.Thresholds.NodeStatusStale.D()}
}

// leaseOf is the node's Lease renewTime; nil without a Lease or while the leases are not
// watched (the reason is then returned).
func (c *cluster) leaseOf(name string) (*time.Time, string) {
	h := c.w.InformerHealth("leases")
	if !h.Healthy() {
		return nil, "node Leases are not watched (" + orWaiting(h.LastError) + "): judged by the Ready condition's heartbeat"
	}
	// The Leases are listed every few seconds (sitekube.NodeLeaseEvery): renewTimes from a list
	// older than half the threshold would make live nodes look stale.
	if age := time.Since(h.GoodAt); age > c.site.Thresholds.NodeHeartbeatStale.D()/2 {
		return nil, fmt.Sprintf("node Leases last listed %s ago: judged by the Ready condition's heartbeat", age.Round(time.Second))
	}
	t, ok := c.w.LeaseRenew(name)
	if !ok {
		return nil, ""
	}
	return &t, ""
}

func (c *cluster) node(ctx context.Context, name string) checks.Finding {
	// The Leases may be listed after the Nodes: judged by the Ready heartbeat alone, which a
	// kubelet with a Lease touches every 5 minutes, every node would look stale for a while.
	// The round's targets waited for them; a node the reactor re-judges meanwhile waits a
	// little, not its whole timeout in a scheduler slot (no timer when they are in).
	if !c.w.Settled("leases") {
		wctx, cancel := context.WithTimeout(ctx, leaseWait)
		c.w.WaitFor(wctx, "leases")
		cancel()
	}
	f, n := c.nodeVerdict(name)
	if n != nil && NotReady(n) {
		c.nodeDown(ctx, n, &f)
	}
	return f
}

// nodeNow is node's verdict when it needs neither a wait for the Leases nor SSH: a NotReady
// node's host is looked at over SSH (nodeDown), by the probe.
func (c *cluster) nodeNow(name string) (checks.Finding, bool) {
	if !c.w.Settled("leases") {
		return checks.Finding{}, false
	}
	f, n := c.nodeVerdict(name)
	if n != nil && NotReady(n) {
		return checks.Finding{}, false
	}
	return f, true
}

// nodeVerdict judges a node by its Ready condition and Lease (n nil: the node is gone).
func (c *cluster) nodeVerdict(name string) (checks.Finding, *corev1.Node) {
	n, ok := c.w.Node(name)
	if !ok {
		return checks.Finding{Status: checks.OK, Summary: "gone"}, nil
	}
	lease, why := c.leaseOf(name)
	now, hb := c.clock(), c.heartbeat()
	st, summary := JudgeNode(n, lease, now, hb)
	f := checks.Finding{Status: st, Summary: summary, Details: why}
	if m, ok := heartbeatMetric(n, lease, now, hb); ok {
		f.Metrics = append(f.Metrics, m)
	}
	return f, n
}

func (c *cluster) allocation(name string) checks.Finding {
	n, ok := c.w.Node(name)
	if !ok {
		return checks.Finding{Status: checks.OK, Summary: "gone"}
	}
	pods := c.w.PodsOnNode(name)
	cpu, mem := Requests(pods, sitekube.PodRequests) // the cache's pods keep no containers
	allocCPU, allocMem := n.Status.Allocatable.Cpu().MilliValue(), n.Status.Allocatable.Memory().Value()
	if allocCPU == 0 || allocMem == 0 {
		return checks.Finding{Status: checks.Unknown, Summary: "the node reports no allocatable resources"}
	}
	cpuPct, memPct := float64(cpu)*100/float64(allocCPU), float64(mem)*100/float64(allocMem)
	th := c.site.Thresholds
	f := checks.Finding{Status: max(checks.Judge(cpuPct, th.CPU.Warn, th.CPU.Crit), checks.Judge(memPct, th.Memory.Warn, th.Memory.Crit))}
	f.Summary = fmt.Sprintf("requests: cpu %.0f %% of %s, memory %.0f %% of %s, %d pods", cpuPct, n.Status.Allocatable.Cpu(), memPct, n.Status.Allocatable.Memory(), len(pods))
	f.Metrics = []checks.Metric{
		{Name: "cpu requested", Value: round1(cpuPct), Unit: "%", Warn: th.CPU.Warn, Crit: th.CPU.Crit},
		{Name: "memory requested", Value: round1(memPct), Unit: "%", Warn: th.Memory.Warn, Crit: th.Memory.Crit},
	}
	return f
}

func (c *cluster) problemPods() []string {
	var out []string
	th := c.site.Thresholds
	now := c.clock()
	for _, p := range c.w.UnsettledPods() { // a Settled pod is no problem at any time
		if _, _, bad := PodProblem(p, now, th.PodPending.D(), th.PodTerminating.D()); bad {
			out = append(out, p.Namespace+"/"+p.Name)
		}
	}
	return out
}

func (c *cluster) pod(target string) checks.Finding {
	ns, name, _ := strings.Cut(target, "/")
	p, ok := c.w.Pod(ns, name)
	if !ok {
		return checks.Finding{Status: checks.OK, Summary: "gone"}
	}
	th := c.site.Thresholds
	st, summary, bad := PodProblem(p, c.clock(), th.PodPending.D(), th.PodTerminating.D())
	if !bad {
		return checks.Finding{Status: checks.OK, Summary: "ready now"}
	}
	f := checks.Finding{Status: st, Summary: summary}
	if p.Spec.NodeName != "" {
		f.Details = "on node " + p.Spec.NodeName
	}
	return f
}

func (c *cluster) podSummary(string) checks.Finding {
	// Counted from the cache's index (sitekube.PodCensus): every pod not running and not
	// completed is unsettled, and so is every problem; the rest are counted, not walked.
	all, completed := c.w.PodCensus()
	var other, bad int
	th := c.site.Thresholds
	now := c.clock()
	for _, p := range c.w.UnsettledPods() {
		if p.Status.Phase != corev1.PodRunning && p.Status.Phase != corev1.PodSucceeded {
			other++
		}
		if _, _, problem := PodProblem(p, now, th.PodPending.D(), th.PodTerminating.D()); problem {
			bad++
		}
	}
	// The census and the walk are two reads of the cache: pods created or deleted between them
	// can move running by as many until the next round (never below zero).
	running := max(all-completed-other, 0)
	f := checks.Finding{Status: checks.OK}
	f.Summary = fmt.Sprintf("%d pods: %d running, %d completed jobs (expected), %d other; %d not ready (see kube.pod)", all, running, completed, other, bad)
	f.Metrics = []checks.Metric{{Name: "running", Value: float64(running)}, {Name: "completed", Value: float64(completed)}, {Name: "not ready", Value: float64(bad)}}
	return f
}

func (c *cluster) workloads() []string {
	var out []string
	for _, d := range c.w.Deployments() {
		out = append(out, "kube-system/deployment/"+d.Name)
	}
	for _, d := range c.w.DaemonSets() {
		out = append(out, "kube-system/daemonset/"+d.Name)
	}
	return out
}

func (c *cluster) workload(target string) checks.Finding {
	parts := strings.Split(target, "/")
	if len(parts) != 3 {
		return checks.Finding{Status: checks.Unknown, Summary: "bad target " + target}
	}
	var want, ready int32
	found := false
	switch parts[1] {
	case "deployment":
		for _, d := range c.w.Deployments() {
			if d.Name == parts[2] {
				found, ready = true, d.Status.ReadyReplicas
				want = 1
				if d.Spec.Replicas != nil {
					want = *d.Spec.Replicas
				}
			}
		}
	case "daemonset":
		for _, d := range c.w.DaemonSets() {
			if d.Name == parts[2] {
				found, want, ready = true, d.Status.DesiredNumberScheduled, d.Status.NumberReady
			}
		}
	}
	if !found {
		return checks.Finding{Status: checks.OK, Summary: "gone"}
	}
	f := checks.Finding{Metrics: []checks.Metric{{Name: "ready", Value: float64(ready)}, {Name: "desired", Value: float64(want)}}}
	if ready < want {
		f.Status, f.Summary = checks.Crit, fmt.Sprintf("%d/%d ready", ready, want)
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("%d/%d ready", ready, want)
	return f
}

var staticComponents = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"}

func isMaster(n *corev1.Node) bool {
	_, m := n.Labels["node-role.kubernetes.io/master"]
	_, cp := n.Labels["node-role.kubernetes.io/control-plane"]
	return m || cp
}

func (c *cluster) staticPods() []string {
	var out []string
	for _, n := range c.w.Nodes() {
		if isMaster(n) {
			for _, comp := range staticComponents {
				out = append(out, "kube-system/"+comp+"-"+n.Name)
			}
		}
	}
	return out
}

func (c *cluster) staticPod(target string) checks.Finding {
	ns, name, _ := strings.Cut(target, "/")
	p, ok := c.w.Pod(ns, name)
	if !ok {
		return checks.Finding{Status: checks.Crit, Summary: "missing: the static pod's manifest or kubelet on the master is broken (§5.6.4)"}
	}
	if p.Status.Phase != corev1.PodRunning {
		return checks.Finding{Status: checks.Crit, Summary: string(p.Status.Phase)}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			return checks.Finding{Status: checks.Crit, Summary: "Running, not ready"}
		}
	}
	return checks.Finding{Status: checks.OK, Summary: "Running"}
}

func (c *cluster) terminatingNamespaces() []string {
	var out []string
	for _, ns := range c.w.Namespaces() {
		if ns.DeletionTimestamp != nil {
			out = append(out, ns.Name)
		}
	}
	return out
}

func (c *cluster) namespace(name string) checks.Finding {
	for _, ns := range c.w.Namespaces() {
		if ns.Name != name || ns.DeletionTimestamp == nil {
			continue
		}
		age := c.clock().Sub(ns.DeletionTimestamp.Time)
		if age < c.site.Thresholds.PodTerminating.D() {
			return checks.Finding{Status: checks.OK, Summary: fmt.Sprintf("Terminating for %s", human(age))}
		}
		return checks.Finding{Status: checks.Crit, Summary: fmt.Sprintf("stuck Terminating for %s", human(age)),
			Details: "Force removal as §4.4.1: find what still holds it (finalizers, leftover objects)."}
	}
	return checks.Finding{Status: checks.OK, Summary: "gone"}
}

func resourceName(full string) string { r, _, _ := strings.Cut(full, "."); return r }

// names lists a custom resource's objects (ns/name for namespaced ones).
func (c *cluster) names(full string) func() []string {
	return func() []string {
		var out []string
		for _, u := range c.w.Custom(resourceName(full)) {
			out = append(out, objKey(u))
		}
		sort.Strings(out)
		return out
	}
}

func objKey(u *unstructured.Unstructured) string {
	if u.GetNamespace() != "" {
		return u.GetNamespace() + "/" + u.GetName()
	}
	return u.GetName()
}

func (c *cluster) custom(full, key string) (*unstructured.Unstructured, bool) {
	for _, u := range c.w.Custom(resourceName(full)) {
		if objKey(u) == key {
			return u, true
		}
	}
	return nil, false
}

func (c *cluster) machine(name string) checks.Finding {
	m, ok := c.custom(c.site.Resources.Machines, name)
	if !ok {
		return checks.Finding{Status: checks.OK, Summary: "gone"}
	}
	phase, _, _ := unstructured.NestedString(m.Object, "status", "phase")
	if ts := m.GetDeletionTimestamp(); ts != nil {
		f := checks.Finding{Status: checks.Crit, Summary: fmt.Sprintf("deleting for %s, held by %s", human(c.clock().Sub(ts.Time)), orNone(m.GetFinalizers()))}
		f.Details = "A machine stuck deleting (§2.3.1, §5.7.1): strip its finalizer (action kube.strip-finalizers) once the host is really gone."
		return f
	}
	if phase != "" && phase != "Running" {
		return checks.Finding{Status: checks.Warn, Summary: "phase " + phase}
	}
	return checks.Finding{Status: checks.OK, Summary: "phase " + phase}
}

func (c *cluster) machineOp(name string) checks.Finding {
	m, ok := c.custom(c.site.Resources.MachineOps, name)
	if !ok {
		return checks.Finding{Status: checks.OK, Summary: "gone"}
	}
	phase, _, _ := unstructured.NestedString(m.Object, "status", "phase")
	msg, _, _ := unstructured.NestedString(m.Object, "status", "message")
	if phase == "Failed" {
		return checks.Finding{Status: checks.Crit, Summary: "Failed: " + msg, Details: "A failed scale-out (§5.8.4): read the machineop's status and the sigma-machine-operator logs."}
	}
	return checks.Finding{Status: checks.OK, Summary: "phase " + phase}
}

// phase judges a custom resource by .status.phase against the value the guide expects.
func (c *cluster) phase(full, want, kind string) func(string) checks.Finding {
	return func(key string) checks.Finding {
		u, ok := c.custom(full, key)
		if !ok {
			return checks.Finding{Status: checks.OK, Summary: "gone"}
		}
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		if phase != want {
			if phase == "" {
				phase = "no phase yet"
			}
			return checks.Finding{Status: checks.Crit, Summary: fmt.Sprintf("%s is %s, not %s", kind, phase, want),
				Details: fmt.Sprintf("kubectl get %s %s -o yaml shows the error (§6.4).", kind, key)}
		}
		return checks.Finding{Status: checks.OK, Summary: want}
	}
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
