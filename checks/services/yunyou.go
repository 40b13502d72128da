package services

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// yunyou looks at one apyunqing container the way §4.3 and §9.5 do: docker inspect (up, OOM
// kill, restarts), java in it (docker top), port 81, the MySQL unit, and the newest lines of
// common-error.log as evidence.
func yunyou(ctx context.Context, r probe.Runner, h config.Host, y config.Yunyou, in config.ServiceInstance) checks.Finding {
	var f checks.Finding
	name := in.ContainerName(config.DefaultYunyouContainer)
	res, ok := probe.Run(ctx, r, &f, h, "docker", "inspect", name)
	if !ok {
		return f
	}
	var v verdict
	if res.ExitCode != 0 {
		if !strings.Contains(string(res.Stderr), "No such") {
			return probe.ExitFailure(f, res)
		}
		v.add(checks.Crit, "no container %s on %s", name, h.Name)
	} else {
		ins, err := ParseDockerInspect(res.Stdout)
		if err != nil {
			return probe.ParseFailure(f, err)
		}
		JudgeInspect(&f, &v, ins)
		if ins.State.Running {
			if res, ok := probe.RunOK(ctx, r, &f, h, "docker", "top", name); !ok {
				return f
			} else if ps, err := ParseDockerTop(res.Stdout); err != nil {
				return probe.ParseFailure(f, err)
			} else if _, ok := Java(ps); !ok {
				v.add(checks.Crit, "no java process in %s", name)
			}
		}
	}
	missing, ok := listening(ctx, r, &f, h, []int{y.PortOr()})
	if !ok {
		return f
	}
	if len(missing) > 0 {
		v.add(checks.Crit, "port %d not listening", y.PortOr())
	}
	if unit := y.MySQLUnitOr(); unit != "" {
		res, ok := probe.Run(ctx, r, &f, h, "systemctl", "is-active", unit)
		if !ok {
			return f
		}
		if state := strings.TrimSpace(string(res.Stdout)); res.ExitCode != 0 {
			v.add(checks.Crit, "%s is %s", unit, orWord(state, "not active"))
		}
	}
	// The newest lines of common-error.log: evidence only (the logs area judges error rates).
	if res, ok := probe.Run(ctx, r, &f, h, "tail", "-n", strconv.Itoa(y.LinesOr()), y.ErrorLogOr()); ok && res.ExitCode == 0 {
		if last := lastErrorLine(string(res.Stdout)); last != "" {
			f.Details = strings.TrimSpace(f.Details + "\nnewest error: " + last)
		}
	}
	v.apply(&f, fmt.Sprintf("%s up, java running, port %d listening", name, y.PortOr()))
	if f.Status == checks.OK && y.MySQLUnitOr() != "" {
		f.Summary += ", " + y.MySQLUnitOr() + " active"
	}
	if f.Status != checks.OK {
		f.Details = strings.TrimSpace("Read common-error.log first (§4.3); restart with docker restart " + name +
			" (§4.6: 504s, OOM). A dead database: see §4.6.\n" + f.Details)
	}
	return f
}

// JudgeInspect judges a container's state: not running is crit (an OOM kill says so), restarts
// by the restart policy warn (the last one may have been the OOM killer: docker clears
// OOMKilled when it starts the container again).
func JudgeInspect(f *checks.Finding, v *verdict, in Inspect) {
	st := in.State
	f.Metrics = append(f.Metrics, checks.Metric{Name: "restarts", Value: float64(in.RestartCount)})
	switch {
	case !st.Running:
		why := fmt.Sprintf("exit code %d", st.ExitCode)
		if st.OOMKilled {
			why = "killed by the OOM killer (exit code " + strconv.Itoa(st.ExitCode) + ")"
		}
		v.add(checks.Crit, "%s is %s: %s", in.Name, orWord(st.Status, "not running"), why)
	case in.RestartCount > 0:
		v.add(checks.Warn, "%s restarted %d times by its restart policy (an OOM kill shows as exit code 137)", in.Name, in.RestartCount)
	}
	if st.Running && !st.StartedAt.IsZero() {
		f.Details = strings.TrimSpace(f.Details + "\n" + in.Name + " started " + st.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	} else if !st.FinishedAt.IsZero() {
		f.Details = strings.TrimSpace(f.Details + "\n" + in.Name + " stopped " + st.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
}

// lastErrorLine is the newest log4j ERROR line (its first line, without the stack).
func lastErrorLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], " ERROR ") {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
