package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
)

// Opening a not-ready pod's detail asks for its events by a command (never in Update); the
// answer lands on the page. A ready pod's events wait for e.
func TestPodDetailShowsEventsOfANotReadyPod(t *testing.T) {
	var asked []checks.Ref
	o := Options{PodEvents: func(_ context.Context, ref checks.Ref, limit int) ([]PodEvent, error) {
		asked = append(asked, ref)
		return []PodEvent{{Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container main", Count: 512, Last: t0.Add(-20 * time.Second)}}, nil
	}}
	m := newModel(t, o, 140, 40)
	press(m, "3") // the Pods pane: web-2 (not ready) first
	cmd := press(m, "enter")
	if len(asked) != 0 {
		t.Fatal("events were fetched inside Update")
	}
	if s := screen(t, m); !strings.Contains(s, "pod app/web-2") || !strings.Contains(s, "asking the API") {
		t.Fatalf("detail before the answer:\n%s", s)
	}
	drain(t, m, cmd)
	if len(asked) != 1 || asked[0].Name != "web-2" || asked[0].Namespace != "app" {
		t.Fatalf("asked %+v", asked)
	}
	if s := screen(t, m); !strings.Contains(s, "BackOff") || !strings.Contains(s, "×512") || !strings.Contains(s, "20s") {
		t.Fatalf("detail after the answer:\n%s", s)
	}
	press(m, "esc", "down", "enter") // web-1, ready: nothing asked until e
	if len(asked) != 1 || !strings.Contains(screen(t, m), "e: events of this pod") {
		t.Fatalf("ready pod: asked %d\n%s", len(asked), screen(t, m))
	}
	drain(t, m, press(m, "e"))
	if len(asked) != 2 || asked[1].Name != "web-1" {
		t.Fatalf("e: asked %+v", asked)
	}
}
