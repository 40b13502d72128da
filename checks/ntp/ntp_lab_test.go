//go:build lab

package ntp

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/internal/labenv"
)

// Against the lab's real chronyd: synced with one dead source, then the server goes away.
func TestLabNTPSourceUnreachable(t *testing.T) {
	lab := labenv.Load(t)
	r := checktest.NewRunner(t, Checks(lab.Site, checktest.Pool(t, lab.Site)))
	one := r.One
	if f := one("ntp.sync", "node1"); f.Status != checks.OK || !strings.HasPrefix(f.Summary, "synced to 127.0.4.1") {
		t.Fatalf("node1 before: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	if f := one("ntp.upstream", "ops1"); f.Status != checks.Warn || !strings.Contains(f.Summary, "unreachable: 127.0.4.2") {
		t.Fatalf("ops1 before: %s %q", f.Status, f.Summary)
	}
	lab.Lab(t, "ntp-server", "stop")
	t.Cleanup(func() { lab.Lab(t, "ntp-server", "start") })
	// chronyd gives a source up when its reach register empties (8 polls of 4 s).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		sync, up := one("ntp.sync", "node1"), one("ntp.upstream", "ops1")
		if sync.Status == checks.Crit && up.Status == checks.Crit {
			if !strings.Contains(sync.Summary, "no selected time source") || !strings.Contains(up.Summary, "every upstream NTP server unreachable") {
				t.Errorf("%q / %q", sync.Summary, up.Summary)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %s %q / %s %q two minutes after the server stopped", sync.Status, sync.Summary, up.Status, up.Summary)
		}
		time.Sleep(5 * time.Second)
	}
}
