// Package termsafe makes text from the site (pod reasons, command output, file names, log lines)
// safe to put on a terminal: no byte of it can start an escape sequence. Control characters
// (C0, DEL, C1), invalid UTF-8 and bidi overrides are made visible instead of being dropped, so
// an operator sees that something odd was there. Line is for one-line fields (summaries,
// names, table cells); Text keeps newlines and tabs for details, evidence and excerpts.
//
// It is a leaf package on purpose: checks, actions, cmd and ui all use the same rules.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s on one line: newlines become " ⏎ ", tabs a space, every other control visible.
func Line(s string) string {
	if plain(s, false) {
		return s
	}
	return clean(s, false)
}

// Text returns s with its newlines and tabs kept (a lone CR is shown, CRLF becomes LF) and every
// other control made visible.
func Text(s string) string {
	if plain(s, true) {
		return s
	}
	return clean(s, true)
}

// Lines applies Line to every element (a new slice; nil stays nil).
func Lines(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Line(s)
	}
	return out
}

// plain is the fast path: printable ASCII (plus \n and \t when multi-line is allowed).
func plain(s string, multi bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || multi && (c == '\n' || c == '\t') {
			continue
		}
		return false
	}
	return true
}

func clean(s string, multi bool) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, "\\x%02x", s[i]) // a raw 0x9b is CSI to an 8-bit terminal
			i++
			continue
		}
		i += size
		switch {
		case r == '\n' && multi, r == '\t' && multi:
			b.WriteRune(r)
		case r == '\r' && multi && i < len(s) && s[i] == '\n':
			// CRLF: the LF that follows is written next
		case r == '\n':
			b.WriteString(" ⏎ ")
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // Control Pictures: ␛ for ESC, ␍ for CR …
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r <= 0x9f, bidi(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bidi reports the explicit direction overrides and isolates, which reorder what is shown.
func bidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}
