package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/actions"
	"opsdeck/config"
	"opsdeck/site/sim"
)

func demoAudit(t *testing.T) []actions.Record {
	t.Helper()
	out, stderr, code := run(t, "audit", "--demo", "-o", "json")
	if code != 0 {
		t.Fatalf("audit: %d %s", code, stderr)
	}
	var rs []actions.Record
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var r actions.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestActionRunStartKubeletOnDemo(t *testing.T) {
	before := len(demoAudit(t))
	out, stderr, code := run(t, "action", "run", "--demo", "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"1. ssh node3: systemctl start kubelet", "[1/1] ran (exit 0", "verify: check host.kubelet on node3: ok: kubelet active", "(succeeded)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rs := demoAudit(t)[before:]
	if len(rs) != 2 || rs[0].Phase != "started" || rs[1].Phase != "finished" || rs[1].Outcome != "succeeded" || rs[1].Verify == nil || !rs[1].Verify.OK {
		t.Fatalf("audit: %+v", rs)
	}
}

func TestDestructiveActionNeedsTargetTypedBack(t *testing.T) {
	out, _, code := run(t, "action", "run", "--demo", "host.restart-kubelet", "node2", "--yes-i-typed", "yes")
	if code != 1 || strings.Contains(out, "[1/1]") {
		t.Fatalf("restart confirmed with yes: exit %d\n%s", code, out)
	}
	if out, stderr, code := run(t, "action", "run", "--demo", "host.restart-kubelet", "node2", "--yes-i-typed", "node2"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}

func TestNoConfirmationWithoutTerminal(t *testing.T) {
	_, stderr, code := run(t, "action", "run", "--demo", "host.start-kubelet", "node3")
	if code != 1 || !strings.Contains(stderr, "--yes-i-typed") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}

func TestReadOnlyCannotRunActions(t *testing.T) {
	before := len(demoAudit(t))
	out, stderr, code := run(t, "--read-only", "action", "run", "--demo", "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 1 || !strings.Contains(stderr, "read-only") || strings.Contains(out, "[1/1]") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	rs := demoAudit(t)[before:]
	if len(rs) != 1 || rs[0].Phase != "refused" || rs[0].Mode != "read-only" {
		t.Fatalf("%+v", rs)
	}
}

func TestActionPlanChangesNothing(t *testing.T) {
	before := len(demoAudit(t))
	out, _, code := run(t, "action", "plan", "--demo", "host.restart-kubelet", "node3")
	if code != 0 || !strings.Contains(out, "DESTRUCTIVE") || !strings.Contains(out, "to run it, type: node3") || !strings.Contains(out, "CHG-DEMO") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if len(demoAudit(t)) != before {
		t.Fatal("plan wrote to the audit log")
	}
	if _, stderr, code := run(t, "action", "plan", "--demo", "host.start-kubelet", "ops1"); code == 0 || !strings.Contains(stderr, "does not apply") {
		t.Fatalf("ops1 has no kubelet: %d %s", code, stderr)
	}
}

// siteWith writes the running sim's site file with other change rules.
func siteWith(t *testing.T, s *sim.Site, ch config.Changes) string {
	t.Helper()
	c := *s.Config
	c.Changes = ch
	c.Audit.Path = filepath.Join(t.TempDir(), "audit.jsonl")
	b, err := config.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "site.yaml")
	os.WriteFile(p, b, 0o600)
	return p
}

func TestFreezeRefusesUnlessEmergency(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	site := siteWith(t, s, config.Changes{Timezone: "UTC", Freezes: []config.TimeWindow{{
		Start: now.Add(-time.Hour).Format("2006-01-02 15:04"), End: now.Add(time.Hour).Format("2006-01-02 15:04"), Reason: "year end"}}})
	out, stderr, code := run(t, "action", "run", "--site", site, "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 1 || !strings.Contains(stderr, "refused (freeze)") || !strings.Contains(stderr, "--emergency-reason") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	out, stderr, code = run(t, "action", "run", "--site", site, "host.start-kubelet", "node3", "--yes-i-typed", "yes",
		"--emergency-reason", "node3 kubelet down after reboot, pods pending")
	if code != 0 || !strings.Contains(out, "allowed (emergency)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if st := s.Hosts["node3"].State(); st.Units["kubelet"] != "active" {
		t.Fatalf("kubelet on the sim host is %s", st.Units["kubelet"])
	}
}

// A process killed mid-action leaves its "started" record, so the attempt is never lost.
func TestKilledMidActionLeavesStarted(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Hosts["node4"].Update(func(st *sim.HostState) { st.Hang = true })
	site := siteWith(t, s, config.Changes{Timezone: "UTC"})
	c, _ := config.Load(site)
	cmd := exec.Command(binary, "action", "run", "--site", site, "host.restart-kubelet", "node4", "--yes-i-typed", "node4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rs, _, _ := actions.ReadAudit(c.AuditPath(), actions.Filter{})
		if len(rs) == 1 && rs[0].Phase == "started" {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no started record: %+v", rs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	rs, _, _ := actions.ReadAudit(c.AuditPath(), actions.Filter{})
	if len(rs) != 1 || rs[0].Phase != "started" || rs[0].Plan[0] != "1. ssh node4: systemctl restart kubelet" {
		t.Fatalf("%+v", rs)
	}
}

// actionCase is one `opsdeck action run NAME TARGET --yes-i-typed TYPED` and what its output
// must say.
type actionCase struct {
	name, target, typed string
	want                []string
}

// runActionCases runs each case with siteArgs (--demo or --site FILE) and checks exit 0 and output.
func runActionCases(t *testing.T, siteArgs []string, cases []actionCase) {
	t.Helper()
	for _, c := range cases {
		args := append(append([]string{"action", "run"}, siteArgs...), c.name, c.target, "--yes-i-typed", c.typed)
		out, stderr, code := run(t, args...)
		if code != 0 {
			t.Errorf("%s %s: exit %d\n%s\n%s", c.name, c.target, code, out, stderr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
			}
		}
	}
}

// Every host action runs through `opsdeck action run` against the demo site.
func TestHostActionsOnDemo(t *testing.T) {
	runActionCases(t, []string{"--demo"}, []actionCase{
		{"host.restart-container", "ops2/adns-slave", "ops2/adns-slave", []string{"1. ssh ops2: docker restart adns-slave", "verify: check host.containers on ops2: ok"}},
		{"adns.restart-process", "ops1/adns-master/bind", "ops1/adns-master/bind", []string{"ssh ops1: docker exec adns-master supervisorctl restart bind", "verify: check adns.processes on ops1/adns-master: ok"}},
		{"host.ntp-sync", "node2", "yes", []string{"1. ssh node2: ntpdate -u 10.10.0.11", "adjust time server 10.10.0.11"}},
		{"host.ntp-sync", "node6", "yes", []string{"1. ssh node6: ntpdate -u 10.10.0.11", "verify: check ntp.sync on node6 shows offset under 30 ms within 30s", "verify: check ntp.sync on node6: ok: synced to 10.10.0.11"}},
		{"host.ntp-sync", "ops1", "yes", []string{"1. ssh ops1: ntpdate -u 10.1.1.1"}},
		{"etcd.snapshot", "node1", "yes", []string{"1. ssh node1: mkdir -p /home/t4/etcd/etcd_bk", "snapshot save /home/t4/etcd/etcd_bk/etcd_v3_", "verify: check etcd.backup on etcd: ok"}},
	})
}

// Every Kubernetes action through `opsdeck action run` against the demo's API.
func TestKubeActionsOnDemo(t *testing.T) {
	cases := []struct {
		name, target, typed, want string
	}{
		{"kube.strip-finalizers", "machines/node7-old", "machines/node7-old", "verify: check kube.machine on node7-old: ok: gone"},
		{"kube.cordon", "node2", "yes", "node node2 is cordoned"},
		{"kube.uncordon", "node1", "node1", ""}, // node1 is not cordoned: the action does not apply
		{"kube.label-no-daemonset", "node4", "yes", "the node carries the label"},
		{"kube.delete-pod", "app/web-2", "app/web-2", "the pod is gone"},
		{"kube.force-delete-pod", "app/db-0", "app/db-0", "uses PVC data-db-0"},
		// Its pods still wait to be rescheduled, and its host answers (§2.3.2: start kubelet).
		{"kube.remove-node", "node3", "node3", "refused: 2 pod(s) of node3 still need rescheduling"},
	}
	for _, c := range cases {
		out, stderr, code := run(t, "action", "run", "--demo", c.name, c.target, "--yes-i-typed", c.typed)
		if strings.HasPrefix(c.want, "refused: ") {
			if code == 0 || !strings.Contains(stderr, strings.TrimPrefix(c.want, "refused: ")) {
				t.Errorf("%s %s: want a refusal, got %d %s", c.name, c.target, code, stderr)
			}
			continue
		}
		if c.want == "" {
			if code == 0 || !strings.Contains(stderr, "does not apply") {
				t.Errorf("%s %s: want a refusal, got %d %s", c.name, c.target, code, stderr)
			}
			continue
		}
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%s %s: exit %d, want %q\n%s\n%s", c.name, c.target, code, c.want, out, stderr)
		}
	}
}
