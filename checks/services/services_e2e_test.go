package services_test

import (
	"context"
	"strings"
	"testing"

	"opsdeck/actions"
	svcactions "opsdeck/actions/services"
	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/checks/services"
	"opsdeck/site/sim"
)

// The standard demo: apyunqing restarted by its policy warns, the gateway's digest shows its
// failures explained, the rest is ok.
func TestDemoServices(t *testing.T) {
	s, pool := checktest.Demo(t, nil)
	got := checktest.Round(services.Checks(s.Config, pool))
	want := map[string]struct {
		status  checks.Status
		summary string
	}{
		"yunyou.service ops1/apyunqing":    {checks.Warn, "apyunqing restarted 2 times by its restart policy"},
		"iam.service ops1/aciamcore":       {checks.OK, "checkService ok, ports 2022, 8341, 12200 listening"},
		"iam.service ops2/aciamweb":        {checks.OK, "checkService ok, ports 2022, 80, 12200 listening"},
		"openapi.service ops1/acprodapigw": {checks.OK, "checkService ok"},
		"openapi.digest ops1/acprodapigw":  {checks.Crit, "calls failed in the last 5m"},
		"mysql.replication mysql-ops1":     {checks.OK, "primary"},
		"mysql.replication mysql-ops2":     {checks.OK, "replicating, 0 s behind"},
		"yum.repo node1":                   {checks.OK, "1 repository answers: site-base"},
	}
	for key, w := range want {
		f, ok := got[key]
		if !ok {
			t.Errorf("%s: no finding", key)
			continue
		}
		if f.Status != w.status || !strings.Contains(f.Summary, w.summary) {
			t.Errorf("%s: %s %q (%s)", key, f.Status, f.Summary, f.Error)
		}
	}
	if d := got["openapi.digest ops1/acprodapigw"].Details; !strings.Contains(d, "ACCESS_DENIED") || !strings.Contains(d, "the tenant admin must grant it") {
		t.Errorf("codes not explained:\n%s", d)
	}
	if d := got["yunyou.service ops1/apyunqing"].Details; !strings.Contains(d, "newest error:") && !strings.Contains(d, "common-error.log") {
		t.Errorf("yunyou details: %q", d)
	}
}

// The outage: aciamcore on ops2 reports antvip false, the replica's SQL thread stopped,
// apyunqing was OOM-killed, the YUM repository is down. iam.restart mends aciamcore, yunyou.restart
// apyunqing.
func TestDemoServicesOutageAndIAMRestart(t *testing.T) {
	s, pool := checktest.Demo(t, sim.OutageScenario)
	cs := services.Checks(s.Config, pool)
	r := checktest.NewRunner(t, cs)
	for _, c := range []struct{ id, target, summary string }{
		{"iam.service", "ops2/aciamcore", "checkService reports false: data.antvip: false"},
		{"mysql.replication", "mysql-ops2", "Slave_SQL_Running: No (Error 'Duplicate entry"},
		{"yunyou.service", "ops1/apyunqing", "apyunqing is exited: killed by the OOM killer (exit code 137)"},
		{"yum.repo", "node1", "site-base does not answer: curl: (7)"},
	} {
		if f := r.One(c.id, c.target); f.Status != checks.Crit || !strings.Contains(f.Summary, c.summary) {
			t.Errorf("%s %s: %s %q (%s)", c.id, c.target, f.Status, f.Summary, f.Error)
		}
	}
	reg := actions.NewRegistry(svcactions.Actions(s.Config)...)
	for _, c := range []struct{ action, target, check string }{
		{"iam.restart", "ops2/aciamcore", "iam.service"},
		{"yunyou.restart", "ops1/apyunqing", "yunyou.service"},
	} {
		a, err := reg.Lookup(c.action, c.target)
		if err != nil {
			t.Fatal(err)
		}
		p, err := a.Plan(context.Background(), c.target)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.Steps { // run the plan's steps as the executor would, over SSH
			res, err := pool.Run(context.Background(), st.SSH.Host, st.SSH.Argv...)
			if err != nil || res.ExitCode != 0 {
				t.Fatalf("%s: %v %s", st, err, res.Stderr)
			}
		}
		if f := r.One(c.check, c.target); f.Status != checks.OK {
			t.Errorf("after %s: %s %q", c.action, f.Status, f.Summary)
		}
	}
}
