package ui

import "strings"

// lineMemo keeps the last line drawn and what it was drawn from. The header, strip, title and
// footer are drawn for every message the cockpit handles (about 30 a second at 5,000 nodes) but
// change about once a second, and styling them was half of a frame's cost.
type lineMemo[K comparable] struct {
	key  K
	line string
	set  bool
}

// get is the line drawn from key, drawn again only when key differs from the last one.
func (c *lineMemo[K]) get(key K, draw func(K) string) string {
	if !c.set || c.key != key {
		c.key, c.line, c.set = key, draw(key), true
	}
	return c.line
}

// lineMemos are the model's, one per line of chrome.
type lineMemos struct {
	header lineMemo[headerKey]
	strip  lineMemo[stripKey]
	title  lineMemo[titleKey]
	footer lineMemo[footerKey]
	left   columnMemo
}

// headerKey is everything the header line shows that can change (the site and its clusters
// cannot).
type headerKey struct {
	width                        int
	readOnly                     bool
	window, age, clock           string
	sshUp, sshAll, apiUp, apiAll int
}

// stripKey is every tile and how they are laid out.
type stripKey struct {
	tiles        [len(paneNames)]tile
	width, focus int
	watch        bool
}

type titleKey struct {
	title, dialog, filter string
	filtering, split      bool
	alertsWidth, width    int
}

// footerKey is the footer's text before it is cut and styled.
type footerKey struct {
	text  string
	style footerStyle
	width int
}

type footerStyle int

const (
	footerPlain footerStyle = iota
	footerWarn
	footerDim
)

// columnMemo keeps the left column of a split screen (Alerts) cut and padded to its width:
// it changes far less often than the pane beside it.
type columnMemo struct {
	text  string
	w, h  int
	lines []string
}

// join puts two blocks of h lines side by side, the left one w cells wide.
func (c *columnMemo) join(left, right string, w, h int) string {
	if h <= 0 {
		return ""
	}
	if c.lines == nil || left != c.text || w != c.w || h != c.h {
		ls := strings.Split(left, "\n")
		c.text, c.w, c.h, c.lines = left, w, h, make([]string, h)
		bar := dimStyle.Render(sym.bar) // once: a style's Render is most of a frame's cost, line by line
		for i := range c.lines {
			l := ""
			if i < len(ls) {
				l = ls[i]
			}
			c.lines[i] = padRight(cut(l, w), w) + bar
		}
	}
	rs := strings.Split(right, "\n")
	var b strings.Builder
	b.Grow(len(right) + h*(len(c.lines[0])+1))
	for i, l := range c.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		if i < len(rs) {
			b.WriteString(rs[i])
		}
	}
	return b.String()
}
