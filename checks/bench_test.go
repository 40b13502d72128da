package checks

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func BenchmarkStorePut(b *testing.B) {
	st := NewStore(50 * time.Millisecond)
	fs := make([]Finding, 100_000)
	for i := range fs {
		fs[i] = Finding{Check: "host.load", Target: fmt.Sprintf("node%05d", i)}
	}
	i := 0
	for b.Loop() {
		st.Put(fs[i%len(fs)])
		i++
	}
}

func BenchmarkStoreSnapshot100k(b *testing.B) {
	st := NewStore(50 * time.Millisecond)
	for i := range 100_000 {
		st.Put(Finding{Check: "host.load", Target: fmt.Sprintf("node%05d", i), Status: Status(i % 4)})
	}
	for b.Loop() {
		_ = st.Snapshot()
	}
}

// One round of 6 checks on 5,000 hosts with an instant probe: the scheduler's own overhead.
func BenchmarkRunOnce30kJobs(b *testing.B) {
	hosts := make([]string, 5000)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("node%04d", i)
	}
	var cs []Check
	for i := range 6 {
		cs = append(cs, Check{ID: fmt.Sprintf("host.c%d", i), Timeout: time.Second, Targets: targets(hosts...),
			Probe: func(context.Context, string) Finding { return Finding{Status: OK} }})
	}
	for b.Loop() {
		s := &Scheduler{Checks: cs, Store: NewStore(50 * time.Millisecond), Limit: 64}
		s.RunOnce(context.Background(), nil)
	}
}

// One finding changes its status among 100,000, then a snapshot: the store's work per change.
func BenchmarkStoreChangeThenSnapshot100k(b *testing.B) {
	st := NewStore(50 * time.Millisecond)
	for i := range 100_000 {
		st.Put(Finding{Check: "host.load", Target: fmt.Sprintf("node%05d", i), Status: Status(i % 4)})
	}
	for i := 0; b.Loop(); i++ {
		st.Put(Finding{Check: "host.load", Target: "node00777", Status: Status(i % 4)})
		_ = st.Snapshot()
	}
}

// One round of a check over 5,000 nodes whose verdicts come from memory, into a store that
// holds them already (a steady round): probed, each target is a job with its goroutines, timer
// and turn at the store's lock; judged, the round judges them in one goroutine, one lock.
func BenchmarkRound5kNodes(b *testing.B) {
	nodes := make([]string, 5000)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("scale-node-%05d", i)
	}
	verdict := func(string) Finding { return Finding{Status: OK, Summary: "Ready, lease renewed 3s ago"} }
	for _, judged := range []bool{false, true} {
		c := Check{ID: "kube.node", Area: "kubernetes", Timeout: time.Second, Targets: targets(nodes...),
			Probe: func(_ context.Context, t string) Finding { return verdict(t) }}
		name := "probed"
		if judged {
			c.FromMemory = func(t string) (Finding, bool) { return verdict(t), true }
			name = "judged"
		}
		b.Run(name, func(b *testing.B) {
			s := &Scheduler{Checks: []Check{c}, Store: NewStore(50 * time.Millisecond), Limit: 64}
			s.RunOnce(context.Background(), nil)
			b.ReportAllocs()
			for b.Loop() {
				s.RunOnce(context.Background(), nil)
			}
		})
	}
}
