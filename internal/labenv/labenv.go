// Package labenv finds the running lab (testdata/lab) for integration tests. A test that needs
// the lab fails when it is not up: the lab tier never skips silently.
package labenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"opsdeck/config"
)

// Lab is where the running lab keeps what tests need.
type Lab struct {
	State            string
	Kubeconfig       string // admin (system:masters)
	ViewerKubeconfig string // read-only user "viewer"
	SiteFile         string // testdata/lab/site.yaml
	Site             *config.Site
}

// Load finds the lab or fails the test, naming how to start it.
func Load(t testing.TB) *Lab {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	labDir := filepath.Join(filepath.Dir(here), "..", "..", "testdata", "lab")
	state := os.Getenv("LAB_STATE")
	if state == "" {
		state = filepath.Join(labDir, "state")
	}
	if _, err := os.Stat(filepath.Join(state, "env")); err != nil {
		t.Fatalf("the lab is not up (%v): run `make lab-up`", err)
	}
	site := filepath.Join(labDir, "site.yaml")
	s, err := config.Load(site)
	if err != nil {
		t.Fatalf("lab site file: %v", err)
	}
	return &Lab{
		State:            state,
		Kubeconfig:       filepath.Join(state, "kube", "admin.kubeconfig"),
		ViewerKubeconfig: filepath.Join(state, "kube", "viewer.kubeconfig"),
		SiteFile:         site,
		Site:             s,
	}
}

// Host returns an inventory host of the lab site by name.
func (l *Lab) Host(t testing.TB, name string) config.Host {
	t.Helper()
	for _, h := range l.Site.Inventory() {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no lab host %q", name)
	return config.Host{}
}

// SetUnit writes a systemd unit state on a lab host (what the host's systemctl shim reads).
func (l *Lab) SetUnit(t testing.TB, host, unit, state string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(l.State, "hosts", host, "units", unit), []byte(state+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Unit reads a systemd unit state on a lab host.
func (l *Lab) Unit(t testing.TB, host, unit string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.State, "hosts", host, "units", unit))
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:len(b)-1])
}

// RemoveUnitFile removes a unit's state file (e.g. the "<unit>.broken" marker).
func (l *Lab) RemoveUnitFile(t testing.TB, host, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(l.State, "hosts", host, "units", name)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// Reseed writes the lab's Kubernetes scenario again (creation is idempotent), restoring what a
// test changed: a removed node, a stripped machine, a deleted pod.
func (l *Lab) Reseed(t testing.TB) {
	t.Helper()
	out, err := exec.Command(filepath.Join(l.State, "bin", "seed"), "-kubeconfig", l.Kubeconfig).CombinedOutput()
	if err != nil {
		t.Fatalf("reseed: %v\n%s", err, out)
	}
}

// Lab runs testdata/lab/lab.sh with args (e.g. "apiserver", "stop") against this lab's state.
func (l *Lab) Lab(t testing.TB, args ...string) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	cmd := exec.Command(filepath.Join(filepath.Dir(here), "..", "..", "testdata", "lab", "lab.sh"), args...)
	cmd.Env = append(os.Environ(), "LAB_STATE="+l.State)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lab.sh %v: %v\n%s", args, err, out)
	}
}
