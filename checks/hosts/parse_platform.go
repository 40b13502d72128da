package hosts

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ssProcs reads ss -p's process column: users:(("kubelet",pid=1187,fd=20),("x",pid=2,fd=3)).
// Only the names are kept; without root, ss shows no column for other users' sockets.
func ssProcs(col string) []string {
	var out []string
	for {
		i := strings.Index(col, `(("`)
		if j := strings.Index(col, `,("`); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			return out
		}
		col = col[i+3:]
		name, rest, ok := strings.Cut(col, `"`)
		if !ok {
			return out
		}
		out = append(out, name)
		col = rest
	}
}

// OwnedBy tells whether a process name as ss or ps shows it (the kernel's comm: the first 15
// characters of the program's name) is the named program: "kube-controller" is
// kube-controller-manager; a versioned binary's "kube-apiserver-" is kube-apiserver.
func OwnedBy(comm, want string) bool {
	if len(want) > 15 {
		want = want[:15]
	}
	return strings.HasPrefix(comm, want)
}

// Enablement is `systemctl is-enabled UNIT`'s answer, or "not-found" when the unit file does
// not exist ("Failed to get unit file state for X.service: No such file or directory").
func ParseIsEnabled(stdout, stderr []byte) (string, error) {
	s := strings.TrimSpace(string(stdout))
	if s == "" && bytes.Contains(stderr, []byte("No such file or directory")) {
		return "not-found", nil
	}
	switch s {
	case "enabled", "enabled-runtime", "static", "indirect", "generated", "alias", "linked", "linked-runtime",
		"disabled", "masked", "masked-runtime", "transient", "bad", "not-found":
		return s, nil
	}
	msg := s
	if msg == "" {
		msg = strings.TrimSpace(string(stderr))
	}
	return "", fmt.Errorf("systemctl is-enabled: unexpected answer %q", firstLine(msg))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Proc is one process of `ps -C NAMES -o pid=,pmem=,rss=,comm=`.
type Proc struct {
	PID   int
	MemPc float64 // resident memory, percent of the machine's
	RSSKB int64
	Comm  string
}

// ParsePS reads `ps -C NAMES -o pid=,pmem=,rss=,comm=` (no header; comm last, it may hold spaces).
func ParsePS(b []byte) ([]Proc, error) {
	var out []Proc
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 4 {
			return nil, fmt.Errorf("ps: short line %q", sc.Text())
		}
		pid, err1 := strconv.Atoi(f[0])
		mem, err2 := strconv.ParseFloat(f[1], 64)
		rss, err3 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("ps: unexpected line %q", sc.Text())
		}
		out = append(out, Proc{PID: pid, MemPc: mem, RSSKB: rss, Comm: strings.Join(f[3:], " ")})
	}
	return out, nil
}

// ProcTimes is one sample of `cat /proc/stat /proc/PID/stat…`: the machine's jiffies (every
// CPU together) and each process's user+system jiffies.
type ProcTimes struct {
	Total uint64
	ByPID map[int]uint64
}

// ParseProcTimes reads /proc/stat's cpu line followed by /proc/PID/stat lines. A process's
// comm is in parentheses and may hold spaces or parentheses: fields are counted after the last
// ')'; utime and stime are fields 14 and 15 of the line.
func ParseProcTimes(b []byte) (ProcTimes, error) {
	t := ProcTimes{ByPID: map[int]uint64{}}
	cpu, err := ParseProcStat(b)
	if err != nil {
		return t, err
	}
	t.Total = cpu.total()
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		open, end := strings.IndexByte(l, '('), strings.LastIndexByte(l, ')')
		if open < 1 || end < open {
			continue // a /proc/stat line
		}
		pid, err := strconv.Atoi(strings.TrimSpace(l[:open]))
		if err != nil {
			continue
		}
		f := strings.Fields(l[end+1:]) // state is field 3 of the line, f[0] here
		if len(f) < 13 {
			return t, fmt.Errorf("/proc/%d/stat: short line", pid)
		}
		ut, err1 := strconv.ParseUint(f[11], 10, 64)
		st, err2 := strconv.ParseUint(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return t, fmt.Errorf("/proc/%d/stat: utime/stime %q %q are not counters", pid, f[11], f[12])
		}
		t.ByPID[pid] = ut + st
	}
	return t, nil
}
