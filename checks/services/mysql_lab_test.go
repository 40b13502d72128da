//go:build lab

package services

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// localRunner runs allowlisted probes on this machine, where the lab's MariaDB runs.
type localRunner struct{}

func (localRunner) Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error) {
	if !ssh.IsProbe(argv) {
		return ssh.Result{}, fmt.Errorf("not a probe: %q", argv)
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code, err = ee.ExitCode(), nil
	}
	return ssh.Result{Command: ssh.Quote(argv...), Stdout: out.Bytes(), Stderr: errb.Bytes(), ExitCode: code}, err
}

func mariadb(t *testing.T, verb string) {
	t.Helper()
	out, err := exec.Command("../../testdata/lab/mariadb.sh", verb).CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb.sh %s: %v\n%s", verb, err, out)
	}
}

// Against Debian's MariaDB: a replica replicating, then its SQL thread stopped by a duplicate
// key, then mended; the primary judged as a primary; the log folder measured.
func TestLabMySQLReplication(t *testing.T) {
	t.Cleanup(func() { mariadb(t, "down") }) // first: a failed up stops what it started too
	mariadb(t, "up")
	site := config.Defaults()
	site.Name = "lab"
	site.Hosts.Groups = []config.HostGroup{{Name: "db", Hosts: []config.HostConfig{{Name: "db1", Address: "127.0.0.1"}}}}
	site.Services.MySQL.Instances = []config.MySQLInstance{
		{Name: "replica", Host: "db1", Address: "127.0.7.2:3306", User: "monitor", LogDir: "../../testdata/lab/state/mariadb/replica/log"},
		{Name: "primary", Host: "db1", Address: "127.0.7.1:3306", User: "monitor", Primary: true},
	}
	r := checktest.NewRunner(t, Checks(&site, localRunner{}))
	f := r.One("mysql.replication", "replica")
	if f.Status != checks.OK || !strings.HasPrefix(f.Summary, "replicating") || metric(f, "binlogs") < 1 || metric(f, "relay logs") < 1 {
		t.Fatalf("replica: %s %q %+v (%s)", f.Status, f.Summary, f.Metrics, f.Error)
	}
	if f := r.One("mysql.replication", "primary"); f.Status != checks.OK || f.Summary != "primary" {
		t.Fatalf("primary: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	mariadb(t, "break")
	t.Cleanup(func() { mariadb(t, "mend") })
	f = r.One("mysql.replication", "replica")
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "Slave_SQL_Running: No (Error 'Duplicate entry") {
		t.Fatalf("broken replica: %s %q", f.Status, f.Summary)
	}
	mariadb(t, "mend")
	deadline := time.Now().Add(30 * time.Second)
	for f = r.One("mysql.replication", "replica"); f.Status != checks.OK; f = r.One("mysql.replication", "replica") {
		if time.Now().After(deadline) {
			t.Fatalf("not mended: %s %q", f.Status, f.Summary)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
