package hosts

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// componentsFor lists the processes watched on a host (host_checks.processes by role, §5.4.1).
func (p *prober) componentsFor(h config.Host) []string {
	return byRole(h, p.site.HostChecks.Processes)
}

// Usage is one component's share of the machine: CPU over the sampled second (of every CPU
// together, as host.cpu counts) and resident memory, summed over its processes.
type Usage struct {
	Name    string
	Procs   int
	CPU     float64 // percent of the machine
	Mem     float64 // percent of the machine's memory
	RSSKB   int64
	Running bool
}

// ComponentUsage sums ps and two /proc samples per wanted component name.
func ComponentUsage(want []string, ps []Proc, a, b ProcTimes) []Usage {
	dt := float64(b.Total) - float64(a.Total)
	out := make([]Usage, len(want))
	for i, name := range want {
		u := Usage{Name: name}
		for _, p := range ps {
			if !OwnedBy(p.Comm, name) {
				continue
			}
			u.Running = true
			u.Procs++
			u.Mem += p.MemPc
			u.RSSKB += p.RSSKB
			t0, ok0 := a.ByPID[p.PID]
			t1, ok1 := b.ByPID[p.PID]
			if ok0 && ok1 && t1 >= t0 && dt > 0 {
				u.CPU += float64(t1-t0) * 100 / dt
			}
		}
		u.CPU = clampPct(u.CPU)
		out[i] = u
	}
	return out
}

// JudgeComponents: §5.4.1 alarms when a component's CPU or memory is over 90 %; a watched
// component that is not running is critical.
func JudgeComponents(us []Usage, cpu, mem config.Level) checks.Finding {
	var f checks.Finding
	var bad, parts []string
	for _, u := range us {
		if !u.Running {
			f.Status = checks.Crit
			bad = append(bad, u.Name+" not running")
			continue
		}
		f.Metrics = append(f.Metrics,
			checks.Metric{Name: u.Name + " cpu", Value: round1(u.CPU), Unit: "%", Warn: cpu.Warn, Crit: cpu.Crit},
			checks.Metric{Name: u.Name + " mem", Value: round1(u.Mem), Unit: "%", Warn: mem.Warn, Crit: mem.Crit})
		sc, sm := checks.Judge(u.CPU, cpu.Warn, cpu.Crit), checks.Judge(u.Mem, mem.Warn, mem.Crit)
		f.Status = max(f.Status, sc, sm)
		desc := fmt.Sprintf("%s cpu %.1f %% mem %.1f %% (%s)", u.Name, u.CPU, u.Mem, probe.HumanKB(u.RSSKB))
		if sc != checks.OK || sm != checks.OK {
			bad = append(bad, desc)
		}
		parts = append(parts, desc)
	}
	f.Details = strings.Join(parts, "\n")
	if len(bad) > 0 {
		f.Summary = strings.Join(bad, "; ")
		f.Details = strings.TrimSpace(f.Details + "\n§5.4.1: look with top -p $(pgrep NAME); a control-plane component's limits are in /etc/kubernetes/manifests (a change).")
		return f
	}
	f.Status = checks.OK
	f.Summary = fmt.Sprintf("%d components within limits", len(us))
	if len(parts) > 0 {
		top := slices.MaxFunc(us, func(a, b Usage) int { return int(a.CPU*10) - int(b.CPU*10) })
		f.Summary += fmt.Sprintf("; busiest %s %.1f %% cpu", top.Name, top.CPU)
	}
	return f
}

// components reads ps for the watched names, then /proc twice a second apart.
func (p *prober) components(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	want := p.componentsFor(h)
	res, ok := p.run(ctx, &f, h, "ps", "-C", strings.Join(want, ","), "-o", "pid=,pmem=,rss=,comm=")
	if !ok {
		return f
	}
	if res.ExitCode != 0 && len(strings.TrimSpace(string(res.Stdout))) > 0 || res.ExitCode > 1 {
		return probe.ExitFailure(f, res) // ps exits 1 when nothing matches
	}
	ps, err := ParsePS(res.Stdout)
	if err != nil {
		return probe.ParseFailure(f, err)
	}
	var samples [2]ProcTimes
	if len(ps) > 0 {
		argv := []string{"cat", "/proc/stat"}
		for _, pr := range ps {
			argv = append(argv, "/proc/"+strconv.Itoa(pr.PID)+"/stat")
		}
		for i := range 2 {
			if i == 1 && !pause(ctx, time.Second) {
				return probe.ConnFailure(ctx.Err())
			}
			res, ok := p.run(ctx, &f, h, argv...)
			if !ok {
				return f
			}
			// A process that ended between ps and cat makes cat exit 1: the rest is still read.
			if samples[i], err = ParseProcTimes(res.Stdout); err != nil {
				return probe.ParseFailure(f, err)
			}
		}
	}
	j := JudgeComponents(ComponentUsage(want, ps, samples[0], samples[1]), p.site.Thresholds.CPU, p.site.Thresholds.Memory)
	j.Evidence = f.Evidence
	return j
}
