package hosts

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// Listener is one listening TCP socket from ss -ltnH (-ltnpH adds its processes).
type Listener struct {
	Addr  string // "" for any address (*, 0.0.0.0, ::)
	Port  int
	Procs []string // the owners' names, from ss -p (none without root for others' sockets)
}

// ParseSS reads `ss -ltnH` or `ss -ltnpH`: State Recv-Q Send-Q Local:Port Peer:Port [Process].
func ParseSS(b []byte) ([]Listener, error) {
	var out []Listener
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return nil, fmt.Errorf("ss -ltnH: short line %q", sc.Text())
		}
		local := f[3]
		i := strings.LastIndexByte(local, ':')
		if i < 0 {
			return nil, fmt.Errorf("ss -ltnH: %q has no port", local)
		}
		port, err := strconv.Atoi(local[i+1:])
		if err != nil {
			return nil, fmt.Errorf("ss -ltnH: %q has no port", local)
		}
		addr := strings.Trim(local[:i], "[]")
		if j := strings.IndexByte(addr, '%'); j >= 0 { // 127.0.0.53%lo
			addr = addr[:j]
		}
		addr = strings.TrimPrefix(addr, "::ffff:")
		if addr == "*" || addr == "0.0.0.0" || addr == "::" {
			addr = ""
		}
		var procs []string
		if len(f) > 5 {
			procs = ssProcs(strings.Join(f[5:], " "))
		}
		out = append(out, Listener{Addr: addr, Port: port, Procs: procs})
	}
	return out, nil
}

// Listening tells whether want ("port" or "address:port") is served by one of ls. A socket on
// any address serves every address.
func Listening(ls []Listener, want string) bool {
	addr, portS, err := net.SplitHostPort(want)
	if err != nil {
		addr, portS = "", want
	}
	port, _ := strconv.Atoi(portS)
	for _, l := range ls {
		if l.Port == port && (addr == "" || l.Addr == "" || l.Addr == addr) {
			return true
		}
	}
	return false
}

// ListenerProcs lists the owners of the sockets that serve want ("port" or "address:port").
func ListenerProcs(ls []Listener, want string) []string {
	addr, portS, err := net.SplitHostPort(want)
	if err != nil {
		addr, portS = "", want
	}
	port, _ := strconv.Atoi(portS)
	var out []string
	for _, l := range ls {
		if l.Port == port && (addr == "" || l.Addr == "" || l.Addr == addr) {
			for _, p := range l.Procs {
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// Container is one container as the runtime lists it.
type Container struct {
	Name  string
	State string // "Up 3 days", "Exited (1) 2 hours ago", "Running", "Exited"
}

// Up tells whether the container runs.
func (c Container) Up() bool {
	return strings.HasPrefix(c.State, "Up") || strings.EqualFold(c.State, "running")
}

// ParseDockerPS reads `docker ps -a --format '{{.Names}}\t{{.Status}}'`.
func ParseDockerPS(b []byte) []Container {
	var out []Container
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, status, ok := strings.Cut(l, "\t")
		if ok {
			out = append(out, Container{Name: strings.TrimSpace(name), State: strings.TrimSpace(status)})
		}
	}
	return out
}

// ParseCrictlPS reads `crictl ps -a`: an aligned table; STATE and NAME are cut at the columns
// where the header puts them (CREATED and POD ID hold spaces, so fields cannot be counted).
func ParseCrictlPS(b []byte) ([]Container, error) {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "CONTAINER") {
		return nil, fmt.Errorf("crictl ps: unexpected header %q", lines[0])
	}
	head := lines[0]
	stateAt, nameAt := strings.Index(head, "STATE"), strings.Index(head, "NAME")
	if stateAt < 0 || nameAt < 0 {
		return nil, fmt.Errorf("crictl ps: no STATE or NAME column in %q", head)
	}
	cell := func(l string, at int) string {
		if at >= len(l) {
			return ""
		}
		f := strings.Fields(l[at:])
		if len(f) == 0 {
			return ""
		}
		return f[0]
	}
	var out []Container
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, Container{Name: cell(l, nameAt), State: cell(l, stateAt)})
	}
	return out, nil
}

// ParseDU reads `du -sk DIR…`: kilobytes per directory.
func ParseDU(b []byte) (map[string]int64, error) {
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		kb, dir, ok := strings.Cut(sc.Text(), "\t")
		n, err := strconv.ParseInt(kb, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("du -sk: unexpected line %q", sc.Text())
		}
		out[dir] = n
	}
	return out, nil
}
