package tail

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	nxtail "github.com/nxadm/tail"
)

// localFile follows a file on this machine: starts with its last n lines, reopens it when it is
// rotated (renamed or deleted and created again) and starts over when it is truncated.
type localFile struct {
	path string
	n    int
	poll bool // stat polling instead of inotify (network filesystems)
}

func (f localFile) run(ctx context.Context, l *link, resume bool, _ time.Time) error {
	loc := &nxtail.SeekInfo{Whence: io.SeekEnd}
	if !resume {
		off, err := LastLinesOffset(f.path, f.n)
		if err == nil {
			loc = &nxtail.SeekInfo{Offset: off, Whence: io.SeekStart}
		}
	}
	t, err := nxtail.TailFile(f.path, nxtail.Config{
		Location: loc, ReOpen: true, Follow: true, MustExist: false, Poll: f.poll,
		Logger: nxtail.DiscardingLogger, CompleteLines: true,
	})
	if err != nil {
		return err
	}
	defer t.Cleanup()
	defer t.Stop()
	if _, err := os.Stat(f.path); err == nil {
		l.up()
	}
	batch := make([]string, 0, 1024)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok := <-t.Lines:
			if !ok {
				if err := t.Err(); err != nil {
					return err
				}
				return errEnded
			}
			if line.Err != nil {
				return line.Err
			}
			// Take whatever else is already waiting: one hub append per batch, not per line.
			batch = append(batch[:0], line.Text)
		drain:
			for len(batch) < cap(batch) {
				select {
				case more, ok := <-t.Lines:
					if !ok || more.Err != nil {
						break drain
					}
					batch = append(batch, more.Text)
				default:
					break drain
				}
			}
			l.lines(batch)
		}
	}
}

// LastLinesOffset finds where the last n lines of path start, reading backwards in blocks (as
// tail -n does).
func LastLinesOffset(path string, n int) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	if n <= 0 {
		return size, nil
	}
	const block = 64 << 10
	buf := make([]byte, block)
	pos := size
	newlines := 0
	// A final newline ends the last line; it does not start an empty one.
	if size > 0 {
		b := make([]byte, 1)
		if _, err := f.ReadAt(b, size-1); err == nil && b[0] == '\n' {
			newlines = -1
		}
	}
	for pos > 0 {
		k := int64(block)
		if pos < k {
			k = pos
		}
		pos -= k
		if _, err := f.ReadAt(buf[:k], pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := k - 1; i >= 0; i-- {
			if buf[i] == '\n' {
				if newlines++; newlines == n {
					return pos + i + 1, nil
				}
			}
		}
	}
	return 0, nil
}
