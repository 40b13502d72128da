package actions

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/config"
)

func plan() *Plan {
	return &Plan{Action: "host.start-kubelet", Target: "node3", Steps: []Step{{SSH: &Command{Host: config.Host{Name: "node3"}, Argv: []string{"systemctl", "start", "kubelet"}}}}}
}

func gateAt(t string, c config.Changes) *Gate {
	now, _ := time.Parse(time.RFC3339, t)
	return &Gate{Mode: ReadWrite, Changes: c, Now: func() time.Time { return now }}
}

var shanghai = config.Changes{
	Timezone: "Asia/Shanghai",
	Windows:  []config.TimeWindow{{Start: "2026-12-05 22:00", End: "2026-12-06 04:00", Reason: "CHG-1"}},
	Freezes:  []config.TimeWindow{{Start: "2026-12-24 00:00", End: "2027-01-02 00:00", Reason: "year end"}},
	PeakHours: []config.DailyHours{
		{Start: "09:00", End: "11:30", Days: []string{"mon", "tue", "wed", "thu", "fri"}},
		{Start: "23:00", End: "01:00", Days: []string{"sat"}}, // crosses midnight into Sunday
	},
}

func TestGateRules(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		at        string // UTC
		emergency string
		allowed   bool
		rule      string
	}{
		// 2026-12-05 22:30 Shanghai = 14:30 UTC: inside CHG-1.
		{"inside window", "2026-12-05T14:30:00Z", "", true, "window"},
		{"window end is exclusive", "2026-12-05T20:00:00Z", "", false, "outside-window"},
		{"outside window", "2026-12-07T06:00:00Z", "", false, "outside-window"},
		{"outside window, emergency", "2026-12-07T06:00:00Z", "node3 kubelet down, pods evicted", true, "emergency"},
		{"emergency too short", "2026-12-07T06:00:00Z", "urgent", false, "emergency"},
		// 2026-12-25 10:00 Shanghai: freeze beats everything.
		{"freeze", "2026-12-25T02:00:00Z", "", false, "freeze"},
		{"freeze, emergency", "2026-12-25T02:00:00Z", "etcd disk full, cluster down", true, "emergency"},
		// Wednesday 2026-12-09 09:15 Shanghai = 01:15 UTC: peak hours.
		{"peak hours weekday", "2026-12-09T01:15:00Z", "", false, "peak-hours"},
		// Saturday 2026-12-12 23:30 Shanghai = 15:30 UTC, and Sunday 00:30 = 16:30 UTC: peak across midnight.
		{"peak saturday night", "2026-12-12T15:30:00Z", "", false, "peak-hours"},
		{"peak after midnight belongs to saturday", "2026-12-12T16:30:00Z", "", false, "peak-hours"},
		// Sunday 2026-12-13 23:30 Shanghai: not a Saturday span; outside window though.
		{"sunday night not peak", "2026-12-13T15:30:00Z", "", false, "outside-window"},
	}
	for _, c := range cases {
		v := gateAt(c.at, shanghai).Decide(ctx, plan(), c.emergency)
		if v.Allowed != c.allowed || v.Rule != c.rule {
			t.Errorf("%s: got %s (rule %s), want allowed=%v rule %s", c.name, v, v.Rule, c.allowed, c.rule)
		}
		if !v.Allowed && v.Allow == "" {
			t.Errorf("%s: a refusal must say what would allow it", c.name)
		}
	}
}

func TestGateTimezoneMatters(t *testing.T) {
	// 22:30 UTC on 2026-12-05 is 06:30 on the 6th in Shanghai: outside CHG-1 there, inside in UTC.
	utc := shanghai
	utc.Timezone = "UTC"
	utc.PeakHours = nil
	utc.Freezes = nil
	if v := gateAt("2026-12-05T22:30:00Z", utc).Decide(context.Background(), plan(), ""); !v.Allowed {
		t.Errorf("UTC site: %s", v)
	}
	if v := gateAt("2026-12-05T22:30:00Z", shanghai).Decide(context.Background(), plan(), ""); v.Allowed {
		t.Errorf("Shanghai site: %s", v)
	}
}

func TestGateNoWindowsConfigured(t *testing.T) {
	v := gateAt("2026-12-07T06:00:00Z", config.Changes{Timezone: "UTC"}).Decide(context.Background(), plan(), "")
	if !v.Allowed || v.Rule != "no-windows" || !strings.Contains(v.Window, "no change windows configured") {
		t.Errorf("%s / %s", v, v.Window)
	}
}

func TestGateReadOnlyRefusesEvenEmergencies(t *testing.T) {
	g := gateAt("2026-12-05T14:30:00Z", shanghai)
	g.Mode = ReadOnly
	if v := g.Decide(context.Background(), plan(), "a perfectly good emergency reason"); v.Allowed || v.Rule != "read-only" {
		t.Errorf("%s", v)
	}
}

func TestGateRBAC(t *testing.T) {
	p := &Plan{Action: "kube.delete-pod", Target: "ns/p", Steps: []Step{{API: &APICall{Verb: "delete", Resource: "pods", Namespace: "ns", Name: "p"}}}}
	g := gateAt("2026-12-05T14:30:00Z", shanghai)
	if v := g.Decide(context.Background(), p, ""); v.Allowed || v.Rule != "rbac" {
		t.Errorf("no reviewer: %s", v)
	}
	g.Access = func(context.Context, APICall) (bool, string, error) {
		return false, "user viewer cannot delete pods", nil
	}
	if v := g.Decide(context.Background(), p, ""); v.Allowed || !strings.Contains(v.Reason, "cannot delete pods") {
		t.Errorf("denied: %s", v)
	}
	g.Access = func(context.Context, APICall) (bool, string, error) { return true, "", nil }
	if v := g.Decide(context.Background(), p, ""); !v.Allowed {
		t.Errorf("allowed: %s", v)
	}
}

func TestConfirmRule(t *testing.T) {
	p := plan()
	if ExpectedConfirmation(p) != "yes" {
		t.Error("non-destructive wants yes")
	}
	p.Destructive = true
	if ExpectedConfirmation(p) != "node3" {
		t.Error("destructive wants the target typed back")
	}
}
