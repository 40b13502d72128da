package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// placeholderPane stands where a pane has no data source: it says which site-file key to set.
type placeholderPane struct {
	title, text string
	w, h        int
}

func (p *placeholderPane) Title() string                  { return p.title }
func (p *placeholderPane) SetSize(w, h int)               { p.w, p.h = w, h }
func (p *placeholderPane) Update(tea.Msg) (Pane, tea.Cmd) { return p, nil }
func (p *placeholderPane) Keys() []key.Binding            { return nil }
func (p *placeholderPane) SetFilter(*rowFilter) tea.Cmd   { return nil }
func (p *placeholderPane) Move(int)                       {}
func (p *placeholderPane) Selected() (checks.Ref, *checks.Finding, bool) {
	return checks.Ref{}, nil, false
}
func (p *placeholderPane) Tile() tile {
	return tile{label: p.title, absent: true, note: "not configured"}
}

func (p *placeholderPane) View(time.Time) string {
	lines := []string{"", dimStyle.Render(cut("  "+p.text, p.w))}
	for len(lines) < p.h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:max(p.h, 0)], "\n")
}
