package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"

	"opsdeck/config"
)

// No line's styles may run on into the next: a header whose background is left open colours
// the tile strip under it, and a renderer that draws only the lines that changed (the
// renderer-patch branch, #14) would draw them differently from the whole frame. Every screen the
// golden tests show is drawn both ways here — whole, and line by line — and compared cell by cell.
func TestEveryLineCarriesItsOwnStyles(t *testing.T) {
	same := func(name string, m *Model) {
		t.Helper()
		f, w, h := m.Render(), m.width, m.height
		whole := uv.NewScreenBuffer(w, h)
		uv.NewStyledString(f).Draw(whole, whole.Bounds())
		byLine := uv.NewScreenBuffer(w, h)
		for y, l := range strings.Split(f, "\n") {
			if y < h {
				uv.NewStyledString(l).Draw(byLine, uv.Rect(0, y, w, 1))
			}
		}
		for y := range h {
			for x := range w {
				if a, b := whole.CellAt(x, y), byLine.CellAt(x, y); !a.Equal(b) {
					t.Errorf("%s: line %d, column %d differs drawn alone (%+v) from drawn in the frame (%+v):\n%q",
						name, y, x, *b, *a, strings.Split(f, "\n")[y])
					return
				}
			}
		}
	}
	sess, _, _ := testSession(t, config.Changes{})
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		w, h := size[0], size[1]
		for i, name := range paneNames {
			m := newModel(t, Options{Session: sess}, w, h)
			press(m, string(rune('1'+i)))
			same(fmt.Sprintf("%s %dx%d", name, w, h), m)
			press(m, "/")
			typeText(m, "node")
			same(fmt.Sprintf("%s %dx%d filtering", name, w, h), m)
		}
		m := newModel(t, Options{Session: sess}, w, h)
		press(m, "2")
		m.Update(press(m, "enter")())
		same(fmt.Sprintf("details %dx%d", w, h), m)
		m.Update(press(m, "a")())
		same(fmt.Sprintf("actions %dx%d", w, h), m)
		press(m, "1")
		same(fmt.Sprintf("confirm %dx%d", w, h), m)
		press(m, "esc", "esc", "esc", ":")
		typeText(m, "node3")
		same(fmt.Sprintf("palette %dx%d", w, h), m)
		press(m, "esc", "?")
		same(fmt.Sprintf("help %dx%d", w, h), m)
	}
	same("watch 160x40", newModel(t, Options{ReadOnly: true, Watch: true, Cycle: 15 * time.Second}, 160, 40))
}
