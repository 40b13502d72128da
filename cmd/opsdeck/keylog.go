package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// keyLog writes, with $OPSDECK_KEYLOG set, when each key press was handled and when the
// terminal was next written to (the key's frame), every other message and each load's times,
// and the Views slower than a few milliseconds: where a key's frame or a change waits, seen
// from inside, beside benchscreen's outside view (with GODEBUG=gctrace=1, the collections to
// line them up with).
type keyLog struct {
	mu      sync.Mutex
	f       *os.File
	start   time.Time
	pending time.Time // the last key handled whose frame is not written yet
}

func (k *keyLog) printf(format string, a ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fmt.Fprintf(k.f, "%.4f "+format+"\n", append([]any{time.Since(k.start).Seconds()}, a...)...)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// keyLogged wraps the cockpit's model and the terminal when $OPSDECK_KEYLOG names a file.
func keyLogged(m tea.Model) (tea.Model, []tea.ProgramOption) {
	path := os.Getenv("OPSDECK_KEYLOG")
	if path == "" {
		return m, nil
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "OPSDECK_KEYLOG: %v (no key log)\n", err)
		return m, nil
	}
	k := &keyLog{f: f, start: time.Now()}
	k.printf("started at %s", k.start.Format("15:04:05.000000"))
	return loggedModel{m, k}, []tea.ProgramOption{tea.WithOutput(loggedTerminal{os.Stdout, k})}
}

type loggedModel struct {
	m tea.Model
	k *keyLog
}

func (l loggedModel) Init() tea.Cmd { return l.m.Init() }

func (l loggedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	t0 := time.Now()
	m, cmd := l.m.Update(msg)
	l.m = m
	d := time.Since(t0)
	if _, key := msg.(tea.KeyPressMsg); key {
		l.k.printf("key handled in %.2f ms", ms(d))
		l.k.mu.Lock()
		l.k.pending = time.Now()
		l.k.mu.Unlock()
	} else if lt, ok := msg.(interface {
		LoadTimes() (time.Duration, time.Duration)
	}); ok {
		started, took := lt.LoadTimes()
		l.k.printf("load applied in %.2f ms (it began %.2f ms after it was asked for, took %.2f ms)", ms(d), ms(started), ms(took))
	} else if d > 5*time.Millisecond {
		l.k.printf("slow update %T %.2f ms", msg, ms(d))
	} else {
		l.k.printf("update %T %.2f ms", msg, ms(d))
	}
	return l, cmd
}

func (l loggedModel) View() tea.View {
	t0 := time.Now()
	v := l.m.View()
	if d := time.Since(t0); d > 3*time.Millisecond {
		l.k.printf("slow view %.2f ms", ms(d))
	}
	return v
}

// loggedTerminal is the terminal (bubbletea needs its file descriptor) with its writes timed:
// the first write after a key is taken as its frame (bubbletea writes a frame in one Write).
type loggedTerminal struct {
	*os.File
	k *keyLog
}

func (t loggedTerminal) Write(p []byte) (int, error) {
	t.k.mu.Lock()
	key := t.k.pending
	t.k.pending = time.Time{}
	t.k.mu.Unlock()
	if !key.IsZero() {
		t.k.printf("frame written %.2f ms after the key (%d bytes)", ms(time.Since(key)), len(p))
	}
	return t.File.Write(p)
}
