package hosts

import (
	"context"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// enabledUnits are the units that must start at boot on a host (§9.7): kubelet on nodes and
// masters, and the units host_checks.units lists for its roles (containerd; docker where the
// site uses it).
func (p *prober) enabledUnits(h config.Host) []string {
	var out []string
	if h.HasRole("node") || h.HasRole("master") {
		out = append(out, "kubelet")
	}
	return append(out, p.unitsFor(h)...)
}

// bootState is what an is-enabled answer means after a power loss (§9.7): ok (the unit comes
// back), warn (it does not: disabled, or enabled only until the next boot), crit (it cannot
// start at all: masked, or no unit file).
func bootState(s string) checks.Status {
	switch s {
	case "enabled", "static", "indirect", "generated", "alias":
		return checks.OK
	case "masked", "masked-runtime", "not-found", "bad":
		return checks.Crit
	}
	return checks.Warn // disabled, enabled-runtime, linked, linked-runtime, transient
}

// enabled asks systemd, unit by unit (one missing unit ends a multi-unit is-enabled early),
// whether the host's units start at boot.
func (p *prober) enabled(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	var bad, good []string
	for _, u := range p.enabledUnits(h) {
		res, ok := p.run(ctx, &f, h, "systemctl", "is-enabled", u)
		if !ok {
			return f
		}
		state, err := ParseIsEnabled(res.Stdout, res.Stderr)
		if err != nil {
			return probe.ParseFailure(f, err)
		}
		s := bootState(state)
		f.Status = max(f.Status, s)
		if s == checks.OK {
			good = append(good, u)
		} else {
			bad = append(bad, u+" "+state)
		}
	}
	if len(bad) > 0 {
		f.Summary = strings.Join(bad, ", ") + ": does not come back after a reboot or power loss"
		f.Details = "§9.7: after a power loss every node must bring kubelet and containerd up by itself; " +
			"systemctl enable UNIT (a change) makes it start at boot. A masked unit cannot start at all."
		return f
	}
	f.Status, f.Summary = checks.OK, strings.Join(good, ", ")+" enabled at boot"
	return f
}
