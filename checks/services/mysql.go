package services

import (
	"context"
	"fmt"
	"math"
	"net"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/hosts"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// MySQLArgv is the one statement the check runs (allowlisted in site/ssh): the connection
// options of the instance, never a password (the login user's ~/.my.cnf holds it).
func MySQLArgv(in config.MySQLInstance) []string {
	argv := []string{"mysql"}
	if host, port, err := net.SplitHostPort(in.Address); err == nil {
		argv = append(argv, "-h", host, "-P", port)
	}
	if in.Socket != "" {
		argv = append(argv, "-S", in.Socket)
	}
	if in.User != "" {
		argv = append(argv, "-u", in.User)
	}
	return append(argv, "--connect-timeout=5", "-e", ssh.SlaveStatusStatements[0])
}

// mysql judges one instance: replication (a replica), then its binary and relay logs' share
// of their filesystem when log_dir is set (§5.8.1: a log disk at 100 % stops the database).
func mysql(ctx context.Context, r probe.Runner, h config.Host, m config.MySQL, in config.MySQLInstance, disk config.Level) checks.Finding {
	var f checks.Finding
	var v verdict
	ci := config.ServiceInstance{Host: in.Host, Container: in.Container, Runtime: in.Runtime}
	if in.Runtime == "" {
		ci.Runtime = "none"
	}
	res, ran, down := execIn(ctx, r, &f, h, asADNS(ci, ""), MySQLArgv(in)...)
	read, final := answer(&v, "mysql", res, ran, down)
	if final {
		return f
	}
	if read {
		st, replica, err := ParseSlaveStatus(res.Stdout)
		if err != nil {
			return probe.ParseFailure(f, err)
		}
		JudgeReplication(&f, &v, st, replica, in.Primary, m.LagOr())
	}
	if in.LogDir != "" {
		if !logShare(ctx, r, &f, &v, h, in.LogDir, m.LogShareOr(), disk) {
			return f
		}
	}
	ok2 := "replicating, 0 s behind"
	if in.Primary {
		ok2 = "primary"
	} else if lag := metric(f, "lag"); lag > 0 {
		ok2 = fmt.Sprintf("replicating, %g s behind", lag)
	}
	v.apply(&f, ok2)
	if f.Status != checks.OK {
		f.Details = strings.TrimSpace("Replication is healthy when Slave_IO_Running and Slave_SQL_Running are Yes and Seconds_Behind_Master is 0; NULL means it is broken (§5.8.1). Binlogs may be purged only once every replica has read them.\n" + f.Details)
	}
	return f
}

// JudgeReplication: a replica must run both threads (No or Connecting is crit), with a lag
// (NULL is broken: crit) under lag_seconds. A primary must not answer as a replica of nobody.
func JudgeReplication(f *checks.Finding, v *verdict, st SlaveStatus, replica, primary bool, lag config.Level) {
	if !replica {
		if !primary {
			v.add(checks.Crit, "not replicating: SHOW SLAVE STATUS is empty (set primary: true if this is the primary)")
		}
		return
	}
	if st.IORunning != "Yes" {
		msg := "Slave_IO_Running: " + st.IORunning
		if e := st.Field("Last_IO_Error"); e != "" {
			msg += " (" + e + ")"
		}
		v.add(checks.Crit, "%s", msg)
	}
	if st.SQLRunning != "Yes" {
		msg := "Slave_SQL_Running: " + st.SQLRunning
		if e := st.Field("Last_SQL_Error"); e != "" {
			msg += " (" + e + ")"
		}
		v.add(checks.Crit, "%s", msg)
	}
	if st.LagNull {
		if st.IORunning == "Yes" && st.SQLRunning == "Yes" {
			v.add(checks.Crit, "Seconds_Behind_Master: NULL (replication broken)")
		}
	} else {
		f.Metrics = append(f.Metrics, checks.Metric{Name: "lag", Value: float64(st.Lag), Unit: "s", Warn: lag.Warn, Crit: lag.Crit})
		if s := checks.Judge(float64(st.Lag), lag.Warn, lag.Crit); s != checks.OK {
			v.add(s, "%d s behind the primary", st.Lag)
		}
	}
	if src := st.Field("Master_Host", "Source_Host"); src != "" {
		f.Details = strings.TrimSpace(f.Details + "\nprimary " + src + ":" + st.Field("Master_Port", "Source_Port") +
			", reading " + st.Field("Master_Log_File", "Source_Log_File") + ", relay " + st.Field("Relay_Log_File"))
	}
}

// logShare measures the binary and relay logs of dir against their filesystem.
func logShare(ctx context.Context, r probe.Runner, f *checks.Finding, v *verdict, h config.Host, dir string, share, disk config.Level) bool {
	res, ok := probe.RunOK(ctx, r, f, h, "find", dir, "-maxdepth", "1", "-type", "f", "-printf", `%s %f\n`)
	if !ok {
		return false
	}
	lf, err := ParseLogFiles(res.Stdout)
	if err != nil {
		*f = probe.ParseFailure(*f, err)
		return false
	}
	res, ok = probe.RunOK(ctx, r, f, h, "df", "-Pk", dir)
	if !ok {
		return false
	}
	mounts, err := hosts.ParseDF(res.Stdout)
	if err != nil || len(mounts) != 1 {
		*f = probe.ParseFailure(*f, fmt.Errorf("df -Pk %s: want one filesystem (%v)", dir, err))
		return false
	}
	mt := mounts[0]
	logs := float64(lf.BinlogBytes+lf.RelayBytes) / 1024
	pct := logs * 100 / float64(mt.SizeKB)
	used := float64(mt.UsedKB) * 100 / float64(mt.UsedKB+mt.AvailKB)
	f.Metrics = append(f.Metrics,
		checks.Metric{Name: "logs share", Value: math.Round(pct*10) / 10, Unit: "%", Warn: share.Warn, Crit: share.Crit},
		checks.Metric{Name: "log disk used", Value: math.Round(used*10) / 10, Unit: "%", Warn: disk.Warn, Crit: disk.Crit},
		checks.Metric{Name: "binlogs", Value: float64(lf.Binlogs)}, checks.Metric{Name: "relay logs", Value: float64(lf.Relays)})
	if s := checks.Judge(pct, share.Warn, share.Crit); s != checks.OK {
		v.add(s, "binlogs and relay logs hold %.0f %% of %s", pct, mt.Mount)
	}
	if s := checks.Judge(used, disk.Warn, disk.Crit); s != checks.OK {
		v.add(s, "log disk %s %.0f %% used", mt.Mount, used)
	}
	f.Details = strings.TrimSpace(f.Details + fmt.Sprintf("\n%d binlogs (%s), %d relay logs (%s) in %s; %s %.0f %% used",
		lf.Binlogs, probe.HumanKB(lf.BinlogBytes/1024), lf.Relays, probe.HumanKB(lf.RelayBytes/1024), dir, mt.Mount, used))
	if lf.Relays > 1 {
		f.Details += fmt.Sprintf("\n%d relay logs: more than one means the replica is behind on applying them (§5.8.1)", lf.Relays)
	}
	return true
}

func metric(f checks.Finding, name string) float64 {
	for _, m := range f.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return 0
}
