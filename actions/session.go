package actions

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Session is the one path every action attempt takes, from the CLI (`opsdeck action run`) and
// from the cockpit alike: plan → gate → confirmation rule → audit → run → verify. A read-only
// session has no executor; its attempts are refused and still audited.
type Session struct {
	Registry *Registry
	Gate     *Gate
	Audit    *AuditLog // nil: nothing may run (and refusals cannot be recorded)
	Exec     *Executor // nil in a read-only process
	Operator Operator
	Site     string
	Now      func() time.Time
}

// Pending is a planned attempt waiting for the operator: the exact plan, what the gate says now,
// and what the operator must type. There is no default answer.
type Pending struct {
	Plan    *Plan
	Verdict Verdict // without an emergency reason
	Confirm string  // the target's name for a destructive plan, "yes" otherwise
}

// NeedsEmergency says the gate refuses now for a reason an emergency may override (freeze, peak
// hours, outside a window): the operator may go on by giving a reason.
func (p *Pending) NeedsEmergency() bool { return !p.Verdict.Allowed && p.Verdict.Overridable() }

// Overridable says an emergency reason would lift this refusal.
func (v Verdict) Overridable() bool {
	switch v.Rule {
	case "freeze", "peak-hours", "outside-window":
		return true
	}
	return false
}

// ReadOnly says the session cannot run anything.
func (s *Session) ReadOnly() bool { return s.Exec == nil }

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Prepare builds the plan of action name on target and asks the gate, changing nothing.
func (s *Session) Prepare(ctx context.Context, name, target string) (*Pending, error) {
	a, err := s.Registry.Lookup(name, target)
	if err != nil {
		return nil, err
	}
	p, err := a.Plan(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("planning %s on %s: %w", name, target, err)
	}
	return &Pending{Plan: p, Verdict: s.Gate.Decide(ctx, p, ""), Confirm: ExpectedConfirmation(p)}, nil
}

// Cancel records an attempt the operator abandoned before confirming.
func (s *Session) Cancel(p *Pending, typed, why string) error {
	if s.Audit == nil {
		return errors.New("no audit log")
	}
	mode := ReadWrite
	if s.ReadOnly() {
		mode = ReadOnly
	}
	return s.Audit.Append(s.record(p, "cancelled", mode, typed, why))
}

// Run takes a confirmed attempt through the executor. In a read-only session the attempt is
// recorded as refused and ErrReadOnly returned: nothing able to change the site exists.
func (s *Session) Run(ctx context.Context, p *Pending, typed, emergency string, progress func(Event)) (Outcome, error) {
	if s.Audit == nil {
		return Outcome{Result: "refused"}, errors.New("no audit log, so nothing may run")
	}
	if s.ReadOnly() {
		rec := s.record(p, "refused", ReadOnly, typed, "")
		v := s.Gate.Decide(ctx, p.Plan, emergency)
		rec.Verdict, rec.Window = v.String(), v.Window
		if err := s.Audit.Append(rec); err != nil {
			return Outcome{ID: rec.ID, Result: "refused"}, errors.Join(ErrReadOnly, err)
		}
		return Outcome{ID: rec.ID, Verdict: v, Result: "refused"}, ErrReadOnly
	}
	if !p.Plan.Destructive && typed == p.Plan.Target {
		typed = "yes" // typing the target is at least as deliberate as "yes"
	}
	return s.Exec.Run(ctx, Request{Plan: p.Plan, Typed: typed, Emergency: emergency}, progress)
}

func (s *Session) record(p *Pending, phase string, mode Mode, typed, why string) Record {
	now := s.now()
	return Record{ID: NewID(now), Phase: phase, Time: now, Operator: s.Operator, Mode: mode.String(), Site: s.Site,
		Action: p.Plan.Action, Target: p.Plan.Target, Destructive: p.Plan.Destructive, Plan: p.Plan.Lines(),
		Title: p.Plan.Title, Notes: p.Plan.Notes,
		Confirmation: typed, Window: p.Verdict.Window, Verdict: p.Verdict.String(), Error: why}
}
