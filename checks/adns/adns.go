// Package adns checks the ADNS service (guide §3.2, §6): its processes under supervisord, name
// resolution on every VIP with its latency and success rate, SOA serials of master and slaves,
// the master's HA state, where the VIPs are bound, and that hosts resolve through ADNS.
package adns

import (
	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner = probe.Runner

// Checks returns the ADNS and DNS checks of the site; each reads only the adns block (and the
// resolver path of host_checks).
func Checks(site *config.Site, r Runner) []checks.Check {
	inv := probe.NewInventory(site)
	var defs []checks.Def
	defs = append(defs, processDefs(site.ADNS, inv, r)...)
	defs = append(defs, resolvDefs(site, inv, r)...)
	return checks.Build(site, defs...)
}
