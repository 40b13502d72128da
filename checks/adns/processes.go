package adns

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// Process is one line of `supervisorctl status`.
type Process struct {
	Name  string // "bind", or "group:bind" for a program in a group
	State string // RUNNING, STOPPED, STARTING, STOPPING, BACKOFF, EXITED, FATAL, UNKNOWN
	Info  string // "pid 24720, uptime 0:00:07", "Nov 25 05:33 PM", "Not started", "Exited too quickly …"
}

// Program is the process name without its group ("adns:bind" → "bind").
func (p Process) Program() string {
	if i := strings.LastIndexByte(p.Name, ':'); i >= 0 {
		return p.Name[i+1:]
	}
	return p.Name
}

var supervisorStates = map[string]bool{"STOPPED": true, "STARTING": true, "RUNNING": true, "BACKOFF": true,
	"STOPPING": true, "EXITED": true, "FATAL": true, "UNKNOWN": true}

// ParseSupervisorStatus reads `supervisorctl status` in all its forms (it exits 3 when a process
// is not running, 4 when one is unknown, and still prints every line).
func ParseSupervisorStatus(b []byte) ([]Process, error) {
	var out []Process
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 || !supervisorStates[f[1]] {
			return nil, fmt.Errorf("supervisorctl status: unexpected line %q", sc.Text())
		}
		p := Process{Name: f[0], State: f[1]}
		if len(f) > 2 {
			p.Info = strings.Join(f[2:], " ")
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("supervisorctl status: no process listed")
	}
	return out, nil
}

var uptimeRE = regexp.MustCompile(`uptime (?:(\d+) days?, )?(\d+):(\d\d):(\d\d)`)

// UptimeSeconds reads "pid 123, uptime 3 days, 4:05:06" (0, false for other infos).
func (p Process) UptimeSeconds() (float64, bool) {
	m := uptimeRE.FindStringSubmatch(p.Info)
	if m == nil {
		return 0, false
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v } // "" (no days) is 0
	return float64(((n(m[1])*24+n(m[2]))*60+n(m[3]))*60 + n(m[4])), true
}

// Expected are the processes of each role (§6.1, §6.4).
var Expected = map[string][]string{
	"master": {"bind", "dnsagent", "dnsmng", "keepalived"},
	"slave":  {"bind", "dnsagent", "keepalived"},
}

func processDefs(a config.ADNS, inv probe.Inventory, r Runner) []checks.Def {
	inst := map[string]config.ADNSInstance{}
	var targets []string
	for _, in := range a.Instances {
		inst[Target(in)] = in
		targets = append(targets, Target(in))
	}
	if len(targets) == 0 {
		return nil
	}
	return []checks.Def{{ID: "adns.processes", Area: "adns", Title: "ADNS processes under supervisord", Targets: checks.Fixed(targets),
		Probe: func(ctx context.Context, target string) checks.Finding {
			in := inst[target]
			return processes(ctx, r, inv[in.Host], in)
		}}}
}

func processes(ctx context.Context, r Runner, h config.Host, in config.ADNSInstance) checks.Finding {
	var f checks.Finding
	res, ok := execIn(ctx, r, &f, h, in, "supervisorctl", "status")
	if !ok {
		return f
	}
	procs, err := ParseSupervisorStatus(res.Stdout)
	if err != nil {
		// Exit codes 3 and 4 come with a listing; anything else without one is a failure to ask.
		if res.ExitCode != 0 {
			return probe.ExitFailure(f, res)
		}
		return probe.ParseFailure(f, err)
	}
	return judgeProcesses(f, in.Role, procs)
}

// judgeProcesses: every expected process RUNNING is ok; STARTING alone is a warning (supervisord's
// startsecs); anything else, or a missing process, is crit.
func judgeProcesses(f checks.Finding, role string, procs []Process) checks.Finding {
	var bad, missing []string
	starting := 0
	for _, p := range procs {
		switch p.State {
		case "RUNNING":
			if up, ok := p.UptimeSeconds(); ok {
				f.Metrics = append(f.Metrics, checks.Metric{Name: p.Name + " uptime", Value: up, Unit: "s"})
			}
		case "STARTING":
			starting++
			bad = append(bad, p.Name+" STARTING")
		default:
			s := p.Name + " " + p.State
			if p.Info != "" && (p.State == "BACKOFF" || p.State == "FATAL" || p.Info == "Not started") {
				s += " (" + p.Info + ")"
			}
			bad = append(bad, s)
		}
	}
	for _, want := range Expected[role] {
		found := false
		for _, p := range procs {
			found = found || p.Program() == want
		}
		if !found {
			missing = append(missing, want)
		}
	}
	if len(bad)+len(missing) > 0 {
		parts := bad
		if len(missing) > 0 {
			parts = append(parts, "missing: "+strings.Join(missing, ", "))
		}
		f.Status, f.Summary = checks.Crit, strings.Join(parts, "; ")
		if starting == len(bad) && len(missing) == 0 {
			f.Status = checks.Warn
		}
		f.Details = "A process that died is restarted with supervisorctl restart NAME (§6.5.4); bind answers queries, keepalived holds the VIPs, dnsmng serves the API on the master."
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("%d processes RUNNING (%s)", len(procs), role)
	return f
}
