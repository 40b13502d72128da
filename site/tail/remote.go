package tail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"opsdeck/config"
)

// command is a source read by running a command that prints the log and keeps following it:
// on a host over SSH, or on this machine when host is empty.
type command struct {
	host   *config.Host // nil: this machine
	ssh    StreamFunc
	argv   func(resume bool) []string
	prefix func(ctx context.Context) ([]string, error) // resolves the container exec prefix
}

// StreamFunc runs a long-lived command on a host and copies its output to w as it comes;
// site/ssh's Pool.Stream is the real one.
type StreamFunc func(ctx context.Context, h config.Host, w io.Writer, argv ...string) error

func (c command) run(ctx context.Context, l *link, resume bool, _ time.Time) error {
	var pre []string
	if c.prefix != nil {
		p, err := c.prefix(ctx)
		if err != nil {
			return err
		}
		pre = p
	}
	argv := append(pre, c.argv(resume)...)
	defer l.upAfter(QuietUp)()
	if c.host == nil {
		return runLocal(ctx, l, argv)
	}
	err := c.ssh(ctx, *c.host, l, argv...)
	if err == nil {
		return errEnded
	}
	return err
}

// QuietUp is how long a command stream must run without failing to count as up before its
// first line.
var QuietUp = 3 * time.Second

// runLocal runs argv on this machine (docker exec, supervisorctl) with its stdout going to l.
func runLocal(ctx context.Context, l *link, argv []string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = l, &limitedBuffer{buf: &stderr, max: 4096}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return errEnded
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// tailArgv follows a file by name (-F: across rotation and truncation), starting with its last n
// lines; after a loss it starts at the end, and the gap entry says lines may be missing.
func tailArgv(path string, n int) func(bool) []string {
	return func(resume bool) []string {
		if resume {
			n = 0
		}
		return []string{"tail", "-n", strconv.Itoa(n), "-F", path}
	}
}

// supervisorArgv follows a supervisord program's log (stdout, or stderr where keepalived
// writes). supervisorctl prints the last 1600 bytes first; that is its backlog.
func supervisorArgv(program, which string) func(bool) []string {
	return func(bool) []string {
		argv := []string{"supervisorctl", "tail", "-f", program}
		if which == "stderr" {
			argv = append(argv, "stderr")
		}
		return argv
	}
}

// execPrefix is how a command reaches inside a container. crictl exec needs the container's id,
// looked up by name on each (re)connection since a restarted container gets a new one.
func execPrefix(runtime, container string, host *config.Host, sf StreamFunc) func(context.Context) ([]string, error) {
	switch runtime {
	case "", "docker":
		return func(context.Context) ([]string, error) { return []string{"docker", "exec", container}, nil }
	case "crictl":
		return func(ctx context.Context) ([]string, error) {
			argv := []string{"crictl", "ps", "-q", "--name", "^" + container + "$"}
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			var err error
			if host == nil {
				cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
				cmd.Stdout = &out
				err = cmd.Run()
			} else {
				err = sf(ctx, *host, &out, argv...)
			}
			if err != nil {
				return nil, fmt.Errorf("finding container %s: %w", container, err)
			}
			id, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
			if id == "" {
				return nil, fmt.Errorf("no running container named %s", container)
			}
			return []string{"crictl", "exec", id}, nil
		}
	}
	return func(context.Context) ([]string, error) {
		return nil, fmt.Errorf("runtime %q is not docker or crictl", runtime)
	}
}
