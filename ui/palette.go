package ui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// paletteEntry is one thing `:` can go to or run.
type paletteEntry struct {
	label string // what is shown and matched: "node node3", "pane Pods", "ns app", "action host.restart-kubelet"
	run   func(m *Model) tea.Cmd
}

// paletteDialog matches what is typed against panes, nodes, hosts, namespaces and actions.
type paletteDialog struct {
	in      lineInput
	entries []paletteEntry
	matches []paletteEntry
	cursor  int
}

func newPalette(entries []paletteEntry) *paletteDialog {
	d := &paletteDialog{entries: entries}
	d.in.prompt = ":"
	d.refresh()
	return d
}

// fuzzyScore is > 0 when every rune of q appears in s in order; closer and earlier is better.
func fuzzyScore(s, q string) int {
	if q == "" {
		return 1
	}
	s, q = strings.ToLower(s), strings.ToLower(q)
	if i := strings.Index(s, q); i >= 0 {
		return 1000 - i
	}
	score, j, last := 500, 0, -1
	for i := 0; i < len(s) && j < len(q); i++ {
		if s[i] == q[j] {
			if last >= 0 {
				score -= i - last - 1
			}
			last = i
			j++
		}
	}
	if j < len(q) {
		return 0
	}
	return max(score, 1)
}

func (d *paletteDialog) refresh() {
	q := strings.TrimSpace(d.in.value)
	type scored struct {
		e paletteEntry
		s int
	}
	var ss []scored
	for _, e := range d.entries {
		if s := fuzzyScore(e.label, q); s > 0 {
			ss = append(ss, scored{e, s})
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].s > ss[j].s })
	d.matches = d.matches[:0]
	for _, s := range ss {
		d.matches = append(d.matches, s.e)
	}
	d.cursor = 0
}

func (d *paletteDialog) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	switch k.String() {
	case "esc":
		return true, nil
	case "down", "ctrl+n", "tab":
		d.cursor = min(d.cursor+1, max(len(d.matches)-1, 0))
		return false, nil
	case "up", "ctrl+p", "shift+tab":
		d.cursor = max(d.cursor-1, 0)
		return false, nil
	case "enter":
		// ":ns NAME" names a namespace that may not be listed yet.
		if v := strings.TrimSpace(d.in.value); strings.HasPrefix(v, "ns ") {
			ns := strings.TrimSpace(strings.TrimPrefix(v, "ns "))
			return true, func() tea.Msg { return namespaceMsg(ns) }
		}
		if d.cursor < len(d.matches) {
			return true, d.matches[d.cursor].run(m)
		}
		return true, nil
	}
	if d.in.update(k) {
		d.refresh()
	}
	return false, nil
}

func (d *paletteDialog) view(m *Model, w, h int) string {
	lines := []string{d.in.view(w - 2), dimStyle.Render("  panes, nodes, hosts, namespaces (ns NAME), actions · enter goes · esc closes"), ""}
	for i, e := range d.matches {
		if len(lines) >= h-1 {
			break
		}
		mark := "  "
		if i == d.cursor {
			mark = cursorStyle.Render(sym.cursor) + " "
		}
		lines = append(lines, mark+e.label)
	}
	return box(lines, w, h)
}

// namespaceMsg sets the Pods pane's namespace filter ("" clears it).
type namespaceMsg string

// helpDialog is generated from the keymap: global keys, then the focused pane's.
type helpDialog struct{}

func (helpDialog) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	return k.String() == "esc" || k.String() == "?" || k.String() == "q", nil
}

func (helpDialog) view(m *Model, w, h int) string {
	lines := []string{labelStyle.Render("Keys"), ""}
	for _, b := range m.keys.global() {
		if b.Enabled() {
			lines = append(lines, "  "+padRight(b.Help().Key, 12)+b.Help().Desc)
		}
	}
	var panes []string
	for _, b := range m.keys.Panes {
		panes = append(panes, b.Help().Key+" "+b.Help().Desc)
	}
	lines = append(lines, "  "+padRight("1–8", 12)+strings.Join(panes, ", "))
	if pk := m.panes[m.focus].Keys(); len(pk) > 0 {
		lines = append(lines, "", labelStyle.Render(m.panes[m.focus].Title()+" pane"))
		for _, b := range pk {
			lines = append(lines, "  "+padRight(b.Help().Key, 12)+b.Help().Desc)
		}
	}
	lines = append(lines, "", labelStyle.Render("In details"), "  "+padRight("a", 12)+"actions of the target", "  "+padRight("l", 12)+"its logs",
		"  "+padRight("1–9", 12)+"start the numbered action")
	if m.opts.ReadOnly {
		lines = append(lines, "", dimStyle.Render("Read-only: no action can run in this opsdeck."))
	}
	return box(lines, w, h)
}
