package logview

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/site/tail"
)

// Keys are the pane's bindings; none collides with the cockpit's globals (q, ctrl+c, tab,
// shift+tab, 1–8, :, ?, enter, esc, a, r, z).
var Keys = struct {
	Filter, Follow, Pause, NextErr, PrevErr, Wrap, Stamps, Save, Expand, Level, Up, Down, PgUp, PgDown, Top, Bottom key.Binding
}{
	Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (regex, !re inverts)")),
	Follow:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow")),
	Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
	NextErr: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next error")),
	PrevErr: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous error")),
	Wrap:    key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap")),
	Stamps:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timestamps")),
	Save:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save shown lines")),
	Expand:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "expand stack traces")),
	Level:   key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "level ≥ all/warn/error")),
	Up:      key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
	Down:    key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
	PgUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
	PgDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
	Top:     key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "oldest")),
	Bottom:  key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "newest (follow)")),
}

// KeyMap lists the pane's bindings for help and the footer.
func (m *Model) KeyMap() []key.Binding {
	k := Keys
	return []key.Binding{k.Filter, k.Level, k.Follow, k.Pause, k.NextErr, k.PrevErr, k.Wrap, k.Stamps, k.Expand, k.Save,
		k.Up, k.Down, k.PgUp, k.PgDown, k.Top, k.Bottom}
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	page := max(m.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, Keys.Filter):
		m.editing, m.input, m.inputErr = true, []rune(m.filterText), ""
	case key.Matches(msg, Keys.Follow), key.Matches(msg, Keys.Bottom):
		m.follow, m.paused = true, false
		m.pos = len(m.live()) - 1
		return m.refresh()
	case key.Matches(msg, Keys.Pause):
		m.paused = !m.paused
		if !m.paused {
			return m.refresh()
		}
	case key.Matches(msg, Keys.NextErr):
		m.jumpError(1)
	case key.Matches(msg, Keys.PrevErr):
		m.jumpError(-1)
	case key.Matches(msg, Keys.Wrap):
		m.wrap = !m.wrap
	case key.Matches(msg, Keys.Stamps):
		m.stamps = !m.stamps
	case key.Matches(msg, Keys.Expand):
		m.expand = !m.expand
	case key.Matches(msg, Keys.Save):
		return m.save()
	case key.Matches(msg, Keys.Level):
		switch m.filter.minLevel {
		case tail.Unknown:
			m.filter.minLevel = tail.Warn
		case tail.Warn:
			m.filter.minLevel = tail.Error
		default:
			m.filter.minLevel = tail.Unknown
		}
		return m.rebuild()
	case key.Matches(msg, Keys.Up):
		m.scroll(-1)
	case key.Matches(msg, Keys.Down):
		m.scroll(1)
	case key.Matches(msg, Keys.PgUp):
		m.scroll(-page)
	case key.Matches(msg, Keys.PgDown):
		m.scroll(page)
	case key.Matches(msg, Keys.Top):
		m.follow = false
		m.pos = min(m.bodyHeight()-1, len(m.live())-1)
	}
	return nil
}

func (m *Model) scroll(by int) {
	n := len(m.live())
	if n == 0 {
		return
	}
	m.pos = min(max(m.pos+by, 0), n-1)
	m.follow = m.pos == n-1 && by > 0
}

// jumpError moves the bottom row to the next (dir 1) or previous (-1) error or worse.
func (m *Model) jumpError(dir int) {
	live := m.live()
	for i := m.pos + dir; i >= 0 && i < len(live); i += dir {
		if live[i].level >= tail.Error || live[i].kind == tail.Gap {
			m.pos, m.follow = i, false
			m.status = ""
			return
		}
	}
	m.status = "no more errors that way"
}

// editKey edits the filter: enter applies it, esc leaves it as it was.
func (m *Model) editKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		text := string(m.input)
		f := m.filter
		f.re, f.invert = nil, false
		pat := text
		if strings.HasPrefix(pat, "!") {
			f.invert, pat = true, pat[1:]
		}
		if pat != "" {
			re, err := compile(pat)
			if err != nil {
				m.inputErr = strings.TrimPrefix(err.Error(), "error parsing regexp: ")
				return nil
			}
			f.re = re
		} else {
			f.invert = false
		}
		m.filter, m.filterText, m.editing = f, text, false
		return m.rebuild()
	case "esc":
		m.editing, m.inputErr = false, ""
	case "backspace":
		if len(m.input) > 0 {
			m.input = m.input[:len(m.input)-1]
		}
		m.inputErr = ""
	case "ctrl+u":
		m.input, m.inputErr = nil, ""
	default:
		if msg.Text != "" {
			m.input = append(m.input, []rune(tail.Clean(msg.Text))...)
			m.inputErr = ""
		}
	}
	return nil
}
