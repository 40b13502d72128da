package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
	"opsdeck/checks/services"
)

// dialog is one layer of the focus stack (detail, actions, confirm, palette, help). The top
// dialog gets every key; it draws over the body.
type dialog interface {
	// key handles a key; done pops the dialog.
	key(m *Model, k tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	view(m *Model, w, h int) string
}

// detailDialog is a scrollable page about one thing: the selected finding in full, every other
// finding on the same target, the runs of actions on it, and the actions that apply.
type detailDialog struct {
	ref     checks.Ref
	finding *checks.Finding // the selected finding, when the row was one
	row     []string        // the row's cells with their column titles, when it was a table row
	offset  int
	actions []actionItem
	loading bool
	events  podEventsState // a pod's events, fetched on demand (podevents.go)
}

// findingsOn lists the findings about what ref names (a node's host findings too).
func findingsOn(fs []*checks.Finding, ref checks.Ref) []checks.Finding {
	var out []checks.Finding
	for _, f := range fs {
		r := f.Ref()
		same := r.Name == ref.Name && r.Cluster == ref.Cluster && r.Namespace == ref.Namespace
		switch {
		case same && r.Kind == ref.Kind:
		case ref.Kind == checks.KindNode && r.Kind == checks.KindHost && r.Name == ref.Name:
		case ref.Kind == checks.KindHost && r.Kind == checks.KindNode && r.Name == ref.Name:
		case ref.Kind == checks.KindHost && (r.Kind == checks.KindADNSInstance || r.Kind == checks.KindADNSProcess) && strings.HasPrefix(r.Name+"/", ref.Name+"/"):
		case ref.Kind == checks.KindHost && r.Kind == services.KindContainer && strings.HasPrefix(r.Name, ref.Name+"/"): // apyunqing, aciamcore … on it
		default:
			continue
		}
		out = append(out, *f)
	}
	return out
}

func (d *detailDialog) lines(m *Model, width int) []string {
	var lines []string
	add := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			lines = append(lines, cut(l, width))
		}
	}
	if d.finding != nil {
		lines = append(lines, findingLines(*d.finding, m.now, width)...)
	} else {
		add(labelStyle.Render(fmt.Sprintf("%s %s", d.ref.Kind, d.ref.Target())))
		for _, l := range d.row {
			add("  " + l)
		}
	}
	others := findingsOn(m.snap.Findings, d.ref)
	if d.finding != nil { // the one shown above is not among the others
		others = slices.DeleteFunc(others, func(f checks.Finding) bool { return f.Key() == d.finding.Key() })
	}
	if len(others) > 0 {
		add("")
		add(labelStyle.Render(fmt.Sprintf("Findings on %s (%d)", d.ref.Target(), len(others))))
		for _, f := range others {
			add(fmt.Sprintf("  %s %-18s %s %s", statusStyle[f.Status].Render(padRight(upper(f.Status.String()), 7)), f.Check, f.Summary,
				dimStyle.Render(Age(f.Age(m.now))+" ago")))
			if f.Status != checks.OK && f.Details != "" && d.finding == nil {
				for _, l := range strings.Split(f.Details, "\n") {
					add(dimStyle.Render("      " + l))
				}
			}
		}
	}
	if d.ref.Kind == checks.KindPod && m.opts.PodEvents != nil {
		add("")
		for _, l := range d.events.lines(m.now) {
			add(l)
		}
	}
	if rs := m.runsOn(d.ref); len(rs) > 0 {
		add("")
		add(labelStyle.Render("Actions run here"))
		for _, r := range rs {
			for _, l := range r.lines() {
				add("  " + l)
			}
		}
	}
	add("")
	switch {
	case m.opts.Session == nil:
		add(dimStyle.Render("Actions: none (read-only: this opsdeck cannot change the site)"))
	case d.loading:
		add(dimStyle.Render("Actions: looking up what applies…"))
	case len(d.actions) == 0:
		add(dimStyle.Render("Actions: none apply to " + d.ref.Target()))
	default:
		add(labelStyle.Render("Actions") + dimStyle.Render(" (a, then the number)"))
		for i, it := range d.actions {
			add(fmt.Sprintf("  %d  %s", i+1, it.line()))
		}
	}
	add(dimStyle.Render("l: logs of this target"))
	return lines
}

// findingLines is one finding in full: summary, details (a migration plan, say), metrics against
// their thresholds, the evidence it was judged on, its age.
func findingLines(f checks.Finding, now time.Time, width int) []string {
	var lines []string
	add := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			lines = append(lines, cut(l, width))
		}
	}
	add(fmt.Sprintf("%s %s on %s", statusStyle[f.Status].Render(padRight(upper(f.Status.String()), 8)), labelStyle.Render(f.Check), labelStyle.Render(f.Target)))
	add("  " + f.Summary)
	add(dimStyle.Render(fmt.Sprintf("  observed %s (%s ago), took %s", f.ObservedAt.Format("2006-01-02 15:04:05"), Age(f.Age(now)), f.Duration.Round(time.Millisecond))))
	if f.Guide != "" {
		add(dimStyle.Render("  the guide: " + f.Guide))
	}
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
				add(dimStyle.Render("  "+sym.bar+" ") + l)
			}
		}
	}
	return lines
}

func (d *detailDialog) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	page := max(m.bodyHeight()-1, 1)
	switch k.String() {
	case "esc", "enter", "q":
		return true, nil
	case "j", "down":
		d.offset++
	case "k", "up":
		d.offset--
	case "pgdown", "space", "ctrl+f":
		d.offset += page
	case "pgup", "ctrl+b":
		d.offset -= page
	case "g", "home":
		d.offset = 0
	case "G", "end":
		d.offset = 1 << 20
	case "a":
		if m.opts.Session != nil {
			return false, m.openActions(d.ref)
		}
	case "l":
		return false, m.openLogs(d.ref)
	case "e":
		return false, d.startPodEvents(m, true)
	default:
		if n := int(k.Code - '1'); len(k.String()) == 1 && n >= 0 && n < len(d.actions) && n < 9 {
			return false, m.confirmAction(d.actions[n])
		}
	}
	return false, nil
}

func (d *detailDialog) view(m *Model, w, h int) string {
	lines := d.lines(m, w)
	d.offset = max(min(d.offset, len(lines)-h), 0)
	end := min(d.offset+h, len(lines))
	out := append([]string(nil), lines[d.offset:end]...)
	if end < len(lines) {
		out[len(out)-1] = dimStyle.Render(fmt.Sprintf("  … %d more lines (j/k, pgdn)", len(lines)-end+1))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
