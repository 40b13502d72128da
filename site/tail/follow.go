package tail

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// stream is one way of reading a source. run reads until the stream breaks or ctx ends; it calls
// l.up once the stream is established and l.write with what it reads. resume is true after a
// loss: the stream should not replay its backlog (the gap entry says what is missing), or, where
// it can, pick up from when it was lost.
type stream interface {
	run(ctx context.Context, l *link, resume bool, lostAt time.Time) error
}

// link carries a stream's bytes into the hub, split into lines.
type link struct {
	h       *Hub
	src     int
	wasUp   atomic.Bool
	partial []byte
	batch   []string
}

// maxLine bounds one line; longer ones are cut (a binary file must not eat the memory).
const maxLine = 64 << 10

func (l *link) up() {
	if l.wasUp.CompareAndSwap(false, true) {
		l.h.up(l.src)
	}
}

// upAfter marks the stream up once it has run for d without failing: a remote tail of a quiet
// file prints nothing, and must not look down for it. It returns a stop function.
func (l *link) upAfter(d time.Duration) func() {
	t := time.AfterFunc(d, l.up)
	return func() { t.Stop() }
}

// Write splits p into lines and hands complete ones to the hub in one batch.
func (l *link) Write(p []byte) (int, error) {
	l.up()
	n := len(p)
	l.batch = l.batch[:0]
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if room := maxLine - len(l.partial); room > 0 {
				l.partial = append(l.partial, p[:min(len(p), room)]...)
			}
			break
		}
		line := p[:i]
		if len(l.partial) > 0 {
			line = append(l.partial, line[:min(len(line), max(maxLine-len(l.partial), 0))]...)
			l.partial = l.partial[:0]
		} else if len(line) > maxLine {
			line = line[:maxLine]
		}
		l.batch = append(l.batch, string(line))
		p = p[i+1:]
	}
	l.h.Ingest(l.src, l.batch, l.h.now())
	return n, nil
}

// flush hands over a last line that had no newline when the stream ended.
func (l *link) flush() {
	if len(l.partial) > 0 {
		l.h.Ingest(l.src, []string{string(l.partial)}, l.h.now())
		l.partial = l.partial[:0]
	}
}

// lines hands already split lines to the hub.
func (l *link) lines(ls []string) {
	l.up()
	l.h.Ingest(l.src, ls, l.h.now())
}

// errEnded is a stream that finished without an error (the remote tail exited).
var errEnded = errors.New("the stream ended")

// finished is returned by a stream that is complete and must not be restarted (a previous
// container's log).
var finished = errors.New("finished")

// Backoff bounds the pause between reconnection attempts.
var (
	BackoffMin = time.Second
	BackoffMax = 30 * time.Second
)

// follow keeps src's stream going: a stream that breaks is retried with backoff, and the gap is
// recorded when it comes back.
func (h *Hub) follow(ctx context.Context, src int, st stream) {
	defer h.wg.Done()
	wait := BackoffMin
	resume := false
	var lostAt time.Time
	for {
		l := &link{h: h, src: src}
		err := st.run(ctx, l, resume, lostAt)
		if ctx.Err() != nil {
			return // (a stream cut by ctx may still be writing: no flush)
		}
		l.flush()
		if errors.Is(err, finished) {
			h.note(src, Note, "end of log", "")
			return
		}
		if err == nil {
			err = errEnded
		}
		if l.wasUp.Load() || !resume {
			wait = BackoffMin
			lostAt = h.now()
		}
		h.down(src, err)
		resume = true
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return
		}
		wait = min(2*wait, BackoffMax)
	}
}
