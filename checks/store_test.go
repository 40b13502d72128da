package checks

import (
	"fmt"
	"reflect"
	"slices"
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
	for i := range 600 {
		f := Finding{Check: fmt.Sprintf("c%d", i%3), Area: "a", Target: fmt.Sprintf("t%d", (i*7919)%251), Status: Status((i * 31) % 4), Summary: fmt.Sprint(i)}
		one.Put(f)
		batch = append(batch, f)
		if i%100 == 99 {
			all.PutAll(batch)
			batch = nil
		}
	}
	a, b := one.Snapshot(), all.Snapshot()
	if len(a.Findings) != len(b.Findings) || a.Version != b.Version {
		t.Fatalf("%d findings version %d, put one by one %d version %d", len(b.Findings), b.Version, len(a.Findings), a.Version)
	}
	for i := range a.Findings {
		if !reflect.DeepEqual(*a.Findings[i], *b.Findings[i]) {
			t.Fatalf("at %d: %+v, put one by one %+v", i, *b.Findings[i], *a.Findings[i])
		}
	}

	ch := all.Subscribe()
	<-ch
	refresh := slices.Clone(b.Values())
	for i := range refresh {
		refresh[i].ObservedAt = time.Now()
	}
	all.PutAll(refresh)
	select {
	case s := <-ch:
		t.Fatalf("a refresh that moved no verdict woke the subscriber (version %d)", s.Version)
	case <-time.After(50 * time.Millisecond):
	}
	if !all.quiet {
		t.Error("a refresh is not marked for the quiet publication")
	}
	moved := refresh[0] // a new finding: the store holds refresh's
	moved.Status = (moved.Status + 1) % 4
	all.PutAll([]Finding{moved})
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("a moved verdict did not wake the subscriber")
	}
}
