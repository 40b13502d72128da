//go:build lab

package services

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/config"
	"opsdeck/internal/labenv"
	"opsdeck/site/ssh"
)

// Over the lab's real sshd, through a read-only pool (the allowlist decides): the MariaDB
// replica's status with the `\G` statement quoted for the remote shell, its log folder, and a
// YUM repository served on loopback, then the replica broken and the repository gone.
func TestLabServicesOverSSH(t *testing.T) {
	lab := labenv.Load(t)
	t.Cleanup(func() { mariadb(t, "down") }) // first: a failed up stops what it started too
	mariadb(t, "up")
	repomd := checktest.Fixture(t, "repomd_createrepo_c.xml")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/centos/7/os/x86_64/repodata/repomd.xml" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(repomd)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	site := *lab.Site
	site.Services = config.Services{
		MySQL: config.MySQL{Instances: []config.MySQLInstance{{Name: "replica", Host: "node1", Address: "127.0.7.2:3306", User: "monitor",
			LogDir: filepath.Join(lab.State, "mariadb", "replica", "log")}}},
		YUM: config.YUM{Hosts: []string{"node1"}, URLs: []string{srv.URL + "/centos/$releasever/os/x86_64/"}, Vars: map[string]string{"releasever": "7"}},
	}
	opts := ssh.OptionsFromSite(&site)
	opts.ReadOnly = true
	pool := ssh.NewPool(opts)
	t.Cleanup(pool.Close)
	r := checktest.NewRunner(t, Checks(&site, pool))

	if f := r.One("mysql.replication", "replica"); f.Status != checks.OK || !strings.HasPrefix(f.Summary, "replicating") || metric(f, "binlogs") < 1 {
		t.Fatalf("replica over ssh: %s %q (%s) %+v", f.Status, f.Summary, f.Error, f.Evidence)
	}
	if f := r.One("yum.repo", "node1"); f.Status != checks.OK || !strings.Contains(f.Summary, "1 repository answers: urls[0]") {
		t.Fatalf("yum over ssh: %s %q (%s) %+v", f.Status, f.Summary, f.Error, f.Evidence)
	}
	mariadb(t, "break")
	t.Cleanup(func() { mariadb(t, "mend") })
	if f := r.One("mysql.replication", "replica"); f.Status != checks.Crit || !strings.Contains(f.Summary, "Slave_SQL_Running: No") {
		t.Errorf("broken replica over ssh: %s %q", f.Status, f.Summary)
	}
	srv.Close()
	if f := r.One("yum.repo", "node1"); f.Status != checks.Crit || !strings.Contains(f.Summary, "urls[0] does not answer: curl: (7)") {
		t.Errorf("repository gone: %s %q", f.Status, f.Summary)
	}
}
