package tail

import (
	"errors"
	"time"
)

// RecordGapForTest makes src look as if its stream was lost at lost and came back at back (zero:
// still down), for the tests of packages that show or judge streams.
func RecordGapForTest(h *Hub, src int, lost, back time.Time, why string) {
	old := h.now
	h.now = func() time.Time { return lost }
	h.down(src, errors.New(why))
	if !back.IsZero() {
		h.now = func() time.Time { return back }
		h.up(src)
	}
	h.now = old
}

// MarkUpForTest marks src's stream up, as a stream that connected would.
func MarkUpForTest(h *Hub, src int) { h.up(src) }
