//go:build lab

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/internal/labenv"
)

// One inspection round against the lab's real sshd hosts: the seeded problem is found, the
// healthy parts are ok, and the bastion-only master is reached through ProxyJump.
func TestLabCheck(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node3", "kubelet", "inactive")
	out, stderr, code := run(t, "check", "--site", lab.SiteFile, "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		key := f.Check + " " + f.Target
		seen[key] = true
		want := checks.OK
		switch {
		case key == "host.kubelet node3":
			want = checks.Crit
		case f.Check == "host.cpu" || f.Check == "host.load":
			// The lab's hosts share this machine's real CPU with the test run itself: only
			// require that it was measured.
			if f.Status == checks.Unknown || len(f.Metrics) == 0 {
				t.Errorf("%s: not measured: %q (error %q)", key, f.Summary, f.Error)
			}
			continue
		}
		if f.Status != want {
			t.Errorf("%s: %s %q (error %q), want %s", key, f.Status, f.Summary, f.Error, want)
		}
	}
	for _, k := range []string{"host.reachable master1", "host.disk node1", "host.kubelet master1", "host.reachable bastion"} {
		if !seen[k] {
			t.Errorf("no finding %s", k)
		}
	}
}

// `opsdeck action run` starts kubelet on a real sshd host: the host's state really changes and
// the verification (the host.kubelet check) sees it.
func TestLabStartKubelet(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node3", "kubelet", "inactive")
	defer lab.SetUnit(t, "node3", "kubelet", "inactive") // the scenario's state
	out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 0 || !strings.Contains(out, "verify: check host.kubelet on node3: ok") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if s := lab.Unit(t, "node3", "kubelet"); s != "active" {
		t.Fatalf("kubelet on node3 is %q", s)
	}
	// Run again: the step is skipped as already done, and the run still verifies.
	out, _, code = run(t, "action", "run", "--site", lab.SiteFile, "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 0 || !strings.Contains(out, "skipped") {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
}

// A kubelet that fails to start: the action fails, says so, and the audit has both records.
func TestLabRestartBrokenKubelet(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node2", "kubelet.broken", "yes")
	defer func() {
		lab.SetUnit(t, "node2", "kubelet", "active")
		lab.RemoveUnitFile(t, "node2", "kubelet.broken")
	}()
	out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "host.restart-kubelet", "node2", "--yes-i-typed", "node2")
	if code != 1 || !strings.Contains(out, "[1/1] failed (exit 1") || !strings.Contains(stderr, "step 1 failed") ||
		!strings.Contains(out, "diagnosis: ssh node2: journalctl -u kubelet -n 50 --no-pager") || !strings.Contains(out, "failed to run Kubelet") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// Every host action on the lab's real programs.
func TestLabHostActions(t *testing.T) {
	lab := labenv.Load(t)
	cases := []struct {
		name, target, typed string
		want                []string
	}{
		{"adns.restart-process", "ops1/bind", "ops1/bind", []string{"bind: started", "verify: check adns.processes on ops1: ok"}},
		{"host.restart-container", "ops2/adns-slave", "ops2/adns-slave", []string{"adns-slave", "verify: check host.containers on ops2: ok"}},
		{"host.ntp-sync", "node1", "yes", []string{"ntpdate -u 127.0.4.1", "127.0.4.1 s8"}},
		{"etcd.snapshot", "master1", "yes", []string{"Snapshot saved at etcd_bk/etcd_v3_", "verify: check etcd.backup on master1: ok"}},
	}
	for _, c := range cases {
		out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, c.name, c.target, "--yes-i-typed", c.typed)
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
