// Package config holds the site file: its schema, the guide's default thresholds, and validation
// that reports every error with file:line:col. It is plain data and imports nothing of ours.
package config

// CurrentVersion is the only site file version this build understands.
const CurrentVersion = 1

// Site is one Ant Stack Plus site as the operator describes it.
type Site struct {
	Version      int          `yaml:"version"`
	Name         string       `yaml:"name"`
	Clusters     []Cluster    `yaml:"clusters"`
	Resources    Resources    `yaml:"resources"`
	SSH          SSH          `yaml:"ssh"`
	Hosts        Hosts        `yaml:"hosts"`
	HostChecks   HostChecks   `yaml:"host_checks"`
	Etcd         Etcd         `yaml:"etcd"`
	ADNS         ADNS         `yaml:"adns"`
	NTP          NTP          `yaml:"ntp"`
	Certificates Certificates `yaml:"certificates"`
	Logs         []LogSource  `yaml:"logs"`
	Services     Services     `yaml:"services"` // services.go
	Thresholds   Thresholds   `yaml:"thresholds"`
	Checks       Checks       `yaml:"checks"`
	Exceptions   []Exception  `yaml:"known_exceptions"`
	Changes      Changes      `yaml:"changes"`
	Audit        Audit        `yaml:"audit"`

	// Path is the file the site was read from ("" when built in code, as the demo does).
	Path string `yaml:"-"`
}

// Cluster is one Kubernetes cluster (a meta cluster or a business cluster).
type Cluster struct {
	Name       string `yaml:"name"`
	Kubeconfig string `yaml:"kubeconfig"`
	Context    string `yaml:"context"`
	Role       string `yaml:"role"` // meta | business
	// Resources, when given, names the custom resources this cluster serves (machines, zones,
	// …) and replaces discovery, for a cluster whose discovery must not be trusted.
	Resources []string `yaml:"resources"`
}

// Resources name the Ant custom resources as resource.version.group (kubectl's full form), or
// "off" to never watch one. Each is optional per cluster: a business cluster serves none.
type Resources struct {
	Machines     string `yaml:"machines"`
	MachineOps   string `yaml:"machineops"`
	Zones        string `yaml:"zones"`
	DNSEndpoints string `yaml:"dnsendpoints"`
	DNSRecords   string `yaml:"dnsrecords"`
	IPInstances  string `yaml:"ipinstances"`
}

// SSH says how opsdeck reaches hosts.
type SSH struct {
	KnownHosts         string   `yaml:"known_hosts"`
	IdentityFiles      []string `yaml:"identity_files"`
	UseAgent           bool     `yaml:"use_agent"`
	ConfigFile         string   `yaml:"config_file"` // the operator's ~/.ssh/config ("" ignores it)
	ConnectTimeout     Duration `yaml:"connect_timeout"`
	KeepAlive          Duration `yaml:"keepalive"` // ServerAliveInterval
	MaxSessionsPerHost int      `yaml:"max_sessions_per_host"`
}

// Hosts is the inventory: group defaults, listed hosts, and optionally a cluster's nodes.
type Hosts struct {
	Defaults HostDefaults `yaml:"defaults"`
	Groups   []HostGroup  `yaml:"groups"`
}

// HostDefaults apply to every host unless its group or the host itself says otherwise.
type HostDefaults struct {
	User  string   `yaml:"user"`
	Port  int      `yaml:"port"`
	Jump  string   `yaml:"jump"`
	Roles []string `yaml:"roles"`
}

// HostGroup is a set of hosts sharing user, port, jump host and roles.
type HostGroup struct {
	Name  string   `yaml:"name"`
	User  string   `yaml:"user"`
	Port  int      `yaml:"port"`
	Jump  string   `yaml:"jump"`
	Roles []string `yaml:"roles"`
	// FromCluster adds every Node of that cluster as a host, addressed by its InternalIP.
	FromCluster string       `yaml:"from_cluster"`
	Hosts       []HostConfig `yaml:"hosts"`
}

// HostConfig is one host line of the inventory; empty fields inherit from the group.
type HostConfig struct {
	Name    string   `yaml:"name"`
	Address string   `yaml:"address"`
	Port    int      `yaml:"port"`
	User    string   `yaml:"user"`
	Jump    string   `yaml:"jump"`
	Roles   []string `yaml:"roles"`
}

// HostChecks say what every host should show, by role (guide §1.1, §5.4, §5.5).
type HostChecks struct {
	// Units are the systemd units that must be active, by role.
	Units map[string][]string `yaml:"units"`
	// Ports must be listening, by role: "port" (any address) or "address:port". Roles such as
	// rama, yoda, sigma-proxy, cni-service and docker carry the ports of components the guide
	// does not pin to a host (§2.1, §5.4.2): give those roles to the hosts that run them.
	Ports map[string][]string `yaml:"ports"`
	// PortProcesses names the process that owns a port (§2.1), by port number, as ss -ltnp
	// shows it (the first 15 characters of its name); another owner is a finding.
	PortProcesses map[string]string `yaml:"port_processes"`
	// Processes are the components whose CPU and memory are watched (§5.4.1), by role, as
	// ps -C names them; a listed one that is not running is a finding.
	Processes map[string][]string `yaml:"processes"`
	// LogDirs are directories that grow (the sigma logs, §5.8.2), checked against their
	// filesystem; a share above LogDirsPercent warns.
	LogDirs        []string `yaml:"log_dirs"`
	LogDirsPercent Level    `yaml:"log_dirs_percent"`
	// ResolvConf is the resolver file that must point at an ADNS VIP (§3.2).
	ResolvConf string `yaml:"resolv_conf"`
}

// Etcd says how etcd is reached from a master and where its backups go (§5.2).
type Etcd struct {
	Etcdctl   string   `yaml:"etcdctl"`
	Endpoints string   `yaml:"endpoints"`
	CACert    string   `yaml:"cacert"`
	Cert      string   `yaml:"cert"`
	Key       string   `yaml:"key"`
	BackupDir string   `yaml:"backup_dir"` // relative: in the login user's home, as ssh does
	MaxAge    Duration `yaml:"backup_max_age"`
	// BackupCron: a crontab line holding one of these (and not commented out) is the backup
	// entry (§5.2: `0 2 * * * sh /opt/etcd_back/etcd-backup.sh`); read with crontab -l, as
	// CronUser when set (crontab -l -u USER needs root), else as the login user.
	BackupCron []string `yaml:"backup_cron"`
	CronUser   string   `yaml:"cron_user"`
	// DBSizeMB is the members' database size that warns / is critical (etcd refuses writes at
	// its quota, 2 GiB unless --quota-backend-bytes says otherwise: alarm NOSPACE).
	DBSizeMB Level `yaml:"db_size_mb"`
	// RaftIndexSpread is how far the members' raft indexes may drift apart (a lagging member).
	RaftIndexSpread Level `yaml:"raft_index_spread"`
}

// ADNS describes the bind9-based DNS service.
type ADNS struct {
	MasterVIP  string         `yaml:"master_vip"`
	SlaveVIPs  []string       `yaml:"slave_vips"`
	ProbeNames []string       `yaml:"probe_names"`
	Instances  []ADNSInstance `yaml:"instances"`
	DNSPort    int            `yaml:"dns_port"`            // where bind answers on the VIPs (53)
	APIPort    int            `yaml:"api_port"`            // dnsmng's HTTP API on the master VIP (80): /ha/hastate
	Latency    Level          `yaml:"latency_ms"`          // §6.2: > 200 ms is an alarm
	MinPerMin  float64        `yaml:"min_success_per_min"` // §6.2: < 10 resolutions/min is an alarm
}

// ADNSInstance is one ADNS process group: a container (or bare processes) on a host.
type ADNSInstance struct {
	Host      string `yaml:"host"`
	Container string `yaml:"container"`
	Role      string `yaml:"role"`    // master | slave
	Runtime   string `yaml:"runtime"` // docker | crictl | none
}

// NTP describes the time service and the offsets that matter.
type NTP struct {
	// Servers are the site's own NTP servers (usually ops1, ops2: §3.1), which every other host
	// syncs to; Upstream are the servers the ops hosts sync to (the customer's).
	Servers  []string `yaml:"servers"`
	Upstream []string `yaml:"upstream"`
	Client   string   `yaml:"client"`    // how hosts sync: ntpdate (ntpdate -u SERVER) or chrony (chronyc makestep)
	Offset   Level    `yaml:"offset_ms"` // §3.1: within 1 s; §9.2: under 30 ms after power recovery
}

// Certificates lists what to inspect for expiry.
type Certificates struct {
	Files       []string `yaml:"files"`       // on the masters: a folder (absolute, or in the login user's home) and a file name glob
	Endpoints   []string `yaml:"endpoints"`   // host:port served over TLS
	Kubeconfigs []string `yaml:"kubeconfigs"` // client certs inside kubeconfigs
	// KubeletClient is the kubelet's client certificate on every node ("" leaves it out).
	KubeletClient string `yaml:"kubelet_client"`
	// MasterBackupDir holds the masters' certificate tarballs (§5.3; "" leaves the check out).
	MasterBackupDir string   `yaml:"master_backup_dir"`
	WarnWithin      Duration `yaml:"warn_within"` // §5.6.6: 60 days
	CritWithin      Duration `yaml:"crit_within"` // §5.6.6: 30 days
}

// LogSource is one log to follow (validated in logs.go).
type LogSource struct {
	Name string `yaml:"name"`
	Host string `yaml:"host"` // inventory host; "" means this machine
	// Roles follows the log on every inventory host with one of these roles (as NAME-HOST),
	// e.g. kubelet on every node, including a from_cluster group's; instead of host.
	Roles   []string `yaml:"roles"`
	Path    string   `yaml:"path"`    // file path; program for kind supervisor; namespace/pod[/container] for kind pod
	Kind    string   `yaml:"kind"`    // file | pod | supervisor
	Cluster string   `yaml:"cluster"` // for kind pod
	// Container holds the file or the supervisord (kind file, supervisor), or picks the pod's
	// container (kind pod); Runtime says how to exec into it (docker | crictl).
	Container string `yaml:"container"`
	Runtime   string `yaml:"runtime"`
	Stream    string `yaml:"stream"`   // kind supervisor: stdout (default) or stderr (keepalived writes there)
	Previous  bool   `yaml:"previous"` // kind pod: the last terminated container's log
	Format    string `yaml:"format"`   // auto (default) | log4j | logrus | klog | gateway | raw
	Lines     int    `yaml:"lines"`    // backlog read at start (default 200; -1 none)
	Buffer    int    `yaml:"buffer"`   // lines kept in memory (default 20000)
	// ErrorRate is errors per minute (over 5 minutes) that warn / crit; zero: warn 10, crit 60.
	ErrorRate Level `yaml:"error_rate"`
}

// Level is a warn/crit pair; a value at or above Warn warns, above Crit is critical (the
// guide's alarm lines read "not above 90 %": exactly 90 is a warning).
type Level struct {
	Warn float64 `yaml:"warn"`
	Crit float64 `yaml:"crit"`
}

// Thresholds are the site-wide alarm lines (defaults from the guide).
type Thresholds struct {
	CPU                Level    `yaml:"cpu_percent"`
	Memory             Level    `yaml:"memory_percent"`
	Disk               Level    `yaml:"disk_percent"`
	LoadPerCore        Level    `yaml:"load_per_core"`
	RecentReboot       Duration `yaml:"recent_reboot"`
	NodeHeartbeatStale Duration `yaml:"node_heartbeat_stale"` // a node Lease older than this (40 s: the node controller's grace)
	NodeStatusStale    Duration `yaml:"node_status_stale"`    // without a Lease: the Ready heartbeat (5m40s)
	// NodeDownBeforeRemoval is how long a node's host must have been unreachable before
	// kube.remove-node may run (an override with a reason may skip it).
	NodeDownBeforeRemoval Duration `yaml:"node_down_before_removal"`
	PodPending            Duration `yaml:"pod_pending"`
	PodTerminating        Duration `yaml:"pod_terminating"`
}

// Checks sets how often probes run and how many at once.
type Checks struct {
	Interval    Duration                 `yaml:"interval"`
	Timeout     Duration                 `yaml:"timeout"`
	Concurrency int                      `yaml:"concurrency"`
	Overrides   map[string]CheckOverride `yaml:"overrides"` // by check id
}

// CheckOverride changes one check's schedule or switches it off.
type CheckOverride struct {
	Interval Duration `yaml:"interval"`
	Timeout  Duration `yaml:"timeout"`
	Disabled bool     `yaml:"disabled"`
}

// Exception marks a finding as expected (e.g. network-controller ImagePullBackOff after power
// recovery, §9.4). Check and Target are globs.
type Exception struct {
	Check  string `yaml:"check"`
	Target string `yaml:"target"`
	Reason string `yaml:"reason"`
	Until  string `yaml:"until"` // optional date (YYYY-MM-DD) after which it no longer applies
}

// Changes are the change discipline of the guide's preamble.
type Changes struct {
	Timezone  string       `yaml:"timezone"`
	Windows   []TimeWindow `yaml:"windows"`    // changes allowed only inside one of these
	Freezes   []TimeWindow `yaml:"freezes"`    // no changes at all, except emergencies
	PeakHours []DailyHours `yaml:"peak_hours"` // no changes at business peaks
	// RequireWindow refuses changes outside windows even when none is configured (then every
	// change needs an emergency reason). Unset: true when windows are listed, false otherwise.
	RequireWindow *bool `yaml:"require_window"`
}

// WindowRequired tells whether a change needs an open window (or an emergency).
func (c Changes) WindowRequired() bool {
	if c.RequireWindow != nil {
		return *c.RequireWindow
	}
	return len(c.Windows) > 0
}

// TimeWindow is an absolute span, "YYYY-MM-DD HH:MM" in the site's timezone.
type TimeWindow struct {
	Start  string `yaml:"start"`
	End    string `yaml:"end"`
	Reason string `yaml:"reason"`
}

// DailyHours is a span of the day, "HH:MM"; End before Start crosses midnight.
type DailyHours struct {
	Start string   `yaml:"start"`
	End   string   `yaml:"end"`
	Days  []string `yaml:"days"` // mon..sun; empty means every day
}

// Audit says where every action attempt is recorded.
type Audit struct {
	Path string `yaml:"path"` // default $XDG_STATE_HOME/opsdeck/audit.jsonl
}
