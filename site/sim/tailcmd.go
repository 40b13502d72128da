package sim

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"strconv"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// stream serves the long-lived commands opsdeck's log tails send — `tail -n N -F PATH` and
// `supervisorctl tail -f PROGRAM [stderr]`, on the host or after `docker exec CONTAINER` — from
// the demo's real files, until the client goes away. It reports false for any other command.
func (s *sshServer) stream(ch gossh.Channel, reqs <-chan *gossh.Request, cmd string) bool {
	argv, err := splitShell(cmd)
	if err != nil {
		return false
	}
	container := ""
	if len(argv) > 3 && argv[0] == "docker" && argv[1] == "exec" {
		container, argv = argv[2], argv[3:]
	}
	var path string
	n := 10
	switch {
	case len(argv) == 5 && argv[0] == "tail" && argv[1] == "-n" && argv[3] == "-F":
		if n, err = strconv.Atoi(argv[2]); err != nil {
			return false
		}
		path = argv[4]
	case len(argv) >= 4 && len(argv) <= 5 && argv[0] == "supervisorctl" && argv[1] == "tail" && argv[2] == "-f":
		which := "stdout"
		if len(argv) == 5 {
			which = argv[4]
		}
		path = "/var/log/supervisor/" + argv[3] + "-" + which + ".log"
	default:
		return false
	}
	exit := func(code uint32, msg string) {
		_, _ = ch.Stderr().Write([]byte(msg))
		status := make([]byte, 4)
		binary.BigEndian.PutUint32(status, code)
		_, _ = ch.SendRequest("exit-status", false, status)
	}
	if container != "" {
		st := s.host.State()
		if c := st.container(container); c == nil || !c.Up {
			exit(1, "Error response from daemon: container "+container+" is not running\n")
			return true
		}
	}
	real, ok := hostPath(s.host, container, path)
	if !ok {
		exit(1, "tail: cannot open '"+path+"'\n")
		return true
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the client closing the session (or the connection dropping) ends the tail
		for range reqs {
		}
		cancel()
	}()
	off := lastLines(real, n)
	followFile(ctx, real, off, func(b []byte) error { _, err := ch.Write(b); return err })
	return true
}

// followFile copies path from offset to out and keeps following it as tail -F does: polling,
// starting over when the file shrinks (truncation) or is replaced (rotation), waiting while it is
// missing. Polling keeps the demo independent of inotify's per-process watch sharing.
func followFile(ctx context.Context, path string, offset int64, out func([]byte) error) {
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		if f == nil {
			var err error
			if f, err = os.Open(path); err != nil {
				f = nil
				sleep(ctx, 100*time.Millisecond)
				continue
			}
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				offset = 0
			}
		}
		k, err := f.Read(buf)
		if k > 0 {
			offset += int64(k)
			if out(buf[:k]) != nil {
				return
			}
			continue
		}
		if err != nil && err != io.EOF {
			return
		}
		sleep(ctx, 100*time.Millisecond)
		cur, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(cur, now) || now.Size() < offset {
			f.Close()
			f, offset = nil, 0 // rotated or truncated: the new content from its start
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// lastLines is the offset where the last n lines of a (small, demo) file start. The simulator
// keeps to itself: site/tail imports site/ssh, whose tests start this simulator.
func lastLines(path string, n int) int64 {
	b, err := os.ReadFile(path)
	if err != nil || n <= 0 {
		return int64(len(b))
	}
	end := len(b)
	if end > 0 && b[end-1] == '\n' {
		end-- // a final newline ends the last line; it does not start an empty one
	}
	for i := end - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if n--; n == 0 {
				return int64(i + 1)
			}
		}
	}
	return 0
}
