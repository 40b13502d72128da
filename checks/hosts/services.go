package hosts

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// byRole is what m lists for a host's roles, each entry once, in role order.
func byRole(h config.Host, m map[string][]string) []string {
	var out []string
	for _, r := range h.Roles {
		for _, v := range m[r] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// hasAny tells whether a host carries a role that m lists something for.
func hasAny(m map[string][]string) func(config.Host) bool {
	return func(h config.Host) bool {
		for _, r := range h.Roles {
			if len(m[r]) > 0 {
				return true
			}
		}
		return false
	}
}

// containerHost tells whether a host runs an ADNS instance in a container.
func (p *prober) containerHost(h config.Host) bool {
	return slices.ContainsFunc(p.site.ADNS.Instances, func(in config.ADNSInstance) bool {
		return in.Host == h.Name && (in.Runtime == "docker" || in.Runtime == "crictl")
	})
}

// unitsFor lists the units a host must run, kubelet aside (host.kubelet has its own check).
func (p *prober) unitsFor(h config.Host) []string {
	return slices.DeleteFunc(byRole(h, p.site.HostChecks.Units), func(u string) bool { return u == "kubelet" })
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
			return probe.ExitFailure(f, res)
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
	res, ok := p.runOK(ctx, &f, h, "ss", "-ltnpH")
	if !ok {
		return f
	}
	ls, err := ParseSS(res.Stdout)
	if err != nil {
		return probe.ParseFailure(f, err)
	}
	return JudgePorts(f, ls, byRole(h, p.site.HostChecks.Ports), p.site.HostChecks.PortProcesses)
}

// JudgePorts: every wanted port listens (§2.1; a missing one is critical: its process is down),
// and is owned by the process the guide names for it (another owner is critical too: the
// component cannot bind its port). An owner ss does not show (no root) is only noted.
func JudgePorts(f checks.Finding, ls []Listener, want []string, owners map[string]string) checks.Finding {
	var missing, wrong, hidden []string
	for _, w := range want {
		if !Listening(ls, w) {
			missing = append(missing, w)
			continue
		}
		name := owners[portOf(w)]
		if name == "" {
			continue
		}
		procs := ListenerProcs(ls, w)
		switch {
		case len(procs) == 0:
			hidden = append(hidden, w)
		case !slices.ContainsFunc(procs, func(c string) bool { return OwnedBy(c, name) }):
			wrong = append(wrong, fmt.Sprintf("%s owned by %s, not %s", w, strings.Join(procs, ","), name))
		}
	}
	f.Metrics = []checks.Metric{{Name: "listening", Value: float64(len(want) - len(missing))}, {Name: "expected", Value: float64(len(want))},
		{Name: "wrong owner", Value: float64(len(wrong)), Crit: 0.5}}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "not listening: "+strings.Join(missing, ", "))
	}
	problems = append(problems, wrong...)
	if len(hidden) > 0 {
		f.Details = "owner not shown by ss (not root?): " + strings.Join(hidden, ", ")
	}
	if len(problems) > 0 {
		f.Status, f.Summary = checks.Crit, strings.Join(problems, "; ")
		f.Details = strings.TrimSpace("A component port of the guide's table (§2.1, §5.4.2) is not listening, or another process holds it: " +
			"the component is down or cannot bind (systemctl status, or the pod's logs).\n" + f.Details)
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("all %d expected ports listening", len(want))
	if n := len(want) - len(hidden); len(owners) > 0 && n > 0 {
		f.Summary += ", owners as the guide names them"
	}
	return f
}

func portOf(w string) string {
	if _, port, err := net.SplitHostPort(w); err == nil {
		return port
	}
	return w
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
				return probe.ParseFailure(f, err)
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
