// Package hosts checks physical machines over SSH (guide §2.2, §2.3): reachability, uptime and
// recent reboots, load, CPU / memory / disk usage, kubelet on nodes, component ports and their
// owners (§2.1), services enabled at boot (§9.7) and per-component CPU and memory (§5.4.1).
package hosts

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner = probe.Runner

// Checks returns the host checks for the site's inventory.
func Checks(site *config.Site, r Runner) []checks.Check {
	p := &prober{site: site, r: r, cores: map[string]int{}, now: time.Now}
	inv := probe.NewInventory(site)
	all := checks.Fixed(probe.Names(site, func(config.Host) bool { return true }))
	nodes := checks.Fixed(probe.Names(site, func(h config.Host) bool { return h.HasRole("node") || h.HasRole("master") }))
	def := func(id, title string, targets func() []string, fn func(context.Context, config.Host) checks.Finding) checks.Def {
		return checks.Def{ID: id, Area: "hosts", Title: title, Targets: targets, Probe: inv.OnHost(fn)}
	}
	hc := site.HostChecks
	withRole := func(keep func(config.Host) bool) func() []string { return checks.Fixed(probe.Names(site, keep)) }
	return checks.Build(site,
		def("host.reachable", "SSH reachability", all, p.reachable),
		def("host.uptime", "Uptime and recent reboot", all, p.uptime),
		def("host.load", "Load average per core", all, p.load),
		def("host.cpu", "CPU usage", all, p.cpu),
		def("host.memory", "Memory usage", all, p.memory),
		def("host.disk", "Disk usage", all, p.disk),
		def("host.kubelet", "kubelet active", nodes, p.kubelet),
		def("host.units", "systemd units active", withRole(func(h config.Host) bool { return len(p.unitsFor(h)) > 0 }), p.units),
		def("host.ports", "expected ports listening", withRole(hasAny(hc.Ports)), p.ports),
		def("host.containers", "ADNS containers up", withRole(p.containerHost), p.containers),
		def("host.logdirs", "log directories vs their disk", withRole(func(h config.Host) bool {
			return len(hc.LogDirs) > 0 && (h.HasRole("node") || h.HasRole("master"))
		}), p.logdirs),
		// Boot-time services (§9.7) change rarely: hourly unless the site says otherwise.
		checks.Def{ID: "host.enabled", Area: "hosts", Guide: "§9.7", Title: "services enabled at boot", Every: time.Hour,
			Targets: withRole(func(h config.Host) bool { return len(p.enabledUnits(h)) > 0 }), Probe: inv.OnHost(p.enabled)},
		checks.Def{ID: "host.components", Area: "hosts", Guide: "§5.4.1", Title: "component CPU and memory",
			Targets: withRole(hasAny(hc.Processes)), Probe: inv.OnHost(p.components)},
	)
}

type prober struct {
	site *config.Site
	r    Runner
	now  func() time.Time

	mu    sync.Mutex
	cores map[string]int // CPU counts do not change while we watch
}

func (p *prober) run(ctx context.Context, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	return probe.Run(ctx, p.r, f, h, argv...)
}

func (p *prober) runOK(ctx context.Context, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	return probe.RunOK(ctx, p.r, f, h, argv...)
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
		return probe.ParseFailure(f, err)
	}
	recent := p.site.Thresholds.RecentReboot.D()
	boot := p.now().Add(-up).Truncate(time.Second)
	f.Metrics = []checks.Metric{{Name: "uptime", Value: up.Hours(), Unit: "h", Warn: recent.Hours()}}
	if up < recent {
		f.Status = checks.Warn
		f.Summary = fmt.Sprintf("rebooted %s ago (booted %s): was it a crash?", probe.HumanDuration(up), boot.Format("2006-01-02 15:04"))
		f.Details = "A reboot nobody planned means the machine went down (§2.2). If the node shows failed, check kubelet (§2.3.2)."
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("up %s", probe.HumanDuration(up))
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
		*f = probe.ParseFailure(*f, err)
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
		return probe.ParseFailure(f, err)
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
		if i == 1 && !pause(ctx, time.Second) {
			return probe.ConnFailure(ctx.Err())
		}
		res, ok := p.run(ctx, &samples[i], h, "head", "-n", "1", "/proc/stat")
		if !ok {
			return samples[i]
		}
		if res.ExitCode != 0 {
			return probe.ExitFailure(samples[i], res)
		}
		t, err := ParseProcStat(res.Stdout)
		if err != nil {
			return probe.ParseFailure(samples[i], err)
		}
		times[i] = t
	}
	f.Evidence = append(samples[0].Evidence, samples[1].Evidence...)
	util, err := CPUUtil(times[0], times[1])
	if err != nil {
		return probe.ParseFailure(f, err)
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
		return probe.ParseFailure(f, err)
	}
	th := p.site.Thresholds.Memory
	u := m.Util()
	f.Status = checks.Judge(u, th.Warn, th.Crit)
	f.Summary = fmt.Sprintf("memory %.1f %% used of %s", u, probe.HumanKB(m.Total))
	f.Metrics = []checks.Metric{{Name: "mem util", Value: round1(u), Unit: "%", Warn: th.Warn, Crit: th.Crit}}
	return f
}

func (p *prober) disk(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.run(ctx, &f, h, "df", "-P", "-l")
	if !ok {
		return f
	}
	// df exits 1 when one mount (a stale NFS, say) fails but still prints the others.
	if res.ExitCode != 0 && len(res.Stdout) == 0 {
		return probe.ExitFailure(f, res)
	}
	mounts, err := ParseDF(res.Stdout)
	if err != nil {
		return probe.ParseFailure(f, err)
	}
	if len(mounts) == 0 {
		return probe.ParseFailure(f, fmt.Errorf("df -P -l listed no disk"))
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
	f.Summary = fmt.Sprintf("%s %.0f %% used of %s", worst.Mount, worst.Util(), probe.HumanKB(worst.SizeKB))
	if len(mounts) > 1 {
		f.Summary += fmt.Sprintf(" (fullest of %d)", len(mounts))
	}
	if f.Status != checks.OK {
		f.Details = "Unrotated sigma logs under /home/t4 are a usual cause (§5.8.2)."
	}
	if res.ExitCode != 0 {
		f.Status = max(f.Status, checks.Unknown)
		f.Error = "df: " + probe.FirstLine(string(res.Stderr))
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
		return probe.ExitFailure(f, res)
	}
	return f
}

// pause waits d between two samples; false when ctx ended first.
func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
