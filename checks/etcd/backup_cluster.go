package etcd

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"opsdeck/checks"
)

// MasterBackups is what one master's backup folder showed: its snapshots, or why it could not
// be read (Err: unreachable, no folder).
type MasterBackups struct {
	Host      string
	Snapshots []Snapshot
	Err       string
}

// JudgeClusterBackups is §5.2's rule: a cluster is backed up by one etcd member, so the judgement
// is one finding per cluster — the newest non-empty snapshot on any master — not a crit for
// every master without a folder. Masters that could not be read are named; they decide only
// when no master has a snapshot (then the cluster is unknown, not crit, if any was unreadable).
func JudgeClusterBackups(masters []MasterBackups, now time.Time, maxAge time.Duration) checks.Finding {
	var newest *Snapshot
	where := ""
	var unread []string
	for i := range masters {
		m := &masters[i]
		if m.Err != "" {
			unread = append(unread, m.Host+": "+m.Err)
			continue
		}
		for j := range m.Snapshots {
			s := &m.Snapshots[j]
			if s.Size > 0 && (newest == nil || s.ModTime.After(newest.ModTime)) {
				newest, where = s, m.Host
			}
		}
	}
	sort.Strings(unread)
	var f checks.Finding
	if newest == nil {
		f.Status, f.Summary = checks.Crit, "no etcd snapshot on any master (§5.2: a daily snapshot by cron on one member)"
		if len(unread) > 0 {
			f.Status = checks.Unknown
			f.Summary = "no etcd snapshot on the masters that could be read; not read: " + strings.Join(unread, "; ")
		}
		return f
	}
	age := now.Sub(newest.ModTime)
	f.Metrics = []checks.Metric{{Name: "newest snapshot age", Value: round1(age.Hours()), Unit: "h", Warn: maxAge.Hours()}}
	if age > maxAge {
		f.Status, f.Summary = checks.Warn, fmt.Sprintf("newest snapshot %s on %s is %s old (cron not running?)", newest.Name, where, age.Round(time.Minute))
	} else {
		f.Status, f.Summary = checks.OK, fmt.Sprintf("newest snapshot %s on %s, %s old", newest.Name, where, age.Round(time.Minute))
	}
	if len(unread) > 0 {
		f.Details = "not read: " + strings.Join(unread, "; ")
	}
	return f
}
