package adns

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// ParseIPAddr reads `ip -o addr show`: one address a line, "N: IFACE inet ADDR/LEN …".
func ParseIPAddr(b []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 4 || !strings.HasSuffix(f[0], ":") || (f[2] != "inet" && f[2] != "inet6") {
			return nil, fmt.Errorf("ip -o addr: unexpected line %q", sc.Text())
		}
		ip, _, err := net.ParseCIDR(f[3])
		if err != nil {
			return nil, fmt.Errorf("ip -o addr: %q is not an address", f[3])
		}
		out = append(out, ip.String())
	}
	return out, nil
}

// vipHosts are the hosts keepalived may bind the VIPs on: the hosts of ADNS instances.
func vipHosts(a config.ADNS) []string {
	var out []string
	for _, in := range a.Instances {
		if !slices.Contains(out, in.Host) {
			out = append(out, in.Host)
		}
	}
	return out
}

// vip finds where one VIP is bound (§6.6.1): on exactly one ADNS host is right; on none nobody
// answers on it; on two, both claim it (split brain).
func vip(ctx context.Context, a config.ADNS, inv probe.Inventory, r Runner, addr string) checks.Finding {
	var f checks.Finding
	var on, unknown []string
	for _, name := range vipHosts(a) {
		h := inv[name]
		var hf checks.Finding
		res, ok := probe.RunOK(ctx, r, &hf, h, "ip", "-o", "addr", "show")
		f.Evidence = append(f.Evidence, hf.Evidence...)
		if !ok {
			if hf.Status == checks.Crit { // a changed host key: crit everywhere
				hf.Summary = name + ": " + hf.Summary
				hf.Evidence = f.Evidence
				return hf
			}
			unknown = append(unknown, name+" ("+hf.Summary+")")
			continue
		}
		addrs, err := ParseIPAddr(res.Stdout)
		if err != nil {
			unknown = append(unknown, name+" ("+err.Error()+")")
			continue
		}
		if slices.Contains(addrs, addr) {
			on = append(on, name)
		}
	}
	role := "slave"
	if addr == a.MasterVIP {
		role = "master"
	}
	f.Metrics = []checks.Metric{{Name: "bound on", Value: float64(len(on)), Crit: 2}}
	switch {
	case len(on) > 1:
		f.Status, f.Summary = checks.Crit, fmt.Sprintf("split brain: %s VIP %s on %s", role, addr, strings.Join(on, " and "))
		f.Details = "keepalived on more than one host holds the VIP (§6.6.1): compare virtual_router_id and the interfaces in keepalived.conf, then supervisorctl restart keepalived on the wrong one."
	case len(on) == 1:
		f.Status, f.Summary = checks.OK, fmt.Sprintf("%s VIP %s on %s", role, addr, on[0])
		if len(unknown) > 0 {
			f.Details = "Could not look on " + strings.Join(unknown, ", ") + ": it may also hold the VIP."
		}
	case len(unknown) > 0:
		f.Status, f.Summary = checks.Unknown, fmt.Sprintf("%s VIP %s not found on the hosts reached; could not look on %s", role, addr, strings.Join(unknown, ", "))
		f.Error = f.Summary
	default:
		f.Status, f.Summary = checks.Crit, fmt.Sprintf("%s VIP %s bound on no ADNS host (%s)", role, addr, strings.Join(vipHosts(a), ", "))
		f.Details = "Nothing answers on the VIP (§6.6.1): check keepalived (supervisorctl status, keepalived.conf: interface, virtual_ipaddress, virtual_router_id), then supervisorctl restart keepalived."
	}
	return f
}
