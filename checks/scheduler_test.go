package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/config"
)

func targets(ts ...string) func() []string { return func() []string { return ts } }

func TestHungTargetTimesOutWithoutDelayingOthers(t *testing.T) {
	st := NewStore(time.Millisecond)
	block := make(chan struct{})
	defer close(block)
	s := &Scheduler{Store: st, Limit: 4, Checks: []Check{{
		ID: "host.x", Area: "hosts", Timeout: 200 * time.Millisecond,
		Targets: targets("dead", "a", "b"),
		Probe: func(ctx context.Context, target string) Finding {
			if target == "dead" {
				<-block // ignores ctx on purpose: a wedged probe
			}
			return Finding{Status: OK, Summary: "fine"}
		},
	}}}
	s.RunOnce(context.Background(), nil)
	snap := st.Snapshot()
	if len(snap.Findings) != 3 {
		t.Fatalf("want 3 findings, got %d", len(snap.Findings))
	}
	dead := snap.Findings[0]
	if dead.Target != "dead" || dead.Status != Unknown || dead.Error != "timed out after 200ms" {
		t.Fatalf("dead target: %+v", dead)
	}
	for _, f := range snap.Findings[1:] {
		if f.Status != OK || f.Duration > 150*time.Millisecond {
			t.Errorf("healthy target %s: status %s after %s", f.Target, f.Status, f.Duration)
		}
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var running, peak atomic.Int32
	var ts []string
	for i := range 40 {
		ts = append(ts, string(rune('a'+i%26))+string(rune('0'+i/26)))
	}
	s := &Scheduler{Store: NewStore(time.Millisecond), Limit: 3, Checks: []Check{{
		ID: "c", Timeout: time.Second, Targets: targets(ts...),
		Probe: func(ctx context.Context, _ string) Finding {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			return Finding{Status: OK}
		},
	}}}
	done := 0
	s.RunOnce(context.Background(), func(d, total int) { done = d })
	if peak.Load() > 3 {
		t.Fatalf("peak concurrency %d exceeds limit 3", peak.Load())
	}
	if done != 40 {
		t.Fatalf("progress reported %d of 40", done)
	}
}

func TestTimeoutAppliesPerCheck(t *testing.T) {
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 2, Checks: []Check{
		{ID: "slow", Timeout: 20 * time.Millisecond, Targets: targets("h"), Probe: func(ctx context.Context, _ string) Finding {
			<-ctx.Done()
			return Failed(ctx.Err())
		}},
		{ID: "patient", Timeout: time.Second, Targets: targets("h"), Probe: func(ctx context.Context, _ string) Finding {
			time.Sleep(50 * time.Millisecond)
			return Finding{Status: Warn}
		}},
	}}
	s.RunOnce(context.Background(), nil)
	got := map[string]Status{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check] = f.Status
	}
	if got["slow"] != Unknown || got["patient"] != Warn {
		t.Fatalf("got %v", got)
	}
}

func TestPanickingProbeIsUnknown(t *testing.T) {
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 1, Checks: []Check{{ID: "p", Timeout: time.Second, Targets: targets("h"),
		Probe: func(context.Context, string) Finding { panic("boom") }}}}
	s.RunOnce(context.Background(), nil)
	f := st.Snapshot().Findings[0]
	if f.Status != Unknown || f.Error != "probe panicked: boom" {
		t.Fatalf("%+v", f)
	}
}

func TestKnownExceptionTurnsFindingOK(t *testing.T) {
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 1,
		Exceptions: []config.Exception{{Check: "pods.*", Target: "kube-system/network-controller-*", Reason: "after power loss"}},
		Checks: []Check{{ID: "pods.not_ready", Timeout: time.Second, Targets: targets("kube-system/network-controller-x", "kube-system/other"),
			Probe: func(context.Context, string) Finding { return Finding{Status: Crit} }}}}
	s.RunOnce(context.Background(), nil)
	for _, f := range st.Snapshot().Findings {
		excepted := f.Target == "kube-system/network-controller-x"
		if excepted != (f.Status == OK) || excepted != (f.Exception == "after power loss (was crit)") {
			t.Errorf("%s: status %s exception %q", f.Target, f.Status, f.Exception)
		}
	}
}

func TestRunRepeatsAtInterval(t *testing.T) {
	var n atomic.Int32
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 1, Checks: []Check{{ID: "tick", Interval: 10 * time.Millisecond, Timeout: time.Second,
		Targets: targets("h"), Probe: func(context.Context, string) Finding { n.Add(1); return Finding{Status: OK} }}}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for n.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	s.Run(ctx) // returns only because the probe ran repeatedly and ctx was cancelled
}

func TestStoreCoalescesAndKeepsLatest(t *testing.T) {
	st := NewStore(20 * time.Millisecond)
	ch := st.Subscribe()
	for i := range 1000 {
		st.Put(Finding{Check: "c", Target: "t", Status: Status(i % 4)})
	}
	st.Put(Finding{Check: "c", Target: "t", Status: Crit, Summary: "last"})
	deadline := time.After(2 * time.Second)
	got := 0
	for {
		select {
		case snap := <-ch:
			got++
			if len(snap.Findings) == 1 && snap.Findings[0].Summary == "last" {
				if got > 10 {
					t.Fatalf("1001 puts produced %d snapshots: not coalesced", got)
				}
				return
			}
		case <-deadline:
			t.Fatal("never saw the last finding")
		}
	}
}

func TestExitCodeRule(t *testing.T) {
	cases := []struct {
		in   []Status
		code int
	}{
		{nil, 0}, {[]Status{OK}, 0}, {[]Status{OK, Warn}, 1},
		{[]Status{Warn, Unknown}, 3}, {[]Status{Unknown, Crit, Warn}, 2}, {[]Status{OK, Unknown}, 3},
	}
	for _, c := range cases {
		var fs []Finding
		for _, s := range c.in {
			fs = append(fs, Finding{Status: s})
		}
		if got := Worst(fs).ExitCode(); got != c.code {
			t.Errorf("%v: exit %d, want %d", c.in, got, c.code)
		}
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want Status
	}{{79.9, OK}, {80, Warn}, {89.99, Warn}, {90, Warn}, {90.01, Crit}, {93, Crit}} { // §2.2: not above 90 %
		if got := Judge(c.v, 80, 90); got != c.want {
			t.Errorf("Judge(%v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestSelect(t *testing.T) {
	all := []Check{{ID: "host.load"}, {ID: "host.disk"}, {ID: "kube.nodes"}}
	if got := Select(all, []string{"host.load*"}); len(got) != 1 || got[0].ID != "host.load" {
		t.Errorf("glob: %v", got)
	}
	if got := Select(all, []string{"host"}); len(got) != 2 {
		t.Errorf("prefix: %v", got)
	}
}

func TestFailedKeepsErrorApart(t *testing.T) {
	f := Failed(errors.New("connection refused"))
	if f.Status != Unknown || f.Error != "connection refused" {
		t.Fatal(f)
	}
}

func TestRetainDropsTargetsThatAreGone(t *testing.T) {
	st := NewStore(time.Millisecond)
	st.Put(Finding{Check: "kube.pod", Target: "a/x", Status: Crit})
	st.Put(Finding{Check: "kube.pod", Target: "a/y", Status: Crit})
	st.Put(Finding{Check: "kube.node", Target: "n1", Status: OK})
	st.Retain("kube.pod", nil, []string{"a/y"})
	got := map[string]bool{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = true
	}
	if got["kube.pod a/x"] || !got["kube.pod a/y"] || !got["kube.node n1"] {
		t.Fatalf("%v", got)
	}
}

// Two clusters each have a kube.pod check: one cluster's round must not drop the other's
// findings, and RunOne must run the check that owns the target.
func TestChecksSharingAnIDSplitByScope(t *testing.T) {
	st := NewStore(time.Millisecond)
	probe := func(cluster string) func(context.Context, string) Finding {
		return func(_ context.Context, target string) Finding {
			return Finding{Status: Crit, Summary: "judged by " + cluster}
		}
	}
	lab := Check{ID: "kube.pod", Scope: "lab/", Interval: time.Hour, Timeout: time.Second, Probe: probe("lab"),
		Targets: func() []string { return []string{"lab/ns/a"} }}
	biz := Check{ID: "kube.pod", Scope: "biz/", Interval: time.Hour, Timeout: time.Second, Probe: probe("biz"),
		Targets: func() []string { return []string{"biz/ns/b"} }}
	s := &Scheduler{Store: st, Limit: 4, Checks: []Check{lab, biz}}
	s.RunOnce(context.Background(), nil)
	st.Retain(lab.ID, lab.Owns, lab.Targets())
	st.Retain(biz.ID, biz.Owns, biz.Targets())
	if n := len(st.Snapshot().Findings); n != 2 {
		t.Fatalf("a round dropped the other cluster's finding: %d left", n)
	}
	f, err := s.RunOne(context.Background(), "kube.pod", "biz/ns/b")
	if err != nil || f.Summary != "judged by biz" {
		t.Fatalf("RunOne ran the wrong cluster's check: %v %q", err, f.Summary)
	}
	if !lab.Owns("lab") || lab.Owns("biz/ns/b") || !(Check{}).Owns("x") {
		t.Fatal("Owns")
	}
}

// The store keeps its order as findings come and go: a snapshot is always what sorting every
// finding from scratch gives.
func TestStoreKeepsItsOrder(t *testing.T) {
	st := NewStore(time.Millisecond)
	want := map[string]Finding{}
	for i := range 3000 {
		f := Finding{Check: fmt.Sprintf("c%d", i%3), Area: fmt.Sprintf("a%d", i%2), Target: fmt.Sprintf("t%d", (i*7919)%211), Status: Status((i * 31) % 4)}
		st.Put(f)
		want[f.Key()] = f
		if i%500 == 499 {
			var keep []string
			for _, w := range want {
				if w.Check == "c1" && len(keep) < 40 {
					keep = append(keep, w.Target)
				}
			}
			st.Retain("c1", nil, keep)
			for k, w := range want {
				if w.Check == "c1" && !slices.Contains(keep, w.Target) {
					delete(want, k)
				}
			}
		}
	}
	var all []Finding
	for _, f := range want {
		all = append(all, f)
	}
	SortWorstFirst(all)
	got := st.Snapshot().Findings
	if len(got) != len(all) {
		t.Fatalf("%d findings, want %d", len(got), len(all))
	}
	for i := range all {
		if got[i].Key() != all[i].Key() || got[i].Status != all[i].Status {
			t.Fatalf("at %d: %s %s, want %s %s", i, got[i].Key(), got[i].Status, all[i].Key(), all[i].Status)
		}
	}
}

// A refresh that only quotes new numbers at the same status is quiet (published every
// QuietEvery); a new status or new words are published at once.
func TestNewNumbersAreAQuietRefresh(t *testing.T) {
	f := func(st Status, summary string) *Finding { return &Finding{Status: st, Summary: summary} }
	for _, c := range []struct {
		a, b  *Finding
		quiet bool
	}{
		{f(OK, "cpu 99.1 % busy"), f(OK, "cpu 98.8 % busy"), true},
		{f(OK, "load 4.26 4.65 on 2 cores"), f(OK, "load 12.80 4.75 on 2 cores"), true},
		{f(OK, "reachable over SSH (379ms)"), f(OK, "reachable over SSH (1,606ms)"), true},
		{f(OK, "cpu 99.1 % busy"), f(Warn, "cpu 99.1 % busy"), false},
		{f(Crit, "kubelet down"), f(Crit, "kubelet down; containerd down"), false},
		{f(Crit, "disk 91% /var"), f(Crit, "disk 91% /data"), false},
		{f(OK, "v1.2"), f(OK, "v1.2 x"), false},
	} {
		if got := sameVerdict(c.a, c.b); got != c.quiet {
			t.Errorf("%q → %q: quiet %v, want %v", c.a.Summary, c.b.Summary, got, c.quiet)
		}
	}
}

// A check's second round starts its spread after the interval, then keeps the interval: checks
// that started together do not probe together again.
func TestRoundsAreSpreadAfterTheFirst(t *testing.T) {
	// Long enough that the spread (29 ms for this id) stands well clear of when a probe's
	// goroutine happens to run (the round's clock starts before its probes do): slack below.
	const every = 400 * time.Millisecond
	const slack = 10 * time.Millisecond
	id := "spread.me"
	if spread(id, every) == spread("other.check", every) {
		t.Fatal("two ids share a phase: pick others")
	}
	if d := spread(id, every); d < 0 || d >= every/2 {
		t.Fatalf("spread %s is outside [0, %s)", d, every/2)
	}
	var mu sync.Mutex
	var at []time.Time
	s := &Scheduler{Store: NewStore(time.Millisecond), Limit: 1, Checks: []Check{{ID: id, Interval: every, Timeout: time.Second,
		Targets: targets("h"), Probe: func(context.Context, string) Finding {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			return Finding{Status: OK}
		}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		for {
			mu.Lock()
			n := len(at)
			mu.Unlock()
			if n >= 3 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	s.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	if len(at) < 3 {
		t.Fatalf("%d rounds", len(at))
	}
	if second := at[1].Sub(at[0]); second < every+spread(id, every)-slack {
		t.Errorf("second round after %s, want at least %s", second, every+spread(id, every))
	}
	if third := at[2].Sub(at[1]); third < every-slack || third >= every+spread(id, every)/2 {
		t.Errorf("third round after %s, want about %s", third, every)
	}
}

// What a check answers from memory (FromMemory) is stored, finished like a probe's finding, and never
// probed; what it declines is probed. A judge that panics fails its target alone.
func TestJudgedTargetsAreNotProbed(t *testing.T) {
	var mu sync.Mutex
	probed := map[string]int{}
	c := Check{ID: "kube.node", Area: "kubernetes", Kind: KindNode, Interval: time.Hour, Timeout: time.Second,
		Targets: targets("a", "b", "c", "boom"),
		Probe: func(_ context.Context, target string) Finding {
			mu.Lock()
			probed[target]++
			mu.Unlock()
			return Finding{Status: Warn, Summary: "probed"}
		},
		FromMemory: func(target string) (Finding, bool) {
			switch target {
			case "boom":
				panic("judged badly")
			case "c":
				return Finding{}, false
			}
			return Finding{Status: Crit, Summary: "judged \x1b[31m" + target}, true
		}}
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 2, Checks: []Check{c},
		Exceptions: []config.Exception{{Check: "kube.node", Target: "b", Reason: "known"}}}
	var last [2]int
	s.RunOnce(context.Background(), func(done, total int) { last = [2]int{done, total} })
	if last != [2]int{4, 4} {
		t.Errorf("progress ended at %v, want 4 of 4", last)
	}
	check := func(when string) {
		t.Helper()
		got := map[string]*Finding{}
		for _, f := range st.Snapshot().Findings {
			got[f.Target] = f
		}
		a := got["a"]
		if a == nil || a.Status != Crit || !strings.HasPrefix(a.Summary, "judged ") || a.Check != "kube.node" ||
			a.Area != "kubernetes" || a.Kind != KindNode || a.Guide != GuideOf("kube.node") || a.ObservedAt.IsZero() {
			t.Errorf("%s: a judged %+v", when, a)
		}
		if strings.ContainsRune(a.Summary, '\x1b') {
			t.Errorf("%s: a judged summary reaches the terminal raw: %q", when, a.Summary)
		}
		if b := got["b"]; b == nil || b.Status != OK || b.Exception != "known (was crit)" {
			t.Errorf("%s: the site's exception is not applied to a judged finding: %+v", when, b)
		}
		if c := got["c"]; c == nil || c.Summary != "probed" {
			t.Errorf("%s: a declined target is not probed: %+v", when, c)
		}
		if f := got["boom"]; f == nil || f.Status != Unknown || f.Error != "probe panicked: judged badly" {
			t.Errorf("%s: a panicking judge: %+v", when, f)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, judged := range []string{"a", "b", "boom"} {
			if probed[judged] != 0 {
				t.Errorf("%s: %s was judged and probed too", when, judged)
			}
		}
	}
	check("RunOnce")

	st = NewStore(time.Millisecond)
	s.Store, probed = st, map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(st.Snapshot().Findings) < 4 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	s.Run(ctx)
	check("Run")

	if f, err := s.RunOne(context.Background(), "kube.node", "a"); err != nil || f.Status != Crit || probed["a"] != 0 {
		t.Errorf("RunOne: %+v %v (probed %d)", f, err, probed["a"])
	}
}

// While a target's probe is out (here hung), its timeout finding stands: a verdict from memory would hide
// it. A target the memory declines is probed, by RunOne too.
func TestAHungProbeIsNotHiddenByAVerdictFromMemory(t *testing.T) {
	release := make(chan struct{})
	var cached atomic.Bool // the node looks NotReady (needs SSH) until set
	c := Check{ID: "kube.node", Timeout: 20 * time.Millisecond, Targets: targets("n1"),
		Probe: func(ctx context.Context, _ string) Finding {
			<-release // the host's SSH hangs and ignores ctx
			return Finding{Status: Crit, Summary: "probed late"}
		},
		FromMemory: func(string) (Finding, bool) {
			if !cached.Load() {
				return Finding{}, false
			}
			return Finding{Status: OK, Summary: "Ready"}, true
		}}
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 4, Checks: []Check{c}}
	f, err := s.RunOne(context.Background(), "kube.node", "n1")
	if err != nil || f.Status != Unknown || !strings.Contains(f.Error, "timed out") {
		t.Fatalf("a declined target is not probed: %+v %v", f, err)
	}
	cached.Store(true) // Ready for a moment
	if f, err := s.RunOne(context.Background(), "kube.node", "n1"); !errors.Is(err, ErrProbeOut) {
		t.Errorf("judged from memory while its probe hangs, or no ErrProbeOut to ask again by: %+v %v", f, err)
	}
	s.RunOnce(context.Background(), nil)
	if got := st.Snapshot().Findings; len(got) != 1 || got[0].Status != Unknown {
		t.Fatalf("the timeout finding did not stand: %v", got)
	}
	close(release)
	for deadline := time.Now().Add(5 * time.Second); s.probeOut("kube.node", "n1"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the released probe is still out")
		}
	}
	if f, err := s.RunOne(context.Background(), "kube.node", "n1"); err != nil || f.Summary != "Ready" {
		t.Fatalf("judged once the probe returned: %+v %v", f, err)
	}
}

// RunOne is asked by someone waiting (an event's re-judgement, an action's verification): what
// it stores moves the cockpit at once, judged from memory or probed.
func TestRunOneStoresUrgently(t *testing.T) {
	status := Crit
	judged := Check{ID: "kube.node", Interval: time.Hour, Timeout: time.Second, Targets: targets("n1"),
		Probe:      func(context.Context, string) Finding { return Finding{Status: Warn} },
		FromMemory: func(string) (Finding, bool) { return Finding{Status: status, Summary: status.String()}, true }}
	probed := Check{ID: "host.kubelet", Interval: time.Hour, Timeout: time.Second, Targets: targets("h1"),
		Probe: func(context.Context, string) Finding { return Finding{Status: status, Summary: status.String()} }}
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 2, Checks: []Check{judged, probed}}
	ch := st.Subscribe()
	<-ch
	for _, c := range []struct{ check, target string }{{"kube.node", "n1"}, {"host.kubelet", "h1"}} {
		for _, want := range []Status{Crit, OK} {
			status = want
			if _, err := s.RunOne(context.Background(), c.check, c.target); err != nil {
				t.Fatal(err)
			}
			select {
			case snap := <-ch:
				if !snap.Urgent {
					t.Errorf("%s on %s (%s) was not urgent", c.check, c.target, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no snapshot")
			}
		}
	}
}

// A rerun asked as soon as the last one returned runs: its probe is out of flight by then (the
// demo's ADNS test asked for dns.resolve twice in a row and was now and then told the first
// probe was still out).
func TestRunOneRightAfterRunOne(t *testing.T) {
	c := Check{ID: "dns.resolve", Interval: time.Hour, Timeout: time.Second, Targets: targets("vip"),
		Probe: func(context.Context, string) Finding { return Finding{Status: OK} }}
	s := &Scheduler{Store: NewStore(time.Millisecond), Limit: 2, Checks: []Check{c}}
	for i := range 2000 {
		if _, err := s.RunOne(context.Background(), "dns.resolve", "vip"); err != nil {
			t.Fatalf("rerun %d: %v", i+1, err)
		}
	}
}
