package ui

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// lineInput is a one-line text field (filter, palette, confirmation). No blinking cursor: it
// draws nothing on its own and needs no ticks.
type lineInput struct {
	prompt string
	value  string
}

// update edits the value with a key; it reports whether the key was an edit.
func (in *lineInput) update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if in.value != "" {
			_, n := utf8.DecodeLastRuneInString(in.value)
			in.value = in.value[:len(in.value)-n]
		}
		return true
	case "ctrl+u":
		in.value = ""
		return true
	case "ctrl+w":
		v := strings.TrimRight(in.value, " ")
		in.value = v[:strings.LastIndex(v, " ")+1]
		return true
	}
	if t := msg.Text; t != "" {
		in.value += t
		return true
	}
	return false
}

func (in *lineInput) view(width int) string {
	return cut(in.prompt+in.value+cursorStyle.Render("█"), width)
}
