package etcd

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// The masters' certificate backup (§5.3): after setup, and so after every certificate change,
// each master keeps a tarball of /etc/kubernetes and /var/lib/kubelet under /home/t4/master_bk
// (ake3-master-<ip>-<date>.tar.gz). The check compares the newest tarball with the newest
// modification of the certificate files that cert.files reads (certificates.files).

// listArgv lists a folder's files matching a glob with their mtime and size, as
// ParseFindSnapshots reads them.
func listArgv(dir, glob string) []string {
	return []string{"find", dir, "-maxdepth", "1", "-name", glob, "-type", "f", "-printf", `%T@ %s %f\n`}
}

// JudgeMasterBackup: no tarball warns (nothing to restore the master's certificates from);
// a tarball older than the newest certificate warns (a renewal since is not in it).
func JudgeMasterBackup(dir string, tarballs []Snapshot, newestCert Snapshot, now time.Time) checks.Finding {
	var f checks.Finding
	var newest *Snapshot
	for i := range tarballs {
		if t := &tarballs[i]; t.Size > 0 && (newest == nil || t.ModTime.After(newest.ModTime)) {
			newest = t
		}
	}
	if newest == nil {
		f.Status, f.Summary = checks.Warn, "no certificate backup in "+dir
		f.Details = "§5.3: after setup (and after renewing certificates) run on each master: mkdir " + dir +
			"; tar -zcvf " + dir + "/ake3-master-<ip>-$(date +%Y-%m-%d_%H:%M:%S_%Z).tar.gz /etc/kubernetes /var/lib/kubelet"
		return f
	}
	age := now.Sub(newest.ModTime)
	f.Metrics = []checks.Metric{{Name: "backup age", Value: round1(age.Hours() / 24), Unit: "d"}}
	if newestCert.Name != "" && newestCert.ModTime.After(newest.ModTime) {
		f.Status = checks.Warn
		f.Summary = fmt.Sprintf("%s changed %s after the newest backup %s (%s): take a new one", newestCert.Name,
			probe.HumanDuration(newestCert.ModTime.Sub(newest.ModTime)), newest.Name, newest.ModTime.Format("2006-01-02"))
		f.Details = "§5.3: tar -zcvf " + dir + "/ake3-master-<ip>-$(date +%Y-%m-%d_%H:%M:%S_%Z).tar.gz /etc/kubernetes /var/lib/kubelet"
		return f
	}
	f.Status = checks.OK
	f.Summary = fmt.Sprintf("%s, %s old, newer than every certificate", newest.Name, probe.HumanDuration(age))
	if newestCert.Name != "" {
		f.Details = fmt.Sprintf("newest certificate change: %s at %s", newestCert.Name, newestCert.ModTime.Format("2006-01-02 15:04"))
	}
	return f
}

// masterBackup lists the backup folder and the certificate folders of one master.
func (p *prober) masterBackup(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	c := p.site.Certificates
	dir := c.MasterBackupDir
	res, ok := probe.Run(ctx, p.r, &f, h, listArgv(dir, "*.tar.gz")...)
	if !ok {
		return f
	}
	var tarballs []Snapshot
	switch {
	case res.ExitCode == 0:
		var err error
		if tarballs, err = ParseFindSnapshots(res.Stdout); err != nil {
			return probe.ParseFailure(f, err)
		}
	case !strings.Contains(string(res.Stderr), "No such file or directory"):
		return probe.ExitFailure(f, res)
	}
	var newestCert Snapshot
	for _, g := range c.Files {
		d, base := path.Split(g)
		if d == "" {
			d = "."
		}
		res, ok := probe.Run(ctx, p.r, &f, h, listArgv(strings.TrimSuffix(d, "/"), base)...)
		if !ok {
			return f
		}
		if res.ExitCode != 0 {
			continue // a folder that is not there changed nothing (cert.files says what is missing)
		}
		certs, err := ParseFindSnapshots(res.Stdout)
		if err != nil {
			return probe.ParseFailure(f, err)
		}
		for _, s := range certs {
			if s.ModTime.After(newestCert.ModTime) {
				newestCert = s
				newestCert.Name = path.Join(d, s.Name)
			}
		}
	}
	j := JudgeMasterBackup(dir, tarballs, newestCert, p.now())
	j.Evidence = f.Evidence
	return j
}
