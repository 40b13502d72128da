package tail

import (
	"errors"
	"time"
)

// RecordGapForTest makes src look as if its stream was lost at lost and came back at back (for
// views' tests elsewhere).
func RecordGapForTest(h *Hub, src int, lost, back time.Time, why string) {
	old := h.now
	h.now = func() time.Time { return lost }
	h.down(src, errors.New(why))
	h.now = func() time.Time { return back }
	h.up(src)
	h.now = old
}
