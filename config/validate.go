package config

import (
	"fmt"
	"net"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	hostNameRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)
	userRe      = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	containerRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	weekdays    = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

// semantic checks what the YAML shape cannot: references, ranges, formats. Names that end up in
// remote commands are validated here so nothing odd ever reaches a shell.
func (v *validator) semantic(s *Site) {
	if s.Version != CurrentVersion {
		v.at("version", "must be %d (this opsdeck reads site file version %d)", CurrentVersion, CurrentVersion)
	}
	if strings.TrimSpace(s.Name) == "" {
		v.at("name", "required: the site's name, shown in the header")
	}
	clusters := map[string]bool{}
	for i, c := range s.Clusters {
		p := fmt.Sprintf("clusters[%d]", i)
		if c.Name == "" {
			v.at(p+".name", "required")
		} else if clusters[c.Name] {
			v.at(p+".name", "cluster %q is listed twice", c.Name)
		}
		clusters[c.Name] = true
		if c.Role != "" && c.Role != "meta" && c.Role != "business" {
			v.at(p+".role", "must be meta or business, not %q", c.Role)
		}
		known := s.Resources.ByName()
		for j, r := range c.Resources {
			if _, ok := known[r]; !ok {
				v.at(fmt.Sprintf("%s.resources[%d]", p, j), "%q is not a resource of resources: (%s) or it is off", r, strings.Join(ResourceNames, ", "))
			}
		}
	}
	for field, r := range s.Resources.all() {
		if r == Off {
			continue
		}
		if parts := strings.SplitN(r, ".", 3); len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			v.at("resources."+field, "%q must be resource.version.group, e.g. machines.v1.machine.sigma.alipay.com", r)
		}
	}
	v.atLeast("ssh.connect_timeout", s.SSH.ConnectTimeout, minTimeout)
	v.atLeast("ssh.keepalive", s.SSH.KeepAlive, time.Second)
	if s.SSH.MaxSessionsPerHost < 1 || s.SSH.MaxSessionsPerHost > 9 {
		v.at("ssh.max_sessions_per_host", "must be 1..9 (sshd's default MaxSessions is 10), not %d", s.SSH.MaxSessionsPerHost)
	}

	hosts := v.hosts(s, clusters)

	if s.ADNS.MasterVIP != "" && net.ParseIP(s.ADNS.MasterVIP) == nil {
		v.at("adns.master_vip", "%q is not an IP address", s.ADNS.MasterVIP)
	}
	for i, ip := range s.ADNS.SlaveVIPs {
		if net.ParseIP(ip) == nil {
			v.at(fmt.Sprintf("adns.slave_vips[%d]", i), "%q is not an IP address", ip)
		}
	}
	for i, in := range s.ADNS.Instances {
		p := fmt.Sprintf("adns.instances[%d]", i)
		if !hosts[in.Host] {
			v.at(p+".host", "%q is not a host of the inventory", in.Host)
		}
		if !slices.Contains([]string{"master", "slave"}, in.Role) {
			v.at(p+".role", "must be master or slave, not %q", in.Role)
		}
		if !slices.Contains([]string{"docker", "crictl", "none"}, in.Runtime) {
			v.at(p+".runtime", "must be docker, crictl or none, not %q", in.Runtime)
		}
		if (in.Runtime == "docker" || in.Runtime == "crictl") && !containerRe.MatchString(in.Container) {
			v.at(p+".container", "a container name is required for runtime %s (letters, digits, _ . -)", in.Runtime)
		}
	}
	v.level("adns.latency_ms", s.ADNS.Latency, 0)
	if p := s.ADNS.DNSPort; p < 1 || p > 65535 {
		v.at("adns.dns_port", "%d is not a port", p)
	}
	if p := s.ADNS.APIPort; p < 1 || p > 65535 {
		v.at("adns.api_port", "%d is not a port", p)
	}
	v.level("ntp.offset_ms", s.NTP.Offset, 0)
	if s.NTP.Client != "ntpdate" && s.NTP.Client != "chrony" {
		v.at("ntp.client", "must be ntpdate or chrony, not %q", s.NTP.Client)
	}
	for _, list := range []struct {
		key string
		v   []string
	}{{"ntp.servers", s.NTP.Servers}, {"ntp.upstream", s.NTP.Upstream}} {
		for i, srv := range list.v {
			if net.ParseIP(srv) == nil && !hostNameRe.MatchString(srv) {
				v.at(fmt.Sprintf("%s[%d]", list.key, i), "%q is neither an IP address nor a host name", srv)
			}
		}
	}
	for i, g := range s.Certificates.Files {
		// The glob is in the file name only: the folder is listed with find (no shell expands it).
		dir, base := path.Split(g)
		if _, err := path.Match(base, ""); err != nil || base == "" || strings.ContainsAny(dir, "*?[\\") || strings.ContainsAny(g, "\n\x00") || strings.HasPrefix(g, "-") {
			v.at(fmt.Sprintf("certificates.files[%d]", i), "%q must be a path whose file name may be a glob (/etc/kubernetes/pki/*.crt)", g)
		}
	}
	if k := s.Certificates.KubeletClient; k != "" && (strings.ContainsAny(k, "*?[\n\x00") || strings.HasPrefix(k, "-")) {
		v.at("certificates.kubelet_client", "%q must be a plain path", k)
	}
	for i, e := range s.Certificates.Endpoints {
		if _, _, err := net.SplitHostPort(e); err != nil {
			v.at(fmt.Sprintf("certificates.endpoints[%d]", i), "%q must be host:port", e)
		}
	}
	if s.Certificates.CritWithin > s.Certificates.WarnWithin {
		v.at("certificates.crit_within", "must not be longer than warn_within (%s)", s.Certificates.WarnWithin)
	}
	v.logs(s.Logs, hosts, clusters)
	v.services(s, hosts)
	t := s.Thresholds
	v.level("thresholds.cpu_percent", t.CPU, 100)
	v.level("thresholds.memory_percent", t.Memory, 100)
	v.level("thresholds.disk_percent", t.Disk, 100)
	v.level("thresholds.load_per_core", t.LoadPerCore, 0)
	v.positive("thresholds.recent_reboot", t.RecentReboot)
	v.positive("thresholds.node_heartbeat_stale", t.NodeHeartbeatStale)
	v.positive("thresholds.node_status_stale", t.NodeStatusStale)
	v.positive("thresholds.node_down_before_removal", t.NodeDownBeforeRemoval)
	v.positive("thresholds.pod_pending", t.PodPending)
	v.positive("thresholds.pod_terminating", t.PodTerminating)
	v.positive("etcd.backup_max_age", s.Etcd.MaxAge)
	for role, ports := range s.HostChecks.Ports {
		for i, p := range ports {
			port := p
			if _, pp, err := net.SplitHostPort(p); err == nil {
				port = pp
			}
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				v.at(fmt.Sprintf("host_checks.ports.%s[%d]", role, i), "%q must be a port or address:port", p)
			}
		}
	}
	for port, proc := range s.HostChecks.PortProcesses {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			v.at("host_checks.port_processes."+port, "%q must be a port number", port)
		} else if !containerRe.MatchString(proc) {
			v.at("host_checks.port_processes."+port, "%q is not a process name", proc)
		}
	}
	for role, procs := range s.HostChecks.Processes {
		for i, p := range procs {
			if !containerRe.MatchString(p) || strings.Contains(p, ",") {
				v.at(fmt.Sprintf("host_checks.processes.%s[%d]", role, i), "%q is not a process name", p)
			}
		}
	}
	for i, c := range s.Etcd.BackupCron {
		if strings.TrimSpace(c) == "" {
			v.at(fmt.Sprintf("etcd.backup_cron[%d]", i), "must not be empty (it would match every line)")
		}
	}
	if u := s.Etcd.CronUser; u != "" && !hostNameRe.MatchString(u) {
		v.at("etcd.cron_user", "%q is not a user name", u)
	}
	v.level("etcd.db_size_mb", s.Etcd.DBSizeMB, 0)
	v.level("etcd.raft_index_spread", s.Etcd.RaftIndexSpread, 0)
	for role, units := range s.HostChecks.Units {
		for i, u := range units {
			if !containerRe.MatchString(u) {
				v.at(fmt.Sprintf("host_checks.units.%s[%d]", role, i), "%q is not a unit name", u)
			}
		}
	}
	for i, d := range s.HostChecks.LogDirs {
		if strings.TrimSpace(d) == "" || strings.ContainsAny(d, "*?[") {
			v.at(fmt.Sprintf("host_checks.log_dirs[%d]", i), "%q must be a directory (absolute, or relative to the login user's home)", d)
		}
	}
	v.level("host_checks.log_dirs_percent", s.HostChecks.LogDirsPercent, 100)
	v.remotePaths(s)
	v.atLeast("checks.interval", s.Checks.Interval, time.Second)
	v.atLeast("checks.timeout", s.Checks.Timeout, minTimeout)
	if s.Checks.Concurrency < 1 {
		v.at("checks.concurrency", "must be at least 1")
	}
	for id, o := range s.Checks.Overrides {
		if o.Interval != 0 { // 0: the checks' own
			v.atLeast("checks.overrides."+id+".interval", o.Interval, time.Second)
		}
		if o.Timeout != 0 {
			v.atLeast("checks.overrides."+id+".timeout", o.Timeout, minTimeout)
		}
	}
	for i, e := range s.Exceptions {
		p := fmt.Sprintf("known_exceptions[%d]", i)
		if _, err := path.Match(e.Check, ""); err != nil || e.Check == "" {
			v.at(p+".check", "a check id or glob is required (e.g. pods.not_ready)")
		}
		if _, err := path.Match(e.Target, ""); err != nil {
			v.at(p+".target", "%q is not a valid glob", e.Target)
		}
		if strings.TrimSpace(e.Reason) == "" {
			v.at(p+".reason", "required: say why this is expected")
		}
		if e.Until != "" {
			if _, err := time.Parse("2006-01-02", e.Until); err != nil {
				v.at(p+".until", "%q is not a date (YYYY-MM-DD)", e.Until)
			}
		}
	}
	v.changes(s.Changes)
}

// hosts validates the inventory and returns the set of host names.
func (v *validator) hosts(s *Site, clusters map[string]bool) map[string]bool {
	names := map[string]bool{}
	for gi, g := range s.Hosts.Groups {
		gp := fmt.Sprintf("hosts.groups[%d]", gi)
		if g.Name == "" {
			v.at(gp+".name", "required")
		}
		if g.FromCluster != "" && !clusters[g.FromCluster] {
			v.at(gp+".from_cluster", "%q is not a cluster of this site", g.FromCluster)
		}
		for hi, h := range g.Hosts {
			hp := fmt.Sprintf("%s.hosts[%d]", gp, hi)
			switch {
			case h.Name == "":
				v.at(hp+".name", "required")
			case !hostNameRe.MatchString(h.Name):
				v.at(hp+".name", "%q: use letters, digits, '.', '_' and '-'", h.Name)
			case names[h.Name]:
				v.at(hp+".name", "host %q is listed twice", h.Name)
			}
			names[h.Name] = true
			if h.Address != "" && net.ParseIP(h.Address) == nil && !hostNameRe.MatchString(h.Address) {
				v.at(hp+".address", "%q is neither an IP address nor a host name", h.Address)
			}
			if h.Port < 0 || h.Port > 65535 {
				v.at(hp+".port", "%d is not a TCP port", h.Port)
			}
		}
	}
	for _, h := range s.Inventory() {
		if h.User != "" && !userRe.MatchString(h.User) {
			v.at(v.hostField(s, h.Name, "user"), "%q is not a user name", h.User)
		}
		if h.Jump != "" && !names[h.Jump] {
			v.at(v.hostField(s, h.Name, "jump"), "jump host %q is not a host of the inventory", h.Jump)
		}
	}
	v.jumpLoops(s)
	return names
}

// jumpLoops rejects ProxyJump chains that come back to a host (a → b → a): each would wait for
// the other forever. A loop is reported once, at the jump of its first host in file order.
func (v *validator) jumpLoops(s *Site) {
	jump := map[string]string{}
	for _, h := range s.Inventory() {
		jump[h.Name] = h.Jump
	}
	reported := map[string]bool{}
	for _, h := range s.Inventory() {
		chain := []string{h.Name}
		for next := jump[h.Name]; next != ""; next = jump[next] {
			if i := slices.Index(chain, next); i >= 0 {
				loop := append(chain[i:], next)
				if !reported[loop[0]] && loop[0] == h.Name {
					for _, n := range loop {
						reported[n] = true
					}
					v.at(v.hostField(s, h.Name, "jump"), "jump hosts loop: %s", strings.Join(loop, " → "))
				}
				break
			}
			chain = append(chain, next)
		}
	}
}

// hostField finds where a host's effective field was set: on the host, its group, or defaults.
func (v *validator) hostField(s *Site, name, field string) string {
	for gi, g := range s.Hosts.Groups {
		for hi, h := range g.Hosts {
			if h.Name != name {
				continue
			}
			for _, p := range []string{
				fmt.Sprintf("hosts.groups[%d].hosts[%d].%s", gi, hi, field),
				fmt.Sprintf("hosts.groups[%d].%s", gi, field),
				"hosts.defaults." + field,
			} {
				if _, ok := v.pos[p]; ok {
					return p
				}
			}
			return fmt.Sprintf("hosts.groups[%d].hosts[%d].%s", gi, hi, field)
		}
	}
	return "hosts"
}

func (v *validator) changes(c Changes) {
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		v.at("changes.timezone", "%q is not a timezone (e.g. Asia/Shanghai, UTC, Local)", c.Timezone)
	}
	spans := func(kind string, ws []TimeWindow) {
		for i, w := range ws {
			p := fmt.Sprintf("changes.%s[%d]", kind, i)
			a, errA := time.Parse("2006-01-02 15:04", w.Start)
			b, errB := time.Parse("2006-01-02 15:04", w.End)
			if errA != nil {
				v.at(p+".start", "%q is not \"YYYY-MM-DD HH:MM\"", w.Start)
			}
			if errB != nil {
				v.at(p+".end", "%q is not \"YYYY-MM-DD HH:MM\"", w.End)
			}
			if errA == nil && errB == nil && !b.After(a) {
				v.at(p+".end", "must be after start")
			}
		}
	}
	spans("windows", c.Windows)
	spans("freezes", c.Freezes)
	for i, h := range c.PeakHours {
		p := fmt.Sprintf("changes.peak_hours[%d]", i)
		if _, err := time.Parse("15:04", h.Start); err != nil {
			v.at(p+".start", "%q is not \"HH:MM\"", h.Start)
		}
		if _, err := time.Parse("15:04", h.End); err != nil {
			v.at(p+".end", "%q is not \"HH:MM\"", h.End)
		}
		for j, d := range h.Days {
			if !slices.Contains(weekdays, strings.ToLower(d)) {
				v.at(fmt.Sprintf("%s.days[%d]", p, j), "%q is not a weekday (mon..sun)", d)
			}
		}
	}
}

// minTimeout is the shortest timeout that still means something over a network: below it, every
// probe would time out and the screen would show a site in flames.
const minTimeout = 100 * time.Millisecond

// atLeast rejects durations below a floor (a 1ns interval would spin the scheduler).
func (v *validator) atLeast(field string, d Duration, floor time.Duration) {
	if d.D() < floor {
		v.at(field, "%s is too short: at least %s", d, Duration(floor))
	}
}

func (v *validator) positive(field string, d Duration) {
	if d <= 0 {
		v.at(field, "must be a positive duration")
	}
}

func (v *validator) level(field string, l Level, max float64) {
	if l.Warn < 0 || l.Crit < 0 {
		v.at(field, "thresholds cannot be negative")
	}
	if l.Warn > l.Crit {
		v.at(field+".warn", "warn (%g) must not be above crit (%g)", l.Warn, l.Crit)
	}
	if max > 0 && l.Crit > max {
		v.at(field+".crit", "%g is above %g", l.Crit, max)
	}
}
