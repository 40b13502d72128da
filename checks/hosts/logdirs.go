package hosts

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// logdirs weighs the growing log folders (the sigma logs, §5.8.2) against their filesystem.
func (p *prober) logdirs(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	dirs := p.site.HostChecks.LogDirs
	du, ok := p.run(ctx, &f, h, append([]string{"du", "-sk"}, dirs...)...)
	if !ok {
		return f
	}
	sizes, err := ParseDU(du.Stdout)
	if err != nil {
		return probe.ParseFailure(f, err)
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
		return probe.ParseFailure(f, fmt.Errorf("df -Pk for %d directories: %v", len(present), err))
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
	f.Summary = fmt.Sprintf("%s %s = %.0f %% of %s (%s free)", worst, probe.HumanKB(sizes[worst]), worstPct, mounts[i].Mount, probe.HumanKB(mounts[i].AvailKB))
	if f.Status != checks.OK {
		f.Details = "Unrotated sigma logs fill the disk (§5.8.2): rotate or clean them before the disk is full."
	}
	return f
}
