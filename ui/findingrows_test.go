package ui

import (
	"slices"
	"testing"

	"opsdeck/checks"
)

// TestRebuildWithAStatusOutOfRange: a finding whose status no check makes is still listed and
// counted, and the pane is then built whole (there are no counts by status to derive from).
func TestRebuildWithAStatusOutOfRange(t *testing.T) {
	p := newFindingsPane("Alerts", nil, true, "")
	ok := &checks.Finding{Check: "c", Target: "a", Status: checks.OK}
	crit := &checks.Finding{Check: "c", Target: "b", Status: checks.Crit, Summary: "down"}
	odd := &checks.Finding{Check: "c", Target: "c", Status: checks.Crit + 3, Summary: "odd"}
	fs := []*checks.Finding{crit, ok}
	prev := p.build(fs, nil)
	if prev.folds == nil || prev.tile.total != 2 || prev.tile.bad != 1 {
		t.Fatalf("built %+v", prev.tile)
	}
	next := []*checks.Finding{odd, crit, ok}
	got := p.rebuild(prev, nil, []*checks.Finding{odd}, next, nil)
	if got.folds != nil || got.tile.total != 3 || got.tile.bad != 2 || got.tile.worst != checks.Crit+3 || len(got.rows) != 2 {
		t.Fatalf("with a status out of range: valid %v, tile %+v, %d rows", got.folds != nil, got.tile, len(got.rows))
	}
	back := p.rebuild(got, []*checks.Finding{odd}, nil, fs, nil)
	want := p.build(fs, nil)
	if back.folds == nil || back.tile != want.tile || !slices.EqualFunc(back.rows, want.rows, func(a, b *gridRow) bool { return a.finding == b.finding }) {
		t.Fatalf("after it went: valid %v, tile %+v, want %+v", back.folds != nil, back.tile, want.tile)
	}
}
