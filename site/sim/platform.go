package sim

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"opsdeck/config"
)

// The platform side of a simulated host (issue 15): the etcd cluster as a master's etcdctl sees
// it, the crontab, which units start at boot, who holds each port, and the components' share of
// CPU and memory — answered through etcdctl endpoint status/alarm list, crontab -l,
// systemctl is-enabled, ss -ltnpH, ps -C and /proc/PID/stat, as the real commands print them.
type PlatState struct {
	Etcd    *EtcdCluster         // shared by the masters (nil: etcdctl has no cluster to ask)
	Crontab string               // the login user's crontab ("": none)
	Enabled map[string]string    // unit → is-enabled answer; a unit of Units not listed is enabled
	Owners  map[string]string    // port → the process holding it; default: the guide's owner
	Procs   map[string]ProcShare // component → its share; default: by role, from the guide's list
	MTimes  map[string]time.Time // file → modification time for find -printf (default: a year ago)
}

// EtcdCluster is the members etcdctl reports and the cluster's alarms.
type EtcdCluster struct {
	Members []EtcdMember
	Alarms  []string // "NOSPACE" … on the first member
}

// EtcdMember is one member of the simulated etcd cluster.
type EtcdMember struct {
	Endpoint  string
	ID        uint64
	Leader    bool
	DBSize    int64
	RaftLag   uint64 // how far behind the others its raft index is
	Down      bool
	NoLeader  bool // it lost its leader (no quorum)
	ErrorList []string
}

// ProcShare is one component's share of its host: CPU (of every CPU together) and memory.
type ProcShare struct {
	CPU, Mem float64
	Down     bool
}

func init() {
	commands["crontab"] = crontab
	commands["ps"] = ps
	base := commands["ss"]
	commands["ss"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		if len(argv) == 2 && argv[1] == "-ltnpH" {
			return ssOwners(st)
		}
		return base(h, st, argv, now)
	}
	sysctl := commands["systemctl"]
	commands["systemctl"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		if len(argv) == 3 && argv[1] == "is-enabled" {
			return isEnabled(st, argv[2])
		}
		return sysctl(h, st, argv, now)
	}
	commands["cat"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		var out strings.Builder
		for _, p := range argv[1:] {
			if p == "--" {
				continue
			}
			s, ok := procStat(h, st, p, now)
			if !ok {
				s, ok = st.file(p, now)
			}
			if !ok {
				return out.String(), fmt.Sprintf("cat: %s: No such file or directory\n", p), 1
			}
			out.WriteString(s)
		}
		return out.String(), "", 0
	}
}

// guideComponents is the guide's list of components by role (§5.4.1), in pid order.
var guideComponents = []string{"kubelet", "containerd", "kube-proxy", "etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager"}

// procs is what runs on a host: Plat.Procs, else the guide's components of its roles with small
// shares (kubelet follows its unit).
func (h *Host) procs(st *HostState) map[string]ProcShare {
	if st.Plat.Procs != nil {
		return st.Plat.Procs
	}
	out := map[string]ProcShare{}
	d := config.Defaults().HostChecks.Processes
	share := map[string]ProcShare{"kubelet": {1.2, 0.4, false}, "containerd": {0.8, 0.3, false}, "kube-proxy": {0.2, 0.1, false},
		"etcd": {2.5, 1.1, false}, "kube-apiserver": {6, 4, false}, "kube-scheduler": {0.5, 0.3, false}, "kube-controller-manager": {1, 0.5, false}}
	for _, r := range h.Roles {
		for _, c := range d[r] {
			s := share[c]
			if c == "kubelet" && st.Units["kubelet"] != "active" {
				s.Down = true
			}
			out[c] = s
		}
	}
	return out
}

func comm(name string) string { return name[:min(15, len(name))] }

// ps answers ps -C NAMES -o pid=,pmem=,rss=,comm= (exit 1 when nothing matches, as procps does).
func ps(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) != 5 || argv[1] != "-C" || argv[3] != "-o" || argv[4] != "pid=,pmem=,rss=,comm=" {
		return "", "sim: only ps -C NAMES -o pid=,pmem=,rss=,comm= is emulated\n", 1
	}
	var b strings.Builder
	all := h.procs(st)
	for i, name := range guideComponents {
		p, ok := all[name]
		if !ok || p.Down || !slices.ContainsFunc(strings.Split(argv[2], ","), func(w string) bool { return comm(w) == comm(name) }) {
			continue
		}
		fmt.Fprintf(&b, "%7d %4.1f %8d %s\n", 1000+i, p.Mem, int64(float64(st.MemTotalKB)*p.Mem/100), comm(name))
	}
	if b.Len() == 0 {
		return "", "", 1
	}
	return b.String(), "", 0
}

// procStat answers /proc/PID/stat for the components: jiffies since boot at their CPU share of
// the machine's (every CPU's) jiffies, as /proc/stat counts them in host.go.
func procStat(h *Host, st *HostState, p string, now time.Time) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/proc/")
	pidS, ok2 := strings.CutSuffix(rest, "/stat")
	pid, err := strconv.Atoi(pidS)
	if !ok || !ok2 || err != nil || pid < 1000 || pid >= 1000+len(guideComponents) {
		return "", false
	}
	name := guideComponents[pid-1000]
	s, run := h.procs(st)[name]
	if !run || s.Down {
		return "", false
	}
	jiffies := now.Sub(st.BootedAt).Seconds() * 100 * float64(st.CPUs) * s.CPU / 100
	return fmt.Sprintf("%d (%s) S 1 %d %d 0 -1 4194560 1000 0 0 0 %d %d 0 0 20 0 30 0 %d 2000000000 %d 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n",
		pid, comm(name), pid, pid, int64(jiffies*0.7), int64(jiffies*0.3), 100, int64(float64(st.MemTotalKB)*s.Mem/100/4)), true
}

// ssOwners answers ss -ltnpH: the listening sockets with the process that holds each.
func ssOwners(st *HostState) (string, string, int) {
	guide := config.Defaults().HostChecks.PortProcesses
	var b strings.Builder
	for i, l := range st.Listening {
		port := l[strings.LastIndexByte(l, ':')+1:]
		owner := guide[port]
		if o, ok := st.Plat.Owners[port]; ok {
			owner = o
		}
		if port == "22" {
			owner = "sshd"
		}
		fmt.Fprintf(&b, "LISTEN 0      4096   %s   0.0.0.0:* users:((\"%s\",pid=%d,fd=%d))\n", l, comm(owner), 2000+i, 3+i)
	}
	return b.String(), "", 0
}

// isEnabled answers systemctl is-enabled UNIT as systemd does (exit 0 only when enabled).
func isEnabled(st *HostState, unit string) (string, string, int) {
	unit = strings.TrimSuffix(unit, ".service")
	s, ok := st.Plat.Enabled[unit]
	if !ok {
		if _, known := st.Units[unit]; !known {
			return "", fmt.Sprintf("Failed to get unit file state for %s.service: No such file or directory\n", unit), 1
		}
		s = "enabled"
	}
	if s == "enabled" || s == "static" {
		return s + "\n", "", 0
	}
	return s + "\n", "", 1
}

// crontab answers crontab -l as the login user.
func crontab(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if len(argv) != 2 || argv[1] != "-l" {
		return "", "sim: only crontab -l is emulated\n", 1
	}
	if st.Plat.Crontab == "" {
		return "", "no crontab for admin\n", 1
	}
	return st.Plat.Crontab, "", 0
}

// etcdCluster answers etcdctl endpoint status --cluster -w json and alarm list (ok false: not
// one of those).
func etcdCluster(st *HostState, rest []string, now time.Time) (string, string, int, bool) {
	c := st.Plat.Etcd
	switch {
	case slices.Equal(rest, []string{"alarm", "list"}):
		if c == nil {
			return "", "Error: context deadline exceeded\n", 1, true
		}
		var b strings.Builder
		for _, a := range c.Alarms {
			fmt.Fprintf(&b, "memberID:%d alarm:%s \n", c.Members[0].ID, a)
		}
		return b.String(), "", 0, true
	case slices.Equal(rest, []string{"endpoint", "status", "--cluster", "-w", "json"}):
	default:
		return "", "", 0, false
	}
	if c == nil {
		return "", "Error: failed to fetch endpoints from etcd cluster member list: context deadline exceeded\n", 1, true
	}
	var leader uint64
	for _, m := range c.Members {
		if m.Leader && !m.Down {
			leader = m.ID
		}
	}
	type header struct {
		ClusterID uint64 `json:"cluster_id"`
		MemberID  uint64 `json:"member_id"`
		Revision  int64  `json:"revision"`
		RaftTerm  uint64 `json:"raft_term"`
	}
	type status struct {
		Header           header   `json:"header"`
		Version          string   `json:"version"`
		DBSize           int64    `json:"dbSize"`
		Leader           uint64   `json:"leader,omitempty"`
		RaftIndex        uint64   `json:"raftIndex"`
		RaftTerm         uint64   `json:"raftTerm"`
		RaftAppliedIndex uint64   `json:"raftAppliedIndex"`
		Errors           []string `json:"errors,omitempty"`
		DBSizeInUse      int64    `json:"dbSizeInUse"`
	}
	type entry struct {
		Endpoint string
		Status   status
	}
	idx := uint64(now.Unix()-1_700_000_000) / 2 // it keeps moving, as a live cluster's does
	var out []entry
	var stderr strings.Builder
	for _, m := range c.Members {
		if m.Down {
			fmt.Fprintf(&stderr, "Failed to get the status of endpoint %s (context deadline exceeded)\n", m.Endpoint)
			continue
		}
		l := leader
		if m.NoLeader {
			l = 0
		}
		errs := slices.Clone(m.ErrorList)
		for _, a := range c.Alarms {
			errs = append(errs, fmt.Sprintf("memberID:%d alarm:%s ", c.Members[0].ID, a))
		}
		out = append(out, entry{m.Endpoint, status{Header: header{6117530171747474749, m.ID, int64(idx / 3), 7}, Version: "3.5.9",
			DBSize: m.DBSize, Leader: l, RaftIndex: idx - m.RaftLag, RaftTerm: 7, RaftAppliedIndex: idx - m.RaftLag, Errors: errs, DBSizeInUse: m.DBSize * 3 / 4}})
	}
	b, _ := json.Marshal(out)
	code := 0
	if stderr.Len() > 0 {
		code = 1
	}
	return string(b) + "\n", stderr.String(), code, true
}

// findListing answers find DIR -maxdepth 1 -name GLOB -type f -printf '%T@ %s %f\n' over the
// host's files (certificates: MTimes, else a year ago) and its backup files (Snapshots).
func findListing(st *HostState, argv []string, now time.Time) (string, string, int) {
	if len(argv) != 10 || argv[4] != "-name" || argv[8] != "-printf" {
		return "", "sim: only find DIR -maxdepth 1 -name GLOB -type f -printf FORMAT is emulated\n", 1
	}
	dir := strings.TrimSuffix(argv[1], "/")
	type file struct {
		name string
		size int
		t    time.Time
	}
	var fs []file
	exists := false
	for f, body := range st.Files {
		if strings.HasPrefix(f, dir+"/") {
			exists = true
		}
		if path.Dir(f) == dir {
			t, ok := st.Plat.MTimes[f]
			if !ok {
				t = now.Add(-365 * 24 * time.Hour)
			}
			fs = append(fs, file{path.Base(f), len(body), t})
		}
	}
	for f, t := range st.Snapshots {
		if path.Dir(f) == dir {
			exists = true
			fs = append(fs, file{path.Base(f), 58_720_288, t})
		}
	}
	if !exists {
		return "", fmt.Sprintf("find: '%s': No such file or directory\n", argv[1]), 1
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
	var b strings.Builder
	for _, f := range fs {
		if ok, _ := path.Match(argv[5], f.name); ok {
			fmt.Fprintf(&b, "%d.%09d0 %d %s\n", f.t.Unix(), f.t.Nanosecond(), f.size, f.name) // find prints 10 decimals
		}
	}
	return b.String(), "", 0
}
