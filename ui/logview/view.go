package logview

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/site/tail"
)

// Styles are built once; rows only concatenate their renderings.
var (
	levelTag = map[tail.Level]string{
		tail.Unknown: "    ",
		tail.Debug:   lipgloss.NewStyle().Foreground(lipgloss.Color("8")).Render("DBG "),
		tail.Info:    lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Render("INF "),
		tail.Warn:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11")).Render("WRN "),
		tail.Error:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9")).Render("ERR "),
		tail.Fatal:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")).Render("FTL "),
	}
	headerStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("4"))
	gapStyle    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))
	dimStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	noteStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("14"))
	warnStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11"))
	errStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	srcStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("12"))
)

// sgr is a style's opening and closing escape sequences, taken once from lipgloss so a row
// is built by concatenation (Render per row cost more than the rest of the frame).
type sgr struct{ on, off string }

func sgrOf(st lipgloss.Style) sgr {
	r := st.Render("\uE000")
	i := strings.Index(r, "\uE000")
	if i < 0 {
		return sgr{}
	}
	return sgr{r[:i], r[i+len("\uE000"):]}
}

func (s sgr) wrap(text string) string { return s.on + text + s.off }

var dim, note, src = sgrOf(dimStyle), sgrOf(noteStyle), sgrOf(srcStyle)

// Highlight marks matches with reverse video (raw SGR: cheaper than a style per match).
const hlOn, hlOff = "\x1b[7m", "\x1b[27m"

func (m *Model) footerShown() bool { return m.editing || m.status != "" }

func (m *Model) bodyHeight() int {
	h := m.height - 1
	if m.footerShown() {
		h--
	}
	return max(h, 0)
}

// View draws exactly the pane's height in lines, none wider than its width.
func (m *Model) View(now time.Time) string {
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header(now))
	lines = append(lines, m.body()...)
	if m.footerShown() {
		lines = append(lines, m.footer())
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.height], "\n")
}

func (m *Model) header(now time.Time) string {
	var b strings.Builder
	b.WriteString(headerStyle.Render(" logs "))
	var names []string
	var lost []string
	if m.hub != nil {
		srcs := m.hub.Sources()
		for i, s := range srcs {
			if i >= len(m.shown) || !m.shown[i] {
				continue
			}
			names = append(names, s.Base())
			if st := m.hub.State(i); !st.Up && !st.Since.IsZero() {
				lost = append(lost, s.Base()+" down "+age(now.Sub(st.Since)))
			}
		}
	}
	switch {
	case len(names) == 0:
		b.WriteString(" no log sources")
	case len(names) <= 3:
		b.WriteString(" " + strings.Join(names, ", "))
	default:
		b.WriteString(" " + strings.Join(names[:3], ", ") + " +" + strconv.Itoa(len(names)-3))
	}
	b.WriteString(dimStyle.Render(" · " + thousands(len(m.live())) + " shown"))
	mode := "FOLLOW"
	switch {
	case m.paused:
		mode = "PAUSED"
	case !m.follow:
		mode = "line " + thousands(m.pos+1) + "/" + thousands(len(m.live()))
	}
	b.WriteString(" · " + mode)
	if m.filterText != "" {
		b.WriteString(" · /" + m.filterText + "/")
	}
	if m.filter.minLevel > tail.Unknown {
		b.WriteString(" · ≥" + m.filter.minLevel.String())
	}
	if m.wrap {
		b.WriteString(" · wrap")
	}
	if len(lost) > 0 {
		b.WriteString(" · " + warnStyle.Render("⚠ "+strings.Join(lost, ", ")))
	}
	return ansi.Truncate(b.String(), m.width, "…")
}

func (m *Model) footer() string {
	if m.editing {
		s := "/" + string(m.input) + "▏"
		if m.inputErr != "" {
			s += "  " + errStyle.Render(m.inputErr)
		} else {
			s += dimStyle.Render("  enter apply · esc cancel · !re inverts")
		}
		return ansi.Truncate(s, m.width, "…")
	}
	return ansi.Truncate(dimStyle.Render(m.status), m.width, "…")
}

// body renders the entries around pos: the bottom row is pos's entry (or the screen is filled
// from the top when there are not enough entries above it). It looks up at most 2×height
// entries, whatever the buffer holds.
func (m *Model) body() []string {
	h := m.bodyHeight()
	live := m.live()
	if h == 0 {
		return nil
	}
	if len(live) == 0 {
		return []string{dimStyle.Render(ansi.Truncate("  no lines yet", m.width, ""))}
	}
	pos := min(max(m.pos, 0), len(live)-1)
	lo := max(0, pos-h+1)
	hi := min(len(live), pos+1+h)
	refs := make([]tail.Ref, hi-lo)
	for i := range refs {
		it := live[lo+i]
		refs[i] = tail.Ref{Src: int(it.src), Seq: it.seq}
	}
	entries := make([]tail.Entry, len(refs))
	held := make([]bool, len(refs))
	m.hub.Lookup(refs, func(i int, e *tail.Entry) { entries[i], held[i] = *e, true })
	names, width := m.tags()
	// Upwards from pos until the screen is full.
	var up [][]string
	n := 0
	for i := pos - lo; i >= 0 && n < h; i-- {
		if !held[i] {
			continue
		}
		r := m.rows(&entries[i], names, width)
		up = append(up, r)
		n += len(r)
	}
	out := make([]string, 0, n+h)
	for i := len(up) - 1; i >= 0; i-- {
		out = append(out, up[i]...)
	}
	if len(out) > h {
		return out[len(out)-h:]
	}
	// Not enough above: continue below pos.
	for i := pos - lo + 1; i < len(refs) && len(out) < h; i++ {
		if held[i] {
			out = append(out, m.rows(&entries[i], names, width)...)
		}
	}
	return out[:min(len(out), h)]
}

// tags are the source labels, shown when more than one source is in the pane.
func (m *Model) tags() ([]string, int) {
	if m.hub == nil {
		return nil, 0
	}
	srcs := m.hub.Sources()
	shown := 0
	width := 0
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Base()
		if i < len(m.shown) && m.shown[i] {
			shown++
			width = max(width, ansi.StringWidth(names[i]))
		}
	}
	if shown < 2 {
		return nil, 0
	}
	return names, min(width, 16)
}

// rows renders one entry: its line, its note, its folded lines (or their count).
func (m *Model) rows(e *tail.Entry, names []string, tagWidth int) []string {
	var b strings.Builder
	if names != nil && e.Source < len(names) {
		tag := ansi.Truncate(names[e.Source], tagWidth, "…")
		b.WriteString(src.wrap(tag) + strings.Repeat(" ", tagWidth-ansi.StringWidth(tag)+1))
	}
	indent := 0
	if names != nil {
		indent = tagWidth + 1
	}
	if m.stamps {
		var buf [16]byte
		b.WriteString(dim.on)
		b.Write(e.Time.Local().AppendFormat(buf[:0], "15:04:05.000"))
		b.WriteString(dim.off + " ")
		indent += 13
	}
	switch e.Kind {
	case tail.Gap:
		b.WriteString(gapStyle.Render(" " + e.Text + " "))
		if e.Note != "" {
			b.WriteString(dimStyle.Render(" (" + e.Note + ")"))
		}
	case tail.Note:
		b.WriteString(dimStyle.Render("── " + e.Text))
	default:
		b.WriteString(levelTag[e.Level])
		b.WriteString(m.highlight(e.Text))
		if e.Note != "" {
			b.WriteString(note.wrap("  ⟵ " + e.Note))
		}
		if folded := len(e.More) + e.Dropped; folded > 0 && !m.expand {
			b.WriteString(dim.wrap("  [+" + strconv.Itoa(folded) + " lines, e expands]"))
		}
	}
	out := m.fit(b.String(), nil)
	if m.expand && e.Kind == tail.Line {
		pad := strings.Repeat(" ", indent+4)
		for _, l := range e.More {
			out = m.fit(pad+m.highlight(l), out)
		}
		if e.Dropped > 0 {
			out = m.fit(pad+dimStyle.Render("… "+strconv.Itoa(e.Dropped)+" more lines not kept"), out)
		}
	}
	return out
}

// fit cuts a row to the width, or wraps it, appending to out.
func (m *Model) fit(row string, out []string) []string {
	if !m.wrap {
		return append(out, ansi.Truncate(row, m.width, "…"))
	}
	if ansi.StringWidth(row) <= m.width {
		return append(out, row)
	}
	return append(out, strings.Split(ansi.Hardwrap(row, m.width, true), "\n")...)
}

func (m *Model) highlight(s string) string {
	if m.filter.re == nil || m.filter.invert {
		return s
	}
	locs := m.filter.re.FindAllStringIndex(s, 16)
	if len(locs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if l[1] == l[0] {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(hlOn + s[l[0]:l[1]] + hlOff)
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0).Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	}
	return strconv.Itoa(int(d.Hours())) + "h"
}

func itoa(n int) string { return strconv.Itoa(n) }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
