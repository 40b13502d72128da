// Package actions is the one path every change to a site takes:
// plan → guard → confirm → audit → run → verify → audit.
package actions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Command is one remote command, run from argv with quoting, never a pasted string.
type Command struct {
	Host config.Host
	Argv []string
}

func (c Command) String() string { return fmt.Sprintf("ssh %s: %s", c.Host.Name, ssh.Quote(c.Argv...)) }

// APICall is one Kubernetes API request; the Kubernetes part of opsdeck supplies the runner.
type APICall struct {
	Cluster   string // the site file's cluster name
	Verb      string // get | patch | delete
	Group     string
	Version   string
	Resource  string
	Namespace string
	Name      string
	Body      string // patch or object, exactly as sent
	PatchType string // json | merge (for patch)
	Options   string // e.g. "gracePeriodSeconds=0"
}

func (a APICall) String() string {
	res := a.Resource
	if a.Group != "" {
		res += "." + a.Group
	}
	obj := a.Name
	if a.Namespace != "" {
		obj = a.Namespace + "/" + a.Name
	}
	s := fmt.Sprintf("kube %s: %s %s %s", a.Cluster, strings.ToUpper(a.Verb), res, obj)
	if a.PatchType != "" {
		s += " (" + a.PatchType + " patch)"
	}
	if a.Options != "" {
		s += " (" + a.Options + ")"
	}
	if a.Body != "" {
		s += " " + a.Body
	}
	return s
}

// Probe is a read-only look at the target; Test says whether the output means "true".
type Probe struct {
	SSH  *Command
	API  *APICall
	Desc string
	Test func(out []byte, exitCode int) bool
}

func (p Probe) String() string {
	if p.SSH != nil {
		return p.SSH.String()
	}
	if p.API != nil {
		return p.API.String()
	}
	return p.Desc
}

// Step is one change. What is printed for confirmation (String) is exactly what runs.
type Step struct {
	SSH     *Command
	API     *APICall
	Timeout time.Duration
	// Done, when set, is checked before running: if it holds, the step's effect is already in
	// place (a plan re-run after a failure resumes instead of repeating it).
	Done *Probe
	// Diagnose, when set, runs (read-only) if the step fails; its output is kept with the result
	// (e.g. the last lines of journalctl -u kubelet).
	Diagnose *Command
}

func (s Step) String() string {
	switch {
	case s.SSH != nil:
		return s.SSH.String()
	case s.API != nil:
		return s.API.String()
	}
	return "(empty step)"
}

// Verify re-runs a check on a target until it is ok (or Expect says so), or until Within has
// passed. With Probe instead of Check, the probe is re-run until its Test holds.
type Verify struct {
	Check  string
	Target string
	Within time.Duration
	// Expect, when set, replaces "status ok" (e.g. a cordoned node is expected to warn).
	Expect     func(f checks.Finding) bool
	ExpectText string // what Expect looks for, for the printed plan
	Probe      *Probe
}

// Plan is what an action will do to one target.
type Plan struct {
	Action      string
	Title       string
	Target      string
	Destructive bool
	// Preconditions must all hold (each probe's Test true) before any step runs.
	Preconditions []Probe
	Steps         []Step
	Verify        *Verify
	Notes         []string // warnings shown with the plan (e.g. data loss)
}

// Lines are the plan's steps as printed, numbered.
func (p *Plan) Lines() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = fmt.Sprintf("%d. %s", i+1, s)
	}
	return out
}

// Describe is the full printable plan.
func (p *Plan) Describe() string {
	var b strings.Builder
	kind := "change"
	if p.Destructive {
		kind = "DESTRUCTIVE change"
	}
	fmt.Fprintf(&b, "%s on %s — %s\n", p.Action, p.Target, kind)
	if p.Title != "" {
		fmt.Fprintf(&b, "  %s\n", p.Title)
	}
	for _, pc := range p.Preconditions {
		fmt.Fprintf(&b, "  requires: %s (%s)\n", pc.Desc, pc)
	}
	for _, l := range p.Lines() {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	if v := p.Verify; v != nil {
		switch {
		case v.Probe != nil:
			fmt.Fprintf(&b, "  verify: %s (%s) within %s\n", v.Probe.Desc, v.Probe, v.Within)
		case v.Expect != nil:
			fmt.Fprintf(&b, "  verify: check %s on %s shows %s within %s\n", v.Check, v.Target, v.ExpectText, v.Within)
		default:
			fmt.Fprintf(&b, "  verify: check %s on %s is ok within %s\n", v.Check, v.Target, v.Within)
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "  ! %s\n", n)
	}
	return b.String()
}

// Action is one kind of change opsdeck can make.
type Action struct {
	Name        string // "host.start-kubelet"
	Title       string
	TargetKind  string // "host", "node", "pod", …
	Destructive bool
	// Targets lists what the action applies to now (from the live site).
	Targets func() []string
	// Plan builds the exact steps for one target; it may look at the site (read-only).
	Plan func(ctx context.Context, target string) (*Plan, error)
}
