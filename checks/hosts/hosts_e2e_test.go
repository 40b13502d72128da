package hosts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
)

// round runs every host check once against the simulated site, through the real SSH client.
func round(t *testing.T, s *sim.Site, only ...string) map[string]checks.Finding {
	t.Helper()
	pool := ssh.NewPool(ssh.OptionsFromSite(s.Config))
	t.Cleanup(pool.Close)
	st := checks.NewStore(time.Millisecond)
	sc := &checks.Scheduler{Store: st, Limit: 16, Checks: checks.Select(Checks(s.Config, pool), only)}
	sc.RunOnce(context.Background(), nil)
	got := map[string]checks.Finding{}
	for _, f := range st.Snapshot().Findings {
		got[f.Check+" "+f.Target] = *f
	}
	return got
}

func startSim(t *testing.T) *sim.Site {
	t.Helper()
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.Config.Checks.Timeout = 3e9
	return s
}

func TestDemoScenarioEndToEnd(t *testing.T) {
	s := startSim(t)
	got := round(t, s)
	want := map[string]checks.Status{
		"host.kubelet node3": checks.Crit,
		"host.disk node5":    checks.Crit,
		"host.uptime ops2":   checks.Warn,
		// the platform problems of the scenario (site/sim/platscenario.go)
		"host.components node3": checks.Crit, // kubelet inactive
		"host.ports node4":      checks.Crit, // 10256 held by nginx
		"host.enabled node6":    checks.Warn, // containerd disabled
	}
	for _, k := range []string{"host.ports node1", "host.units node6", "host.logdirs node2",
		"host.containers ops2", "host.reachable ops1"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no finding %s", k)
		}
	}
	for k, f := range got {
		w, special := want[k]
		if !special {
			w = checks.OK
		}
		if f.Status != w {
			t.Errorf("%s: %s %q (err %q), want %s", k, f.Status, f.Summary, f.Error, w)
		}
		if len(f.Evidence) == 0 || !strings.HasPrefix(f.Evidence[0].Source, "ssh ") {
			t.Errorf("%s: no SSH evidence", k)
		}
	}
	if f := got["host.disk node5"]; !strings.HasPrefix(f.Summary, "/home/t4 93 % used") {
		t.Errorf("disk summary %q", f.Summary)
	}
	if f := got["host.uptime ops2"]; !strings.HasPrefix(f.Summary, "rebooted 10m ago") {
		t.Errorf("uptime summary %q", f.Summary)
	}
	if f := got["host.cpu node2"]; f.Metrics[0].Value != 21 {
		t.Errorf("cpu through two /proc/stat samples = %v, want 21", f.Metrics[0].Value)
	}
}

func TestDeadHostIsUnknownQuickly(t *testing.T) {
	s := startSim(t)
	s.StopHost("node2")
	start := time.Now()
	got := round(t, s, "host.reachable", "host.uptime")
	for _, id := range []string{"host.reachable node2", "host.uptime node2"} {
		f := got[id]
		if f.Status != checks.Unknown || !strings.Contains(f.Summary, "unreachable (dial)") {
			t.Errorf("%s: %s %q", id, f.Status, f.Summary)
		}
	}
	if f := got["host.reachable node1"]; f.Status != checks.OK {
		t.Errorf("node1 suffered from node2: %s %q", f.Status, f.Summary)
	}
	t.Logf("round with a dead host took %s", time.Since(start))
}

func TestHungHostTimesOut(t *testing.T) {
	s := startSim(t)
	s.Config.Checks.Timeout = 5e8
	s.Hosts["node4"].Update(func(st *sim.HostState) { st.Hang = true })
	got := round(t, s, "host.memory")
	if f := got["host.memory node4"]; f.Status != checks.Unknown {
		t.Errorf("hung host: %s %q", f.Status, f.Summary)
	}
	if f := got["host.memory node1"]; f.Status != checks.OK {
		t.Errorf("node1: %s %q", f.Status, f.Summary)
	}
}

func TestChangedHostKeyIsCritAndUnknownKeyIsUnknown(t *testing.T) {
	s := startSim(t)
	if err := s.ReplaceHostKey("node6"); err != nil {
		t.Fatal(err)
	}
	// Forget node1's key entirely: the operator must add it, we never trust on first use.
	kh := s.Config.SSH.KnownHosts
	b, _ := os.ReadFile(kh)
	var keep []string
	port := ""
	for _, h := range s.Config.Inventory() {
		if h.Name == "node1" {
			port = ":" + itoa(h.Port)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.Contains(l, "]"+port+" ") {
			keep = append(keep, l)
		}
	}
	os.WriteFile(kh, []byte(strings.Join(keep, "\n")+"\n"), 0o600)

	got := round(t, s, "host.reachable", "host.kubelet")
	for _, id := range []string{"host.reachable node6", "host.kubelet node6"} {
		f := got[id]
		if f.Status != checks.Crit || f.Summary != "host key changed: no connection made" {
			t.Errorf("%s: %s %q", id, f.Status, f.Summary)
		}
	}
	f := got["host.reachable node1"]
	if f.Status != checks.Unknown || !strings.Contains(f.Error, "SHA256:") || !strings.Contains(f.Error, "then add: [127.0.0.1]"+port) {
		t.Errorf("unknown key: %s %q", f.Status, f.Error)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// One full round (54 findings, 8 hosts, real SSH on loopback) on warm connections.
func BenchmarkDemoRound(b *testing.B) {
	s, err := sim.Start(b.TempDir(), sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pool := ssh.NewPool(ssh.OptionsFromSite(s.Config))
	defer pool.Close()
	cs := checks.Select(Checks(s.Config, pool), []string{"host.reachable", "host.uptime", "host.load", "host.memory", "host.disk", "host.kubelet"})
	for b.Loop() {
		sc := &checks.Scheduler{Store: checks.NewStore(time.Millisecond), Limit: 64, Checks: cs}
		sc.RunOnce(context.Background(), nil)
	}
}

// A key the hosts do not accept: unknown with the reason, never crit.
func TestRefusedAuthIsUnknown(t *testing.T) {
	s := startSim(t)
	other := filepath.Join(t.TempDir(), "other_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	s.Config.SSH.IdentityFiles = []string{other}
	f := round(t, s, "host.reachable")["host.reachable node1"]
	if f.Status != checks.Unknown || !strings.Contains(f.Summary, "unreachable (auth)") {
		t.Fatalf("%s %q", f.Status, f.Summary)
	}
}
