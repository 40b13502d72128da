package sim

import (
	"fmt"
	"math"
	"path"
	"strings"
	"sync"
	"time"
)

// Host is one simulated machine: its state, and answers to the commands checks send.
type Host struct {
	Name  string
	Roles []string

	mu    sync.Mutex
	state HostState
}

// HostState is what a simulated host reports; tests and scenarios change it through Update.
type HostState struct {
	BootedAt    time.Time
	CPUs        int
	Load        [3]float64 // load average 1/5/15
	CPUBusy     float64    // percent
	MemTotalKB  int64
	MemUsedPct  float64
	Disks       []Disk
	Units       map[string]string // systemd unit → active | inactive | failed …
	Broken      map[string]bool   // units that fail to start
	Hang        bool              // accept commands and never answer
	Listening   []string          // "addr:port" as ss shows them
	Files       map[string]string // other files cat can read (/etc/resolv.conf …)
	DirsKB      map[string]int64  // directory sizes for du -sk
	Journal     map[string][]string
	Containers  []Container          // docker containers (the ADNS ones)
	ADNSOnHost  string               // container whose supervisord answers a bare supervisorctl
	Snapshots   map[string]time.Time // etcd snapshot files → when taken
	BackupDir   bool                 // the etcd backup folder exists (even if empty)
	ClockOffset time.Duration
	NTP         NTPState      // the time daemon and its sources (ntp.go)
	DNS         DNSState      // keepalived's VIPs on this host (dns.go)
	Plat        PlatState     // etcd members, crontab, boot-time units, port owners, components (platform.go)
	Services    ServicesState // Yunyou, IAM, OpenAPI, MySQL, YUM (services.go)
}

// Disk is one mounted filesystem.
type Disk struct {
	Device  string
	Mount   string
	SizeKB  int64
	UsedPct float64
}

// Update changes the host's state under its lock.
func (h *Host) Update(f func(*HostState)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.state)
}

// State returns a copy of the host's state.
func (h *Host) State() HostState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// Command answers one command: stdout, stderr, exit code.
type Command func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int)

// commands maps argv[0] to its emulation; later parts of the demo add theirs here.
var commands = map[string]Command{
	"true": func(*Host, *HostState, []string, time.Time) (string, string, int) { return "", "", 0 },
	"cat":  catFile,
	"head": headFile,
	"nproc": func(_ *Host, st *HostState, _ []string, _ time.Time) (string, string, int) {
		return fmt.Sprintf("%d\n", st.CPUs), "", 0
	},
	"df":         df,
	"systemctl":  systemctl,
	"ss":         ss,
	"du":         du,
	"journalctl": journalctl,
}

func (h *Host) exec(argv []string, now time.Time) (string, string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cmd, ok := commands[path.Base(argv[0])]
	if !ok {
		return "", fmt.Sprintf("sh: 1: %s: not found\n", argv[0]), 127
	}
	return cmd(h, &h.state, argv, now)
}

func catFile(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	var out strings.Builder
	for _, p := range argv[1:] {
		if p == "--" {
			continue
		}
		s, ok := st.file(p, now)
		if !ok {
			return out.String(), fmt.Sprintf("cat: %s: No such file or directory\n", p), 1
		}
		out.WriteString(s)
	}
	return out.String(), "", 0
}

func headFile(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	if len(argv) != 4 || argv[1] != "-n" {
		return "", "head: only head -n N FILE is emulated\n", 2
	}
	var n int
	fmt.Sscanf(argv[2], "%d", &n)
	s, ok := st.file(argv[3], now)
	if !ok {
		return "", fmt.Sprintf("head: cannot open '%s' for reading: No such file or directory\n", argv[3]), 1
	}
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], ""), "", 0
}

func (st *HostState) file(path string, now time.Time) (string, bool) {
	up := now.Sub(st.BootedAt).Seconds()
	switch path {
	case "/proc/uptime":
		return fmt.Sprintf("%.2f %.2f\n", up, up*float64(st.CPUs)*(1-st.CPUBusy/100)), true
	case "/proc/loadavg":
		// A slow wobble so a live screen visibly updates.
		w := 0.03 * math.Sin(float64(now.Unix())/20)
		return fmt.Sprintf("%.2f %.2f %.2f 2/1412 %d\n", max(st.Load[0]+w, 0), st.Load[1], st.Load[2], 40000+int(up)%10000), true
	case "/proc/stat":
		// Jiffies since boot split so that any interval shows CPUBusy percent busy.
		total := up * 100 * float64(st.CPUs)
		busy := total * st.CPUBusy / 100
		user, system := int64(busy*0.7), int64(busy*0.3)
		idle := int64(total - busy)
		iowait := int64(0)
		return fmt.Sprintf("cpu  %d 0 %d %d %d 0 0 0 0 0\ncpu0 %d 0 %d %d %d 0 0 0 0 0\nintr 0\nctxt 0\nbtime %d\n",
			user, system, idle, iowait, user/int64(st.CPUs), system/int64(st.CPUs), idle/int64(st.CPUs), iowait, st.BootedAt.Unix()), true
	case "/proc/meminfo":
		used := int64(float64(st.MemTotalKB) * st.MemUsedPct / 100)
		buffers := st.MemTotalKB / 50
		cached := st.MemTotalKB / 10
		free := st.MemTotalKB - used - buffers - cached
		return fmt.Sprintf("MemTotal:       %d kB\nMemFree:        %d kB\nMemAvailable:   %d kB\nBuffers:        %d kB\nCached:         %d kB\nSwapCached:            0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n",
			st.MemTotalKB, free, free+cached, buffers, cached), true
	}
	if c, ok := st.Files[path]; ok {
		return c, true
	}
	return "", false
}

func df(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) >= 3 && argv[1] == "-P" && argv[2] == "-l" { // local filesystems only: all of ours
		argv = argv[:2]
	}
	if len(argv) < 2 || argv[1] != "-P" && argv[1] != "-Pk" {
		return "", "df: only df -P [-l] and df -Pk DIR… are emulated\n", 1
	}
	var b strings.Builder
	b.WriteString("Filesystem     1024-blocks      Used Available Capacity Mounted on\n")
	disks := st.Disks
	if len(argv) > 2 { // df -Pk DIR…: the filesystem holding each directory
		disks = nil
		for _, dir := range argv[2:] {
			best := -1
			for i, d := range st.Disks {
				if strings.HasPrefix(dir, d.Mount) && (best < 0 || len(d.Mount) > len(st.Disks[best].Mount)) {
					best = i
				}
			}
			if best < 0 {
				return "", "df: " + dir + ": No such file or directory\n", 1
			}
			disks = append(disks, st.Disks[best])
		}
	} else {
		b.WriteString("tmpfs              3275972      1636   3274336       1% /run\n")
	}
	for _, d := range disks {
		used := int64(float64(d.SizeKB) * d.UsedPct / 100)
		avail := d.SizeKB - used
		capPct := int(math.Ceil(float64(used) * 100 / float64(used+avail)))
		fmt.Fprintf(&b, "%-14s %11d %9d %9d %7d%% %s\n", d.Device, d.SizeKB, used, avail, capPct, d.Mount)
	}
	return b.String(), "", 0
}

func systemctl(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) == 3 && argv[1] == "is-active" {
		s, ok := st.Units[argv[2]]
		if !ok {
			s = "inactive"
		}
		if s == "active" {
			return "active\n", "", 0
		}
		return s + "\n", "", 3
	}
	if len(argv) == 3 && (argv[1] == "start" || argv[1] == "restart" || argv[1] == "stop") {
		if _, ok := st.Units[argv[2]]; !ok {
			return "", fmt.Sprintf("Failed to %s %s.service: Unit %s.service not found.\n", argv[1], argv[2], argv[2]), 5
		}
		if argv[1] == "stop" {
			st.Units[argv[2]] = "inactive"
		} else if st.Broken[argv[2]] {
			st.Units[argv[2]] = "failed"
			if st.Journal == nil {
				st.Journal = map[string][]string{}
			}
			st.Journal[argv[2]] = append(st.Journal[argv[2]], "Nov 25 03:00:01 "+h.Name+" "+argv[2]+"[4242]: F1125 failed to run Kubelet: misconfiguration: kubelet cgroup driver differs")
			return "", fmt.Sprintf("Job for %s.service failed because the control process exited with error code.\n", argv[2]), 1
		} else {
			st.Units[argv[2]] = "active"
		}
		return "", "", 0
	}
	return "", "systemctl: only is-active|start|restart|stop UNIT is emulated\n", 1
}

func ss(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) != 2 || argv[1] != "-ltnH" {
		return "", "ss: only ss -ltnH is emulated\n", 1
	}
	var b strings.Builder
	for _, l := range st.Listening {
		fmt.Fprintf(&b, "LISTEN 0      4096   %s   0.0.0.0:*\n", l)
	}
	return b.String(), "", 0
}

func du(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) < 3 || argv[1] != "-sk" {
		return "", "du: only du -sk DIR… is emulated\n", 1
	}
	var out, errs strings.Builder
	code := 0
	for _, d := range argv[2:] {
		if kb, ok := st.DirsKB[d]; ok {
			fmt.Fprintf(&out, "%d\t%s\n", kb, d)
		} else {
			fmt.Fprintf(&errs, "du: cannot access '%s': No such file or directory\n", d)
			code = 1
		}
	}
	return out.String(), errs.String(), code
}

func journalctl(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	unit, n := "", 100
	for i := 1; i < len(argv); i++ {
		switch argv[i] {
		case "-u":
			if i+1 < len(argv) {
				unit = strings.TrimSuffix(argv[i+1], ".service")
				i++
			}
		case "-n":
			if i+1 < len(argv) {
				fmt.Sscanf(argv[i+1], "%d", &n)
				i++
			}
		}
	}
	lines := st.Journal[unit]
	if len(lines) == 0 {
		return "-- No entries --\n", "", 0
	}
	return strings.Join(lines[max(len(lines)-n, 0):], "\n") + "\n", "", 0
}
