// Package adns checks the ADNS service (guide §3.2, §6): its processes under supervisord, name
// resolution on every VIP with its latency and success rate, SOA serials of master and slaves,
// the master's HA state, where the VIPs are bound, and that hosts resolve through ADNS.
package adns

import (
	"context"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/dns"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner = probe.Runner

// Checks returns the ADNS and DNS checks of the site; each reads only the adns block (and the
// resolver path of host_checks).
func Checks(site *config.Site, r Runner) []checks.Check {
	return checksWith(site, r, dns.Query)
}

func checksWith(site *config.Site, r Runner, ask Resolver) []checks.Check {
	a := site.ADNS
	inv := probe.NewInventory(site)
	var defs []checks.Def
	defs = append(defs, processDefs(a, inv, r)...)
	if len(a.ProbeNames) > 0 && len(servers(a)) > 0 {
		every, _, _ := site.CheckSchedule("dns.resolve")
		rs := &resolver{a: a, ask: ask, every: every, now: time.Now, history: map[string][]round{}}
		defs = append(defs, checks.Def{ID: "dns.resolve", Area: "dns", Title: "names resolve on every VIP (latency, success per minute)",
			Targets: checks.Fixed(servers(a)), Probe: rs.probe})
	}
	if len(a.ProbeNames) > 0 && a.MasterVIP != "" && len(a.SlaveVIPs) > 0 {
		defs = append(defs, checks.Def{ID: "dns.soa", Area: "dns", Title: "zone serials: slaves vs master",
			Targets: checks.Fixed(a.SlaveVIPs), Probe: func(ctx context.Context, slave string) checks.Finding { return soa(ctx, a, ask, slave) }})
	}
	if a.MasterVIP != "" {
		defs = append(defs, checks.Def{ID: "adns.hastate", Area: "adns", Title: "active master (GET /ha/hastate)",
			Targets: checks.Fixed([]string{a.MasterVIP}), Probe: func(ctx context.Context, _ string) checks.Finding { return hastate(ctx, a, inv) }})
	}
	if len(a.Instances) > 0 && len(servers(a)) > 0 {
		defs = append(defs, checks.Def{ID: "adns.vip", Area: "adns", Title: "each VIP bound on exactly one host",
			Targets: checks.Fixed(servers(a)), Probe: func(ctx context.Context, addr string) checks.Finding { return vip(ctx, a, inv, r, addr) }})
	}
	defs = append(defs, resolvDefs(site, inv, r)...)
	return checks.Build(site, defs...)
}
