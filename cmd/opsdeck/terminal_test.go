//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the terminal emulator's side and the program's.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// The cockpit ends when its terminal hangs up (the emulator's side closed, as tmux or sshd do),
// and not before.
func TestTheCockpitEndsWhenItsTerminalHangsUp(t *testing.T) {
	master, slave := openPTY(t)
	r, _ := pipe(t) // stdin a pipe, stdout the terminal (opsdeck < keys): the terminal is watched
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan struct{})
	go func() {
		watchTerminal(ctx, []int{int(r.Fd()), int(slave.Fd())}, 5*time.Millisecond, cancel)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond) // ten looks at a live terminal
	if ctx.Err() != nil {
		t.Fatalf("ended on a live terminal: %v", context.Cause(ctx))
	}
	master.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("still watching a hung-up terminal")
	}
	if !errors.Is(context.Cause(ctx), errHungUp) {
		t.Fatalf("ended with %v", context.Cause(ctx))
	}
}

// Output that is no terminal is not watched (and never ends the cockpit).
func TestNoTerminalIsNotWatched(t *testing.T) {
	r, w := pipe(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	watchTerminal(ctx, []int{int(r.Fd()), int(w.Fd())}, time.Millisecond, cancel) // returns at once
	if ctx.Err() != nil {
		t.Fatalf("ended: %v", context.Cause(ctx))
	}
}

// The cockpit starts on a terminal; without one it says so, and what to run instead, before it
// dials anything.
func TestTheCockpitSaysItNeedsATerminal(t *testing.T) {
	_, slave := openPTY(t)
	if err := needTerminal(slave); err != nil {
		t.Fatalf("on a terminal: %v", err)
	}
	r, _ := pipe(t)
	err := needTerminal(r)
	if tty, ttyErr := os.Open("/dev/tty"); ttyErr == nil { // this test runs in someone's terminal
		tty.Close()
		if err != nil {
			t.Fatalf("with /dev/tty at hand: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "opsdeck check") {
		t.Fatalf("without a terminal: %v", err)
	}
}

// A dropped SSH session (SIGHUP) interrupts as SIGINT and SIGTERM do: a running action then
// records that it was interrupted, instead of the process dying mid-step.
func TestAHangupInterruptsLikeSIGTERM(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	if err := unix.Kill(os.Getpid(), unix.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGHUP did not interrupt")
	}
	if c := context.Cause(ctx); c == nil || !strings.Contains(c.Error(), "SIGHUP") {
		t.Fatalf("cause %v", c)
	}
}

// pipe is a pipe's two ends, closed when the test ends.
func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}
