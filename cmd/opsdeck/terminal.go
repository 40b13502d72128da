package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
)

// errHungUp ends a cockpit whose terminal went away.
var errHungUp = errors.New("the terminal hung up")

// hangupEvery is how often the cockpit asks whether its terminal is still there.
const hangupEvery = 2 * time.Second

// watchTerminal ends ctx with errHungUp once a terminal among fds has hung up. A hung-up
// terminal reads as the end of input, which bubbletea takes for a quiet end of the keys, and
// fails every write, which it ignores: a cockpit started under something that does not pass
// SIGHUP on (seen under `make demo`; some sudo and script setups too) outlived the SSH session
// it ran in, keeping its connections to every host and API and drawing frames nobody could see.
// Both stdin and stdout are watched (with `| tee` only the keys come from the terminal); an fd
// that is no terminal to begin with is not.
func watchTerminal(ctx context.Context, fds []int, every time.Duration, cancel context.CancelCauseFunc) {
	var ttys []int
	for _, fd := range fds {
		if isatty.IsTerminal(uintptr(fd)) {
			ttys = append(ttys, fd)
		}
	}
	if len(ttys) == 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, fd := range ttys {
			if !isatty.IsTerminal(uintptr(fd)) { // its ioctl fails with EIO once hung up
				cancel(errHungUp)
				return
			}
		}
	}
}

// needTerminal says, before the site is opened, why the cockpit cannot start where there is no
// terminal to draw on: bubbletea reads keys from stdin when it is one, else from /dev/tty, and
// without either it failed only after every host and API was dialled, with "could not open TTY".
func needTerminal(stdin *os.File) error {
	if isatty.IsTerminal(stdin.Fd()) {
		return nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return fmt.Errorf("the cockpit needs a terminal, and this process has none (%v): from cron or a script, run `opsdeck check`", err)
	}
	tty.Close()
	return nil
}
