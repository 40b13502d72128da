// Package hosts checks physical machines over SSH (guide §2.2, §2.3): reachability, uptime and
// recent reboots, load, CPU / memory / disk usage, and kubelet on nodes.
package hosts

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner interface {
	Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error)
}

// Checks returns the host checks for the site's inventory.
func Checks(site *config.Site, r Runner) []checks.Check {
	p := &prober{site: site, r: r, hosts: map[string]config.Host{}, cores: map[string]int{}, now: time.Now}
	var all, nodes []string
	for _, h := range site.Inventory() {
		p.hosts[h.Name] = h
		all = append(all, h.Name)
		if h.HasRole("node") || h.HasRole("master") {
			nodes = append(nodes, h.Name)
		}
	}
	allT := func() []string { return all }
	nodeT := func() []string { return nodes }
	mkArea := func(id, area, title string, targets func() []string, probe func(context.Context, config.Host) checks.Finding) checks.Check {
		iv, to, _ := site.CheckSchedule(id)
		return checks.Check{ID: id, Area: area, Title: title, Interval: iv, Timeout: to, Targets: targets,
			Probe: func(ctx context.Context, target string) checks.Finding { return probe(ctx, p.hosts[target]) }}
	}
	mk := func(id, title string, targets func() []string, probe func(context.Context, config.Host) checks.Finding) checks.Check {
		return mkArea(id, "hosts", title, targets, probe)
	}
	list := []checks.Check{
		mk("host.reachable", "SSH reachability", allT, p.reachable),
		mk("host.uptime", "Uptime and recent reboot", allT, p.uptime),
		mk("host.load", "Load average per core", allT, p.load),
		mk("host.cpu", "CPU usage", allT, p.cpu),
		mk("host.memory", "Memory usage", allT, p.memory),
		mk("host.disk", "Disk usage", allT, p.disk),
		mk("host.kubelet", "kubelet active", nodeT, p.kubelet),
	}
	list = append(list, p.moreChecks(mkArea)...)
	var out []checks.Check
	for _, c := range list {
		if _, _, off := site.CheckSchedule(c.ID); !off {
			out = append(out, c)
		}
	}
	return out
}

type prober struct {
	site  *config.Site
	r     Runner
	hosts map[string]config.Host
	now   func() time.Time

	mu    sync.Mutex
	cores map[string]int // CPU counts do not change while we watch
}

// run executes argv and records it as evidence; a failure to run becomes the finding.
func (p *prober) run(ctx context.Context, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	res, err := p.r.Run(ctx, h, argv...)
	if err != nil {
		*f = connFailure(err)
		f.AddEvidence("ssh "+h.Name+": "+ssh.Quote(argv...), nil)
		return res, false
	}
	out := res.Stdout
	if len(res.Stderr) > 0 {
		out = append(append(out[:len(out):len(out)], "\n[stderr]\n"...), res.Stderr...)
	}
	f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit %d)", h.Name, res.Command, res.ExitCode), out)
	return res, true
}

// runOK is run for probe commands that must succeed: a non-zero exit becomes the (unknown)
// finding too.
func (p *prober) runOK(ctx context.Context, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	res, ok := p.run(ctx, f, h, argv...)
	if ok && res.ExitCode != 0 {
		*f = exitFailure(*f, res)
		return res, false
	}
	return res, ok
}

// connFailure turns an SSH error into a finding: a changed host key is critical (and nothing ran),
// anything else that stops us from looking is unknown.
func connFailure(err error) checks.Finding {
	f := checks.Failed(err)
	var ce *ssh.ConnectError
	var hk *ssh.HostKeyError
	switch {
	case ssh.IsHostKeyChanged(err):
		f.Status = checks.Crit
		f.Summary = "host key changed: no connection made"
	case errors.As(err, &hk):
		f.Summary = fmt.Sprintf("host key unknown (%s %s): verify it, then add it to known_hosts", hk.KeyType, hk.Fingerprint)
	case errors.As(err, &ce):
		f.Summary = fmt.Sprintf("unreachable (%s): %v", ce.Op, firstLine(ce.Err.Error()))
	case errors.Is(err, context.DeadlineExceeded):
		f.Summary = "no answer in time"
	default:
		f.Summary = "could not run: " + firstLine(err.Error())
	}
	return f
}

// parseFailure is an unknown finding for output we could not read.
func parseFailure(f checks.Finding, err error) checks.Finding {
	f.Status, f.Summary, f.Error = checks.Unknown, "unreadable output: "+err.Error(), err.Error()
	return f
}

// exitFailure is an unknown finding for a probe command that failed.
func exitFailure(f checks.Finding, res ssh.Result) checks.Finding {
	msg := firstLine(strings.TrimSpace(string(res.Stderr)))
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", res.ExitCode)
	}
	f.Status, f.Summary, f.Error = checks.Unknown, fmt.Sprintf("%s failed: %s", shortCommand(res.Command), msg), msg
	return f
}

// shortCommand is a command line cut to its program and first argument, for one-line summaries
// (the evidence keeps the whole line).
func shortCommand(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return cmd
	}
	f[0] = path.Base(f[0])
	if len(f) > 2 {
		return strings.Join(f[:2], " ") + " …"
	}
	return strings.Join(f, " ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (p *prober) reachable(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	start := p.now()
	if _, ok := p.runOK(ctx, &f, h, "true"); !ok {
		return f
	}
	rtt := p.now().Sub(start)
	f.Status, f.Summary = checks.OK, fmt.Sprintf("reachable over SSH as %s (%s)", h.User, rtt.Round(time.Millisecond))
	f.Metrics = []checks.Metric{{Name: "command round trip", Value: float64(rtt.Milliseconds()), Unit: "ms"}}
	if sp, ok := p.r.(statePool); ok {
		st := sp.State(h.Name)
		f.Metrics = append(f.Metrics, checks.Metric{Name: "ssh rtt", Value: st.RTTMS, Unit: "ms"})
		if !st.Since.IsZero() {
			f.Details = fmt.Sprintf("connected since %s", st.Since.Format("2006-01-02 15:04:05"))
		}
	}
	return f
}

// statePool is a Runner that also reports connection state (site/ssh.Pool).
type statePool interface {
	State(name string) ssh.HostState
}

func (p *prober) uptime(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.runOK(ctx, &f, h, "cat", "/proc/uptime")
	if !ok {
		return f
	}
	up, err := ParseUptime(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	recent := p.site.Thresholds.RecentReboot.D()
	boot := p.now().Add(-up).Truncate(time.Second)
	f.Metrics = []checks.Metric{{Name: "uptime", Value: up.Hours(), Unit: "h", Warn: recent.Hours()}}
	if up < recent {
		f.Status = checks.Warn
		f.Summary = fmt.Sprintf("rebooted %s ago (booted %s): was it a crash?", humanDuration(up), boot.Format("2006-01-02 15:04"))
		f.Details = "A reboot nobody planned means the machine went down (§2.2). If the node shows failed, check kubelet (§2.3.2)."
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("up %s", humanDuration(up))
	return f
}

func (p *prober) ncpu(ctx context.Context, f *checks.Finding, h config.Host) (int, bool) {
	p.mu.Lock()
	n, ok := p.cores[h.Name]
	p.mu.Unlock()
	if ok {
		return n, true
	}
	res, ok := p.run(ctx, f, h, "nproc")
	if !ok {
		return 0, false
	}
	n, err := ParseNproc(res.Stdout)
	if err != nil {
		*f = parseFailure(*f, err)
		return 0, false
	}
	p.mu.Lock()
	p.cores[h.Name] = n
	p.mu.Unlock()
	return n, true
}

func (p *prober) load(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	cores, ok := p.ncpu(ctx, &f, h)
	if !ok {
		return f
	}
	res, ok := p.runOK(ctx, &f, h, "cat", "/proc/loadavg")
	if !ok {
		return f
	}
	l, err := ParseLoadavg(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	th := p.site.Thresholds.LoadPerCore
	per := l[0] / float64(cores)
	f.Status = checks.Judge(per, th.Warn, th.Crit)
	f.Summary = fmt.Sprintf("load %.2f %.2f %.2f on %d cores (%.2f per core)", l[0], l[1], l[2], cores, per)
	f.Metrics = []checks.Metric{
		{Name: "load1 per core", Value: per, Warn: th.Warn, Crit: th.Crit},
		{Name: "load1", Value: l[0]}, {Name: "load5", Value: l[1]}, {Name: "load15", Value: l[2]},
		{Name: "cores", Value: float64(cores)},
	}
	return f
}

// cpu samples /proc/stat twice, a second apart, as tsar's live mode does.
func (p *prober) cpu(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	var samples [2]checks.Finding
	var times [2]CPUTimes
	for i := range 2 {
		if i == 1 {
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return connFailure(ctx.Err())
			}
		}
		res, ok := p.run(ctx, &samples[i], h, "head", "-n", "1", "/proc/stat")
		if !ok {
			return samples[i]
		}
		if res.ExitCode != 0 {
			return exitFailure(samples[i], res)
		}
		t, err := ParseProcStat(res.Stdout)
		if err != nil {
			return parseFailure(samples[i], err)
		}
		times[i] = t
	}
	f.Evidence = append(samples[0].Evidence, samples[1].Evidence...)
	util, err := CPUUtil(times[0], times[1])
	if err != nil {
		return parseFailure(f, err)
	}
	th := p.site.Thresholds.CPU
	f.Status = checks.Judge(util, th.Warn, th.Crit)
	f.Summary = fmt.Sprintf("cpu %.1f %% busy", util)
	f.Metrics = []checks.Metric{{Name: "cpu util", Value: round1(util), Unit: "%", Warn: th.Warn, Crit: th.Crit}}
	return f
}

func (p *prober) memory(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.runOK(ctx, &f, h, "cat", "/proc/meminfo")
	if !ok {
		return f
	}
	m, err := ParseMeminfo(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	th := p.site.Thresholds.Memory
	u := m.Util()
	f.Status = checks.Judge(u, th.Warn, th.Crit)
	f.Summary = fmt.Sprintf("memory %.1f %% used of %s", u, humanKB(m.Total))
	f.Metrics = []checks.Metric{{Name: "mem util", Value: round1(u), Unit: "%", Warn: th.Warn, Crit: th.Crit}}
	return f
}

func (p *prober) disk(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.run(ctx, &f, h, "df", "-P")
	if !ok {
		return f
	}
	// df exits 1 when one mount (a stale NFS, say) fails but still prints the others.
	if res.ExitCode != 0 && len(res.Stdout) == 0 {
		return exitFailure(f, res)
	}
	mounts, err := ParseDF(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	if len(mounts) == 0 {
		return parseFailure(f, fmt.Errorf("df -P listed no disk"))
	}
	th := p.site.Thresholds.Disk
	worst := mounts[0]
	for _, m := range mounts {
		u := m.Util()
		f.Metrics = append(f.Metrics, checks.Metric{Name: m.Mount, Value: round1(u), Unit: "%", Warn: th.Warn, Crit: th.Crit})
		f.Status = max(f.Status, checks.Judge(u, th.Warn, th.Crit))
		if u > worst.Util() {
			worst = m
		}
	}
	f.Summary = fmt.Sprintf("%s %.0f %% used of %s", worst.Mount, worst.Util(), humanKB(worst.SizeKB))
	if len(mounts) > 1 {
		f.Summary += fmt.Sprintf(" (fullest of %d)", len(mounts))
	}
	if f.Status != checks.OK {
		f.Details = "Unrotated sigma logs under /home/t4 are a usual cause (§5.8.2)."
	}
	if res.ExitCode != 0 {
		f.Status = max(f.Status, checks.Unknown)
		f.Error = "df: " + firstLine(string(res.Stderr))
	}
	return f
}

func (p *prober) kubelet(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.run(ctx, &f, h, "systemctl", "is-active", "kubelet")
	if !ok {
		return f
	}
	state := strings.TrimSpace(string(res.Stdout))
	switch state {
	case "active":
		f.Status, f.Summary = checks.OK, "kubelet active"
	case "activating", "reloading", "deactivating":
		f.Status, f.Summary = checks.Warn, "kubelet "+state
	case "inactive", "failed":
		f.Status, f.Summary = checks.Crit, "kubelet "+state+": the node cannot run pods"
		f.Details = "After a reboot kubelet may not have started (§2.3.2): systemctl start kubelet, then check systemctl status kubelet and journalctl -u kubelet."
	default:
		// No systemd, no such unit, or no answer: we cannot tell.
		return exitFailure(f, res)
	}
	return f
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
