package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small file of nested aliases (a "billion laughs") is refused before anything expands it,
// with where it is, instead of taking seconds and hundreds of MiB and then blaming "name".
func TestAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: x\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "(aliases): aliases expand to more than 200000 nodes") || !strings.HasPrefix(err.Error(), "bomb.yaml:") {
		t.Fatalf("%v", err)
	}
	if strings.Contains(err.Error(), "required") {
		t.Fatalf("no misleading follow-up problems: %v", err)
	}
}

// A few aliases, as people use them for shared host lists, are fine.
func TestModestAliasesAreFine(t *testing.T) {
	src := "version: 1\nname: x\nhost_checks:\n  units: {node: &u [kubelet, containerd], master: *u}\n"
	if _, err := Parse("a.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

func TestOversizedFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	os.WriteFile(path, []byte("version: 1\nname: x\n# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o600)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Fatalf("%v", err)
	}
}

func TestDurationsRejectOddNumbersAndHaveFloors(t *testing.T) {
	for _, bad := range []string{"NaNd", "Infd", "+Infd", "1e3d", "0x10d", "1_0d", "-1d", "99999999d", "1.5e2h"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q must not parse", bad)
		}
	}
	for in, want := range map[string]string{"60d": "60d", "1.5d": "36h0m0s", "90s": "1m30s"} {
		if d, err := ParseDuration(in); err != nil || d.String() != want {
			t.Errorf("%q: %v %v", in, d, err)
		}
	}
	src := `version: 1
name: x
ssh: {connect_timeout: 10ms, keepalive: 500ms}
checks:
  interval: 100ms
  timeout: 1ns
  overrides:
    host.cpu: {interval: 10ms, timeout: 50ms}
    host.disk: {interval: 5m}
`
	_, err := Parse("d.yaml", []byte(src))
	for _, want := range []string{
		"d.yaml:3:24: ssh.connect_timeout: 10ms is too short: at least 100ms",
		"d.yaml:3:41: ssh.keepalive: 500ms is too short: at least 1s",
		"d.yaml:5:13: checks.interval: 100ms is too short: at least 1s",
		"d.yaml:6:12: checks.timeout: 1ns is too short: at least 100ms",
		"checks.overrides.host.cpu.interval: 10ms is too short: at least 1s",
		"checks.overrides.host.cpu.timeout: 50ms is too short: at least 100ms",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "host.disk") {
		t.Errorf("a valid override is fine:\n%v", err)
	}
}
