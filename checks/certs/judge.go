package certs

import (
	"fmt"
	"strings"
	"time"

	"opsdeck/checks"
)

// Judge rates certificates by days left (§5.6.6): expired or within crit is crit, within warn is a
// warning, and a notBefore in the future is a warning too (this host's or the issuer's clock is
// off: see NTP). The summary names the worst; details list them all, soonest first.
func Judge(f checks.Finding, cs []Cert, now time.Time, warn, crit time.Duration) checks.Finding {
	sortByExpiry(cs)
	f.Status = checks.OK
	worst, worstStatus, why := -1, checks.OK, ""
	var lines []string
	for i, c := range cs {
		st, reason := rate(c, now, warn, crit)
		if st > worstStatus || worst < 0 {
			worst, worstStatus, why = i, st, reason
		}
		f.Metrics = append(f.Metrics, checks.Metric{Name: c.Where, Value: float64(int(c.NotAfter.Sub(now).Hours() / 24)), Unit: "days left",
			Warn: warn.Hours() / 24, Crit: crit.Hours() / 24})
		lines = append(lines, c.Line(now))
	}
	if len(cs) == 0 {
		f.Summary = "no certificate found"
		return f
	}
	f.Status = worstStatus
	w := cs[worst]
	name := w.Where
	if w.CN != "" {
		name += " (CN " + w.CN + ")"
	}
	switch {
	case why != "":
		f.Summary = name + " " + why
	case len(cs) == 1:
		f.Summary = fmt.Sprintf("%s valid until %s (%s)", name, w.NotAfter.UTC().Format("2006-01-02"), w.left(now))
	default:
		f.Summary = fmt.Sprintf("%d certificates; the nearest to expiry: %s, %s", len(cs), name, w.left(now))
	}
	if f.Status != checks.OK {
		lines = append([]string{fmt.Sprintf("Re-issue certificates within %s of expiry (§5.6.6: warn at %s, crit at %s) before they lapse.", days(warn), days(warn), days(crit))}, lines...)
	}
	f.Details = strings.Join(lines, "\n")
	return f
}

func rate(c Cert, now time.Time, warn, crit time.Duration) (checks.Status, string) {
	left := c.NotAfter.Sub(now)
	on := c.NotAfter.UTC().Format("2006-01-02")
	switch {
	case left <= 0:
		return checks.Crit, fmt.Sprintf("expired on %s (%s ago)", on, days(-left))
	case left < crit:
		return checks.Crit, fmt.Sprintf("expires in %s (%s)", days(left), on)
	case left < warn:
		return checks.Warn, fmt.Sprintf("expires in %s (%s)", days(left), on)
	case now.Before(c.NotBefore):
		return checks.Warn, fmt.Sprintf("is not valid before %s: a clock is off (see NTP)", c.NotBefore.UTC().Format("2006-01-02 15:04 MST"))
	}
	return checks.OK, ""
}
