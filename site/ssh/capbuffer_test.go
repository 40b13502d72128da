package ssh

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// A command's output is kept up to the cap and counted beyond it, whatever the chunks; io.Copy
// reads it through ReadFrom with a pooled chunk, not 32 KB of its own per stream.
func TestCapBufferKeepsTheFirstBytesAndCountsTheRest(t *testing.T) {
	src := strings.Repeat("0123456789", 2000) // 20,000 bytes: several chunks
	b := &capBuffer{max: 15}
	n, err := io.Copy(b, io.MultiReader(strings.NewReader(src[:7]), strings.NewReader(src[7:])))
	if err != nil || n != int64(len(src)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	if got := string(b.Bytes()); got != src[:15] || b.dropped != len(src)-15 {
		t.Fatalf("kept %q, dropped %d", got, b.dropped)
	}
	raw := []byte(src)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		// A reader without WriteTo, like a session's channel.
		_, _ = io.Copy(&capBuffer{max: 64}, struct{ io.Reader }{bytes.NewReader(raw)})
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 20; per > 8<<10 {
		t.Errorf("%d bytes allocated per copy", per)
	}
}
