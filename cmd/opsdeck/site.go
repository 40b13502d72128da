package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"opsdeck/actions"
	hostactions "opsdeck/actions/hosts"
	"opsdeck/checks"
	"opsdeck/checks/adns"
	"opsdeck/checks/hosts"
	"opsdeck/config"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
)

// env is a loaded site with its connections, checks and actions.
type env struct {
	site     *config.Site
	pool     *ssh.Pool
	checks   []checks.Check
	registry *actions.Registry
	close    func()
}

// openSite loads the site file (or starts the demo site) and builds every check on it.
func openSite(g globals) (*env, error) {
	var site *config.Site
	closers := []func(){}
	if g.demo {
		dir, err := os.MkdirTemp("", "opsdeck-demo-")
		if err != nil {
			return nil, err
		}
		sc, err := sim.ScenarioByName(g.scenario, time.Now())
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s, err := sim.Start(dir, sim.Options{Scenario: sc})
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting the demo site: %w", err)
		}
		site = s.Config
		// Demo actions are audited too, in a log of their own that outlives the demo.
		site.Audit.Path = demoAuditPath()
		closers = append(closers, s.Close, func() { os.RemoveAll(dir) })
	} else {
		path := config.ExpandPath(g.site)
		s, err := config.Load(path)
		if errors.Is(err, config.ErrNoSiteFile) {
			return nil, fmt.Errorf("%v\n  create one with: opsdeck config init %s\n  or try the demo: opsdeck --demo", err, path)
		}
		var ps config.Problems
		if errors.As(err, &ps) {
			return nil, fmt.Errorf("the site file has %d problem(s):\n%v", len(ps), ps)
		}
		if err != nil {
			return nil, err
		}
		site = s
	}
	pool := ssh.NewPool(ssh.OptionsFromSite(site))
	closers = append([]func(){pool.Close}, closers...)
	return &env{
		site:     site,
		pool:     pool,
		checks:   append(hosts.Checks(site, pool), adns.Checks(site, pool)...),
		registry: actions.NewRegistry(hostactions.Actions(site)...),
		close: func() {
			for _, c := range closers {
				c()
			}
		},
	}, nil
}

func (e *env) scheduler(store *checks.Store, selected []checks.Check) *checks.Scheduler {
	return &checks.Scheduler{Checks: selected, Store: store, Limit: e.site.Checks.Concurrency, Exceptions: e.site.Exceptions}
}

func demoAuditPath() string {
	return filepath.Join(filepath.Dir((&config.Site{}).AuditPath()), "audit-demo.jsonl")
}
