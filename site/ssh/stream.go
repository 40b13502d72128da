package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"opsdeck/config"
)

// Stream runs argv on h (quoted, never pasted) and copies its stdout to w as it comes, until the
// command ends, the connection drops or ctx is done (then the remote command is killed). It is
// for long-lived readers such as `tail -F`: give them a Pool of their own so they never hold the
// session slots the checks need. A non-zero exit is an error carrying the command's stderr.
// Streams only read, in every mode: argv must be a probe shape of the allowlist (probes.go).
func (p *Pool) Stream(ctx context.Context, h config.Host, w io.Writer, argv ...string) error {
	cmd := Quote(argv...)
	if !IsProbe(argv) {
		return &RefusedError{Host: h.Name, Command: cmd}
	}
	hc := p.entry(h.Name)
	c, err := p.client(ctx, hc, h)
	if err != nil {
		return err
	}
	select {
	case hc.sessions <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting for a free session: %w", h.Name, ctx.Err())
	}
	defer func() { <-hc.sessions }()
	sess, err := newSession(ctx, c)
	if err != nil {
		var refused *gossh.OpenChannelError
		if ctx.Err() != nil {
			return fmt.Errorf("%s: opening a session: %w", h.Name, ctx.Err())
		}
		if !errors.As(err, &refused) {
			p.drop(hc, c, err)
		}
		return &ConnectError{Host: h.Name, Op: "session", Err: err}
	}
	defer sess.Close()
	stderr := &capBuffer{max: 4096}
	sess.Stdout, sess.Stderr = w, stderr
	done := make(chan error, 1)
	go func() { done <- sess.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = sess.Signal(gossh.SIGKILL)
		sess.Close()
		return ctx.Err()
	}
	if err == nil {
		return nil
	}
	msg := strings.TrimSpace(string(stderr.Bytes()))
	var exit *gossh.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s: %q exited %d: %s", h.Name, cmd, exit.ExitStatus(), msg)
	}
	return fmt.Errorf("%s: %q: %w", h.Name, cmd, err)
}
