package config

import (
	"strings"
	"testing"
)

func TestRemotePaths(t *testing.T) {
	src := `version: 1
name: p
hosts:
  groups: [{name: g, hosts: [{name: m1, address: 10.0.0.1}]}]
host_checks:
  log_dirs: [/var/log/x, logs/sigma, ~/logs/y, -delete]
  resolv_conf: "-rf"
etcd:
  etcdctl: bin/etcdctl
  backup_dir: -delete
  cacert: ~root/ca.crt
logs:
  - {name: l, host: m1, path: "--follow=/etc/shadow"}
`
	_, err := Parse("p.yaml", []byte(src))
	for _, want := range []string{
		`p.yaml:6:48: host_checks.log_dirs[3]: "-delete" must not start with '-'`,
		`p.yaml:7:16: host_checks.resolv_conf: "-rf" must not start with '-'`,
		`p.yaml:9:12: etcd.etcdctl: "bin/etcdctl" must be a program name (found in PATH) or an absolute path`,
		`p.yaml:10:15: etcd.backup_dir: "-delete" must not start with '-'`,
		`p.yaml:11:11: etcd.cacert: "~root/ca.crt": only ~/`,
		`p.yaml:13:31: logs[0].path: "--follow=/etc/shadow" must not start with '-'`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	s, err := Parse("ok.yaml", []byte("version: 1\nname: ok\nhost_checks: {log_dirs: [/a, b, ~/c]}\netcd: {backup_dir: ~/etcd_bk}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.HostChecks.LogDirs, ",") != "/a,b,c" || s.Etcd.BackupDir != "etcd_bk" {
		t.Fatalf("~/ is the login home, where remote commands start: %v %q", s.HostChecks.LogDirs, s.Etcd.BackupDir)
	}
}
