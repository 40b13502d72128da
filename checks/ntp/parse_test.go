package ntp

import (
	"testing"
	"time"

	"opsdeck/checks/checktest"
)

func fixture(t *testing.T, name string) []byte { return checktest.Fixture(t, name) }

// Real chronyc outputs (testdata/ORIGIN.md).
func TestParseChrony(t *testing.T) {
	ss, err := ParseChronySources(fixture(t, "chronyc_c_sources.txt"))
	if err != nil || len(ss) != 2 {
		t.Fatalf("%+v %v", ss, err)
	}
	if s := ss[0]; !s.Selected() || s.Address != "127.0.44.1" || s.Stratum != 8 || s.Reach != 0o377 || s.LastRx != 0 || s.Poll != time.Second || s.OffsetMS != 0.000044 {
		t.Errorf("selected source %+v", s)
	}
	if s := ss[1]; s.Selected() || s.Reachable() || s.LastRx != Never || s.Tally != ' ' {
		t.Errorf("dead source %+v", s)
	}
	ss, _ = ParseChronySources(fixture(t, "chronyc_c_sources_unreachable.txt"))
	if ss[0].Selected() || ss[0].Reachable() || ss[0].LastRx != 41*time.Second {
		t.Errorf("after the server stopped: %+v", ss[0])
	}
	tr, err := ParseChronyTracking(fixture(t, "chronyc_c_tracking.txt"))
	if err != nil || !tr.Synced() || tr.RefName != "127.0.44.1" || tr.Stratum != 9 || tr.RefTime.Year() != 2026 || tr.Leap != "Normal" {
		t.Errorf("%+v %v", tr, err)
	}
	tr, err = ParseChronyTracking(fixture(t, "chronyc_c_tracking_unsynced.txt"))
	if err != nil || tr.Synced() || !tr.RefTime.IsZero() {
		t.Errorf("never synced: %+v %v", tr, err)
	}
	if _, err := ParseChronySources([]byte("506 Cannot talk to daemon\n")); err == nil {
		t.Error("an error message is not a source list")
	}
	if _, err := ParseChronyTracking(fixture(t, "chronyc_sources.txt")); err == nil {
		t.Error("the human layout is not CSV")
	}
}

func TestParseNtpqGuideSample(t *testing.T) {
	ss, err := ParseNtpq(fixture(t, "ntpq_p_guide.txt"))
	if err != nil || len(ss) != 11 {
		t.Fatalf("%d %v", len(ss), err)
	}
	if s := ss[0]; s.Address != "LOCAL(0)" || s.RefID != ".LOCL." || s.LastRx != 66*24*time.Hour || s.Tally != ' ' {
		t.Errorf("%+v", s)
	}
	if s := ss[1]; s.Reachable() || s.RefID != ".INIT." || s.Stratum != 16 || s.LastRx != Never {
		t.Errorf("%+v", s)
	}
	if s := ss[9]; s.Tally != '+' || s.Address != "time4.aliyun.co" || s.Reach != 0o216 || s.OffsetMS != 0.114 || s.Poll != 256*time.Second {
		t.Errorf("%+v", s)
	}
	for _, s := range ss {
		if s.Selected() {
			t.Errorf("the guide's sample has no selected source: %+v", s)
		}
	}
}

func TestParseNtpqForms(t *testing.T) {
	ss, err := ParseNtpq(fixture(t, "ntpq_pn_forms.txt"))
	if err != nil || len(ss) != 9 {
		t.Fatalf("%d %v", len(ss), err)
	}
	tallies := ""
	for _, s := range ss {
		tallies += string(s.Tally)
	}
	if tallies != "*+-x#.o  " {
		t.Errorf("tallies %q", tallies)
	}
	if s := ss[0]; !s.Selected() || s.OffsetMS != -0.1183 || s.LastRx != 37*time.Second {
		t.Errorf("%+v", s)
	}
	if s := ss[2]; s.LastRx != 2*time.Minute || s.Poll != 17*time.Minute {
		t.Errorf("m suffix: %+v", s)
	}
	if ss[3].LastRx != time.Hour || ss[3].OffsetMS != -912.402 || ss[4].LastRx != 4*24*time.Hour {
		t.Errorf("h/d suffix: %+v %+v", ss[3], ss[4])
	}
	if s := ss[8]; s.Address != "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff" || s.RefID != ".INIT." || s.Poll != 64*time.Second {
		t.Errorf("wrapped: %+v", s)
	}
	for _, bad := range []string{"ntpq: read: Connection refused\n", "     remote  refid\n=====\n*a b c\n"} {
		if _, err := ParseNtpq([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
