package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Containers and ADNS processes of a simulated host (§6): docker ps/exec/restart and
// supervisorctl status/restart.
type Container struct {
	Name      string
	Up        bool
	Processes map[string]string // supervisord program → RUNNING | STOPPED | FATAL …
}

func init() {
	commands["docker"] = docker
	commands["supervisorctl"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		for _, c := range st.Containers {
			if len(st.Containers) > 0 && st.ADNSOnHost == c.Name {
				return supervisorctl(c, argv[1:], now)
			}
		}
		return "", "unix:///var/run/supervisor.sock no such file\n", 2
	}
	commands["ntpdate"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		if len(argv) < 2 {
			return "", "usage: ntpdate [-u] server\n", 1
		}
		server := argv[len(argv)-1]
		st.ClockOffset = 0
		return fmt.Sprintf("%s ntpdate[4242]: adjust time server %s offset +0.000213 sec\n", now.Format("2 Jan 15:04:05"), server), "", 0
	}
	commands["etcdctl"] = etcdctl
	commands["find"] = find
	commands["mkdir"] = func(*Host, *HostState, []string, time.Time) (string, string, int) { return "", "", 0 }
}

func (st *HostState) container(name string) *Container {
	for i := range st.Containers {
		if st.Containers[i].Name == name {
			return &st.Containers[i]
		}
	}
	return nil
}

func docker(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	if len(argv) < 2 {
		return "", "docker: no command\n", 1
	}
	switch argv[1] {
	case "ps":
		var b strings.Builder
		for _, c := range st.Containers {
			status := "Up 3 days"
			if !c.Up {
				status = "Exited (137) 5 minutes ago"
			}
			fmt.Fprintf(&b, "%s\t%s\n", c.Name, status)
		}
		return b.String(), "", 0
	case "restart":
		if len(argv) < 3 {
			return "", "docker restart: no container\n", 1
		}
		c := st.container(argv[2])
		if c == nil {
			return "", "Error response from daemon: No such container: " + argv[2] + "\n", 1
		}
		c.Up = true
		for p := range c.Processes {
			c.Processes[p] = "RUNNING"
		}
		return argv[2] + "\n", "", 0
	case "exec":
		i := 2
		for i < len(argv) && strings.HasPrefix(argv[i], "-") {
			i++
		}
		if i+1 >= len(argv) {
			return "", "docker exec: no command\n", 1
		}
		c := st.container(argv[i])
		if c == nil {
			return "", "Error response from daemon: No such container: " + argv[i] + "\n", 1
		}
		if !c.Up {
			return "", "Error response from daemon: Container " + argv[i] + " is not running\n", 1
		}
		if argv[i+1] == "supervisorctl" {
			return supervisorctl(*c, argv[i+2:], now)
		}
		return "", "sim: only supervisorctl runs inside containers\n", 127
	}
	return "", "docker: " + argv[1] + " is not emulated\n", 1
}

func supervisorctl(c Container, args []string, now time.Time) (string, string, int) {
	names := make([]string, 0, len(c.Processes))
	for n := range c.Processes {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) >= 1 && args[0] == "status" {
		var b strings.Builder
		code := 0
		for i, n := range names {
			s := c.Processes[n]
			info := fmt.Sprintf("pid %d, uptime 3 days, 4:05:06", 100+i)
			switch s {
			case "RUNNING":
			case "FATAL", "BACKOFF": // as supervisord words it
				info, code = "Exited too quickly (process log may have details)", 3
			case "STARTING", "STOPPING":
				info, code = "", 3
			default:
				info, code = now.Add(-5*time.Minute).Format("Jan 02 03:04 PM"), 3
			}
			fmt.Fprintf(&b, "%-32s %-9s %s\n", n, s, info)
		}
		return b.String(), "", code
	}
	if len(args) == 2 && args[0] == "restart" {
		if _, ok := c.Processes[args[1]]; !ok {
			return "", args[1] + ": ERROR (no such process)\n", 1
		}
		c.Processes[args[1]] = "RUNNING" // maps are shared: this changes the host's state
		return args[1] + ": stopped\n" + args[1] + ": started\n", "", 0
	}
	return "", "sim: supervisorctl status | restart NAME\n", 2
}

func etcdctl(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	rest := []string{}
	endpoint := "https://127.0.0.1:2379"
	for i := 1; i < len(argv); i++ {
		switch argv[i] {
		case "--endpoints":
			if i+1 < len(argv) {
				endpoint = argv[i+1]
			}
			i++
		case "--cacert", "--cert", "--key":
			i++
		default:
			rest = append(rest, argv[i])
		}
	}
	switch {
	case len(rest) == 2 && rest[0] == "endpoint" && rest[1] == "health":
		return fmt.Sprintf("%s is healthy: successfully committed proposal: took = 2.1ms\n", endpoint), "", 0
	case len(rest) == 3 && rest[0] == "snapshot" && rest[1] == "save":
		if st.Snapshots == nil {
			st.Snapshots = map[string]time.Time{}
		}
		st.Snapshots[rest[2]] = now
		return "Snapshot saved at " + rest[2] + "\n", "", 0
	}
	if out, errOut, code, ok := etcdCluster(st, rest, now); ok { // platform.go
		return out, errOut, code
	}
	return "", "sim: etcdctl endpoint health | snapshot save FILE\n", 1
}

// find answers the etcd backup listing: find DIR -maxdepth 1 -name PATTERN -printf FORMAT.
func find(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	if len(argv) < 2 {
		return "", "find: no directory\n", 1
	}
	if slices.Contains(argv, "-printf") && slices.Contains(argv, "-type") {
		return findListing(st, argv, now) // platform.go
	}
	if slices.Contains(argv, "-type") {
		return findFiles(st, argv)
	}
	dir := strings.TrimSuffix(argv[1], "/")
	var b strings.Builder
	found := false
	names := make([]string, 0, len(st.Snapshots))
	for p := range st.Snapshots {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if strings.HasPrefix(p, dir+"/") {
			found = true
			t := st.Snapshots[p]
			fmt.Fprintf(&b, "%d.%09d %d %s\n", t.Unix(), t.Nanosecond(), 58_720_288, strings.TrimPrefix(p, dir+"/"))
		}
	}
	if !found && !st.BackupDir {
		return "", fmt.Sprintf("find: '%s': No such file or directory\n", argv[1]), 1
	}
	return b.String(), "", 0
}
