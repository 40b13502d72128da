package sim

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"opsdeck/config"
)

// The platform services of the demo (guide §4, §5.8.1, §7, §8, §9.3): the apyunqing, aciamcore,
// aciamweb and acprodapigw containers on ops1/ops2 (docker inspect/top/exec curl/restart),
// a MySQL primary on ops1 and its replica on ops2 (mysql -e 'SHOW SLAVE STATUS\G', the log
// folder), and the YUM repository on ops1 that the nodes fetch repodata/repomd.xml from.

// ServicesState is what a host runs of them.
type ServicesState struct {
	Containers map[string]*ServiceContainer
	MySQL      *MySQLState       // a MySQL on this host (nil: none)
	Remote     map[string]string // a file on the host → where the demo really writes it (tail -n)
	// RepoDown makes every repository fetch from this host fail as a dead web server would.
	RepoDown bool
}

// ServiceContainer is one docker container of a platform service.
type ServiceContainer struct {
	Running      bool
	OOMKilled    bool
	ExitCode     int
	RestartCount int
	StartedAt    time.Time
	FinishedAt   time.Time
	Java         bool   // a java process runs in it
	CheckService string // the body of localhost:9500/checkService ("" for containers without it)
}

// MySQLState is one MySQL server's replication.
type MySQLState struct {
	Primary    string // the primary's host:port ("" for a primary)
	IO, SQL    string // Yes | No | Connecting
	Lag        int64
	LastError  string
	LogDir     string
	BinlogKB   []int64
	RelayLogKB []int64
}

func init() {
	commands["docker"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		if out, errs, code, ok := serviceDocker(st, argv, now); ok {
			return out, errs, code
		}
		return docker(h, st, argv, now)
	}
	commands["find"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		if m := st.Services.MySQL; m != nil && len(argv) > 1 && argv[1] == m.LogDir && slices.Contains(argv, "-printf") {
			var b strings.Builder
			for i, kb := range m.BinlogKB {
				fmt.Fprintf(&b, "%d mysql-bin.%06d\n", kb*1024, 36625+i)
			}
			fmt.Fprintf(&b, "%d mysql-bin.index\n", 19*len(m.BinlogKB))
			for i, kb := range m.RelayLogKB {
				fmt.Fprintf(&b, "%d relaylog.%06d\n", kb*1024, 73251+i)
			}
			return b.String(), "", 0
		}
		return find(h, st, argv, now)
	}
	commands["mysql"] = mysqlStatus
	commands["curl"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		return curl(st, "", argv, now)
	}
	commands["tail"] = tailLines
}

// serviceDocker answers docker inspect|top|exec|restart for the service containers.
func serviceDocker(st *HostState, argv []string, now time.Time) (string, string, int, bool) {
	if len(argv) < 3 {
		return "", "", 0, false
	}
	name := argv[2]
	c, ok := st.Services.Containers[name]
	if !ok {
		if argv[1] == "inspect" && st.container(name) == nil {
			return "[]\n", "Error: No such object: " + name + "\n", 1, true
		}
		return "", "", 0, false
	}
	switch argv[1] {
	case "inspect":
		status, pid, finished := "exited", 0, c.FinishedAt.UTC().Format(time.RFC3339Nano)
		if c.Running {
			status, pid, finished = "running", 21936, "0001-01-01T00:00:00Z"
		}
		// The shape of docker 20.10's inspect (checks/services/testdata), trimmed to its State.
		return fmt.Sprintf(`[
    {
        "Id": "58198d998d5b15b34407caca4842998e2bf28b66208738d368ee96c3d385b243",
        "State": {
            "Status": %q,
            "Running": %v,
            "Paused": false,
            "Restarting": false,
            "OOMKilled": %v,
            "Dead": false,
            "Pid": %d,
            "ExitCode": %d,
            "Error": "",
            "StartedAt": %q,
            "FinishedAt": %q
        },
        "Name": "/%s",
        "RestartCount": %d
    }
]
`, status, c.Running, c.OOMKilled, pid, c.ExitCode, c.StartedAt.UTC().Format(time.RFC3339Nano), finished, name, c.RestartCount), "", 0, true
	case "top":
		if !c.Running {
			return "", "Error response from daemon: Container 58198d998d5b is not running\n", 1, true
		}
		out := "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD\n"
		if c.Java {
			out += "admin               21936               21898               12                  " + c.StartedAt.Format("15:04") +
				"               ?                   02:11:09            java -server -Xms4g -Xmx4g -jar /home/admin/" + name + "/target/" + name + ".jar\n"
		}
		return out, "", 0, true
	case "exec":
		if !c.Running {
			return "", "Error response from daemon: Container 58198d998d5b is not running\n", 1, true
		}
		if len(argv) > 3 && argv[3] == "curl" {
			if c.CheckService == "" {
				return "", "curl: (7) Failed to connect to localhost port 9500 after 0 ms: Couldn't connect to server\n", 7, true
			}
			out, errs, code := curl(st, c.CheckService, argv[3:], now)
			return out, errs, code, true
		}
		return "", "", 0, false
	case "restart":
		// A manual restart resets the restart manager: RestartCount starts again from 0 (dockerd).
		c.Running, c.OOMKilled, c.ExitCode, c.StartedAt, c.RestartCount = true, false, 0, now, 0
		if c.CheckService != "" {
			c.CheckService = strings.ReplaceAll(c.CheckService, "false", "true")
		}
		return name + "\n", "", 0, true
	}
	return "", "", 0, false
}

// curl answers the two URLs the checks fetch: checkService (body given) and repomd.xml.
func curl(st *HostState, body string, argv []string, now time.Time) (string, string, int) {
	u := argv[len(argv)-1]
	switch {
	case strings.HasSuffix(u, "/checkService") && body != "":
		return body, "", 0
	case strings.HasSuffix(u, "/repodata/repomd.xml"):
		if st.Services.RepoDown || !strings.HasPrefix(u, "http://"+demoYumAddr+"/") {
			host := strings.SplitN(strings.TrimPrefix(u, "http://"), "/", 2)[0]
			return "", "curl: (7) Failed to connect to " + host + " port 80 after 3 ms: Couldn't connect to server\n", 7
		}
		ts := now.Add(-26 * time.Hour).Unix()
		// The shape of createrepo_c's repomd.xml (checks/services/testdata).
		return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>%d</revision>
  <data type="primary">
    <location href="repodata/primary.xml.gz"/>
    <timestamp>%d</timestamp>
    <size>4718230</size>
  </data>
  <data type="filelists">
    <location href="repodata/filelists.xml.gz"/>
    <timestamp>%d</timestamp>
    <size>9213377</size>
  </data>
</repomd>
`, ts, ts, ts), "", 0
	}
	return "", "curl: (22) The requested URL returned error: 404\n", 22
}

// mysqlStatus answers mysql -e 'SHOW SLAVE STATUS\G' in MariaDB's layout; -h picks the server.
func mysqlStatus(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	m := st.Services.MySQL
	if m == nil {
		return "", "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n", 1
	}
	if m.Primary == "" {
		return "", "", 0 // a primary replicates from nobody: no row at all
	}
	host, port, _ := strings.Cut(m.Primary, ":")
	lag := "NULL"
	if m.IO == "Yes" && m.SQL == "Yes" {
		lag = strconv.FormatInt(m.Lag, 10)
	}
	sqlErrno, ioErrno := "0", "0"
	if m.LastError != "" {
		sqlErrno = "1062"
	}
	rows := [][2]string{
		{"Slave_IO_State", "Waiting for master to send event"}, {"Master_Host", host}, {"Master_User", "repl"}, {"Master_Port", port},
		{"Connect_Retry", "60"}, {"Master_Log_File", "mysql-bin.036625"}, {"Read_Master_Log_Pos", "26254"},
		{"Relay_Log_File", "relaylog.073251"}, {"Relay_Log_Pos", "279"}, {"Relay_Master_Log_File", "mysql-bin.036625"},
		{"Slave_IO_Running", m.IO}, {"Slave_SQL_Running", m.SQL}, {"Last_Errno", sqlErrno}, {"Last_Error", m.LastError},
		{"Exec_Master_Log_Pos", "26254"}, {"Relay_Log_Space", "484"}, {"Seconds_Behind_Master", lag},
		{"Last_IO_Errno", ioErrno}, {"Last_IO_Error", ""}, {"Last_SQL_Errno", sqlErrno}, {"Last_SQL_Error", m.LastError},
		{"Master_Server_Id", "195426802"}, {"Slave_SQL_Running_State", "Slave has read all relay log; waiting for more updates"},
	}
	var b strings.Builder
	b.WriteString("*************************** 1. row ***************************\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%30s: %s\n", r[0], r[1])
	}
	return b.String(), "", 0
}

// tailLines answers tail -n N FILE from the file the demo really writes.
func tailLines(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) != 4 || argv[1] != "-n" {
		return "", "sim: only tail -n N FILE is emulated here\n", 1
	}
	n, _ := strconv.Atoi(argv[2])
	real, ok := st.Services.Remote[argv[3]]
	if !ok {
		return "", fmt.Sprintf("tail: cannot open '%s' for reading: No such file or directory\n", argv[3]), 1
	}
	b, err := os.ReadFile(real)
	if err != nil {
		return "", fmt.Sprintf("tail: cannot open '%s' for reading: No such file or directory\n", argv[3]), 1
	}
	lines := strings.SplitAfter(string(b), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines[max(len(lines)-n, 0):], ""), "", 0
}

const (
	demoYumAddr   = "10.10.0.11"
	demoMySQLLogs = "/home/t4/mysql/log"
	demoRepoFile  = "/etc/yum.repos.d/site.repo"
	checkOK       = `{"success":true,"data":{"db":true,"antvip":true,"drm":true}}` + "\n"
)

// demoServices puts the services on ops1 and ops2: in the standard scenario apyunqing on ops1
// was restarted twice by its restart policy (warn); the gateway's digest shows its failures
// (site/sim/logs.go writes a third of the calls failing).
func demoServices(sc *Scenario, now time.Time) {
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		st := &h.State
		if st.Files == nil {
			st.Files = map[string]string{}
		}
		st.Files[demoRepoFile] = "[site-base]\nname=Site base\nbaseurl=http://" + demoYumAddr + "/centos/$releasever/os/$basearch/\nenabled=1\ngpgcheck=0\n"
		if h.Name != "ops1" && h.Name != "ops2" {
			continue
		}
		up := func(java bool, check string) *ServiceContainer {
			return &ServiceContainer{Running: true, StartedAt: now.Add(-9 * 24 * time.Hour), Java: java, CheckService: check}
		}
		st.Services.Containers = map[string]*ServiceContainer{
			"aciamcore": up(true, checkOK), "aciamweb": up(true, checkOK), "acprodapigw": up(true, checkOK),
		}
		st.Units["mysql"] = "active"
		st.Listening = append(st.Listening, "*:2022", "*:8341", "*:12200", "*:80", "*:3306")
		st.Services.MySQL = &MySQLState{LogDir: demoMySQLLogs, BinlogKB: []int64{1_048_576, 1_048_576, 524_288}}
		if h.Name == "ops1" {
			yy := up(true, "")
			yy.RestartCount, yy.StartedAt = 2, now.Add(-47*time.Minute) // OOM-killed twice, restarted by its policy
			st.Services.Containers["apyunqing"] = yy
			st.Listening = append(st.Listening, "*:81")
		} else {
			st.Services.MySQL.Primary, st.Services.MySQL.IO, st.Services.MySQL.SQL = "10.10.0.11:3306", "Yes", "Yes"
			st.Services.MySQL.RelayLogKB = []int64{912}
		}
	}
}

// outageServices: aciamcore on ops2 lost antvip, the replica's SQL thread stopped on a
// duplicate key, apyunqing was OOM-killed for good and the YUM repository on ops1 is down.
func outageServices(sc *Scenario, now time.Time) {
	for i := range sc.Hosts {
		st := &sc.Hosts[i].State
		st.Services.RepoDown = true
		switch sc.Hosts[i].Name {
		case "ops1":
			yy := st.Services.Containers["apyunqing"]
			yy.Running, yy.OOMKilled, yy.ExitCode, yy.FinishedAt = false, true, 137, now.Add(-6*time.Minute)
		case "ops2":
			st.Services.Containers["aciamcore"].CheckService = `{"success":true,"data":{"db":true,"antvip":false,"drm":true}}` + "\n"
			m := st.Services.MySQL
			m.SQL, m.LastError = "No", "Error 'Duplicate entry '114557' for key 'PRIMARY'' on query. Default database: 'iam'. Query: 'INSERT INTO audit_log VALUES (114557)'"
			m.RelayLogKB = []int64{1_048_576, 1_048_576, 1_048_576, 77_000}
		}
	}
}

// servicesConfig is the demo's services block; the gateway digest and Yunyou's common-error.log
// that the checks tail on ops1 are the demo's live local logs.
func (s *Site) servicesConfig(site *config.Site) {
	site.Services = config.Services{
		Yunyou: config.Yunyou{Instances: []config.ServiceInstance{{Host: "ops1"}}},
		IAM: config.IAM{Instances: []config.ServiceInstance{
			{Host: "ops1", Role: "core"}, {Host: "ops2", Role: "core"}, {Host: "ops1", Role: "web"}, {Host: "ops2", Role: "web"}}},
		OpenAPI: config.OpenAPI{Instances: []config.ServiceInstance{{Host: "ops1"}}},
		MySQL: config.MySQL{Instances: []config.MySQLInstance{
			{Name: "mysql-ops1", Host: "ops1", Primary: true, LogDir: demoMySQLLogs},
			{Name: "mysql-ops2", Host: "ops2", Address: "127.0.0.1:3306", LogDir: demoMySQLLogs}}},
		YUM: config.YUM{Roles: []string{"node"}, Vars: map[string]string{"releasever": "7", "basearch": "x86_64"}},
	}
	if h, ok := s.Hosts["ops1"]; ok {
		h.Update(func(st *HostState) {
			st.Services.Remote = map[string]string{
				config.OpenAPI{}.DigestLogOr(): s.LocalLog("gateway-digest.log"),
				config.Yunyou{}.ErrorLogOr():   s.LocalLog("common-error.log"),
			}
		})
	}
}
