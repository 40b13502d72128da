package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/site/sim"
)

var binary, stateDir string

// TestMain builds the real binary once: these tests run opsdeck as an operator or cron would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "opsdeck-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "opsdeck")
	stateDir = filepath.Join(dir, "state")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "OPSDECK_SITE=", "XDG_STATE_HOME="+stateDir)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCheckDemoJSON(t *testing.T) {
	out, stderr, code := run(t, "check", "--demo", "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Schema != checks.ReportSchema || r.Summary.ExitCode != 2 || r.Summary.Worst != checks.Crit {
		t.Errorf("summary %+v", r.Summary)
	}
	bad := map[string]string{}
	for _, f := range r.Findings {
		if f.Status != checks.OK {
			bad[f.Check+" "+f.Target] = f.Status.String() + ": " + f.Summary
		}
		if f.ObservedAt.IsZero() || len(f.Evidence) == 0 {
			t.Errorf("%s %s lacks observed_at or evidence", f.Check, f.Target)
		}
	}
	want := map[string]string{
		"host.kubelet node3": "crit: kubelet inactive",
		"host.disk node5":    "crit: /home/t4 93 % used",
		"host.uptime ops2":   "warn: rebooted 10m ago",
		// the platform problems of the scenario (site/sim/platscenario.go)
		"host.components node3":    "crit: kubelet not running",
		"host.ports node4":         "crit: 10256 owned by nginx, not kube-proxy",
		"host.enabled node6":       "warn: containerd disabled",
		"cert.master-backup node1": "warn: /etc/kubernetes/pki/front-proxy-client.crt changed",
	}
	for k, w := range want {
		if !strings.HasPrefix(bad[k], w) {
			t.Errorf("%s = %q, want prefix %q", k, bad[k], w)
		}
	}
	for k := range bad {
		if strings.HasPrefix(k, "host.") && want[k] == "" {
			t.Errorf("unexpected host problem: %s %s", k, bad[k])
		}
	}
}

func TestCheckOnlyLoadIsOK(t *testing.T) {
	out, _, code := run(t, "check", "--demo", "--only", "host.load*")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	if !strings.Contains(out, "8 ok") || strings.Contains(out, "\x1b[") {
		t.Errorf("table (no colour when not a TTY):\n%s", out)
	}
}

func TestCheckTableListsProblemsWorstFirst(t *testing.T) {
	out, _, code := run(t, "check", "--demo")
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	iCrit, iWarn := strings.Index(out, "CRIT "), strings.Index(out, "WARN ")
	if iCrit < 0 || iWarn < iCrit || !strings.Contains(out, "HOSTS") {
		t.Errorf("table:\n%s", out)
	}
}

func TestCheckMissingSiteFile(t *testing.T) {
	_, stderr, code := run(t, "check", "--site", "/nonexistent/site.yaml")
	if code != 3 || !strings.Contains(stderr, "/nonexistent/site.yaml") || !strings.Contains(stderr, "opsdeck config init") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") > 3 {
		t.Errorf("want a short message, got %q", stderr)
	}
}

func TestCheckBadOutputFlag(t *testing.T) {
	if _, _, code := run(t, "check", "--demo", "-o", "xml"); code != 3 {
		t.Fatalf("exit %d", code)
	}
}

func TestConfigValidateAndInit(t *testing.T) {
	_, stderr, code := run(t, "config", "validate", "../../testdata/config/bad.yaml")
	if code != 1 || !strings.Contains(stderr, "bad.yaml:4:3: ssh.conect_timeout: unknown key") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	p := filepath.Join(t.TempDir(), "conf", "site.yaml")
	if _, stderr, code := run(t, "config", "init", p); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if out, stderr, code := run(t, "config", "validate", p); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("validate init's file: %d %s %s", code, out, stderr)
	}
	if _, stderr, code := run(t, "config", "init", p); code == 0 || !strings.Contains(stderr, "not overwritten") {
		t.Fatalf("init must not overwrite: %d %s", code, stderr)
	}
}

// The demo writes a real site file; opsdeck reads it back like any other.
func TestCheckWithWrittenDemoSiteFile(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, stderr, code := run(t, "check", "--site", s.Config.Path, "--only", "host.kubelet", "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if _, stderr, code := run(t, "config", "validate", s.Config.Path); code != 0 {
		t.Fatalf("demo site file invalid: %s", stderr)
	}
}

// The outage scenario: a dead host and a hung host cost one timeout, not one per check, and are
// unknown with the reason; the dead ADNS process is critical.
func TestCheckOutageScenario(t *testing.T) {
	start := time.Now()
	out, stderr, code := run(t, "check", "--demo", "--demo-scenario", "outage", "-o", "json")
	took := time.Since(start)
	if code != 2 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	by := map[string]checks.Finding{}
	for _, f := range r.Findings {
		by[f.Check+" "+f.Target] = f.Finding
	}
	if f := by["host.load node7"]; f.Status != checks.Unknown || !strings.Contains(f.Summary, "unreachable (dial)") {
		t.Errorf("dead host: %+v", f)
	}
	if f := by["host.load node4"]; f.Status != checks.Unknown || !strings.Contains(f.Summary, "timed out") {
		t.Errorf("hung host: %+v", f)
	}
	if f := by["adns.processes ops2/adns-slave"]; f.Status != checks.Crit || !strings.Contains(f.Summary, "dnsagent FATAL") {
		t.Errorf("dead process: %+v", f)
	}
	if f := by["host.load node1"]; f.Status != checks.OK {
		t.Errorf("healthy host hurt by the others: %+v", f)
	}
	t.Logf("outage round took %s (bounded by one check timeout; measured in BENCHMARKS.md)", took)
	var dead *checks.Connection
	for i, c := range r.Connections {
		if c.Host == "node7" {
			dead = &r.Connections[i]
		}
	}
	if dead == nil || dead.Connected || !strings.Contains(dead.LastError, "connection refused") {
		t.Errorf("connection state of node7: %+v", dead)
	}
}

func TestUnknownScenarioIsAnError(t *testing.T) {
	_, stderr, code := run(t, "check", "--demo", "--demo-scenario", "nope")
	if code != 3 || !strings.Contains(stderr, "standard, outage") {
		t.Fatalf("%d %s", code, stderr)
	}
}

// kubectl's --kubeconfig and --context pick the cluster instead of the site file's.
func TestKubeconfigFlags(t *testing.T) {
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kc := s.Config.Clusters[0].Kubeconfig
	out, stderr, _ := run(t, "check", "--site", s.Config.Path, "--kubeconfig", kc, "--context", "demo", "--only", "kube.api", "-o", "json")
	if !strings.Contains(out, `"target": "demo"`) || !strings.Contains(out, "watching:") {
		t.Fatalf("%s\n%s", out, stderr)
	}
	_, stderr, code := run(t, "check", "--site", s.Config.Path, "--kubeconfig", kc, "--context", "nope", "--only", "kube.api")
	if code != 3 || !strings.Contains(stderr, `context "nope"`) {
		t.Fatalf("unknown context: %d %s", code, stderr)
	}
}

// A cluster whose API does not answer: unknown at once with the reason, not a minute's wait.
func TestDeadClusterIsUnknownWithTheReason(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "dead.kubeconfig")
	os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}]
current-context: dead
`), 0o600)
	out, _, code := run(t, "check", "--demo", "--kubeconfig", kc, "--only", "kube.api")
	if code != 3 || !strings.Contains(out, "API unreachable") || !strings.Contains(out, "connection refused") {
		t.Fatalf("%d\n%s", code, out)
	}
}
