package ui

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"opsdeck/checks"
)

// TableOptions choose what the check table shows.
type TableOptions struct {
	Color bool // ANSI styling (only on a terminal)
	All   bool // list ok findings too, not just their count
}

// WriteTable prints a check report grouped by area, worst first, for people and for mail from cron.
func WriteTable(w io.Writer, r checks.Report, o TableOptions) error {
	style := func(s checks.Status, text string) string {
		if o.Color {
			return statusText[s].Render(text)
		}
		return text
	}
	byArea := map[string][]checks.Finding{}
	for _, jf := range r.Findings {
		byArea[jf.Area] = append(byArea[jf.Area], jf.Finding)
	}
	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	// Areas with the worst findings first, then by name.
	sort.Slice(areas, func(i, j int) bool {
		wi, wj := checks.Worst(byArea[areas[i]]), checks.Worst(byArea[areas[j]])
		return wi > wj || wi == wj && areas[i] < areas[j]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "opsdeck check · %s · %s · %d findings in %.1fs\n", r.Site, r.StartedAt.Format("2006-01-02 15:04:05"), r.Summary.Total, float64(r.DurationMS)/1000)
	tw, cw := 6, 5
	for _, f := range r.Findings {
		if o.All || f.Status != checks.OK {
			tw, cw = max(tw, len(f.Target)), max(cw, len(f.Check))
		}
	}
	for _, a := range areas {
		fs := byArea[a]
		counts := map[checks.Status]int{}
		for _, f := range fs {
			counts[f.Status]++
		}
		var parts []string
		for _, s := range worstFirst {
			if counts[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			}
		}
		fmt.Fprintf(&b, "\n%s  (%s)\n", upper(a), strings.Join(parts, ", "))
		// A dead or hung host fails every check the same way: one line for all of them.
		ptrs := make([]*checks.Finding, len(fs))
		for i := range fs {
			ptrs[i] = &fs[i]
		}
		for _, r := range fold(ptrs) {
			f := r.f
			if f.Status == checks.OK && !o.All {
				continue
			}
			check, line := f.Check, f.Summary
			if len(r.folded) > 0 {
				check = fmt.Sprintf("%d checks", len(r.folded))
			}
			if f.Exception != "" {
				line += " [known exception: " + f.Exception + "]"
			}
			fmt.Fprintf(&b, "  %s  %-*s  %-*s  %s\n", style(f.Status, fmt.Sprintf("%-7s", upper(f.Status.String()))), tw, f.Target, cw, check, line)
		}
		if counts[checks.OK] > 0 && !o.All {
			fmt.Fprintf(&b, "  %s  %d ok findings not listed (--all lists them)\n", style(checks.OK, fmt.Sprintf("%-7s", "ok")), counts[checks.OK])
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%s · %s · %s · %s → exit %d\n",
		style(checks.Crit, fmt.Sprintf("%d crit", s.Crit)), style(checks.Unknown, fmt.Sprintf("%d unknown", s.Unknown)),
		style(checks.Warn, fmt.Sprintf("%d warn", s.Warn)), style(checks.OK, fmt.Sprintf("%d ok", s.OK)), s.ExitCode)
	_, err := io.WriteString(w, b.String())
	return err
}
