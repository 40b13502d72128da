// Package adns checks the ADNS service (guide §6): its processes under supervisord, and (with the
// DNS work) resolution, HA state and the custom resources.
package adns

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner interface {
	Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error)
}

// Process is one line of `supervisorctl status`.
type Process struct {
	Name  string
	State string // RUNNING, STOPPED, STARTING, BACKOFF, EXITED, FATAL, UNKNOWN
	Info  string // "pid 24720, uptime 0:00:07" or "Nov 25 05:33 PM" or "Exited too quickly"
}

// ParseSupervisorStatus reads `supervisorctl status` (it exits 3 when a process is not running,
// and still prints every line).
func ParseSupervisorStatus(b []byte) ([]Process, error) {
	var out []Process
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 || strings.ToUpper(f[1]) != f[1] {
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

// ExecArgv is how a command reaches an ADNS instance: inside its container, or on the host.
func ExecArgv(in config.ADNSInstance, argv ...string) ([]string, error) {
	switch in.Runtime {
	case "none", "":
		return argv, nil
	case "docker":
		return append([]string{"docker", "exec", in.Container}, argv...), nil
	}
	return nil, fmt.Errorf("runtime %s: exec into %s needs its container id (not supported yet)", in.Runtime, in.Container)
}

// Target names an instance in findings and actions: host/container (host alone for runtime none).
func Target(in config.ADNSInstance) string {
	if in.Runtime == "none" || in.Container == "" {
		return in.Host
	}
	return in.Host + "/" + in.Container
}

// Checks returns the ADNS checks of the site.
func Checks(site *config.Site, r Runner) []checks.Check {
	hosts := map[string]config.Host{}
	for _, h := range site.Inventory() {
		hosts[h.Name] = h
	}
	inst := map[string]config.ADNSInstance{}
	var targets []string
	for _, in := range site.ADNS.Instances {
		inst[Target(in)] = in
		targets = append(targets, Target(in))
	}
	iv, to, off := site.CheckSchedule("adns.processes")
	if off || len(targets) == 0 {
		return nil
	}
	return []checks.Check{{
		ID: "adns.processes", Area: "adns", Title: "ADNS processes under supervisord", Interval: iv, Timeout: to,
		Targets: func() []string { return targets },
		Probe: func(ctx context.Context, target string) checks.Finding {
			in := inst[target]
			return processes(ctx, r, hosts[in.Host], in)
		},
	}}
}

// expected are the processes of each role (§6.1).
var expected = map[string][]string{
	"master": {"bind", "dnsagent", "dnsmng", "keepalived"},
	"slave":  {"bind", "dnsagent", "keepalived"},
}

func processes(ctx context.Context, r Runner, h config.Host, in config.ADNSInstance) checks.Finding {
	var f checks.Finding
	argv, err := ExecArgv(in, "supervisorctl", "status")
	if err != nil {
		return checks.Failed(err)
	}
	res, err := r.Run(ctx, h, argv...)
	if err != nil {
		f = checks.Failed(err)
		f.Summary = "could not reach " + h.Name + ": " + strings.SplitN(err.Error(), "\n", 2)[0]
		return f
	}
	f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit %d)", h.Name, res.Command, res.ExitCode), append(res.Stdout, res.Stderr...))
	procs, err := ParseSupervisorStatus(res.Stdout)
	if err != nil {
		f.Status, f.Error = checks.Unknown, err.Error()
		f.Summary = "supervisorctl: " + strings.TrimSpace(firstLine(string(res.Stderr)+string(res.Stdout)))
		return f
	}
	var bad, missing []string
	starting := 0
	for _, p := range procs {
		switch p.State {
		case "RUNNING":
		case "STARTING": // supervisord's startsecs: on its way up
			starting++
			bad = append(bad, p.Name+" "+p.State)
		default:
			bad = append(bad, p.Name+" "+p.State)
		}
	}
	for _, want := range expected[in.Role] {
		found := false
		for _, p := range procs {
			found = found || p.Name == want
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
		f.Details = "A process that died is restarted with supervisorctl restart NAME (§6); keepalived holds the VIPs."
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("%d processes RUNNING (%s)", len(procs), in.Role)
	return f
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
