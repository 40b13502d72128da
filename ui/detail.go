package ui

import (
	"fmt"
	"strings"
	"time"

	"opsdeck/checks"
)

// renderDetail is one finding in full: summary, details (a migration plan, say), metrics against
// their thresholds, the evidence it was judged on, its age — cut to width × height.
func renderDetail(f checks.Finding, now time.Time, width, height int) string {
	var lines []string
	add := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			lines = append(lines, cut(l, width))
		}
	}
	add(fmt.Sprintf("%s %s on %s", statusStyle[f.Status].Render(padRight(upper(f.Status.String()), 8)), labelStyle.Render(f.Check), labelStyle.Render(f.Target)))
	add("  " + f.Summary)
	add(dimStyle.Render(fmt.Sprintf("  observed %s (%s ago), took %s", f.ObservedAt.Format("2006-01-02 15:04:05"), Age(f.Age(now)), f.Duration.Round(time.Millisecond))))
	if f.Exception != "" {
		add("  known exception: " + f.Exception)
	}
	if f.Error != "" {
		add(labelStyle.Render("Error"))
		add("  " + f.Error)
	}
	if f.Details != "" {
		add(labelStyle.Render("Details"))
		for _, l := range strings.Split(f.Details, "\n") {
			add("  " + l)
		}
	}
	if len(f.Metrics) > 0 {
		add(labelStyle.Render("Metrics"))
		for _, m := range f.Metrics {
			line := fmt.Sprintf("  %-24s %g %s", m.Name, m.Value, m.Unit)
			if m.Warn > 0 || m.Crit > 0 {
				line += dimStyle.Render(fmt.Sprintf("   (warn %g, crit %g)", m.Warn, m.Crit))
			}
			add(line)
		}
	}
	for _, e := range f.Evidence {
		add(labelStyle.Render("Evidence") + " " + e.Source)
		if e.Excerpt != "" {
			for _, l := range strings.Split(strings.TrimRight(e.Excerpt, "\n"), "\n") {
				add(dimStyle.Render("  │ ") + l)
			}
		}
	}
	if len(lines) > height {
		lines = append(lines[:height-1], dimStyle.Render(fmt.Sprintf("  … %d more lines", len(lines)-height+1)))
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
