package checks

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// A published snapshot shares the store's findings: a new verdict, a dropped finding or a
// newer snapshot never changes what an older snapshot holds.
func TestSnapshotsShareFindingsThatNeverChange(t *testing.T) {
	st := NewStore(time.Millisecond)
	st.Put(Finding{Check: "c", Target: "a", Status: Warn, Summary: "first"})
	st.Put(Finding{Check: "c", Target: "b", Status: OK, Summary: "fine"})
	old := st.Snapshot()
	st.Put(Finding{Check: "c", Target: "a", Status: Crit, Summary: "second"})
	st.Retain("c", nil, []string{"a"})
	if len(old.Findings) != 2 || old.Findings[0].Summary != "first" || old.Findings[0].Status != Warn || old.Findings[1].Summary != "fine" {
		t.Fatalf("an old snapshot changed: %+v %+v", *old.Findings[0], *old.Findings[1])
	}
	now := st.Snapshot()
	if len(now.Findings) != 1 || now.Findings[0].Summary != "second" {
		t.Fatalf("the new snapshot: %d findings, %+v", len(now.Findings), now.Findings)
	}
	if v := old.Values(); len(v) != 2 || v[0].Summary != "first" {
		t.Fatalf("values %+v", v)
	}
}

// Findings put together are stored as if put one by one: the same order, the later of two for
// one key, a wake-up when a verdict moved and a quiet refresh when none did.
func TestPutAllIsPutOneByOne(t *testing.T) {
	one, all := NewStore(time.Millisecond), NewStore(time.Millisecond)
	var batch []Finding
	same := func(when string) {
		t.Helper()
		a, b := one.Snapshot(), all.Snapshot()
		if len(a.Findings) != len(b.Findings) || a.Version != b.Version {
			t.Fatalf("%s: %d findings version %d, put one by one %d version %d", when, len(b.Findings), b.Version, len(a.Findings), a.Version)
		}
		for i := range a.Findings {
			if !reflect.DeepEqual(*a.Findings[i], *b.Findings[i]) {
				t.Fatalf("%s: at %d: %+v, put one by one %+v", when, i, *b.Findings[i], *a.Findings[i])
			}
		}
	}
	n := 2*putBlock + 88   // batches over more than one block
	for i := range 2 * n { // keys repeat within a batch, and statuses move between blocks
		f := Finding{Check: fmt.Sprintf("c%d", i%3), Area: "a", Target: fmt.Sprintf("t%d", (i*7)%50), Status: Status((i * 31) % 4), Summary: fmt.Sprint(i)}
		one.Put(f)
		batch = append(batch, f)
		if i%n == n-1 {
			all.PutAll(batch)
			batch = nil
		}
	}
	same("after two batches")

	ch := all.Subscribe()
	<-ch
	time.Sleep(30 * time.Millisecond) // the batches' wake and the subscriber's may publish twice
	select {
	case <-ch:
	default:
	}
	refresh := all.Snapshot().Values()
	for i := range refresh {
		refresh[i].ObservedAt = time.Now()
		one.Put(refresh[i])
	}
	all.PutAll(refresh)
	same("after a refresh")
	select {
	case s := <-ch:
		t.Fatalf("a refresh that moved no verdict woke the subscriber (version %d)", s.Version)
	case <-time.After(50 * time.Millisecond):
	}
	all.mu.Lock()
	quiet := all.quiet
	all.mu.Unlock()
	if !quiet {
		t.Error("a refresh is not marked for the quiet publication")
	}
	moved := refresh[0] // a new finding: the store holds refresh's
	moved.Status = (moved.Status + 1) % 4
	moved.ObservedAt = time.Now()
	all.PutAll([]Finding{moved})
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("a moved verdict did not wake the subscriber")
	}
}

// A round's verdict judged before the reactor judged its target again does not replace the
// newer one when the round stores its verdicts.
func TestPutAllKeepsANewerVerdict(t *testing.T) {
	st := NewStore(time.Millisecond)
	t0 := time.Now()
	round := []Finding{{Check: "kube.node", Target: "n1", Status: OK, Summary: "Ready", ObservedAt: t0},
		{Check: "kube.node", Target: "n2", Status: OK, Summary: "Ready", ObservedAt: t0}}
	st.Put(Finding{Check: "kube.node", Target: "n1", Status: Crit, Summary: "NotReady", ObservedAt: t0.Add(time.Millisecond)})
	st.PutAll(round)
	got := map[string]string{}
	for _, f := range st.Snapshot().Findings {
		got[f.Target] = f.Summary
	}
	if got["n1"] != "NotReady" || got["n2"] != "Ready" {
		t.Fatalf("%v: the newer verdict on n1 was replaced, or n2's not stored", got)
	}
}

// A verdict someone waits for (PutNow) that moved makes the snapshot carrying it Urgent; a
// calm Put, or a PutNow that only confirms, does not.
func TestPutNowMakesItsSnapshotUrgent(t *testing.T) {
	s := NewStore(time.Millisecond)
	ch := s.Subscribe()
	next := func() Snapshot {
		t.Helper()
		select {
		case snap := <-ch:
			return snap
		case <-time.After(5 * time.Second):
			t.Fatal("no snapshot")
		}
		return Snapshot{}
	}
	next() // the subscriber's first
	at := time.Now()
	s.Put(Finding{Check: "kube.node", Target: "n1", Status: Crit, Summary: "NotReady", ObservedAt: at})
	if next().Urgent {
		t.Error("a calm Put made its snapshot urgent")
	}
	s.PutNow(Finding{Check: "kube.node", Target: "n1", Status: OK, Summary: "Ready", ObservedAt: at.Add(time.Second)})
	if !next().Urgent {
		t.Error("PutNow's moved verdict is not urgent")
	}
	s.PutNow(Finding{Check: "kube.node", Target: "n1", Status: OK, Summary: "Ready", ObservedAt: at.Add(2 * time.Second)})
	s.Put(Finding{Check: "host.cpu", Target: "h1", Status: Warn, Summary: "busy", ObservedAt: at})
	if snap := next(); snap.Urgent {
		t.Error("a PutNow that only confirmed made a later calm change urgent")
	}
}
