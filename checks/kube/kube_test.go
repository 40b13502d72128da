package kube

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func node(name string, ready corev1.ConditionStatus, hb time.Duration, cordoned bool) *corev1.Node {
	t := metav1.NewTime(now.Add(-hb))
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{Unschedulable: cordoned},
		Status: corev1.NodeStatus{
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, LastHeartbeatTime: t, LastTransitionTime: t, Reason: "R", Message: "m"}},
			Allocatable: corev1.ResourceList{"cpu": resource.MustParse("10"), "memory": resource.MustParse("10Gi")},
		}}
}

func TestJudgeNode(t *testing.T) {
	hb := Heartbeat{LeaseStale: 40 * time.Second, StatusStale: 5*time.Minute + 40*time.Second}
	at := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	cases := []struct {
		name  string
		n     *corev1.Node
		lease *time.Time
		want  checks.Status
		text  []string
	}{
		{"fresh lease", node("a", corev1.ConditionTrue, 3*time.Minute, false), at(5 * time.Second), checks.OK, []string{"Ready, lease renewed on time"}},
		// A kubelet with a Lease refreshes its Ready heartbeat every 5 minutes: not a problem.
		{"old status heartbeat, fresh lease", node("b", corev1.ConditionTrue, 4*time.Minute, false), at(time.Second), checks.OK, []string{"Ready"}},
		{"stale lease", node("c", corev1.ConditionTrue, time.Second, false), at(2 * time.Minute), checks.Warn, []string{"lease not renewed for 2m"}},
		{"no lease, heartbeat within 5m40s", node("d", corev1.ConditionTrue, 5*time.Minute, false), nil, checks.OK, []string{"no Lease"}},
		{"no lease, heartbeat stale", node("e", corev1.ConditionTrue, 10*time.Minute, false), nil, checks.Warn, []string{"last status heartbeat is 10m old"}},
		// Every problem is named, not only the first.
		{"cordoned and stale", node("f", corev1.ConditionTrue, time.Second, true), at(3 * time.Minute), checks.Warn, []string{"lease not renewed for 3m", "cordoned"}},
		{"NotReady, stale, cordoned", node("g", corev1.ConditionUnknown, 20*time.Minute, true), at(20 * time.Minute), checks.Crit, []string{"NotReady for 20m", "lease not renewed for 20m", "cordoned"}},
		{"no Ready condition", &corev1.Node{}, nil, checks.Crit, []string{"no Ready condition"}},
	}
	for _, c := range cases {
		st, s := JudgeNode(c.n, c.lease, now, hb)
		if st != c.want {
			t.Errorf("%s: %s %q, want %s", c.name, st, s, c.want)
		}
		for _, want := range c.text {
			if !strings.Contains(s, want) {
				t.Errorf("%s: %q lacks %q", c.name, s, want)
			}
		}
	}
}

func pod(ns, name string, mut func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))},
		Spec:   corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("1"), "memory": resource.MustParse("1Gi")}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "c", Ready: true}}}}
	if mut != nil {
		mut(p)
	}
	return p
}

func TestPodProblemFollowsTheGuide(t *testing.T) {
	del := metav1.NewTime(now.Add(-20 * time.Minute))
	cases := []struct {
		name string
		p    *corev1.Pod
		bad  bool
		st   checks.Status
		text string
	}{
		{"running ready", pod("a", "ok", nil), false, checks.OK, ""},
		{"completed job apart", pod("a", "job", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }), false, checks.OK, ""},
		{"crashloop", pod("a", "cl", func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "c", RestartCount: 9, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
		}), true, checks.Crit, "CrashLoopBackOff (9 restarts)"},
		{"imagepull", pod("a", "ip", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodPending
			p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}}
		}), true, checks.Crit, "ImagePullBackOff"},
		{"pending long", pod("a", "pd", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodPending
			p.Spec.NodeName = ""
			p.Status.ContainerStatuses = nil
		}), true, checks.Warn, "not scheduled"},
		{"pending fresh", pod("a", "pf", func(p *corev1.Pod) {
			p.Status.Phase, p.CreationTimestamp = corev1.PodPending, metav1.NewTime(now.Add(-time.Minute))
			p.Status.ContainerStatuses = nil
		}), false, checks.OK, ""},
		{"terminating held", pod("a", "t", func(p *corev1.Pod) { p.DeletionTimestamp, p.Finalizers = &del, []string{"x/hold"} }), true, checks.Crit, "held by finalizer x/hold"},
		{"not ready", pod("a", "nr", func(p *corev1.Pod) { p.Status.ContainerStatuses[0].Ready = false }), true, checks.Warn, "0/1 containers ready"},
		{"terminating since the grace period began", pod("a", "g", func(p *corev1.Pod) {
			deadline, grace := metav1.NewTime(now.Add(20*time.Second)), int64(30)
			p.DeletionTimestamp, p.DeletionGracePeriodSeconds, p.Finalizers = &deadline, &grace, []string{"x/hold"}
		}), false, checks.OK, ""}, // 10 s into a 30 s grace period: not stuck yet
		{"terminating long after its grace period", pod("a", "g2", func(p *corev1.Pod) {
			deadline, grace := metav1.NewTime(now.Add(-15*time.Minute)), int64(30)
			p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &deadline, &grace
		}), true, checks.Crit, "Terminating for 15m"},
	}
	for _, c := range cases {
		st, s, bad := PodProblem(sitekube.PodOf(c.p), now, 10*time.Minute, 10*time.Minute)
		if bad != c.bad || st != c.st || !strings.Contains(s, c.text) {
			t.Errorf("%s: %v %s %q", c.name, bad, st, s)
		}
	}
}

func TestMigrationPlan(t *testing.T) {
	db := pod("app", "db-0", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "d", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-db-0"}}}}
	})
	ip := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "ip-db-0", "namespace": "asp-aks"},
		"spec": map[string]any{"podName": "db-0", "podNamespace": "app"}}}
	other := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "ip-x", "namespace": "asp-aks"},
		"spec": map[string]any{"podName": "x", "podNamespace": "app"}}}
	mp := PlanMigration("n3", []*sitekube.Pod{sitekube.PodOf(db), sitekube.PodOf(pod("app", "web", nil))}, []*unstructured.Unstructured{ip, other})
	if len(mp.Pods) != 2 || len(mp.PVCs) != 1 || len(mp.IPInstances) != 1 || !strings.Contains(mp.Text(), "loses its data") {
		t.Fatalf("%+v\n%s", mp, mp.Text())
	}
	full := map[string]*corev1.Pod{}
	containers := func(p *sitekube.Pod) (cpu, mem int64) { // the requests as the watcher keeps them beside its cache
		for _, c := range full[p.Name].Spec.Containers {
			cpu, mem = cpu+c.Resources.Requests.Cpu().MilliValue(), mem+c.Resources.Requests.Memory().Value()
		}
		return cpu, mem
	}
	done := pod("app", "w", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded })
	full[db.Name], full[done.Name] = db, done
	cpu, mem := Requests([]*sitekube.Pod{sitekube.PodOf(db), sitekube.PodOf(done)}, containers)
	if cpu != 1000 || mem != 1<<30 {
		t.Fatalf("requests %d %d: completed pods do not count", cpu, mem)
	}
}

// The checks over a watcher fed by client-go fakes (informers, listers, the node index).
func TestChecksOverFakeCluster(t *testing.T) {
	w, ctx := fakeCluster(t)
	site := config.Defaults()
	st := checks.NewStore(time.Millisecond)
	(&checks.Scheduler{Store: st, Limit: 8, Checks: Checks(&site, []*sitekube.Watcher{w}, nil)}).RunOnce(ctx, nil)
	got := map[string]checks.Finding{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = *f
	}
	for k, want := range map[string]checks.Status{"kube.api c1": checks.OK, "kube.node n1": checks.OK, "kube.node n2": checks.Crit,
		"kube.pod app/crash": checks.Crit, "kube.machine dead": checks.Crit, "kube.allocation n1": checks.OK} {
		if got[k].Status != want {
			t.Errorf("%s: %s %q, want %s", k, got[k].Status, got[k].Summary, want)
		}
	}
	if _, ok := got["kube.pod app/web"]; ok {
		t.Error("a ready pod is not listed")
	}
	if n := len(w.PodsOnNode("n1")); n != 2 {
		t.Errorf("pods on n1 by index: %d", n)
	}
}

// A verdict judged from memory (FromMemory, which a round takes first) is the probe's, and the
// judge declines what needs a wait or SSH: a NotReady node's host is looked at by the probe.
func TestFromMemoryGivesTheProbesVerdict(t *testing.T) {
	w, ctx := fakeCluster(t)
	site := config.Defaults()
	cs := Checks(&site, []*sitekube.Watcher{w}, nil)
	judged := map[string]bool{}
	for _, c := range cs {
		if c.FromMemory == nil {
			continue
		}
		for _, target := range c.Targets() {
			f, ok := c.FromMemory(target)
			judged[c.ID+" "+target] = ok
			if !ok {
				continue
			}
			p := c.Probe(ctx, target)
			names := func(ms []checks.Metric) (out []string) {
				for _, m := range ms {
					out = append(out, m.Name) // ages move between the two calls
				}
				return out
			}
			if f.Status != p.Status || f.Summary != p.Summary || f.Details != p.Details || f.Error != p.Error ||
				!reflect.DeepEqual(f.Evidence, p.Evidence) || !slices.Equal(names(f.Metrics), names(p.Metrics)) {
				t.Errorf("%s %s: judged %+v, probed %+v", c.ID, target, f, p)
			}
		}
	}
	for k, want := range map[string]bool{"kube.node n1": true, "kube.node n2": false, "kube.allocation n1": true,
		"kube.pod app/crash": true, "kube.machine dead": true, "kube.pods pods": true} {
		if got, seen := judged[k]; !seen || got != want {
			t.Errorf("%s: judged from memory %v (seen %v), want %v", k, got, seen, want)
		}
	}

	// Before the core caches are in, the judge declines: the probe waits for them. (A custom
	// resource this watcher was not given is "not installed" at once, either way.)
	idle := sitekube.NewWatcher("c1", &sitekube.Clients{Kube: fake.NewSimpleClientset(), Dynamic: dynfake.NewSimpleDynamicClient(runtime.NewScheme())}, nil)
	core := []string{"kube.node", "kube.allocation", "kube.pod", "kube.pods", "kube.workload", "kube.static-pod", "kube.namespace"}
	for _, c := range Checks(&site, []*sitekube.Watcher{idle}, nil) {
		if !slices.Contains(core, c.ID) {
			continue
		}
		if f, ok := c.FromMemory("n1"); ok {
			t.Errorf("%s judged unsynced caches: %+v", c.ID, f)
		}
	}
}

// fakeCluster is a synced watcher over a fake cluster: n1 Ready, n2 NotReady for an hour, a
// ready pod and a crash-looping one, a Machine stuck deleting.
func fakeCluster(t *testing.T) (*sitekube.Watcher, context.Context) {
	t.Helper()
	live := func(n *corev1.Node) *corev1.Node { // the checks run on the real clock
		n.Status.Conditions[0].LastHeartbeatTime = metav1.Now()
		return n
	}
	kc := fake.NewSimpleClientset(live(node("n1", corev1.ConditionTrue, 0, false)), node("n2", corev1.ConditionUnknown, time.Hour, false),
		pod("app", "web", nil), pod("app", "crash", func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}
		}))
	machines := schema.GroupVersionResource{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machines"}
	stuck := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "machine.sigma.alipay.com/v1", "kind": "Machine",
		"metadata": map[string]any{"name": "dead", "finalizers": []any{"finalizer.k8s.alipay.com/machine"}, "deletionTimestamp": now.Format(time.RFC3339)}}}
	dc := dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{machines: "MachineList"}, stuck)
	kc.Resources = []*metav1.APIResourceList{{GroupVersion: "machine.sigma.alipay.com/v1", APIResources: []metav1.APIResource{{Name: "machines", Kind: "Machine"}}}}
	w := sitekube.NewWatcher("c1", &sitekube.Clients{Kube: kc, Dynamic: dc}, []schema.GroupVersionResource{machines})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Start(ctx)
	if !w.WaitSynced(ctx) {
		t.Fatal("not synced")
	}
	return w, ctx
}

// A healthy node judged again a round later says the same: the store sees a confirmation, not a
// change, so 2,000 healthy nodes wake nobody at every round. The age is a metric.
func TestHealthyNodeVerdictDoesNotAge(t *testing.T) {
	hb := Heartbeat{LeaseStale: 40 * time.Second, StatusStale: 5*time.Minute + 40*time.Second}
	n := node("a", corev1.ConditionTrue, 3*time.Minute, false)
	l1, l2 := now.Add(-2*time.Second), now.Add(-9*time.Second)
	_, s1 := JudgeNode(n, &l1, now, hb)
	_, s2 := JudgeNode(n, &l2, now, hb)
	if s1 != s2 {
		t.Fatalf("%q then %q", s1, s2)
	}
	if m, ok := heartbeatMetric(n, &l2, now, hb); !ok || m.Value != 9 || m.Name != "lease age" {
		t.Fatalf("metric %+v", m)
	}
}

// The first round of kube.node waits for the Leases: a node whose Ready heartbeat is 10 minutes
// old (a kubelet with a Lease touches it every 5) must not be judged stale because the Nodes
// were listed before the Leases (2,000 false warnings for seconds at every start on the lab).
func TestFirstNodeRoundWaitsForLeases(t *testing.T) {
	n := node("n1", corev1.ConditionTrue, 0, false)
	n.Status.Conditions[0].LastHeartbeatTime = metav1.NewTime(time.Now().Add(-10 * time.Minute))
	renewed := metav1.NewMicroTime(time.Now())
	lease := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: sitekube.LeaseNamespace, Name: "n1"}, Spec: coordv1.LeaseSpec{RenewTime: &renewed}}
	kc := fake.NewSimpleClientset(n, lease)
	kc.PrependReactor("list", "leases", func(k8stesting.Action) (bool, runtime.Object, error) {
		time.Sleep(300 * time.Millisecond) // the Leases come last
		return false, nil, nil
	})
	w, ctx := startFake(t, kc, nil, "nodes")
	site := config.Defaults()
	var node checks.Check
	for _, c := range Checks(&site, []*sitekube.Watcher{w}, nil) {
		if c.ID == "kube.node" {
			node = c
		}
	}
	// The Nodes are in, the Leases usually not yet (the fake serializes its lists, so they may
	// come first): a verdict from memory while they are out would be by the old heartbeat.
	if f, ok := node.FromMemory("n1"); ok && !w.Settled("leases") {
		t.Fatalf("judged from memory before the Leases were listed: %+v", f)
	}
	f := node.Probe(ctx, "n1")
	if f.Status != checks.OK {
		t.Fatalf("%s %q (%s): judged before the Leases were listed", f.Status, f.Summary, f.Details)
	}
}

// Leases are listed, not watched: a table older than half the stale threshold (its lists fail
// or hang while the API still answers pings) is not trusted, so live nodes never look stale
// because of it.
func TestAnOldLeaseListIsNotTrusted(t *testing.T) {
	n := node("n1", corev1.ConditionTrue, 0, false)
	n.Status.Conditions[0].LastHeartbeatTime = metav1.NewTime(time.Now())
	renewed := metav1.NewMicroTime(time.Now())
	lease := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: sitekube.LeaseNamespace, Name: "n1"}, Spec: coordv1.LeaseSpec{RenewTime: &renewed}}
	kc := fake.NewSimpleClientset(n, lease)
	w, _ := startFake(t, kc, func(w *sitekube.Watcher) { w.LeaseEvery = time.Hour }, "nodes", "leases") // one list of Leases, then none
	site := config.Defaults()
	site.Thresholds.NodeHeartbeatStale = config.Duration(time.Second)
	c := &cluster{site: &site, w: w}
	if _, why := c.leaseOf("n1"); why != "" {
		t.Fatalf("a fresh list is not trusted: %s", why)
	}
	time.Sleep(600 * time.Millisecond)
	if l, why := c.leaseOf("n1"); l != nil || !strings.Contains(why, "last listed") {
		t.Fatalf("a list older than half the threshold is trusted: %v %q", l, why)
	}
}

// The pod summary counts phases and problems in one walk, and its problems are kube.pod's.
func TestPodSummaryCountsPhasesAndProblems(t *testing.T) {
	old := metav1.NewTime(time.Now().Add(-time.Hour))
	pod := func(name string, phase corev1.PodPhase) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: old}, Status: corev1.PodStatus{Phase: phase,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	}
	crash := pod("crash", corev1.PodRunning)
	crash.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}
	kc := fake.NewSimpleClientset(pod("web", corev1.PodRunning), pod("job", corev1.PodSucceeded), pod("stuck", corev1.PodPending), crash)
	w, _ := startFake(t, kc, nil, "pods")
	site := config.Defaults()
	c := &cluster{site: &site, w: w}
	f := c.podSummary("pods")
	if want := "4 pods: 2 running, 1 completed jobs (expected), 1 other; 2 not ready (see kube.pod)"; f.Summary != want {
		t.Fatalf("%q, want %q", f.Summary, want)
	}
	if got := c.problemPods(); len(got) != 2 {
		t.Fatalf("kube.pod's problems %v", got)
	}
}

// startFake starts a watcher over a fake clientset (set, when given, adjusts it first) and waits
// for the named collections.
func startFake(t testing.TB, kc *fake.Clientset, set func(*sitekube.Watcher), cols ...string) (*sitekube.Watcher, context.Context) {
	t.Helper()
	w := sitekube.NewWatcher("c1", &sitekube.Clients{Kube: kc, Dynamic: dynfake.NewSimpleDynamicClient(runtime.NewScheme())}, nil)
	if set != nil {
		set(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Start(ctx)
	w.WaitFor(ctx, cols...)
	return w, ctx
}
