package hosts

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/site/sim"
)

// The outage scenario's platform side through the real SSH client: containerd on node2 holds
// 91 % of the machine's memory (two /proc samples a second apart, ps for memory).
func TestDemoOutageComponents(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{Scenario: sim.OutageScenario(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.Config.Checks.Timeout = 3e9
	got := round(t, s, "host.components", "host.enabled")
	if f := got["host.components node2"]; f.Status != checks.Crit || !strings.Contains(f.Summary, "containerd cpu 3.1 % mem 91.0 %") {
		t.Errorf("node2: %s %q", f.Status, f.Summary)
	}
	if f := got["host.components node1"]; f.Status != checks.OK || !strings.Contains(f.Summary, "7 components within limits; busiest kube-apiserver 6.0 % cpu") {
		t.Errorf("node1: %s %q", f.Status, f.Summary)
	}
	if f := got["host.enabled node6"]; f.Status != checks.Warn {
		t.Errorf("node6: %s %q", f.Status, f.Summary)
	}
}
