package etcd

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
)

// §5.2: one member is backed up; masters without a folder are not each a crit.
func TestJudgeClusterBackups(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	snap := func(name string, age time.Duration, size int64) Snapshot {
		return Snapshot{Name: name, Size: size, ModTime: now.Add(-age)}
	}
	day := 26 * time.Hour
	cases := []struct {
		name    string
		masters []MasterBackups
		want    checks.Status
		text    string
	}{
		{"one member backed up", []MasterBackups{{Host: "m1", Snapshots: []Snapshot{snap("etcd_v3_a.db", 3*time.Hour, 9)}}, {Host: "m2", Err: "no backup folder"}, {Host: "m3"}},
			checks.OK, "on m1"},
		{"newest on any master", []MasterBackups{{Host: "m1", Snapshots: []Snapshot{snap("old.db", 50*time.Hour, 9)}}, {Host: "m2", Snapshots: []Snapshot{snap("new.db", time.Hour, 9)}}},
			checks.OK, "new.db on m2"},
		{"too old", []MasterBackups{{Host: "m1", Snapshots: []Snapshot{snap("old.db", 50*time.Hour, 9)}}}, checks.Warn, "cron not running"},
		{"empty files do not count", []MasterBackups{{Host: "m1", Snapshots: []Snapshot{snap("e.db", time.Hour, 0)}}}, checks.Crit, "no etcd snapshot"},
		{"none, one unreadable", []MasterBackups{{Host: "m1"}, {Host: "m2", Err: "unreachable"}}, checks.Unknown, "not read: m2: unreachable"},
	}
	for _, c := range cases {
		f := JudgeClusterBackups(c.masters, now, day)
		if f.Status != c.want || !strings.Contains(f.Summary, c.text) {
			t.Errorf("%s: %s %q", c.name, f.Status, f.Summary)
		}
	}
}
