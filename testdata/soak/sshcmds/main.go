// Command sshcmds checks the lab's SSH command log (the lab user's login shell, testdata/lab/login-shell.sh, writes it)
// against opsdeck's read-only allowlist: every command must be a probe (ssh.ProbeArgv), as the
// pool of `opsdeck watch` sends it. Usage: sshcmds [-from BYTE] LOG. Exit 1 naming each
// command that is not a probe; 2 when the log cannot be read.
//
// It lives in testdata (the go tool's ./... skips it; `go run ./testdata/soak/sshcmds` builds it).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"opsdeck/site/ssh"
)

// record is one line of the log: "<time> <host> <length> <command>\n", the command exactly
// <length> bytes (it may hold newlines).
type record struct {
	at, host, cmd string
}

func read(r *bufio.Reader) (record, error) {
	var rec record
	head := make([]string, 0, 3)
	for len(head) < 3 {
		f, err := r.ReadString(' ')
		if err != nil {
			if err == io.EOF && len(head) == 0 && f == "" {
				return rec, io.EOF
			}
			return rec, fmt.Errorf("truncated record header %q", strings.Join(append(head, f), " "))
		}
		head = append(head, strings.TrimSuffix(f, " "))
	}
	n, err := strconv.Atoi(head[2])
	if err != nil || n < 0 {
		return rec, fmt.Errorf("bad length %q in record of %s %s", head[2], head[0], head[1])
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil || buf[n] != '\n' {
		return rec, fmt.Errorf("record of %s %s: command not %d bytes then a newline", head[0], head[1], n)
	}
	return record{at: head[0], host: head[1], cmd: string(buf[:n])}, nil
}

func main() {
	from := flag.Int64("from", 0, "start at this byte offset (the log's size when the soak began)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: sshcmds [-from BYTE] LOG")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sshcmds:", err)
		os.Exit(2)
	}
	if _, err := f.Seek(*from, io.SeekStart); err != nil {
		fmt.Fprintln(os.Stderr, "sshcmds:", err)
		os.Exit(2)
	}
	r := bufio.NewReader(f)
	total, bad := 0, 0
	hosts, progs := map[string]int{}, map[string]int{}
	for {
		rec, err := read(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sshcmds: %s: %v\n", flag.Arg(0), err)
			os.Exit(2)
		}
		total++
		hosts[rec.host]++
		argv, probe, err := ssh.ProbeArgv(rec.cmd)
		switch {
		case err != nil:
			bad++
			fmt.Printf("NOT A PROBE %s %s: %q (%v)\n", rec.at, rec.host, rec.cmd, err)
		case !probe:
			bad++
			fmt.Printf("NOT A PROBE %s %s: %q\n", rec.at, rec.host, rec.cmd)
		default:
			progs[argv[0]]++
		}
	}
	var names []string
	for p, n := range progs {
		names = append(names, fmt.Sprintf("%s %d", p, n))
	}
	sort.Strings(names)
	fmt.Printf("%d commands on %d hosts, %d not probes; probes: %s\n", total, len(hosts), bad, strings.Join(names, ", "))
	if bad > 0 {
		os.Exit(1)
	}
}
