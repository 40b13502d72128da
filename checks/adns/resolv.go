package adns

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// ParseResolvConf returns the nameserver addresses of a resolv.conf, in order.
func ParseResolvConf(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, f[1])
		}
	}
	return out
}

// ResolverAddrs are the addresses a host's resolv.conf may name (§3.2, §6.6.2): the slave VIPs,
// which serve resolution; where the site has no VIP, the addresses of the ADNS hosts.
func ResolverAddrs(site *config.Site) (addrs []string, what string) {
	if len(site.ADNS.SlaveVIPs) > 0 {
		return site.ADNS.SlaveVIPs, "an ADNS slave VIP"
	}
	inv := probe.NewInventory(site)
	for _, in := range site.ADNS.Instances {
		if a := inv[in.Host].Address; a != "" && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	return addrs, "an ADNS host's address (the site has no VIP)"
}

func resolvDefs(site *config.Site, inv probe.Inventory, r Runner) []checks.Def {
	addrs, what := ResolverAddrs(site)
	if len(site.ADNS.Instances) == 0 && len(addrs) == 0 {
		return nil
	}
	all := probe.Names(site, func(config.Host) bool { return true })
	file := site.HostChecks.ResolvConf
	return []checks.Def{{ID: "dns.resolv", Area: "dns", Title: "resolver points at ADNS", Targets: checks.Fixed(all),
		Probe: inv.OnHost(func(ctx context.Context, h config.Host) checks.Finding {
			var f checks.Finding
			res, ok := probe.RunOK(ctx, r, &f, h, "cat", file)
			if !ok {
				return f
			}
			return judgeResolv(f, file, ParseResolvConf(res.Stdout), addrs, what)
		})}}
}

// judgeResolv: the first nameserver must be an ADNS address (the resolver asks it first); a later
// one only is a warning; none is crit.
func judgeResolv(f checks.Finding, file string, ns, addrs []string, what string) checks.Finding {
	f.Details = fmt.Sprintf("Every host resolves through ADNS (§3.2, §6.6.2): %s must name %s: %s.", file, what, strings.Join(addrs, " or "))
	for i, n := range ns {
		if slices.Contains(addrs, n) {
			if i == 0 {
				f.Status, f.Summary = checks.OK, "nameserver "+n+" (ADNS)"
			} else {
				f.Status, f.Summary = checks.Warn, fmt.Sprintf("ADNS %s is nameserver #%d, after %s", n, i+1, strings.Join(ns[:i], ", "))
			}
			return f
		}
	}
	f.Status = checks.Crit
	if len(ns) == 0 {
		f.Summary = file + " names no nameserver"
	} else {
		f.Summary = fmt.Sprintf("%s points at %s, not at ADNS", file, strings.Join(ns, ", "))
	}
	return f
}
