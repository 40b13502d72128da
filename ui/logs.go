package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
	"opsdeck/site/tail"
	"opsdeck/ui/logview"
)

// logPane puts the log view (ui/logview) behind the Pane interface. Its own keys (/, f, p, n,
// …) win while it is focused; its stream messages reach it through the root's default route.
type logPane struct {
	v   *logview.Model
	hub *tail.Hub
}

// NewLogPane is the Logs pane over a hub of streams.
func NewLogPane(hub *tail.Hub) Pane {
	return &logPane{v: logview.New(logview.Options{Hub: hub}), hub: hub}
}

func (p *logPane) Title() string                                 { return "Logs" }
func (p *logPane) SetSize(w, h int)                              { p.v.SetSize(w, h) }
func (p *logPane) View(now time.Time) string                     { return p.v.View(now) }
func (p *logPane) Keys() []key.Binding                           { return p.v.KeyMap() }
func (p *logPane) Selected() (checks.Ref, *checks.Finding, bool) { return checks.Ref{}, nil, false }
func (p *logPane) SetFilter(*rowFilter) tea.Cmd                  { return nil }
func (p *logPane) Capturing() bool                               { return p.v.Capturing() }
func (p *logPane) ShowTarget(target string) bool                 { return p.v.ShowTarget(target) }
func (p *logPane) Init() tea.Cmd                                 { return p.v.Init() }

func (p *logPane) Move(n int) {
	k := tea.KeyPressMsg{Code: tea.KeyDown}
	if n < 0 {
		k, n = tea.KeyPressMsg{Code: tea.KeyUp}, -n
	}
	for range min(n, 10_000) {
		p.v.Update(k)
	}
}

func (p *logPane) Update(msg tea.Msg) (Pane, tea.Cmd) {
	v, cmd := p.v.Update(msg)
	p.v = v
	return p, cmd
}

// Tile counts the sources that are down and the error lines of the last 5 minutes.
func (p *logPane) Tile() tile {
	t := tile{label: "Logs"}
	if p.hub == nil {
		return t
	}
	for i := range p.hub.Sources() {
		t.total++
		st := p.hub.State(i)
		c := p.hub.Counts(i, 5*time.Minute)
		switch {
		case !st.Up && st.Err != "":
			t.bad++
			t.worst = max(t.worst, checks.Unknown)
		case c[tail.Error]+c[tail.Fatal] > 0:
			t.bad++
			t.worst = max(t.worst, checks.Warn)
		}
	}
	return t
}
