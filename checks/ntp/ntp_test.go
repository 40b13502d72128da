package ntp

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/config"
	"opsdeck/site/sim"
)

func judgeFixture(t *testing.T, sources, tracking string) checks.Finding {
	t.Helper()
	ss, err := ParseChronySources(fixture(t, sources))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseChronyTracking(fixture(t, tracking))
	if err != nil {
		t.Fatal(err)
	}
	return JudgeSync(checks.Finding{}, State{Tool: "chrony", Sources: ss, Tracking: &tr}, config.Level{Warn: 30, Crit: 1000}, tr.RefTime.Add(time.Minute))
}

func TestJudgeOnRealChronyOutputs(t *testing.T) {
	if f := judgeFixture(t, "chronyc_c_sources.txt", "chronyc_c_tracking.txt"); f.Status != checks.OK || !strings.HasPrefix(f.Summary, "synced to 127.0.44.1 (stratum 8)") {
		t.Errorf("synced: %s %q", f.Status, f.Summary)
	}
	f := judgeFixture(t, "chronyc_c_sources_unreachable.txt", "chronyc_c_tracking_unreachable.txt")
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "no selected time source (chrony; 0 of 2 sources reachable), last synced") {
		t.Errorf("unreachable: %s %q", f.Status, f.Summary)
	}
	if f := judgeFixture(t, "chronyc_c_sources_unsynced.txt", "chronyc_c_tracking_unsynced.txt"); f.Status != checks.Crit || strings.Contains(f.Summary, "last synced") {
		t.Errorf("never synced: %s %q", f.Status, f.Summary)
	}
	ss, _ := ParseChronySources(fixture(t, "chronyc_c_sources.txt"))
	if f := JudgeUpstream(checks.Finding{}, State{Sources: ss}, []string{"127.0.44.1", "127.0.44.2"}); f.Status != checks.Warn || !strings.Contains(f.Summary, "1 of 2 upstream servers unreachable: 127.0.44.2") {
		t.Errorf("one upstream down: %s %q", f.Status, f.Summary)
	}
	if f := JudgeUpstream(checks.Finding{}, State{Sources: ss[:1]}, nil); f.Status != checks.Warn || !strings.Contains(f.Summary, "single upstream") {
		t.Errorf("single upstream: %s %q", f.Status, f.Summary)
	}
	ss, _ = ParseChronySources(fixture(t, "chronyc_c_sources_unreachable.txt"))
	if f := JudgeUpstream(checks.Finding{}, State{Sources: ss}, nil); f.Status != checks.Crit {
		t.Errorf("all upstream down: %s %q", f.Status, f.Summary)
	}
}

func TestJudgeOnNtpq(t *testing.T) {
	ss, _ := ParseNtpq(fixture(t, "ntpq_p_guide.txt"))
	st := State{Tool: "ntpq", Sources: ss}
	if f := JudgeSync(checks.Finding{}, st, config.Level{Warn: 30, Crit: 1000}, time.Now()); f.Status != checks.Crit {
		t.Errorf("the guide's sample has nothing selected: %s %q", f.Status, f.Summary)
	}
	// LOCAL(0) is no upstream; two aliyun servers answer, the .INIT. ones do not.
	if f := JudgeUpstream(checks.Finding{}, st, nil); f.Status != checks.Warn || !strings.HasPrefix(f.Summary, "8 of 10 upstream servers unreachable") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	ss, _ = ParseNtpq(fixture(t, "ntpq_pn_forms.txt"))
	if f := JudgeSync(checks.Finding{}, State{Tool: "ntpq", Sources: ss}, config.Level{Warn: 0.1, Crit: 1000}, time.Now()); f.Status != checks.Warn || !strings.Contains(f.Summary, "offset -118.3 µs") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
}

func demoRound(t *testing.T, scenario func(time.Time) sim.Scenario) map[string]checks.Finding {
	s, pool := checktest.Demo(t, scenario)
	return checktest.Round(Checks(s.Config, pool))
}

// The demo's ops hosts run ntpd, its nodes chrony: both paths through the real SSH client.
func TestDemoNTP(t *testing.T) {
	got := demoRound(t, sim.DemoScenario)
	if len(got) != 10 {
		t.Errorf("want ntp.sync on 8 hosts and ntp.upstream on ops1, ops2; got %d", len(got))
	}
	for k, f := range got {
		want := checks.OK
		if k == "ntp.sync node6" {
			want = checks.Warn
		}
		if f.Status != want || f.Area != "ntp" {
			t.Errorf("%s: %s %q (%s)", k, f.Status, f.Summary, f.Error)
		}
	}
	if f := got["ntp.sync node6"]; !strings.Contains(f.Summary, "offset") || f.Metrics[2].Name != "offset" || f.Metrics[2].Value != 45 {
		t.Errorf("node6: %q %+v", f.Summary, f.Metrics)
	}
	if f := got["ntp.sync ops1"]; !strings.HasPrefix(f.Summary, "synced to 10.1.1.1") || !strings.Contains(f.Evidence[len(f.Evidence)-1].Source, "ntpq -pn") {
		t.Errorf("ops1 through ntpq: %q %+v", f.Summary, f.Evidence)
	}
	out := demoRound(t, sim.OutageScenario)
	if f := out["ntp.upstream ops2"]; f.Status != checks.Crit || !strings.Contains(f.Summary, "every upstream NTP server unreachable") {
		t.Errorf("outage upstream: %s %q", f.Status, f.Summary)
	}
	if f := out["ntp.sync ops2"]; f.Status != checks.Crit {
		t.Errorf("outage sync: %s %q", f.Status, f.Summary)
	}
}
