package actions

import (
	"fmt"
	"time"
)

// WindowStatus is the change discipline at one moment, for the cockpit's header.
type WindowStatus struct {
	State string    // window | freeze | peak-hours | outside-window | any-time
	Text  string    // one line for the header
	Next  time.Time // start of the next change window (zero when none is planned)
}

// Status says where now falls in the site's change discipline, and when the next window opens.
func (g *Gate) Status(now time.Time) WindowStatus {
	loc := g.location()
	t := now.In(loc)
	var next time.Time
	for _, w := range g.Changes.Windows {
		if a, _, ok := span(w, loc); ok && a.After(t) && (next.IsZero() || a.Before(next)) {
			next = a
		}
	}
	untilNext := ""
	if !next.IsZero() {
		untilNext = " · next window in " + roughly(next.Sub(t))
	}
	if refused, rule, _ := g.discipline(now); refused {
		text := map[string]string{"freeze": "FREEZE", "peak-hours": "peak hours", "outside-window": "outside windows"}[rule]
		return WindowStatus{State: rule, Text: text + untilNext, Next: next}
	}
	if w, ok := g.currentWindow(t, loc); ok {
		_, end, _ := span(w, loc)
		return WindowStatus{State: "window", Text: "in window, " + roughly(end.Sub(t)) + " left", Next: next}
	}
	if len(g.Changes.Windows) > 0 {
		return WindowStatus{State: "any-time", Text: "outside windows (not required)" + untilNext, Next: next}
	}
	return WindowStatus{State: "any-time", Text: "no windows: changes any time", Next: next}
}

// roughly writes a duration for people: 45m, 3h10m, 2d4h.
func roughly(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours()/24), int(d.Hours())%24)
}
