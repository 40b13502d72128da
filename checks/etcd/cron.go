package etcd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// CronEntries returns the active crontab lines (not blank, not comments, not VAR=value) that
// hold one of match: §5.2's `0 2 * * * sh /opt/etcd_back/etcd-backup.sh`.
func CronEntries(crontab []byte, match []string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(crontab))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if f := strings.Fields(l); len(f) > 0 && strings.Contains(f[0], "=") {
			continue // an environment line: SHELL=/bin/bash
		}
		for _, m := range match {
			if strings.Contains(l, m) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// noCrontab tells crontab's "no crontab for USER" (exit 1) from a failure to read.
func noCrontab(stderr []byte) bool { return bytes.Contains(stderr, []byte("no crontab for")) }

// MasterCron is what one master's crontab showed: the backup entries, or why it was not read.
type MasterCron struct {
	Host    string
	Entries []string
	Err     string
}

// JudgeCron: §5.2 backs the cluster up from one member by cron, so one entry on any master is
// enough; none is a warning (the snapshots stop: etcd.backup turns old a day later), unknown
// when a master could not be read.
func JudgeCron(ms []MasterCron, user string) checks.Finding {
	var f checks.Finding
	var found, unread []string
	for _, m := range ms {
		switch {
		case m.Err != "":
			unread = append(unread, m.Host+": "+m.Err)
		case len(m.Entries) > 0:
			found = append(found, m.Host+": "+strings.Join(m.Entries, " | "))
		}
	}
	sort.Strings(unread)
	whose := "the login user's crontab"
	if user != "" {
		whose = user + "'s crontab"
	}
	f.Metrics = []checks.Metric{{Name: "masters with the entry", Value: float64(len(found))}}
	switch {
	case len(found) > 0:
		f.Status, f.Summary = checks.OK, "backup cron entry on "+found[0]
		if len(found) > 1 {
			f.Summary += fmt.Sprintf(" (and %d more)", len(found)-1)
		}
		f.Details = strings.Join(found, "\n")
	case len(unread) > 0:
		f.Status, f.Summary = checks.Unknown, "no backup cron entry where readable; not read: "+strings.Join(unread, "; ")
	default:
		f.Status = checks.Warn
		f.Summary = fmt.Sprintf("no etcd backup entry in %s on any master: the daily snapshots stop", whose)
		f.Details = "§5.2: install /opt/etcd_back/etcd-backup.sh on one master and add `0 2 * * * sh /opt/etcd_back/etcd-backup.sh` with crontab -e."
	}
	if len(unread) > 0 && f.Status == checks.OK {
		f.Details += "\nnot read: " + strings.Join(unread, "; ")
	}
	return f
}

// cron reads every master's crontab at once.
func (p *prober) cron(ctx context.Context, inv probe.Inventory, names []string) checks.Finding {
	e := p.site.Etcd
	argv := []string{"crontab", "-l"}
	if e.CronUser != "" {
		argv = append(argv, "-u", e.CronUser)
	}
	ms := make([]MasterCron, len(names))
	errs, evidence := onEveryMaster(ctx, inv, names, func(i int, h config.Host, f *checks.Finding) string {
		res, ok := probe.Run(ctx, p.r, f, h, argv...)
		switch {
		case !ok:
			return f.Summary
		case res.ExitCode == 0:
			ms[i].Entries = CronEntries(res.Stdout, e.BackupCron)
		case !noCrontab(res.Stderr):
			return probe.ExitFailure(*f, res).Summary
		}
		return ""
	})
	for i, name := range names {
		ms[i].Host, ms[i].Err = name, errs[i]
	}
	f := JudgeCron(ms, e.CronUser)
	f.Evidence = evidence
	return f
}
