package checks

import (
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
