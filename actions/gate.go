package actions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"opsdeck/config"
)

// Mode is how the process was started; a read-only process can never run an action.
type Mode int

const (
	ReadOnly Mode = iota
	ReadWrite
)

func (m Mode) String() string {
	if m == ReadWrite {
		return "read-write"
	}
	return "read-only"
}

// Verdict is the gate's decision about one plan at one moment.
type Verdict struct {
	Allowed   bool   `json:"allowed"`
	Rule      string `json:"rule"`            // the rule that decided: read-only, freeze, peak-hours, outside-window, rbac, emergency, window, no-windows
	Reason    string `json:"reason"`          // what that rule says
	Allow     string `json:"allow,omitempty"` // what would allow it, when refused
	Window    string `json:"window"`          // the change-window state, for the audit
	Emergency string `json:"emergency,omitempty"`
}

func (v Verdict) String() string {
	if v.Allowed {
		return fmt.Sprintf("allowed (%s): %s", v.Rule, v.Reason)
	}
	s := fmt.Sprintf("refused (%s): %s", v.Rule, v.Reason)
	if v.Allow != "" {
		s += "; " + v.Allow
	}
	return s
}

// AccessReview answers whether the current credentials may make an API call (a
// SelfSubjectAccessReview, cached, in the Kubernetes part).
type AccessReview func(ctx context.Context, call APICall) (allowed bool, reason string, err error)

// Gate applies the site's change discipline (guide preamble) and RBAC to plans.
type Gate struct {
	Mode    Mode
	Changes config.Changes
	Access  AccessReview
	Now     func() time.Time
}

// MinEmergencyReason is the shortest reason accepted: a word or two is not a reason.
const MinEmergencyReason = 10

// Decide says whether plan may run now, with emergency (possibly empty) as the operator's reason.
func (g *Gate) Decide(ctx context.Context, plan *Plan, emergency string) Verdict {
	now := time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	emergency = strings.TrimSpace(emergency)
	v := Verdict{Window: g.windowState(now)}
	if g.Mode != ReadWrite {
		v.Rule, v.Reason = "read-only", "this opsdeck runs read-only: it has no executor"
		v.Allow = "start opsdeck without --read-only (and not in watch mode)"
		return v
	}
	if emergency != "" && len(emergency) < MinEmergencyReason {
		v.Rule, v.Reason = "emergency", fmt.Sprintf("an emergency reason must say what and why (at least %d characters)", MinEmergencyReason)
		v.Allow = "give a fuller --emergency-reason"
		return v
	}
	if refused, rule, reason := g.discipline(now); refused {
		if emergency == "" {
			v.Rule, v.Reason = rule, reason
			v.Allow = "run it inside a change window, or declare an emergency with --emergency-reason TEXT"
			return v
		}
		v.Emergency = emergency
		v.Rule = "emergency"
		v.Reason = fmt.Sprintf("%s, overridden as an emergency: %s", reason, emergency)
	}
	for _, s := range plan.Steps {
		if s.API == nil {
			continue
		}
		if g.Access == nil {
			v.Rule, v.Reason = "rbac", "no Kubernetes access review is available for "+s.API.String()
			return v
		}
		ok, why, err := g.Access(ctx, *s.API)
		if err != nil {
			v.Rule, v.Reason = "rbac", fmt.Sprintf("could not review access for %s: %v", s.API, err)
			return v
		}
		if !ok {
			v.Rule, v.Reason = "rbac", fmt.Sprintf("the API denies %s: %s", s.API, why)
			v.Allow = "use credentials whose RBAC role allows it"
			return v
		}
	}
	v.Allowed = true
	if v.Rule == "" {
		v.Rule, v.Reason = "window", v.Window
		if _, in := g.currentWindow(now.In(g.location()), g.location()); !in {
			v.Rule = "no-windows" // allowed because windows are not required
		}
	}
	return v
}

// discipline applies freezes, peak hours and change windows, in that order.
func (g *Gate) discipline(now time.Time) (refused bool, rule, reason string) {
	loc := g.location()
	t := now.In(loc)
	for _, f := range g.Changes.Freezes {
		if a, b, ok := span(f, loc); ok && !t.Before(a) && t.Before(b) {
			return true, "freeze", fmt.Sprintf("change freeze %s → %s (%s)", f.Start, f.End, orDash(f.Reason))
		}
	}
	for _, p := range g.Changes.PeakHours {
		if inDaily(p, t) {
			return true, "peak-hours", fmt.Sprintf("business peak hours %s–%s %s", p.Start, p.End, loc)
		}
	}
	if !g.Changes.WindowRequired() {
		return false, "", ""
	}
	if len(g.Changes.Windows) == 0 {
		return true, "outside-window", "changes.require_window is true and no change window is configured (" + t.Format("2006-01-02 15:04 MST") + ")"
	}
	if _, ok := g.currentWindow(t, loc); ok {
		return false, "", ""
	}
	return true, "outside-window", "no change window is open now (" + t.Format("2006-01-02 15:04 MST") + ")"
}

func (g *Gate) windowState(now time.Time) string {
	loc := g.location()
	t := now.In(loc)
	if w, ok := g.currentWindow(t, loc); ok {
		return fmt.Sprintf("inside change window %s → %s (%s)", w.Start, w.End, orDash(w.Reason))
	}
	switch {
	case !g.Changes.WindowRequired() && len(g.Changes.Windows) == 0:
		return "no change windows configured and require_window is false: changes allowed at any time outside freezes and peak hours"
	case !g.Changes.WindowRequired():
		return "outside every change window, but require_window is false: changes allowed outside freezes and peak hours"
	case len(g.Changes.Windows) == 0:
		return "require_window is true and no change window is configured: every change needs an emergency reason"
	}
	return "outside every change window (require_window)"
}

func (g *Gate) currentWindow(t time.Time, loc *time.Location) (config.TimeWindow, bool) {
	for _, w := range g.Changes.Windows {
		if a, b, ok := span(w, loc); ok && !t.Before(a) && t.Before(b) {
			return w, true
		}
	}
	return config.TimeWindow{}, false
}

func (g *Gate) location() *time.Location {
	if loc, err := time.LoadLocation(g.Changes.Timezone); err == nil && g.Changes.Timezone != "" {
		return loc
	}
	return time.Local
}

func span(w config.TimeWindow, loc *time.Location) (time.Time, time.Time, bool) {
	a, err1 := time.ParseInLocation("2006-01-02 15:04", w.Start, loc)
	b, err2 := time.ParseInLocation("2006-01-02 15:04", w.End, loc)
	return a, b, err1 == nil && err2 == nil
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// inDaily tells whether t falls in a daily span; a span whose end is before its start crosses
// midnight, and its after-midnight part belongs to the day it started on.
func inDaily(p config.DailyHours, t time.Time) bool {
	start, err1 := time.Parse("15:04", p.Start)
	end, err2 := time.Parse("15:04", p.End)
	if err1 != nil || err2 != nil {
		return false
	}
	s, e := start.Hour()*60+start.Minute(), end.Hour()*60+end.Minute()
	m := t.Hour()*60 + t.Minute()
	day := func(wd time.Weekday) bool {
		if len(p.Days) == 0 {
			return true
		}
		return slices.ContainsFunc(p.Days, func(d string) bool { return strings.EqualFold(d, weekdayNames[wd]) })
	}
	if s <= e {
		return m >= s && m < e && day(t.Weekday())
	}
	return m >= s && day(t.Weekday()) || m < e && day((t.Weekday()+6)%7)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
