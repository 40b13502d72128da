// Package ui is the Bubble Tea v2 program: one root model, panes as components with SetSize and
// plain methods, and the plain-text renderings (check tables) that share its styles.
package ui

import (
	"charm.land/lipgloss/v2"

	"opsdeck/checks"
)

// Styles are built once; nothing builds a style inside a View loop.
var (
	statusStyle = map[checks.Status]lipgloss.Style{
		checks.Crit:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
		checks.Unknown: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("13")),
		checks.Warn:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11")),
		checks.OK:      lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
	}
	statusText = map[checks.Status]lipgloss.Style{
		checks.Crit:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		checks.Unknown: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("13")),
		checks.Warn:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11")),
		checks.OK:      lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
	}
	headerStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("4"))
	sectionStyle = lipgloss.NewStyle().Bold(true).Underline(true)
	dimStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	staleStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	roStyle      = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("14"))
	cursorStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14"))
	labelStyle   = lipgloss.NewStyle().Bold(true)
)

// worstFirst is the order statuses are shown in.
var worstFirst = []checks.Status{checks.Crit, checks.Unknown, checks.Warn, checks.OK}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
