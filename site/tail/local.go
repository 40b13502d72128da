package tail

import (
	"context"
	"io"
	"os"
	"time"

	nxtail "github.com/nxadm/tail"

	"opsdeck/site/tail/seek"
)

// localFile follows a file on this machine: starts with its last n lines, reopens it when it is
// rotated (renamed or deleted and created again) and starts over when it is truncated.
type localFile struct {
	path string
	n    int
}

func (f localFile) run(ctx context.Context, l *link, resume bool, _ time.Time) error {
	loc := &nxtail.SeekInfo{Whence: io.SeekEnd}
	if !resume {
		off, err := seek.LastLines(f.path, f.n)
		if err == nil {
			loc = &nxtail.SeekInfo{Offset: off, Whence: io.SeekStart}
		}
	}
	t, err := nxtail.TailFile(f.path, nxtail.Config{
		// Polled (a stat every 250 ms at the end of the file), not inotify: nxadm/tail v1.4.11
		// adds its inotify watch only after reading to the end, so a line written in between was
		// never signalled and waited for the next write, forever on a quiet log (make test's
		// rotation test failed 3 times in 30 on it).
		Location: loc, ReOpen: true, Follow: true, MustExist: false, Poll: true,
		Logger: nxtail.DiscardingLogger, CompleteLines: true,
		// In nxadm/tail v1.4.11 Pipe only skips a position lookup before each line whose result
		// is thrown away (tail.go:299): one lseek syscall less per line, ~10 % of ingestion.
		// Re-check this when upgrading the library.
		Pipe: true,
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
