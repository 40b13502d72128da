package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleIsValid(t *testing.T) {
	s, err := Parse("example.yaml", Example)
	if err != nil {
		t.Fatalf("the init example must validate:\n%v", err)
	}
	if s.Name != "prod-hz1" || len(s.Inventory()) != 5 {
		t.Fatalf("unexpected example: name %q, %d hosts", s.Name, len(s.Inventory()))
	}
	if iv, _, _ := s.CheckSchedule("host.cpu"); iv != time.Minute {
		t.Errorf("override interval = %s, want 1m", iv)
	}
}

func TestBadFileReportsEveryErrorWithLineCol(t *testing.T) {
	path := filepath.Join("..", "testdata", "config", "bad.yaml")
	_, err := Load(path)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	want := []string{
		path + ":1:10: version: must be 1",
		path + `:4:3: ssh.conect_timeout: unknown key "conect_timeout" (did you mean "connect_timeout"?)`,
		path + ":5:26: ssh.max_sessions_per_host: must be 1..9",
		path + `:9:13: hosts.groups[0].jump: jump host "nowhere" is not a host of the inventory`,
		path + ":11:49: hosts.groups[0].hosts[0].port: cannot unmarshal",
		path + `:12:18: hosts.groups[0].hosts[1].name: host "ops1" is listed twice`,
		path + `:12:33: hosts.groups[0].hosts[1].address: "bad address!" is neither`,
		path + `:15:14: adns.instances[0].host: "ops9" is not a host`,
		path + `:15:26: adns.instances[0].role: must be master or slave`,
		path + `:15:44: adns.instances[0].runtime: must be docker, crictl or none`,
		path + `:17:24: thresholds.disk_percent.warn: warn (95) must not be above crit (90)`,
		path + `:18:18: thresholds.recent_reboot: "10" is not a duration`,
		path + `:20:13: checks.interval: "soon" is not a duration`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", err)
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Errorf("reported twice: %s", g)
		}
		seen[g] = true
	}
	if len(got) < len(want) {
		t.Errorf("got %d problems, want at least %d", len(got), len(want))
	}
}

func TestMissingFileNamesPath(t *testing.T) {
	_, err := Load("/nonexistent/site.yaml")
	if !errors.Is(err, ErrNoSiteFile) || !strings.Contains(err.Error(), "/nonexistent/site.yaml") {
		t.Fatalf("got %v", err)
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	_, err := Parse("s.yaml", []byte("version: 1\nname: [x\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:") {
		t.Fatalf("got %v", err)
	}
}

func TestDefaultsFillWhatFileOmits(t *testing.T) {
	s, err := Parse("m.yaml", []byte("version: 1\nname: m\nthresholds:\n  disk_percent: {warn: 70, crit: 85}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Thresholds.Disk.Warn != 70 || s.Thresholds.CPU.Crit != 90 || s.Certificates.WarnWithin.D() != 60*24*time.Hour {
		t.Fatalf("defaults not kept: %+v", s.Thresholds)
	}
}

func TestInventoryInheritance(t *testing.T) {
	src := `version: 1
name: x
hosts:
  defaults: {user: admin, port: 2222}
  groups:
    - name: n
      roles: [node]
      jump: j
      hosts:
        - {name: j, address: 10.0.0.9, roles: [ops]}
        - {name: a, address: 10.0.0.1, port: 22}
`
	s, err := Parse("i.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	inv := s.Inventory()
	a := inv[1]
	if inv[0].Jump != "" {
		t.Errorf("a group's jump host is reached directly, got jump %q", inv[0].Jump)
	}
	if a.User != "admin" || a.Port != 22 || a.Jump != "j" || !a.HasRole("node") {
		t.Fatalf("a = %+v", a)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	s, _ := Parse("example.yaml", Example)
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("rt.yaml", b); err != nil {
		t.Fatalf("round trip: %v\n%s", err, b)
	}
	_ = os.WriteFile(filepath.Join(t.TempDir(), "x"), b, 0o600)
}

func TestRelativePathsResolveAgainstTheSiteFile(t *testing.T) {
	src := "version: 1\nname: r\nssh: {known_hosts: state/known_hosts, identity_files: [/abs/key, ~/k]}\nclusters: [{name: c, kubeconfig: a.kc:/b.kc}]\naudit: {path: audit.jsonl}\n"
	s, err := Parse("/etc/opsdeck/site.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.SSH.KnownHosts != "/etc/opsdeck/state/known_hosts" || s.SSH.IdentityFiles[0] != "/abs/key" || s.SSH.IdentityFiles[1] != "~/k" ||
		s.Clusters[0].Kubeconfig != "/etc/opsdeck/a.kc:/b.kc" || s.AuditPath() != "/etc/opsdeck/audit.jsonl" {
		t.Fatalf("%+v %+v %s", s.SSH, s.Clusters, s.AuditPath())
	}
}

func TestClusterNodesJoinTheirGroup(t *testing.T) {
	src := `version: 1
name: x
clusters: [{name: meta, kubeconfig: /k}]
hosts:
  groups:
    - name: masters
      roles: [master, node]
      hosts: [{name: m1, address: 10.0.0.1}]
    - name: nodes
      roles: [node]
      user: admin
      from_cluster: meta
`
	s, err := Parse("n.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// n3 points at m1's address, n4's InternalIP is no address, n5 repeats n1's: all left out.
	d, skipped := s.AddClusterNodes(map[string][]NodeHost{"meta": {{"m1", "10.0.0.1"}, {"n1", "10.0.0.11"}, {"n2", ""},
		{"n3", "10.0.0.1"}, {"n4", "10.0.0.x"}, {"n5", "10.0.0.11"}}})
	inv := d.Inventory()
	if len(inv) != 2 || inv[1].Name != "n1" || inv[1].Address != "10.0.0.11" || inv[1].User != "admin" || !inv[1].HasRole("node") {
		t.Fatalf("%+v", inv)
	}
	if len(skipped) != 4 || !strings.Contains(strings.Join(skipped, "\n"), "already host m1's address") {
		t.Fatalf("skipped: %q", skipped)
	}
	if len(s.Inventory()) != 1 {
		t.Fatal("the original site must not change")
	}
}
