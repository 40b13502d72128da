// Package seek finds where the last lines of a file start, as tail -n does. It is a leaf package
// so the demo site can serve tails without importing the streams.
package seek

import (
	"errors"
	"io"
	"os"
)

// LastLines finds where the last n lines of path start, reading backwards in blocks (as
// tail -n does).
func LastLines(path string, n int) (int64, error) {
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
