package tail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/checks/logs"
	"opsdeck/site/sim"
	"opsdeck/site/tail"
)

// find returns the index of the named source.
func find(t *testing.T, h *tail.Hub, name string) int {
	t.Helper()
	for i, s := range h.Sources() {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no source %s", name)
	return -1
}

// eventually re-checks cond after each hub change (a minute at most; nothing timed is asserted).
func eventually(t *testing.T, h *tail.Hub, what string, cond func() bool) {
	t.Helper()
	ch := h.Subscribe()
	defer h.Unsubscribe(ch)
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-ch:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("never: %s", what)
		}
	}
}

func lines(h *tail.Hub, src int, kind tail.Kind) []tail.Entry {
	var out []tail.Entry
	h.Range(src, 0, 1<<20, func(e *tail.Entry) {
		if e.Kind == kind {
			out = append(out, *e)
		}
	})
	return out
}

// End to end on the demo site: local files, files on hosts over SSH, inside containers, and a
// supervisord program's stderr all arrive parsed; a host that goes away and comes back leaves a
// gap entry and the stream carries on.
func TestDemoSiteLogsLocalSSHContainerAndSupervisor(t *testing.T) {
	tail.BackoffMin, tail.BackoffMax = 50*time.Millisecond, 200*time.Millisecond
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := tail.StartAll(context.Background(), s.Config, tail.Options{Parsers: logs.NewParser, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	want := map[string]tail.Level{
		"gateway-digest":  tail.Unknown, // any level: the digest's own
		"kubelet-node3":   tail.Error,   // node3's kubelet is inactive in the demo
		"kubelet-node1":   tail.Info,
		"dnsmng-ops1":     tail.Info,
		"dnsagent-ops2":   tail.Info,
		"keepalived-ops1": tail.Unknown,
	}
	for name, lvl := range want {
		src := find(t, h, name)
		eventually(t, h, name+" lines", func() bool {
			for _, e := range lines(h, src, tail.Line) {
				if lvl == tail.Unknown || e.Level == lvl {
					return true
				}
			}
			return false
		})
	}
	if w := h.Sources()[find(t, h, "dnsmng-ops1")].Where; w != "ssh ops1: docker exec adns-master tail -n 200 -F /home/admin/dnsmng/log/adns_biz.log" {
		t.Errorf("where: %s", w)
	}

	// node1 goes away and comes back: the stream is lost, then resumes with a gap entry.
	src := find(t, h, "kubelet-node1")
	s.StopHost("node1")
	eventually(t, h, "node1's stream lost", func() bool { return !h.State(src).Up })
	if err := s.StartHost("node1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, h, "the gap recorded", func() bool { return len(lines(h, src, tail.Gap)) == 1 })
	gap := lines(h, src, tail.Gap)[0]
	if !strings.HasPrefix(gap.Text, "stream lost ") || !strings.Contains(gap.Text, ", resumed ") {
		t.Errorf("gap: %q", gap.Text)
	}
	n := len(lines(h, src, tail.Line))
	eventually(t, h, "lines after the gap", func() bool { return len(lines(h, src, tail.Line)) > n })
	if !h.State(src).Up {
		t.Error("not up after the gap")
	}
}
