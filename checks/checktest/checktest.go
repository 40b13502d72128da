// Package checktest holds what the area packages' tests share: the demo site with an SSH pool,
// one round of checks, one check on one target, and fixtures.
package checktest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
)

// Fixture reads testdata/name or fails the test.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Demo starts the simulated site (scenario nil: the standard one) and an SSH pool to it.
func Demo(t testing.TB, scenario func(time.Time) sim.Scenario) (*sim.Site, *ssh.Pool) {
	t.Helper()
	opts := sim.Options{}
	if scenario != nil {
		opts.Scenario = scenario(time.Now())
	}
	s, err := sim.Start(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.Config.Checks.Timeout = config.Duration(3 * time.Second)
	return s, Pool(t, s.Config)
}

// Pool is an SSH pool for the site, closed when the test ends.
func Pool(t testing.TB, site *config.Site) *ssh.Pool {
	pool := ssh.NewPool(ssh.OptionsFromSite(site))
	t.Cleanup(pool.Close)
	return pool
}

// Round runs every check once on every target and returns the findings by "check target".
func Round(cs []checks.Check) map[string]checks.Finding {
	st := checks.NewStore(time.Millisecond)
	(&checks.Scheduler{Store: st, Limit: 16, Checks: cs}).RunOnce(context.Background(), nil)
	got := map[string]checks.Finding{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = *f
	}
	return got
}

// Runner runs single checks, as an action's verification does.
type Runner struct {
	t  testing.TB
	sc *checks.Scheduler
}

// NewRunner runs checks from cs one at a time.
func NewRunner(t testing.TB, cs []checks.Check) Runner {
	return Runner{t, &checks.Scheduler{Store: checks.NewStore(time.Millisecond), Limit: 8, Checks: cs}}
}

// One runs check id on target now.
func (r Runner) One(id, target string) checks.Finding {
	r.t.Helper()
	f, err := r.sc.RunOne(context.Background(), id, target)
	if err != nil {
		r.t.Fatal(err)
	}
	return f
}

// Until re-runs a check until cond holds, or fails the test after within.
func (r Runner) Until(id, target string, within time.Duration, cond func(checks.Finding) bool) checks.Finding {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		f := r.One(id, target)
		if cond(f) {
			return f
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s %s: still %s %q after %s", id, target, f.Status, f.Summary, within)
		}
		time.Sleep(time.Second)
	}
}
