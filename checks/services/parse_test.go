package services

import (
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/checktest"
	"opsdeck/config"
)

func TestParseSlaveStatusOnMariaDB(t *testing.T) {
	lag := config.Level{Warn: 60, Crit: 600}
	for _, tc := range []struct {
		file    string
		replica bool
		status  checks.Status
		summary string
	}{
		{"mariadb_replica_ok.txt", true, checks.OK, ""},
		{"mariadb_replica_sql_stopped.txt", true, checks.Crit, "Slave_SQL_Running: No (Error 'Duplicate entry"},
		{"mariadb_replica_io_connecting.txt", true, checks.Crit, "Slave_IO_Running: Connecting (error reconnecting to master"},
		{"mariadb_primary_empty.txt", false, checks.Crit, "not replicating"},
	} {
		st, replica, err := ParseSlaveStatus(checktest.Fixture(t, tc.file))
		if err != nil || replica != tc.replica {
			t.Fatalf("%s: replica %v, err %v", tc.file, replica, err)
		}
		var f checks.Finding
		var v verdict
		JudgeReplication(&f, &v, st, replica, false, lag)
		v.apply(&f, "fine")
		if f.Status != tc.status || !strings.Contains(f.Summary, tc.summary) {
			t.Errorf("%s: %s %q", tc.file, f.Status, f.Summary)
		}
		if tc.file == "mariadb_replica_ok.txt" && (st.LagNull || st.Lag != 0 || !strings.Contains(f.Details, "primary 127.0.7.1:3306")) {
			t.Errorf("ok replica: %+v %q", st, f.Details)
		}
		if tc.file == "mariadb_replica_sql_stopped.txt" && !st.LagNull {
			t.Error("Seconds_Behind_Master NULL not read")
		}
	}
	// The primary answers nothing, and that is right for it.
	st, replica, _ := ParseSlaveStatus(checktest.Fixture(t, "mariadb_primary_empty.txt"))
	var f checks.Finding
	var v verdict
	JudgeReplication(&f, &v, st, replica, true, lag)
	if v.status != checks.OK {
		t.Errorf("primary judged %s", v.status)
	}
}

func TestLagJudged(t *testing.T) {
	st, _, _ := ParseSlaveStatus([]byte("Slave_IO_Running: Yes\nSlave_SQL_Running: Yes\nSeconds_Behind_Master: 120\n"))
	var f checks.Finding
	var v verdict
	JudgeReplication(&f, &v, st, true, false, config.Level{Warn: 60, Crit: 600})
	if v.status != checks.Warn || !strings.Contains(strings.Join(v.parts, ""), "120 s behind") {
		t.Errorf("%s %v", v.status, v.parts)
	}
}

func TestParseLogFiles(t *testing.T) {
	lf, err := ParseLogFiles(checktest.Fixture(t, "find_mariadb_logdir.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if lf.Binlogs != 1 || lf.BinlogBytes != 984+69 || lf.Relays != 2 || lf.RelayBytes != 302+839+136 {
		t.Errorf("%+v", lf)
	}
}

func TestParseDockerInspect(t *testing.T) {
	for _, tc := range []struct {
		file    string
		status  checks.Status
		summary string
	}{
		{"docker_inspect_running.json", checks.OK, ""},
		{"docker_inspect_exited.json", checks.Crit, "apyunqing is exited: exit code 2"},
		{"docker_inspect_oomkilled.json", checks.Crit, "oomy is exited: killed by the OOM killer (exit code 137)"},
	} {
		in, err := ParseDockerInspect(checktest.Fixture(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var f checks.Finding
		var v verdict
		JudgeInspect(&f, &v, in)
		v.apply(&f, "")
		if f.Status != tc.status || !strings.Contains(f.Summary, tc.summary) {
			t.Errorf("%s: %s %q", tc.file, f.Status, f.Summary)
		}
		if tc.file == "docker_inspect_oomkilled.json" && in.RestartCount != 2 {
			t.Errorf("restarts %d", in.RestartCount)
		}
	}
	in, _ := ParseDockerInspect(checktest.Fixture(t, "docker_inspect_running.json"))
	in.RestartCount = 3 // restarted by its policy, running again: OOMKilled was cleared
	var f checks.Finding
	var v verdict
	JudgeInspect(&f, &v, in)
	if v.status != checks.Warn {
		t.Errorf("restarted container: %s %v", v.status, v.parts)
	}
}

func TestParseDockerTopFindsJava(t *testing.T) {
	ps, err := ParseDockerTop(checktest.Fixture(t, "docker_top_java.txt"))
	if err != nil || len(ps) != 1 {
		t.Fatalf("%v %v", ps, err)
	}
	if p, ok := Java(ps); !ok || p.Cmd != "/java -Xmx2g -jar apyunqing.jar" {
		t.Errorf("java: %+v %v", p, ok)
	}
	if _, ok := Java([]Process{{Cmd: "/bin/sh -c javac-wrapper"}}); ok {
		t.Error("javac-wrapper is not java")
	}
}

func TestCheckService(t *testing.T) {
	if got := CheckService(checktest.Fixture(t, "checkservice_false.json")); len(got) != 1 || got[0] != "data.antvip: false" {
		t.Errorf("json: %q", got)
	}
	if got := CheckService(checktest.Fixture(t, "checkservice_ok.json")); len(got) != 0 {
		t.Errorf("ok: %q", got)
	}
	if got := CheckService([]byte("db:true\nantvip:false\n")); len(got) != 1 || got[0] != "antvip:false" {
		t.Errorf("text: %q", got)
	}
}

func TestYUMRepoFilesAndRepomd(t *testing.T) {
	repos := ParseRepoFiles(checktest.Fixture(t, "etc_yum_repos.repo"))
	if len(repos) != 1 || repos[0].ID != "site-base" || repos[0].BaseURL != "http://10.10.0.11/centos/$releasever/os/$basearch/" {
		t.Fatalf("%+v", repos)
	}
	u, missing := Expand(repos[0].BaseURL, map[string]string{"releasever": "7"})
	if len(missing) != 1 || missing[0] != "basearch" {
		t.Errorf("missing %v (%s)", missing, u)
	}
	u, missing = Expand(repos[0].BaseURL, map[string]string{"releasever": "7", "basearch": "x86_64"})
	if len(missing) != 0 || RepomdURL(u) != "http://10.10.0.11/centos/7/os/x86_64/repodata/repomd.xml" {
		t.Errorf("%s %v", RepomdURL(u), missing)
	}
	md, err := ParseRepomd(checktest.Fixture(t, "repomd_createrepo_c.xml"))
	if err != nil || md.Revision != "1795667056" || len(md.Types) != 6 || md.Newest.Unix() != 1795667056 {
		t.Errorf("%+v %v", md, err)
	}
	if _, err := ParseRepomd([]byte("<html>404</html>")); err == nil {
		t.Error("an HTML page is no repomd.xml")
	}
}

func TestDigestOnTheGuidesLine(t *testing.T) {
	line := string(checktest.Fixture(t, "../../logs/testdata/guide_gateway_digest.log"))
	at := time.Date(2022, 5, 19, 0, 15, 26, 0, time.Local)
	ok := strings.Replace(line, "CALL_REQUEST_ERROR;47;39;false", "OK;20;12;true", 1)
	text := strings.Repeat(ok, 3) + line + line
	s := SummarizeDigest(text, at.Add(-time.Minute))
	if s.Calls != 5 || s.Failed != 2 || s.Codes["CALL_REQUEST_ERROR"] != 2 {
		t.Fatalf("%+v", s)
	}
	f := JudgeDigest(checks.Finding{}, s, 5*time.Minute, config.Level{Warn: 5, Crit: 20})
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "40.0 % of 5 calls failed in the last 5m: CALL_REQUEST_ERROR ×2") ||
		!strings.Contains(f.Details, "CALL_REQUEST_ERROR ×2: not in the guide's result code list") {
		t.Errorf("%s %q\n%s", f.Status, f.Summary, f.Details)
	}
	if s := SummarizeDigest(text, at.Add(time.Minute)); s.Calls != 0 {
		t.Errorf("window: %+v", s)
	}
}
