// Package ui is the Bubble Tea v2 program: one root model, panes as components with SetSize and
// plain methods, and the plain-text renderings (check tables) that share its styles.
package ui

import (
	"os"
	"strings"

	"charm.land/lipgloss/v2"

	"opsdeck/checks"
)

// Styles are built once (at start, for the chosen theme); nothing builds a style inside a View
// loop.
var (
	statusStyle    map[checks.Status]lipgloss.Style // a status as a badge
	statusText     map[checks.Status]lipgloss.Style // text in a status's colour
	headerStyle    lipgloss.Style
	sectionStyle   lipgloss.Style
	dimStyle       lipgloss.Style
	staleStyle     lipgloss.Style
	roStyle        lipgloss.Style
	rwStyle        lipgloss.Style
	cursorStyle    lipgloss.Style
	labelStyle     lipgloss.Style
	colHeaderStyle lipgloss.Style
	selectedStyle  lipgloss.Style
	tileStyle      lipgloss.Style
	tileFocus      lipgloss.Style
	dialogStyle    lipgloss.Style
	matchStyle     lipgloss.Style
)

// symbols differ when the terminal cannot show UTF-8.
type symbols struct {
	cursor, bar, ellipsis, sep, dot string
	running, ok, failed             string
}

var sym symbols

// Theme names the colour sets.
const (
	ThemeDark  = "dark"
	ThemeLight = "light"
)

func init() { setTheme(ThemeDark, noColorEnv(), utf8Locale()) }

func noColorEnv() bool { return os.Getenv("NO_COLOR") != "" }

// utf8Locale says whether the locale promises UTF-8 (LC_ALL, then LC_CTYPE, then LANG).
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return true // no locale set at all: modern terminals are UTF-8
}

// setTheme builds every style once. noColor keeps bold and reverse only (NO_COLOR).
func setTheme(theme string, noColor, utf8 bool) {
	c := func(dark, light string) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		if theme == ThemeLight {
			return lipgloss.NewStyle().Foreground(lipgloss.Color(light))
		}
		return lipgloss.NewStyle().Foreground(lipgloss.Color(dark))
	}
	badge := func(fg, bg string) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle().Bold(true).Reverse(true)
		}
		return lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color(fg)).Background(lipgloss.Color(bg))
	}
	statusStyle = map[checks.Status]lipgloss.Style{
		checks.Crit:    badge("15", "1"),
		checks.Unknown: badge("0", "13"),
		checks.Warn:    badge("0", "11"),
		checks.OK:      c("2", "22"),
	}
	statusText = map[checks.Status]lipgloss.Style{
		checks.Crit:    c("9", "160").Bold(true),
		checks.Unknown: c("13", "127").Bold(true),
		checks.Warn:    c("11", "130").Bold(true),
		checks.OK:      c("2", "28"),
	}
	headerStyle = badge("15", "4")
	sectionStyle = lipgloss.NewStyle().Bold(true).Underline(true)
	dimStyle = c("8", "244")
	staleStyle = c("11", "130")
	roStyle = badge("0", "14")
	rwStyle = badge("15", "88")
	cursorStyle = c("14", "25").Bold(true)
	labelStyle = lipgloss.NewStyle().Bold(true)
	colHeaderStyle = c("12", "25").Bold(true)
	selectedStyle = lipgloss.NewStyle().Reverse(noColor)
	if !noColor {
		bg := "236"
		if theme == ThemeLight {
			bg = "254"
		}
		selectedStyle = lipgloss.NewStyle().Background(lipgloss.Color(bg))
	}
	tileStyle = lipgloss.NewStyle()
	tileFocus = lipgloss.NewStyle().Bold(true).Underline(true)
	dialogStyle = c("15", "0")
	matchStyle = c("0", "0").Background(lipgloss.Color("11"))
	if noColor {
		matchStyle = lipgloss.NewStyle().Reverse(true)
	}
	sym = symbols{cursor: "›", bar: "│", ellipsis: "…", sep: "·", dot: "●", running: "▶", ok: "✓", failed: "✗"}
	if !utf8 {
		sym = symbols{cursor: ">", bar: "|", ellipsis: "...", sep: "-", dot: "*", running: ">", ok: "+", failed: "x"}
	}
}

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
