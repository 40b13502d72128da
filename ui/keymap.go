package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the cockpit binds, in one place: the footer and `?` are generated from
// it, and a pane's keys (PaneKeys) never reuse a global one.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	NextPane, PrevPane                      key.Binding
	Panes                                   [8]key.Binding
	Enter, Back                             key.Binding
	Palette, Filter, Help                   key.Binding
	Actions, Rerun, Zoom, Pause, Quit       key.Binding
	Logs                                    key.Binding
}

// PaneKeys are the keys of the table panes (Nodes, Pods, Hosts, ADNS, NTP, Certs).
type PaneKeys struct {
	Sort, Reverse key.Binding
}

func newKeyMap(readOnly, watch bool) KeyMap {
	k := KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		NextPane: key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("tab/→", "next pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("⇧tab/←", "previous pane")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Palette:  key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "go to / run")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (regex, ! inverts)")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Actions:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "actions")),
		Rerun:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check now")),
		Zoom:     key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom")),
		Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause cycling")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Logs:     key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "logs of the selection (l in details)")),
	}
	for i, name := range paneNames {
		n := string(rune('1' + i))
		k.Panes[i] = key.NewBinding(key.WithKeys(n), key.WithHelp(n, name))
	}
	if readOnly {
		// Read-only by construction: no executor exists, and no key offers an action.
		k.Actions.SetEnabled(false)
	}
	if !watch {
		k.Pause.SetEnabled(false)
	}
	return k
}

func newPaneKeys() PaneKeys {
	return PaneKeys{
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by next column")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
	}
}

// global lists the bindings for help, in the order shown.
func (k KeyMap) global() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.NextPane, k.PrevPane,
		k.Enter, k.Back, k.Actions, k.Rerun, k.Logs, k.Palette, k.Filter, k.Zoom, k.Pause, k.Help, k.Quit}
}

// short is the footer's selection.
func (k KeyMap) short() []key.Binding {
	return []key.Binding{k.NextPane, k.Enter, k.Actions, k.Filter, k.Palette, k.Zoom, k.Pause, k.Help, k.Quit}
}
