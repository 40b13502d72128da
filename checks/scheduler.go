package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"path"
	"sync"
	"time"

	"opsdeck/config"
)

// Scheduler runs checks on their targets with per-check timeouts under one global concurrency
// limit. A probe that ignores its deadline is abandoned at the timeout (its slot is freed), so one
// hung target never holds up the others. What a check judges from memory (Check.FromMemory) is
// stored at once, outside the limit: there is nothing to wait for.
type Scheduler struct {
	Checks     []Check
	Store      *Store
	Limit      int
	Exceptions []config.Exception
	Now        func() time.Time

	sem chan struct{}

	mu       sync.Mutex
	inflight map[string]bool // (check, target) whose abandoned probe has not returned yet
}

func (s *Scheduler) init() {
	if s.sem == nil {
		s.sem = make(chan struct{}, max(s.Limit, 1))
		s.inflight = map[string]bool{}
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}

// RunOnce runs every check on every target once and waits for all of them (each bounded by its
// timeout). progress, if set, is called after each job with done and total counts (once for
// all the targets judged from memory).
func (s *Scheduler) RunOnce(ctx context.Context, progress func(done, total int)) {
	s.init()
	type job struct {
		c      Check
		target string
	}
	var jobs []job
	done, total := 0, 0
	for _, c := range s.Checks {
		ts := c.Targets()
		total += len(ts)
		rest := s.judgeAll(c, ts)
		done += len(ts) - len(rest)
		for _, t := range rest {
			jobs = append(jobs, job{c, t})
		}
	}
	if progress != nil && done > 0 {
		progress(done, total)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.runJob(ctx, j.c, j.target, false)
			if progress != nil {
				mu.Lock()
				done++
				progress(done, total)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// Run judges or probes every (check, target) at its check's interval until ctx ends. Targets are
// re-read each round of a check, so a new host is picked up at the next round.
func (s *Scheduler) Run(ctx context.Context) {
	s.init()
	var wg sync.WaitGroup
	for _, c := range s.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(0)
			defer t.Stop()
			phase := spread(c.ID, c.Interval)
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				// The next round starts one interval after this one began, but not while a
				// target of this round is still within its timeout.
				start := s.Now()
				var round sync.WaitGroup
				targets := c.Targets()
				s.Store.Retain(c.ID, c.Owns, targets)
				for _, target := range s.judgeAll(c, targets) {
					round.Add(1)
					go func() { defer round.Done(); s.runJob(ctx, c, target, false) }()
				}
				round.Wait()
				t.Reset(max(c.Interval-s.Now().Sub(start), 0) + phase)
				phase = 0
			}
		}()
	}
	wg.Wait()
}

// spread is how much later than its interval a check's second round starts: every check's first
// round starts at once (the first screen needs them all), and had they kept that phase, every
// 30 s all of them would probe together (2,000 nodes judged twice and a dozen SSH commands per
// host at the same instant: the cockpit's frames waited behind them). A fixed share of half the
// interval, by check id, spreads them for good; a finding is still re-observed well within its
// stale line of two intervals.
func spread(id string, interval time.Duration) time.Duration {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return time.Duration(uint64(interval/2) * uint64(h.Sum32()%1024) / 1024)
}

// RunOne runs one check on one target now, stores and returns its finding (used to verify an
// action with the very probe the cockpit shows).
func (s *Scheduler) RunOne(ctx context.Context, id, target string) (Finding, error) {
	s.init()
	for _, c := range s.Checks {
		if c.ID != id || !c.Owns(target) {
			continue // checks sharing an id (one per cluster) split targets by scope
		}
		// No membership test: a verification may look at a target that just went away.
		if f, ok := s.judge(c, target); ok {
			s.Store.PutNow(f) // never over a later reading (a round's, another rerun's)
			return f, nil
		}
		f, ok := s.runJob(ctx, c, target, true)
		if !ok {
			return f, fmt.Errorf("check %s on %s did not run: %w", id, target, cmp.Or(ctx.Err(), ErrProbeOut))
		}
		return f, nil
	}
	return Finding{}, fmt.Errorf("no check %q", id)
}

// ErrProbeOut is why RunOne did not run: a probe of that target is still out (waiting for a
// slot, running, or hung past its timeout). Asked again once it is back, it runs.
var ErrProbeOut = errors.New("a probe of it is still running or hung")

// runJob probes target and stores its finding; now: someone waits for it (Store.PutNow).
func (s *Scheduler) runJob(ctx context.Context, c Check, target string, now bool) (Finding, bool) {
	key := keyOf(c.ID, target)
	s.mu.Lock()
	if s.inflight[key] {
		s.mu.Unlock()
		return Finding{}, false // a probe of it is still out (a hung one's timeout finding stands)
	}
	s.inflight[key] = true
	s.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		s.clearInflight(key)
		return Finding{}, false
	}
	start := s.Now()
	pctx, cancel := context.WithTimeout(ctx, c.Timeout)
	result := make(chan Finding, 1)
	go func() {
		// Out of flight before its finding is told: a rerun asked as soon as this one returned
		// (an action's verification after a first look) found the probe still marked out.
		f := probed(pctx, c, target)
		s.clearInflight(key)
		result <- f
	}()
	var f Finding
	select {
	case f = <-result:
	case <-pctx.Done():
		if ctx.Err() != nil {
			cancel()
			<-s.sem
			return Finding{}, false // shutting down: no finding
		}
		f = Failed(fmt.Errorf("timed out after %s", c.Timeout))
	}
	cancel()
	<-s.sem
	f = s.finish(c, target, f, start)
	if now {
		s.Store.PutNow(f)
	} else {
		s.Store.Put(f)
	}
	return f, true
}

// probed is c's probe of target, a panic in it a failed finding.
func probed(ctx context.Context, c Check, target string) (f Finding) {
	defer func() {
		if r := recover(); r != nil {
			f = Failed(fmt.Errorf("probe panicked: %v", r))
		}
	}()
	return c.Probe(ctx, target)
}

// judgeAll stores the verdicts c.FromMemory gives, together, and returns the targets it could
// not judge so (they are probed).
func (s *Scheduler) judgeAll(c Check, targets []string) (rest []string) {
	if c.FromMemory == nil {
		return targets
	}
	fs := make([]Finding, 0, len(targets))
	for _, t := range targets {
		if f, ok := s.judge(c, t); ok {
			fs = append(fs, f)
		} else {
			rest = append(rest, t)
		}
	}
	s.Store.PutAll(fs)
	return rest
}

// judge is c.FromMemory's finished finding for target, if it gives one, stamped when the
// memory was read (PutAll keeps the later of two readings); a judge that panics gives a failed
// finding, as a probe does. While the target's probe is out, the memory is not asked: a hung
// probe's timeout finding stands, and a verdict from memory would hide it (a NotReady node
// whose host hangs over SSH, Ready for a moment in between, would read ok until the probe
// came back).
func (s *Scheduler) judge(c Check, target string) (f Finding, ok bool) {
	if c.FromMemory == nil || s.probeOut(c.ID, target) {
		return Finding{}, false
	}
	start := s.Now()
	func() {
		defer func() {
			if r := recover(); r != nil {
				f, ok = Failed(fmt.Errorf("probe panicked: %v", r)), true
			}
		}()
		f, ok = c.FromMemory(target)
	}()
	if !ok {
		return Finding{}, false
	}
	if f.ObservedAt.IsZero() {
		f.ObservedAt = start
	}
	return s.finish(c, target, f, start), true
}

// finish fills in what the scheduler owns in a probe's finding, applies the site's exceptions
// and makes its text safe for a terminal.
func (s *Scheduler) finish(c Check, target string, f Finding, start time.Time) Finding {
	f.Check, f.Area, f.Target = c.ID, c.Area, target
	if f.Kind == "" {
		f.Kind = c.Kind
	}
	if f.Guide = c.Guide; f.Guide == "" {
		f.Guide = GuideOf(c.ID)
	}
	now := s.Now()
	if f.ObservedAt.IsZero() {
		f.ObservedAt = now
	}
	f.Duration = now.Sub(start)
	s.applyExceptions(&f)
	return f.Safe() // text from the site never reaches a terminal raw
}

// probeOut says a probe of (check, target) is still out: waiting for a slot, running, or
// abandoned at its timeout and not returned yet.
func (s *Scheduler) probeOut(check, target string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.inflight) > 0 && s.inflight[keyOf(check, target)]
}

func (s *Scheduler) clearInflight(key string) {
	s.mu.Lock()
	delete(s.inflight, key)
	s.mu.Unlock()
}

// applyExceptions turns a non-ok finding the site file expects into ok, keeping the reason.
func (s *Scheduler) applyExceptions(f *Finding) {
	if f.Status == OK {
		return
	}
	for _, e := range s.Exceptions {
		if e.Until != "" {
			until, err := time.Parse("2006-01-02", e.Until)
			if err == nil && s.Now().After(until.Add(24*time.Hour)) {
				continue
			}
		}
		okC, _ := path.Match(e.Check, f.Check)
		okT, _ := path.Match(orStar(e.Target), f.Target)
		if okC && okT {
			f.Exception = fmt.Sprintf("%s (was %s)", e.Reason, f.Status)
			f.Status = OK
			return
		}
	}
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}
