package ui

import (
	"fmt"
	"strings"
)

// header is the top line: site, clusters, mode, change window, clock, data age, connections.
func (m *Model) header() string {
	k := headerKey{width: m.width, readOnly: m.opts.ReadOnly, age: "no data yet",
		sshUp: m.feed.sshUp, sshAll: m.feed.sshAll, apiUp: m.feed.apiUp, apiAll: m.feed.apiAll}
	if m.opts.Window != nil {
		k.window = m.opts.Window(m.now)
	}
	if !m.oldest.IsZero() {
		k.age = "oldest data " + Age(m.now.Sub(m.oldest))
	}
	k.clock = m.now.Format("2006-01-02 15:04:05")
	if m.width < 100 {
		k.clock = m.now.Format("15:04:05")
	}
	return m.memo.header.get(k, m.drawHeader)
}

func (m *Model) drawHeader(k headerKey) string {
	left := " opsdeck " + sym.sep + " " + m.opts.Site + " "
	if len(m.opts.Backend.Clusters) > 0 {
		left += sym.sep + " " + strings.Join(m.opts.Backend.Clusters, ",") + " "
	}
	mode := rwStyle.Render(" RW ")
	if k.readOnly {
		mode = roStyle.Render(" READ-ONLY ")
	}
	var parts []string
	if m.opts.Window != nil {
		parts = append(parts, k.window)
	}
	parts = append(parts, k.age)
	if k.sshAll > 0 {
		parts = append(parts, fmt.Sprintf("ssh %d/%d", k.sshUp, k.sshAll))
	}
	if k.apiAll > 0 {
		parts = append(parts, fmt.Sprintf("api %d/%d", k.apiUp, k.apiAll))
	}
	right := " " + k.clock + " "
	// On a narrow screen the window text goes first, then the data age: clock, mode and
	// connections stay.
	room := k.width - visibleWidth(left) - visibleWidth(mode) - visibleWidth(right) - 3
	for len(parts) > 1 && visibleWidth(strings.Join(parts, " "+sym.sep+" ")) > room {
		parts = parts[1:]
	}
	mid := dimStyle.Render(strings.Join(parts, " "+sym.sep+" "))
	gap := k.width - visibleWidth(left) - visibleWidth(mode) - visibleWidth(mid) - visibleWidth(right) - 2
	line := headerStyle.Render(left) + mode + " " + mid + strings.Repeat(" ", max(gap, 1)) + headerStyle.Render(right)
	return cut(line, k.width)
}

// strip is the status strip: one tile per pane, its number, counts and worst status. In watch
// mode the tiles are three lines tall, readable from across a room.
func (m *Model) strip() string {
	k := stripKey{width: m.width, focus: m.focus, watch: m.opts.Watch}
	for i, p := range m.panes {
		k.tiles[i] = p.Tile()
	}
	return m.memo.strip.get(k, drawStrip)
}

func drawStrip(k stripKey) string {
	if k.watch {
		return bigTiles(k)
	}
	var cells []string
	for i, t := range k.tiles {
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
		if k.width < 130 { // condensed: short names, problem counts only
			label = fmt.Sprintf("%d%s", i+1, shortNames[i])
			if !t.absent && !(t.note != "" && t.total == 0) {
				count = fmt.Sprint(t.bad)
			}
		}
		text := label + " " + style.Render(count)
		if i == k.focus {
			text = tileFocus.Render(label) + " " + style.Render(count)
		}
		cells = append(cells, text)
	}
	sep := "  " + sym.bar + "  "
	if k.width < 130 {
		sep = " "
	}
	return cut(" "+strings.Join(cells, sep), k.width)
}

var shortNames = []string{"Alrt", "Node", "Pods", "Host", "ADNS", "NTP", "Cert", "Logs"}

// bigTiles draws the watch-mode tiles: name, a large count, worst status.
func bigTiles(k stripKey) string {
	n := len(k.tiles)
	w := max(k.width/n, 8)
	var top, mid, bot []string
	for i, t := range k.tiles {
		style := statusStyle[t.worst]
		count := fmt.Sprintf("%d", t.bad)
		word := upper(t.worst.String())
		if t.absent {
			style, count, word = dimStyle, "—", "no source"
		} else if t.bad == 0 {
			style, word = statusText[0], "OK"
		}
		name := t.label
		if i == k.focus {
			name = "▸ " + name
		}
		top = append(top, cell(" "+name, w, false))
		mid = append(mid, style.Render(cell(fmt.Sprintf(" %s  %s", count, word), w-1, false))+" ")
		bot = append(bot, dimStyle.Render(cell(fmt.Sprintf(" of %d", t.total), w, false)))
	}
	return strings.Join([]string{cut(strings.Join(top, ""), k.width), cut(strings.Join(mid, ""), k.width), cut(strings.Join(bot, ""), k.width)}, "\n")
}
