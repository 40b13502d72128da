package etcd

import (
	"os"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

// Real `endpoint status --cluster -w json` outputs of a three-member etcd 3.4 (ORIGIN.md).
func TestMembersOnRealOutputs(t *testing.T) {
	e := config.Defaults().Etcd
	cases := []struct {
		name   string
		want   checks.Status
		n      int
		text   string
		detail string
	}{
		{"status_ok", checks.OK, 3, "3 members, leader http://127.0.0.1:23792, db 20 kB, raft index 9 (spread 0)", "86d4e895160c88cd  leader"},
		{"status_down", checks.Crit, 3, "1 of 3 members not answering: http://127.0.0.1:23793 (context deadline exceeded) — quorum holds", ""},
		{"status_nospace", checks.Crit, 3, "; alarm NOSPACE on member 2fb1a626068d984b", "errors: alarm NOSPACE on member 2fb1a626068d984b"},
		{"status_noquorum", checks.Crit, 3, "no leader", "quorum lost"},
	}
	for _, c := range cases {
		ms, err := ParseEndpointStatus(read(t, "etcdctl_"+c.name+".json"), read(t, "etcdctl_"+c.name+".err"))
		if err != nil || len(ms) != c.n {
			t.Fatalf("%s: %d members, %v", c.name, len(ms), err)
		}
		f := JudgeMembers(ms, e)
		if f.Status != c.want || !strings.Contains(f.Summary, c.text) || !strings.Contains(f.Summary+f.Details, c.detail) {
			t.Errorf("%s: %s %q\n%s", c.name, f.Status, f.Summary, f.Details)
		}
	}
	ms, err := ParseEndpointStatus(nil, read(t, "etcdctl_status_unreachable.err"))
	if err != nil || len(ms) != 0 {
		t.Errorf("no member list is no member: %v %v", ms, err)
	}
	if _, err := ParseEndpointStatus([]byte("Error: x\n"), nil); err == nil {
		t.Error("text is not a status")
	}
}

// The thresholds: database size against the quota, raft indexes drifting apart, a split view.
func TestJudgeMembersThresholds(t *testing.T) {
	e := config.Defaults().Etcd
	m := func(ep string, id, leader, idx uint64, db int64) Member {
		return Member{Endpoint: ep, ID: id, Leader: leader, RaftIndex: idx, DBSize: db, Version: "3.4.23"}
	}
	mb := int64(1 << 20)
	cases := []struct {
		name string
		ms   []Member
		want checks.Status
		text string
	}{
		{"big db", []Member{m("a", 1, 1, 10, 1700*mb), m("b", 2, 1, 10, 1700*mb)}, checks.Warn, "database 1700 MB"},
		{"full db", []Member{m("a", 1, 1, 10, 1950*mb)}, checks.Crit, "database 1950 MB"},
		{"one member", []Member{m("a", 1, 1, 10, mb)}, checks.OK, "1 member, leader a, db 1.0 MiB"},
		{"lagging", []Member{m("a", 1, 1, 50000, mb), m("b", 2, 1, 48000, mb), m("c", 3, 1, 50001, mb)}, checks.Warn, "raft indexes 2001 apart"},
		{"far behind", []Member{m("a", 1, 1, 50000, mb), m("b", 2, 1, 20000, mb)}, checks.Crit, "raft indexes 30000 apart"},
		{"two leaders", []Member{m("a", 1, 1, 5, mb), m("b", 2, 2, 5, mb)}, checks.Warn, "disagree on the leader"},
	}
	for _, c := range cases {
		if f := JudgeMembers(c.ms, e); f.Status != c.want || !strings.Contains(f.Summary, c.text) {
			t.Errorf("%s: %s %q", c.name, f.Status, f.Summary)
		}
	}
}

func TestAlarmsOnRealOutputs(t *testing.T) {
	as, err := ParseAlarms(read(t, "etcdctl_alarm_nospace.txt"))
	if err != nil || len(as) != 1 || as[0].Alarm != "NOSPACE" || as[0].Member != "3436710672909310027" {
		t.Fatalf("%+v %v", as, err)
	}
	if f := JudgeAlarms(as); f.Status != checks.Crit || f.Summary != "alarm NOSPACE on member 2fb1a626068d984b" {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	as, err = ParseAlarms(read(t, "etcdctl_alarm_none.txt"))
	if f := JudgeAlarms(as); err != nil || f.Status != checks.OK {
		t.Errorf("no alarm: %s %v", f.Status, err)
	}
	if _, err := ParseAlarms(read(t, "etcdctl_alarm_noleader.err")); err == nil {
		t.Error("an error log is not an alarm list")
	}
	if f := JudgeAlarms([]Alarm{{Member: "1", Alarm: "CORRUPT"}}); f.Status != checks.Crit {
		t.Errorf("CORRUPT: %s", f.Status)
	}
}

func TestCronOnRealOutputs(t *testing.T) {
	match := config.Defaults().Etcd.BackupCron
	got := CronEntries(read(t, "crontab_l_entry.txt"), match)
	if len(got) != 1 || got[0] != "0 2 * * * sh /opt/etcd_back/etcd-backup.sh" {
		t.Fatalf("entries %q (the commented-out line must not count)", got)
	}
	if !noCrontab(read(t, "crontab_l_none.txt")) {
		t.Error("no crontab for root")
	}
	cases := []struct {
		name string
		ms   []MasterCron
		want checks.Status
		text string
	}{
		{"one master has it", []MasterCron{{Host: "m1"}, {Host: "m2", Entries: got}, {Host: "m3", Err: "unreachable"}}, checks.OK, "backup cron entry on m2: 0 2 * * *"},
		{"none", []MasterCron{{Host: "m1"}, {Host: "m2"}}, checks.Warn, "no etcd backup entry in the login user's crontab"},
		{"none readable", []MasterCron{{Host: "m1"}, {Host: "m2", Err: "unreachable"}}, checks.Unknown, "not read: m2: unreachable"},
	}
	for _, c := range cases {
		if f := JudgeCron(c.ms, ""); f.Status != c.want || !strings.Contains(f.Summary, c.text) {
			t.Errorf("%s: %s %q", c.name, f.Status, f.Summary)
		}
	}
}

func TestMasterBackupOnRealOutputs(t *testing.T) {
	tars, err1 := ParseFindSnapshots(read(t, "find_master_bk.txt"))
	certs, err2 := ParseFindSnapshots(read(t, "find_pki_crt.txt"))
	if err1 != nil || err2 != nil || len(tars) != 1 || len(certs) != 2 {
		t.Fatal(tars, certs, err1, err2)
	}
	newest := certs[0] // apiserver.crt, touched 2026-11-20, after the 2026-09-01 tarball
	now := time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
	f := JudgeMasterBackup("/home/t4/master_bk", tars, newest, now)
	if f.Status != checks.Warn || !strings.Contains(f.Summary, "apiserver.crt changed 79d 23h after the newest backup") || !strings.Contains(f.Summary, "take a new one") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	older := Snapshot{Name: "ca.crt", ModTime: tars[0].ModTime.Add(-time.Hour)}
	if f := JudgeMasterBackup("/home/t4/master_bk", tars, older, now); f.Status != checks.OK {
		t.Errorf("backup after the certificates: %s %q", f.Status, f.Summary)
	}
	if f := JudgeMasterBackup("/home/t4/master_bk", nil, newest, now); f.Status != checks.Warn || !strings.Contains(f.Summary, "no certificate backup") {
		t.Errorf("none: %s %q", f.Status, f.Summary)
	}
}
