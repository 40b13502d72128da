package tail

import "time"

// rate counts entries by level per minute over the last rateMinutes minutes.
type rate struct {
	minute [rateMinutes]int64 // the unix minute each bucket holds
	counts [rateMinutes][Fatal + 1]int
}

const rateMinutes = 16

func (r *rate) add(t time.Time, l Level) {
	m := t.Unix() / 60
	i := m % rateMinutes
	if r.minute[i] != m {
		r.minute[i], r.counts[i] = m, [Fatal + 1]int{}
	}
	r.counts[i][l]++
}

func (r *rate) since(now time.Time, window time.Duration) (out [Fatal + 1]int) {
	hi := now.Unix() / 60
	lo := now.Add(-window).Unix() / 60
	for i := range rateMinutes {
		if m := r.minute[i]; m > lo && m <= hi {
			for l, n := range r.counts[i] {
				out[l] += n
			}
		}
	}
	return out
}

// Counts returns src's entries by level read in the last window (minute resolution, at most
// 15 minutes back).
func (h *Hub) Counts(src int, window time.Duration) [Fatal + 1]int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.sources[src].rate.since(h.now(), window)
}
