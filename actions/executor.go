package actions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// SSHRunner runs one command on a host (site/ssh.Pool).
type SSHRunner interface {
	Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error)
}

// APIRunner performs one Kubernetes API call; out is the response body, code the HTTP status.
type APIRunner interface {
	Do(ctx context.Context, call APICall) (out []byte, code int, err error)
}

// Verifier runs one check on one target now (the same probe the scheduler runs).
type Verifier func(ctx context.Context, check, target string) (checks.Finding, error)

// ErrReadOnly is why no executor exists in a read-only process.
var ErrReadOnly = errors.New("opsdeck is read-only: actions cannot run (start without --read-only)")

// Executor runs plans. Only NewExecutor makes one, and never in read-only mode: the read-only
// guarantee is that the thing able to change the site does not exist.
type Executor struct {
	gate     *Gate
	audit    *AuditLog
	ssh      SSHRunner
	api      APIRunner
	verify   Verifier
	operator Operator
	site     string
	now      func() time.Time
	// VerifyEvery is the pause between verification attempts.
	VerifyEvery time.Duration
}

// ExecutorConfig is what an executor needs.
type ExecutorConfig struct {
	Gate     *Gate
	Audit    *AuditLog
	SSH      SSHRunner
	API      APIRunner
	Verify   Verifier
	Operator Operator
	Site     string
	Now      func() time.Time
}

// NewExecutor builds the executor of a read-write process.
func NewExecutor(mode Mode, c ExecutorConfig) (*Executor, error) {
	if mode != ReadWrite || c.Gate == nil || c.Gate.Mode != ReadWrite {
		return nil, ErrReadOnly
	}
	if c.Audit == nil {
		return nil, errors.New("actions: no audit log, so nothing may run")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Executor{gate: c.Gate, audit: c.Audit, ssh: c.SSH, api: c.API, verify: c.Verify,
		operator: c.Operator, site: c.Site, now: c.Now, VerifyEvery: time.Second}, nil
}

// ExpectedConfirmation is what the operator must type: the target's name for a destructive
// plan, "yes" otherwise. There is no default.
func ExpectedConfirmation(p *Plan) string {
	if p.Destructive {
		return p.Target
	}
	return "yes"
}

// Request is an operator's go-ahead for one plan.
type Request struct {
	Plan      *Plan
	Typed     string // what the operator typed to confirm
	Emergency string // reason, when declaring an emergency
}

// Event reports progress while a plan runs.
type Event struct {
	Index  int // step number from 1; 0 for verification
	Total  int
	Step   string
	Result *StepResult // nil when the step starts
	Verify *VerifyResult
}

// Outcome is how a run ended.
type Outcome struct {
	ID      string
	Verdict Verdict
	Steps   []StepResult
	Verify  *VerifyResult
	Result  string // succeeded | failed | verify-failed | interrupted | refused | cancelled
}

// RefusedError says the gate refused a plan.
type RefusedError struct{ Verdict Verdict }

func (e *RefusedError) Error() string { return e.Verdict.String() }

// Run takes a plan through guard → confirm → audit → run → verify → audit. It returns an
// error whenever the change did not fully happen and verify ok; the Outcome says how far it got.
func (x *Executor) Run(ctx context.Context, req Request, progress func(Event)) (Outcome, error) {
	p := req.Plan
	start := x.now()
	rec := Record{ID: NewID(start), Time: start, Operator: x.operator, Mode: ReadWrite.String(), Site: x.site,
		Action: p.Action, Target: p.Target, Destructive: p.Destructive, Plan: p.Lines(), Title: p.Title, Notes: p.Notes,
		Confirmation: req.Typed}
	out := Outcome{ID: rec.ID}

	v := x.gate.Decide(ctx, p, req.Emergency)
	out.Verdict, rec.Verdict, rec.Window, rec.Emergency = v, v.String(), v.Window, v.Emergency
	if !v.Allowed {
		rec.Phase, out.Result = "refused", "refused"
		if err := x.audit.Append(rec); err != nil {
			return out, errors.Join(&RefusedError{v}, err)
		}
		return out, &RefusedError{v}
	}
	if want := ExpectedConfirmation(p); req.Typed != want {
		rec.Phase, out.Result = "cancelled", "cancelled"
		rec.Error = fmt.Sprintf("confirmation %q does not match %q", req.Typed, want)
		if err := x.audit.Append(rec); err != nil {
			return out, err
		}
		return out, errors.New("not confirmed: " + rec.Error)
	}
	if err := x.preconditions(ctx, p); err != nil {
		rec.Phase, out.Result, rec.Error = "refused", "refused", err.Error()
		rec.Verdict = "refused (precondition): " + err.Error()
		if aerr := x.audit.Append(rec); aerr != nil {
			return out, errors.Join(err, aerr)
		}
		return out, err
	}
	// Nothing runs unless the "started" record is on disk.
	rec.Phase = "started"
	if err := x.audit.Append(rec); err != nil {
		return out, fmt.Errorf("not run: %w", err)
	}

	var runErr error
	interrupted := false
	for i, s := range p.Steps {
		if runErr == nil && ctx.Err() != nil { // SIGINT/SIGTERM between steps
			interrupted = true
			runErr = fmt.Errorf("before step %d", i+1)
		}
		if runErr != nil {
			out.Steps = append(out.Steps, StepResult{Step: s.String(), Status: "not-run"})
			continue
		}
		if progress != nil {
			progress(Event{Index: i + 1, Total: len(p.Steps), Step: s.String()})
		}
		r := x.step(ctx, s)
		if r.Status == "failed" && ctx.Err() != nil { // cut short by the interruption
			r.Status, interrupted = "interrupted", true
		}
		if r.Status == "failed" && s.Diagnose != nil && x.ssh != nil {
			dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			res, err := x.ssh.Run(dctx, s.Diagnose.Host, s.Diagnose.Argv...)
			cancel()
			r.Diagnosis = s.Diagnose.String() + "\n" + excerpt(res.Stdout, res.Stderr)
			if err != nil {
				r.Diagnosis += "\n(" + err.Error() + ")"
			}
			r = r.Safe()
		}
		out.Steps = append(out.Steps, r)
		if progress != nil {
			progress(Event{Index: i + 1, Total: len(p.Steps), Step: s.String(), Result: &r})
		}
		switch r.Status {
		case "failed":
			runErr = fmt.Errorf("step %d failed: %s: %s", i+1, s, r.Error)
		case "interrupted":
			runErr = fmt.Errorf("during step %d", i+1)
		}
	}
	out.Result = "succeeded"
	switch {
	case interrupted:
		out.Result = "interrupted"
		runErr = interruption(ctx, out.Steps)
	case runErr != nil:
		out.Result = "failed"
	case p.Verify != nil:
		out.Verify = x.verifyPlan(ctx, p.Verify).Safe()
		if progress != nil {
			progress(Event{Verify: out.Verify})
		}
		if !out.Verify.OK {
			out.Result = "verify-failed"
			runErr = fmt.Errorf("the steps ran but verification failed: %s", out.Verify.Summary)
		}
	}
	rec.Phase, rec.Steps, rec.Verify, rec.Outcome = "finished", out.Steps, out.Verify, out.Result
	rec.Time, rec.DurationMS = x.now(), x.now().Sub(start).Milliseconds()
	if runErr != nil {
		rec.Error = runErr.Error()
	}
	if err := x.audit.Append(rec); err != nil {
		runErr = errors.Join(runErr, err)
	}
	return out, runErr
}

// interruption says how far an interrupted run got: which steps ran, which was cut short,
// which never started — what the operator needs to decide whether to run the plan again.
func interruption(ctx context.Context, steps []StepResult) error {
	var ran, cut, notRun []string
	for i, s := range steps {
		n := strconv.Itoa(i + 1)
		switch s.Status {
		case "ran", "skipped", "failed":
			ran = append(ran, n)
		case "interrupted":
			cut = append(cut, n)
		default:
			notRun = append(notRun, n)
		}
	}
	why := "interrupted"
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		why = c.Error()
	}
	return fmt.Errorf("%s: steps that ran: %s; cut short: %s; not run: %s", why, list(ran), list(cut), list(notRun))
}

func list(ns []string) string {
	if len(ns) == 0 {
		return "none"
	}
	return strings.Join(ns, ", ")
}

func (x *Executor) preconditions(ctx context.Context, p *Plan) error {
	for _, pc := range p.Preconditions {
		ok, err := x.probe(ctx, pc)
		if err != nil {
			return fmt.Errorf("precondition %q could not be checked: %w", pc.Desc, err)
		}
		if !ok {
			return fmt.Errorf("precondition not met: %s", pc.Desc)
		}
	}
	return nil
}

func (x *Executor) probe(ctx context.Context, p Probe) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch {
	case p.SSH != nil:
		if x.ssh == nil {
			return false, errors.New("no SSH runner")
		}
		res, err := x.ssh.Run(ctx, p.SSH.Host, p.SSH.Argv...)
		if err != nil {
			return false, err
		}
		return p.Test(res.Stdout, res.ExitCode), nil
	case p.API != nil:
		if x.api == nil {
			return false, errors.New("no Kubernetes API runner")
		}
		out, code, err := x.api.Do(ctx, *p.API)
		if err != nil {
			return false, err
		}
		return p.Test(out, code), nil
	}
	return false, errors.New("empty probe")
}

func (x *Executor) step(ctx context.Context, s Step) (r StepResult) {
	r = StepResult{Step: s.String(), ExitCode: -1}
	start := x.now()
	defer func() { r.DurationMS = x.now().Sub(start).Milliseconds(); r = r.Safe() }()
	if s.Done != nil {
		done, err := x.probe(ctx, *s.Done)
		if err == nil && done {
			r.Status, r.ExitCode, r.Excerpt = "skipped", 0, "already done: "+s.Done.Desc
			return r
		}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case s.SSH != nil:
		if x.ssh == nil {
			r.Status, r.Error = "failed", "no SSH runner"
			return r
		}
		res, err := x.ssh.Run(ctx, s.SSH.Host, s.SSH.Argv...)
		r.ExitCode = res.ExitCode
		r.Excerpt = excerpt(res.Stdout, res.Stderr)
		switch {
		case err != nil:
			r.Status, r.Error = "failed", err.Error()
		case res.ExitCode != 0:
			r.Status, r.Error = "failed", fmt.Sprintf("exit status %d", res.ExitCode)
		default:
			r.Status = "ran"
		}
	case s.API != nil:
		if x.api == nil {
			r.Status, r.Error = "failed", "no Kubernetes API runner"
			return r
		}
		out, code, err := x.api.Do(ctx, *s.API)
		// Only what identifies the answer is kept: the object itself may carry secrets
		// (last-applied-configuration, env values) that must not reach the log or stdout.
		r.ExitCode, r.Object = code, objectRef(out)
		r.Excerpt = apiExcerpt(code, r.Object)
		if err != nil {
			r.Status, r.Error = "failed", err.Error()
		} else {
			r.Status = "ran"
		}
	default:
		r.Status, r.Error = "failed", "empty step"
	}
	return r
}

func (x *Executor) verifyPlan(ctx context.Context, v *Verify) *VerifyResult {
	res := &VerifyResult{Check: v.Check, Target: v.Target}
	if v.Probe != nil {
		res.Check, res.Target = "probe", v.Probe.Desc
	}
	if x.verify == nil && v.Probe == nil {
		res.Summary = "no verifier"
		return res
	}
	deadline := x.now().Add(v.Within)
	for {
		switch {
		case v.Probe != nil:
			ok, err := x.probe(ctx, *v.Probe)
			res.OK, res.Summary = ok && err == nil, v.Probe.Desc
			if err != nil {
				res.Summary += ": " + err.Error()
			} else if !ok {
				res.Summary += ": not yet"
			}
		default:
			f, err := x.verify(ctx, v.Check, v.Target)
			if err != nil {
				res.Summary = err.Error()
			} else {
				ok := f.Status == checks.OK
				if v.Expect != nil {
					ok = v.Expect(f)
				}
				res.OK, res.Summary = ok, fmt.Sprintf("%s: %s", f.Status, f.Summary)
			}
		}
		if res.OK || !x.now().Add(x.VerifyEvery).Before(deadline) {
			return res
		}
		select {
		case <-ctx.Done():
			res.Summary += " (cancelled)"
			return res
		case <-time.After(x.VerifyEvery):
		}
	}
}

func excerpt(stdout, stderr []byte) string {
	s := strings.TrimSpace(string(stdout))
	if e := strings.TrimSpace(string(stderr)); e != "" {
		s = strings.TrimSpace(s + "\n[stderr] " + e)
	}
	if len(s) > checks.MaxExcerpt {
		s = s[:checks.MaxExcerpt] + "… (cut)"
	}
	return s
}
