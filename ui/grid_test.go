package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/checks"
)

// A frame reuses the lines of rows whose drawing did not move, and draws again those whose age,
// staleness, selection or width moved.
func TestShownLinesFollowTheClockTheCursorAndTheWidth(t *testing.T) {
	g := newGrid([]column{{title: "NAME", width: 10}, {title: "AGE", width: 6}}, "none")
	g.staleAfter = time.Minute
	g.SetSize(40, 5)
	rows := []*gridRow{
		{key: "a", status: checks.OK, cells: []string{"alpha", ""}, stamp: t0},
		{key: "b", status: checks.OK, cells: []string{"beta", ""}, stamp: t0.Add(-20 * time.Second)},
		{key: "c", status: checks.OK, cells: []string{"gamma", "-"}, live: t0.Add(-10 * time.Second), liveCol: 1}, // a heartbeat
	}
	g.setOrdered(rows, rowOrder{col: -1})
	line := func(v string, i int) string { return ansi.Strip(strings.Split(v, "\n")[i+1]) }
	first := g.View(t0.Add(2 * time.Second))
	if !strings.Contains(line(first, 0), "0s") || !strings.Contains(line(first, 1), "20s") || !strings.Contains(line(first, 2), "10s") {
		t.Fatalf("ages: %q", first)
	}
	cached := g.shown[rows[0]].line
	if same := g.View(t0.Add(3 * time.Second)); same != first || g.shown[rows[0]].line != cached {
		t.Fatal("nothing moved, yet the frame changed or its lines were drawn again")
	}
	later := g.View(t0.Add(7 * time.Second)) // the next 5 s step
	if !strings.Contains(line(later, 0), "5s") || !strings.Contains(line(later, 1), "25s") || !strings.Contains(line(later, 2), "15s") {
		t.Fatalf("the ages did not move on: %q", later)
	}
	if stale := g.View(t0.Add(65 * time.Second)); !strings.Contains(line(stale, 0), "stale") {
		t.Fatalf("a reading past its limit is not marked stale: %q", stale)
	}
	g.moveBy(1)
	moved := g.View(t0.Add(65 * time.Second))
	if line(moved, 0) == line(moved, 1) || !strings.HasPrefix(line(moved, 1), sym.cursor) {
		t.Fatalf("the cursor did not move on screen: %q", moved)
	}
	g.SetSize(20, 5)
	if narrow := g.View(t0.Add(65 * time.Second)); ansi.StringWidth(strings.Split(narrow, "\n")[1]) > 20 {
		t.Fatalf("lines drawn at the old width: %q", narrow)
	}
}
