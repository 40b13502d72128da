package config

import (
	"errors"
	"strings"
	"testing"
)

// The keys of the platform checks (issue 15) are validated where they are written.
func TestPlatformKeysLineCol(t *testing.T) {
	data := []byte(`version: 1
host_checks:
  port_processes:
    "10250": kubelet
    "99999": kubelet
    "6443": "kube apiserver"
  processes:
    node: [kubelet, "a,b"]
etcd:
  backup_cron: [" "]
  cron_user: "-r"
  db_size_mb: {warn: 2000, crit: 1000}
certificates:
  master_backup_dir: -delete
`)
	_, err := Parse("site.yaml", data)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	for _, w := range []string{
		`site.yaml:5:14: host_checks.port_processes.99999: "99999" must be a port number`,
		`site.yaml:6:13: host_checks.port_processes.6443: "kube apiserver" is not a process name`,
		`site.yaml:8:21: host_checks.processes.node[1]: "a,b" is not a process name`,
		`site.yaml:10:17: etcd.backup_cron[0]: must not be empty`,
		`site.yaml:11:14: etcd.cron_user: "-r" is not a user name`,
		`site.yaml:12:22: etcd.db_size_mb.warn: warn (2000) must not be above crit (1000)`,
		`site.yaml:14:22: certificates.master_backup_dir: "-delete" must not start with '-'`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%v", err)
	}
	s, err := Parse("site.yaml", []byte("version: 1\nname: x\nhost_checks:\n  port_processes:\n    \"18080\": sigma-proxy\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A site's entry adds to the guide's table; it does not replace it.
	if s.HostChecks.PortProcesses["18080"] != "sigma-proxy" || s.HostChecks.PortProcesses["10250"] != "kubelet" {
		t.Errorf("port_processes: %v", s.HostChecks.PortProcesses)
	}
}
