package ui

import (
	"fmt"
	"strings"
)

// header is the top line: site, clusters, mode, change window, clock, data age, connections.
func (m *Model) header() string {
	left := " opsdeck " + sym.sep + " " + m.opts.Site + " "
	if len(m.opts.Backend.Clusters) > 0 {
		left += sym.sep + " " + strings.Join(m.opts.Backend.Clusters, ",") + " "
	}
	mode := rwStyle.Render(" RW ")
	if m.opts.ReadOnly {
		mode = roStyle.Render(" READ-ONLY ")
	}
	var parts []string
	if m.opts.Window != nil {
		ws := m.opts.Window(m.now)
		parts = append(parts, ws)
	}
	age := "no data yet"
	if !m.oldest.IsZero() {
		age = "oldest data " + Age(m.now.Sub(m.oldest))
	}
	parts = append(parts, age)
	if m.feed.sshAll > 0 {
		parts = append(parts, fmt.Sprintf("ssh %d/%d", m.feed.sshUp, m.feed.sshAll))
	}
	if m.feed.apiAll > 0 {
		parts = append(parts, fmt.Sprintf("api %d/%d", m.feed.apiUp, m.feed.apiAll))
	}
	right := " " + m.now.Format("2006-01-02 15:04:05") + " "
	if m.width < 100 {
		right = " " + m.now.Format("15:04:05") + " "
	}
	// On a narrow screen the window text goes first, then the data age: clock, mode and
	// connections stay.
	room := m.width - visibleWidth(left) - visibleWidth(mode) - visibleWidth(right) - 3
	for len(parts) > 1 && visibleWidth(strings.Join(parts, " "+sym.sep+" ")) > room {
		parts = parts[1:]
	}
	mid := dimStyle.Render(strings.Join(parts, " "+sym.sep+" "))
	gap := m.width - visibleWidth(left) - visibleWidth(mode) - visibleWidth(mid) - visibleWidth(right) - 2
	line := headerStyle.Render(left) + mode + " " + mid + strings.Repeat(" ", max(gap, 1)) + headerStyle.Render(right)
	return cut(line, m.width)
}

// strip is the status strip: one tile per pane, its number, counts and worst status. In watch
// mode the tiles are three lines tall, readable from across a room.
func (m *Model) strip() string {
	var cells []string
	for i, p := range m.panes {
		t := p.Tile()
		label := fmt.Sprintf("%d %s", i+1, t.label)
		var count string
		switch {
		case t.absent:
			count = "—"
		case t.note != "" && t.total == 0:
			count = t.note
		case i == paneAlerts:
			count = fmt.Sprint(t.bad)
		default:
			count = fmt.Sprintf("%d/%d", t.bad, t.total)
		}
		if t.partial {
			count += "…"
		}
		style := statusText[t.worst]
		if t.absent || t.bad == 0 {
			style = dimStyle
			if t.total > 0 {
				style = statusText[0]
			}
		}
		if m.width < 130 { // condensed: short names, problem counts only
			label = fmt.Sprintf("%d%s", i+1, shortNames[i])
			if !t.absent && !(t.note != "" && t.total == 0) {
				count = fmt.Sprint(t.bad)
			}
		}
		text := label + " " + style.Render(count)
		if i == m.focus {
			text = tileFocus.Render(label) + " " + style.Render(count)
		}
		cells = append(cells, text)
	}
	if !m.opts.Watch {
		sep := "  " + sym.bar + "  "
		if m.width < 130 {
			sep = " "
		}
		return cut(" "+strings.Join(cells, sep), m.width)
	}
	return m.bigTiles()
}

var shortNames = []string{"Alrt", "Node", "Pods", "Host", "ADNS", "NTP", "Cert", "Logs"}

// bigTiles draws the watch-mode tiles: name, a large count, worst status.
func (m *Model) bigTiles() string {
	n := len(m.panes)
	w := max(m.width/n, 8)
	var top, mid, bot []string
	for i, p := range m.panes {
		t := p.Tile()
		style := statusStyle[t.worst]
		count := fmt.Sprintf("%d", t.bad)
		word := upper(t.worst.String())
		if t.absent {
			style, count, word = dimStyle, "—", "no source"
		} else if t.bad == 0 {
			style, word = statusText[0], "OK"
		}
		name := t.label
		if i == m.focus {
			name = "▸ " + name
		}
		top = append(top, cell(" "+name, w, false))
		mid = append(mid, style.Render(cell(fmt.Sprintf(" %s  %s", count, word), w-1, false))+" ")
		bot = append(bot, dimStyle.Render(cell(fmt.Sprintf(" of %d", t.total), w, false)))
	}
	return strings.Join([]string{cut(strings.Join(top, ""), m.width), cut(strings.Join(mid, ""), m.width), cut(strings.Join(bot, ""), m.width)}, "\n")
}
