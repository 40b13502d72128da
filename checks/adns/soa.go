package adns

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"opsdeck/checks"
	"opsdeck/config"
)

// soa compares each zone's SOA serial on the master VIP with every slave VIP (§6.4's consistency:
// slaves follow the master by zone transfer). Zones are those holding the probe names.
func soa(ctx context.Context, a config.ADNS, ask Resolver, slave string) checks.Finding {
	var f checks.Finding
	at := func(s string) string { return net.JoinHostPort(s, strconv.Itoa(a.DNSPort)) }
	zones := map[string]bool{}
	for _, n := range a.ProbeNames {
		ans, err := ask(ctx, at(a.MasterVIP), n, "SOA")
		if err != nil || ans.SOA == nil {
			f.Status, f.Summary = checks.Unknown, fmt.Sprintf("no SOA for %s from the master %s", n, a.MasterVIP)
			if err != nil {
				f.Summary += ": " + shortErr(err)
				f.Error = err.Error()
			} else {
				f.Summary += " (" + ans.Rcode + ")"
			}
			return f
		}
		zones[ans.SOA.Hdr.Name] = true
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	var drift, lines []string
	for _, z := range names {
		m, err1 := ask(ctx, at(a.MasterVIP), z, "SOA")
		s, err2 := ask(ctx, at(slave), z, "SOA")
		for _, x := range []struct {
			who string
			err error
		}{{"master " + a.MasterVIP, err1}, {"slave " + slave, err2}} {
			if x.err != nil {
				f.Status, f.Summary, f.Error = checks.Unknown, fmt.Sprintf("SOA %s from the %s: %s", z, x.who, shortErr(x.err)), x.err.Error()
				return f
			}
		}
		if m.SOA == nil || s.SOA == nil {
			f.Status, f.Summary = checks.Crit, fmt.Sprintf("zone %s: master %s, slave %s (no SOA)", z, m.Rcode, s.Rcode)
			return f
		}
		f.Evidence = append(f.Evidence, checks.Evidence{Source: "dns: SOA " + z + " @" + a.MasterVIP + " and @" + slave,
			Excerpt: m.SOA.String() + "\n" + s.SOA.String()})
		line := fmt.Sprintf("%s serial %d on the master, %d on %s", strings.TrimSuffix(z, "."), m.SOA.Serial, s.SOA.Serial, slave)
		lines = append(lines, line)
		f.Metrics = append(f.Metrics, checks.Metric{Name: strings.TrimSuffix(z, ".") + " serial drift", Value: float64(int64(m.SOA.Serial) - int64(s.SOA.Serial))})
		if m.SOA.Serial != s.SOA.Serial {
			drift = append(drift, line)
		}
	}
	f.Details = strings.Join(lines, "\n")
	if len(drift) > 0 {
		f.Status, f.Summary = checks.Warn, "SOA drift: "+strings.Join(drift, "; ")
		f.Details = "The slave has not caught up with the master (zone transfer, §6.1); ADNS repairs from the master's data — a lasting drift means the transfer fails (adns_biz.log: failed to fetch zone).\n" + f.Details
		return f
	}
	f.Status, f.Summary = checks.OK, fmt.Sprintf("%d zone(s) in step with the master (%s)", len(names), strings.Join(lines, "; "))
	return f
}
