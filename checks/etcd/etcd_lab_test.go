//go:build lab

package etcd

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/internal/labenv"
)

// The lab's real etcd (3.4, one member, plain HTTP on 127.0.3.1), asked from master1 through
// the bastion: endpoint status --cluster and alarm list, and the §5.2 entry in master1's crontab.
func TestLabEtcdMembersAndAlarms(t *testing.T) {
	lab := labenv.Load(t)
	one := checktest.NewRunner(t, Checks(lab.Site, checktest.Pool(t, lab.Site))).One
	f := one("etcd.members", ClusterTarget)
	if f.Status != checks.OK || !strings.HasPrefix(f.Summary, "1 member, leader http://127.0.3.1:2379, db ") ||
		!strings.Contains(f.Details, "leader  v3.4.23") || !strings.Contains(f.Evidence[0].Source, "ssh master1: etcdctl --endpoints http://127.0.3.1:2379 endpoint status --cluster -w json (exit 0)") {
		t.Errorf("members: %s %q\n%s\n%+v", f.Status, f.Summary, f.Details, f.Evidence)
	}
	if f := one("etcd.alarms", ClusterTarget); f.Status != checks.OK || f.Summary != "no alarm" {
		t.Errorf("alarms: %s %q %+v", f.Status, f.Summary, f.Evidence)
	}
	if f := one("etcd.backup-cron", ClusterTarget); f.Status != checks.OK || f.Summary != "backup cron entry on master1: 0 2 * * * sh /opt/etcd_back/etcd-backup.sh" {
		t.Errorf("cron: %s %q %+v", f.Status, f.Summary, f.Evidence)
	}
}

// A real `etcdctl snapshot save` into the backup folder turns etcd.backup ok, and a real tarball
// of the certificates turns cert.master-backup ok (§5.2, §5.3).
func TestLabSnapshotAndCertificateBackup(t *testing.T) {
	lab := labenv.Load(t)
	pool := checktest.Pool(t, lab.Site)
	one := checktest.NewRunner(t, Checks(lab.Site, pool)).One
	u, err := user.Lookup(lab.Site.Hosts.Defaults.User)
	if err != nil {
		t.Fatal(err)
	}
	bk := filepath.Join(u.HomeDir, lab.Site.Etcd.BackupDir)
	// Move the lab's own snapshots aside, and put them back after.
	aside := t.TempDir()
	olds, _ := filepath.Glob(filepath.Join(bk, "etcd_v3_*.db"))
	for _, o := range olds {
		if err := os.Rename(o, filepath.Join(aside, filepath.Base(o))); err != nil {
			t.Fatal(err)
		}
	}
	today := filepath.Join(lab.Site.Etcd.BackupDir, "etcd_v3_"+time.Now().Format("2006-01-02")+".db")
	t.Cleanup(func() {
		os.Remove(filepath.Join(u.HomeDir, today))
		for _, o := range olds {
			os.Rename(filepath.Join(aside, filepath.Base(o)), o)
		}
		os.RemoveAll(filepath.Join(u.HomeDir, lab.Site.Certificates.MasterBackupDir))
	})
	if f := one("etcd.backup", BackupTarget); f.Status != checks.Crit || !strings.HasPrefix(f.Summary, "no etcd snapshot on any master") {
		t.Fatalf("without snapshots: %s %q", f.Status, f.Summary)
	}
	master := lab.Host(t, "master1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := pool.Run(ctx, master, EtcdctlArgv(lab.Site.Etcd, "snapshot", "save", today)...)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("snapshot save: %v %d %s", err, res.ExitCode, res.Stderr)
	}
	if f := one("etcd.backup", BackupTarget); f.Status != checks.OK || !strings.Contains(f.Summary, filepath.Base(today)+" on master1") {
		t.Errorf("after the snapshot: %s %q", f.Status, f.Summary)
	}

	dir := lab.Site.Certificates.MasterBackupDir
	if f := one("cert.master-backup", "master1"); f.Status != checks.Warn || f.Summary != "no certificate backup in "+dir {
		t.Errorf("before the tarball: %s %q (%s)", f.Status, f.Summary, f.Error)
	}
	tarball := dir + "/ake3-master-127.0.1.4-" + time.Now().UTC().Format("2006-01-02_15:04:05_UTC") + ".tar.gz"
	for _, argv := range [][]string{{"mkdir", "-p", dir}, {"tar", "-zcf", tarball, "pki"}} {
		if res, err := pool.Run(ctx, master, argv...); err != nil || res.ExitCode != 0 {
			t.Fatalf("%v: %v %d %s", argv, err, res.ExitCode, res.Stderr)
		}
	}
	f := one("cert.master-backup", "master1")
	if f.Status != checks.OK || !strings.HasPrefix(f.Summary, filepath.Base(tarball)+", ") || !strings.Contains(f.Details, "newest certificate change: pki/") {
		t.Errorf("after the tarball: %s %q %q", f.Status, f.Summary, f.Details)
	}
}
