package actions

import "opsdeck/internal/termsafe"

// Safe returns the step result with its texts terminal-safe (command output and errors come
// from the site).
func (s StepResult) Safe() StepResult {
	s.Step, s.Status = termsafe.Line(s.Step), termsafe.Line(s.Status)
	s.Excerpt, s.Error, s.Diagnosis = termsafe.Text(s.Excerpt), termsafe.Text(s.Error), termsafe.Text(s.Diagnosis)
	if s.Object != nil {
		o := *s.Object
		o.Kind, o.Namespace, o.Name = termsafe.Line(o.Kind), termsafe.Line(o.Namespace), termsafe.Line(o.Name)
		o.UID, o.ResourceVersion = termsafe.Line(o.UID), termsafe.Line(o.ResourceVersion)
		s.Object = &o
	}
	return s
}

// Safe returns the verification with its texts terminal-safe.
func (v *VerifyResult) Safe() *VerifyResult {
	if v == nil {
		return nil
	}
	c := *v
	c.Check, c.Target, c.Summary = termsafe.Line(c.Check), termsafe.Line(c.Target), termsafe.Line(c.Summary)
	return &c
}

// Safe returns the record with every text terminal-safe: the audit log keeps nothing that could
// drive a terminal when it is printed, and its printers apply it again to what they read.
func (r Record) Safe() Record {
	r.ID, r.Phase, r.Mode, r.Site = termsafe.Line(r.ID), termsafe.Line(r.Phase), termsafe.Line(r.Mode), termsafe.Line(r.Site)
	r.Action, r.Target, r.Window = termsafe.Line(r.Action), termsafe.Line(r.Target), termsafe.Line(r.Window)
	r.Confirmation, r.Emergency, r.Verdict = termsafe.Line(r.Confirmation), termsafe.Line(r.Emergency), termsafe.Line(r.Verdict)
	r.Outcome, r.Error = termsafe.Line(r.Outcome), termsafe.Text(r.Error)
	r.Plan, r.Title, r.Notes = termsafe.Lines(r.Plan), termsafe.Line(r.Title), termsafe.Lines(r.Notes)
	r.Operator = r.Operator.safe()
	if r.Steps != nil {
		steps := make([]StepResult, len(r.Steps))
		for i, s := range r.Steps {
			steps[i] = s.Safe()
		}
		r.Steps = steps
	}
	r.Verify = r.Verify.Safe()
	return r
}

func (o Operator) safe() Operator {
	o.User, o.UID, o.SudoUser, o.SSHClient, o.Host = termsafe.Line(o.User), termsafe.Line(o.UID),
		termsafe.Line(o.SudoUser), termsafe.Line(o.SSHClient), termsafe.Line(o.Host)
	return o
}
