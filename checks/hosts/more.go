package hosts

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"opsdeck/checks"
	"opsdeck/config"
)

// moreChecks are the host checks beyond the first slice: units, ports, resolver, containers,
// log directories, etcd health and backups.
func (p *prober) moreChecks(mk func(id, area, title string, targets func() []string, probe func(context.Context, config.Host) checks.Finding) checks.Check) []checks.Check {
	withRole := func(pred func(config.Host) bool) func() []string {
		var out []string
		for _, h := range p.site.Inventory() {
			if pred(h) {
				out = append(out, h.Name)
			}
		}
		return func() []string { return out }
	}
	hc := p.site.HostChecks
	hasAny := func(m map[string][]string) func(config.Host) bool {
		return func(h config.Host) bool {
			for _, r := range h.Roles {
				if len(m[r]) > 0 {
					return true
				}
			}
			return false
		}
	}
	containerHosts := func(h config.Host) bool {
		return slices.ContainsFunc(p.site.ADNS.Instances, func(in config.ADNSInstance) bool {
			return in.Host == h.Name && (in.Runtime == "docker" || in.Runtime == "crictl")
		})
	}
	vips := append(append([]string{}, p.site.ADNS.SlaveVIPs...), p.site.ADNS.MasterVIP)
	resolvHosts := func(config.Host) bool { return len(vips) > 1 || vips[0] != "" }
	logHosts := func(h config.Host) bool { return len(hc.LogDirs) > 0 && (h.HasRole("node") || h.HasRole("master")) }
	masters := func(h config.Host) bool { return h.HasRole("master") }
	return []checks.Check{
		mk("host.units", "hosts", "systemd units active", withRole(func(h config.Host) bool { return len(p.unitsFor(h)) > 0 }), p.units),
		mk("host.ports", "hosts", "expected ports listening", withRole(hasAny(hc.Ports)), p.ports),
		mk("host.resolv", "hosts", "resolver points at ADNS", withRole(resolvHosts), p.resolv),
		mk("host.containers", "hosts", "ADNS containers up", withRole(containerHosts), p.containers),
		mk("host.logdirs", "hosts", "log directories vs their disk", withRole(logHosts), p.logdirs),
		mk("etcd.health", "etcd", "etcd endpoint health", withRole(masters), p.etcdHealth),
		mk("etcd.backup", "etcd", "etcd snapshot age", withRole(masters), p.etcdBackup),
	}
}

// unitsFor lists the units a host must run, kubelet aside (host.kubelet has its own check).
func (p *prober) unitsFor(h config.Host) []string {
	var out []string
	for _, r := range h.Roles {
		for _, u := range p.site.HostChecks.Units[r] {
			if u != "kubelet" && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

func (p *prober) units(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	var bad []string
	for _, u := range p.unitsFor(h) {
		res, ok := p.run(ctx, &f, h, "systemctl", "is-active", u)
		if !ok {
			return f
		}
		state := strings.TrimSpace(string(res.Stdout))
		if state == "" {
			return exitFailure(f, res)
		}
		if state != "active" {
			bad = append(bad, u+" "+state)
		}
	}
	if len(bad) > 0 {
		f.Status, f.Summary = checks.Crit, strings.Join(bad, ", ")
		f.Details = "Start it with systemctl start UNIT and read journalctl -u UNIT if it does not stay up."
		return f
	}
	f.Status, f.Summary = checks.OK, strings.Join(p.unitsFor(h), ", ")+" active"
	return f
}

func (p *prober) ports(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.runOK(ctx, &f, h, "ss", "-ltnH")
	if !ok {
		return f
	}
	ls, err := ParseSS(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	var want, missing []string
	for _, r := range h.Roles {
		for _, port := range p.site.HostChecks.Ports[r] {
			if !slices.Contains(want, port) {
				want = append(want, port)
			}
		}
	}
	for _, port := range want {
		if !Listening(ls, port) {
			missing = append(missing, port)
		}
	}
	f.Metrics = []checks.Metric{{Name: "listening", Value: float64(len(want) - len(missing))}, {Name: "expected", Value: float64(len(want))}}
	if len(missing) > 0 {
		f.Status = checks.Crit
		f.Summary = "not listening: " + strings.Join(missing, ", ")
		f.Details = "A component port of the guide's table (§1.1) is not listening: its process is down or misconfigured."
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("all %d expected ports listening", len(want))
	return f
}

func (p *prober) resolv(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.runOK(ctx, &f, h, "cat", p.site.HostChecks.ResolvConf)
	if !ok {
		return f
	}
	ns := ParseResolvConf(res.Stdout)
	vips := append(append([]string{}, p.site.ADNS.SlaveVIPs...), p.site.ADNS.MasterVIP)
	for _, n := range ns {
		if slices.Contains(vips, n) {
			f.Status, f.Summary = checks.OK, "nameserver "+n+" (ADNS)"
			return f
		}
	}
	f.Status = checks.Crit
	f.Summary = fmt.Sprintf("%s points at %s, not at an ADNS VIP", p.site.HostChecks.ResolvConf, orNone(ns))
	f.Details = "Every host must resolve through ADNS (§3.2): nameserver " + strings.Join(compact(vips), " or ")
	return f
}

func (p *prober) containers(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	var bad, good []string
	for _, rt := range []string{"docker", "crictl"} {
		var want []string
		for _, in := range p.site.ADNS.Instances {
			if in.Host == h.Name && in.Runtime == rt {
				want = append(want, in.Container)
			}
		}
		if len(want) == 0 {
			continue
		}
		argv := []string{"docker", "ps", "-a", "--format", "{{.Names}}\t{{.Status}}"}
		if rt == "crictl" {
			argv = []string{"crictl", "ps", "-a"}
		}
		res, ok := p.runOK(ctx, &f, h, argv...)
		if !ok {
			return f
		}
		list := ParseDockerPS(res.Stdout)
		if rt == "crictl" {
			var err error
			if list, err = ParseCrictlPS(res.Stdout); err != nil {
				return parseFailure(f, err)
			}
		}
		for _, name := range want {
			i := slices.IndexFunc(list, func(c Container) bool { return c.Name == name })
			switch {
			case i < 0:
				bad = append(bad, name+" missing")
			case !list[i].Up():
				bad = append(bad, name+" "+list[i].State)
			default:
				good = append(good, name)
			}
		}
	}
	if len(bad) > 0 {
		f.Status, f.Summary = checks.Crit, strings.Join(bad, ", ")
		f.Details = "A hung ADNS container is restarted with docker restart (§6)."
		return f
	}
	f.Status, f.Summary = checks.OK, strings.Join(good, ", ")+" up"
	return f
}

func (p *prober) logdirs(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	dirs := p.site.HostChecks.LogDirs
	du, ok := p.run(ctx, &f, h, append([]string{"du", "-sk"}, dirs...)...)
	if !ok {
		return f
	}
	sizes, err := ParseDU(du.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	if len(sizes) == 0 {
		f.Status, f.Summary = checks.OK, "no log directory of the list on this host"
		return f
	}
	present := make([]string, 0, len(sizes))
	for d := range sizes {
		present = append(present, d)
	}
	sort.Strings(present)
	df, ok := p.run(ctx, &f, h, append([]string{"df", "-Pk"}, present...)...)
	if !ok {
		return f
	}
	mounts, err := ParseDF(df.Stdout)
	if err != nil || len(mounts) != len(present) {
		return parseFailure(f, fmt.Errorf("df -Pk for %d directories: %v", len(present), err))
	}
	th := p.site.HostChecks.LogDirsPercent
	worst, worstPct := "", -1.0
	for i, d := range present {
		pct := float64(sizes[d]) * 100 / float64(max(mounts[i].SizeKB, 1))
		f.Metrics = append(f.Metrics, checks.Metric{Name: d, Value: round1(pct), Unit: "% of " + mounts[i].Mount, Warn: th.Warn, Crit: th.Crit})
		f.Status = max(f.Status, checks.Judge(pct, th.Warn, th.Crit))
		if pct > worstPct {
			worst, worstPct = d, pct
		}
	}
	i := slices.Index(present, worst)
	f.Summary = fmt.Sprintf("%s %s = %.0f %% of %s (%s free)", worst, humanKB(sizes[worst]), worstPct, mounts[i].Mount, humanKB(mounts[i].AvailKB))
	if f.Status != checks.OK {
		f.Details = "Unrotated sigma logs fill the disk (§5.8.2): rotate or clean them before the disk is full."
	}
	return f
}

func (p *prober) etcdctl(args ...string) []string { return EtcdctlArgv(p.site.Etcd, args...) }

// EtcdctlArgv builds the guide's etcdctl command line (§5.2), leaving out certificate flags the
// site does not set (an etcd served over plain HTTP). The etcd.snapshot action uses it too.
func EtcdctlArgv(e config.Etcd, args ...string) []string {
	argv := []string{e.Etcdctl, "--endpoints", e.Endpoints}
	for _, kv := range [][2]string{{"--cacert", e.CACert}, {"--cert", e.Cert}, {"--key", e.Key}} {
		if kv[1] != "" {
			argv = append(argv, kv[0], kv[1])
		}
	}
	return append(argv, args...)
}

func (p *prober) etcdHealth(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := p.run(ctx, &f, h, p.etcdctl("endpoint", "health")...)
	if !ok {
		return f
	}
	out := strings.TrimSpace(string(res.Stdout) + string(res.Stderr))
	switch {
	case res.ExitCode == 0 && strings.Contains(out, "is healthy"):
		f.Status, f.Summary = checks.OK, firstLine(out)
	case res.ExitCode == 127 || strings.Contains(out, "not found"):
		return exitFailure(f, res)
	default:
		f.Status, f.Summary, f.Error = checks.Crit, "etcd unhealthy: "+firstLine(out), out
	}
	return f
}

func (p *prober) etcdBackup(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	dir := p.site.Etcd.BackupDir
	res, ok := p.run(ctx, &f, h, "find", dir, "-maxdepth", "1", "-name", "etcd_v3_*.db", "-printf", `%T@ %s %f\n`)
	if !ok {
		return f
	}
	if res.ExitCode != 0 {
		f.Status, f.Summary = checks.Crit, "no backup folder "+dir+": "+firstLine(strings.TrimSpace(string(res.Stderr)))
		f.Details = "Daily snapshots (§5.2) go to " + dir + " by cron."
		return f
	}
	snaps, err := ParseFindSnapshots(res.Stdout)
	if err != nil {
		return parseFailure(f, err)
	}
	if len(snaps) == 0 {
		f.Status, f.Summary = checks.Crit, "no etcd snapshot in "+dir
		return f
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].ModTime.After(snaps[j].ModTime) })
	newest := snaps[0]
	age := p.now().Sub(newest.ModTime)
	maxAge := p.site.Etcd.MaxAge.D()
	f.Metrics = []checks.Metric{{Name: "newest snapshot age", Value: round1(age.Hours()), Unit: "h", Warn: maxAge.Hours()}, {Name: "snapshots", Value: float64(len(snaps))}}
	switch {
	case newest.Size == 0:
		f.Status, f.Summary = checks.Crit, fmt.Sprintf("newest snapshot %s is empty", path.Join(dir, newest.Name))
	case age > maxAge:
		f.Status, f.Summary = checks.Warn, fmt.Sprintf("newest snapshot %s is %s old (cron not running?)", newest.Name, humanDuration(age))
	default:
		f.Status, f.Summary = checks.OK, fmt.Sprintf("newest snapshot %s, %s old, %s", newest.Name, humanDuration(age), humanKB(newest.Size/1024))
	}
	return f
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no nameserver"
	}
	return strings.Join(s, ", ")
}

func compact(s []string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
