package checks

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A CRIT whose summary carries a carriage return and colours must not show as OK: every finding
// the scheduler stores is terminal-safe, whatever the probe put in it.
func TestSchedulerStoresSafeText(t *testing.T) {
	st := NewStore(time.Millisecond)
	s := &Scheduler{Store: st, Limit: 1, Checks: []Check{{
		ID: "kube.pods", Area: "kubernetes", Timeout: time.Second, Targets: targets("ns/p"),
		Probe: func(context.Context, string) Finding {
			f := Finding{Status: Crit, Summary: "boom\r OK \x1b[32mfine", Details: "line1\nline2 \x1b]52;c;aGk=\x07",
				Metrics: []Metric{{Name: "x\x1b[2J"}}}
			f.AddEvidence("ssh n: supervisorctl status", []byte("bind RUNNING\n\x1bP+q\x1b\\"))
			return f
		},
	}}}
	f, err := s.RunOne(context.Background(), "kube.pods", "ns/p")
	if err != nil {
		t.Fatal(err)
	}
	stored := *st.Snapshot().Findings[0]
	for _, g := range []Finding{f, stored} {
		all := g.Summary + g.Details + g.Metrics[0].Name + g.Evidence[0].Source + g.Evidence[0].Excerpt
		if strings.ContainsAny(all, "\x1b\r\x07") || strings.Contains(g.Summary, "\n") {
			t.Fatalf("unsafe text kept: %+v", g)
		}
		if g.Summary != "boom␍ OK ␛[32mfine" || !strings.Contains(g.Details, "line1\nline2") || !strings.Contains(g.Evidence[0].Excerpt, "bind RUNNING\n") {
			t.Fatalf("%+v", g)
		}
	}
}
