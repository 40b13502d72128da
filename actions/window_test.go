package actions

import (
	"testing"
	"time"

	"opsdeck/config"
)

func TestWindowStatus(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	yes, no := true, false
	win := []config.TimeWindow{{Start: "2026-11-26 22:00", End: "2026-11-27 04:00", Reason: "CHG-1"}}
	cases := []struct {
		name    string
		changes config.Changes
		state   string
		text    string
	}{
		{"no windows", config.Changes{Timezone: "UTC", RequireWindow: &no}, "any-time", "no windows: changes any time"},
		{"before the window", config.Changes{Timezone: "UTC", Windows: win}, "outside-window", "outside windows · next window in 12h00m"},
		{"windows not required", config.Changes{Timezone: "UTC", Windows: win, RequireWindow: &no}, "any-time", "outside windows (not required) · next window in 12h00m"},
		{"required, none configured", config.Changes{Timezone: "UTC", RequireWindow: &yes}, "outside-window", "outside windows"},
		{"freeze", config.Changes{Timezone: "UTC", Freezes: []config.TimeWindow{{Start: "2026-11-26 00:00", End: "2026-11-27 00:00"}}}, "freeze", "FREEZE"},
		{"peak", config.Changes{Timezone: "UTC", PeakHours: []config.DailyHours{{Start: "09:00", End: "11:00"}}}, "peak-hours", "peak hours"},
	}
	for _, c := range cases {
		g := &Gate{Mode: ReadWrite, Changes: c.changes}
		st := g.Status(now)
		if st.State != c.state || st.Text != c.text {
			t.Errorf("%s: got %q %q, want %q %q", c.name, st.State, st.Text, c.state, c.text)
		}
	}
	inside := (&Gate{Changes: config.Changes{Timezone: "UTC", Windows: win}}).Status(now.Add(13 * time.Hour))
	if inside.State != "window" || inside.Text != "in window, 5h00m left" {
		t.Errorf("inside: %+v", inside)
	}
}
