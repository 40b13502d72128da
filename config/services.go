package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Services are the platform services on the ops hosts (guide §4, §5.8.1, §7, §8, §9.3). Each
// block is optional: a service's checks run only when its block lists something to look at.
// Unset fields take the guide's values through the accessor methods below, so a site file
// needs only the hosts and containers.
type Services struct {
	Yunyou  Yunyou  `yaml:"yunyou"`
	IAM     IAM     `yaml:"iam"`
	OpenAPI OpenAPI `yaml:"openapi"`
	MySQL   MySQL   `yaml:"mysql"`
	YUM     YUM     `yaml:"yum"`
}

// ServiceInstance is one container of a service on an inventory host.
type ServiceInstance struct {
	Host      string `yaml:"host"`
	Container string `yaml:"container"` // default: the guide's name (apyunqing, acprodapigw, …)
	Runtime   string `yaml:"runtime"`   // docker (default) | crictl
	Role      string `yaml:"role"`      // IAM only: core (aciamcore) | web (aciamweb)
}

// Yunyou is the apyunqing container (§4.2–4.3, §4.6, §9.5).
type Yunyou struct {
	Instances []ServiceInstance `yaml:"instances"`
	Port      int               `yaml:"port"`       // 81
	MySQLUnit string            `yaml:"mysql_unit"` // §9.5 systemctl status mysql; "none": the database is elsewhere
	ErrorLog  string            `yaml:"error_log"`  // /home/admin/logs/apyunqing/common-error.log, on the host
	Lines     int               `yaml:"error_lines"`
}

// IAM is aciamcore and aciamweb (§7, §9.6).
type IAM struct {
	Instances []ServiceInstance `yaml:"instances"`
	// Ports by role; default core 2022, 8341, 12200 and web 2022, 80, 12200 (§7.3.1).
	Ports map[string][]int `yaml:"ports"`
}

// OpenAPI is the acprodapigw gateway (§8).
type OpenAPI struct {
	Instances []ServiceInstance `yaml:"instances"`
	Ports     []int             `yaml:"ports"`      // 2022, 80, 12200 (§8.2)
	DigestLog string            `yaml:"digest_log"` // /home/admin/logs/acprodapigw/gateway-digest.log, on the host
	Window    Duration          `yaml:"window"`     // the last minutes judged (5m)
	Lines     int               `yaml:"lines"`      // at most this many newest lines read (5000)
	ErrorRate Level             `yaml:"error_percent"`
}

// MySQL lists the databases whose replication is watched (§5.8.1).
type MySQL struct {
	Instances []MySQLInstance `yaml:"instances"`
	Lag       Level           `yaml:"lag_seconds"`  // Seconds_Behind_Master: warn 60, crit 600
	LogShare  Level           `yaml:"logs_percent"` // binlog + relay log share of their filesystem: warn 30, crit 50
}

// MySQLInstance is one replica (or primary: then only its logs are judged).
type MySQLInstance struct {
	Name      string `yaml:"name"` // the target's name; default host[/container][:port]
	Host      string `yaml:"host"`
	Container string `yaml:"container"`
	Runtime   string `yaml:"runtime"` // none (default) | docker | crictl
	Address   string `yaml:"address"` // host:port for mysql -h -P ("" the local socket)
	Socket    string `yaml:"socket"`
	User      string `yaml:"user"` // the password comes from the login user's ~/.my.cnf, never from here
	Primary   bool   `yaml:"primary"`
	LogDir    string `yaml:"log_dir"` // where mysql-bin.* and relay logs are, e.g. /u02/my3306/log
}

// YUM is the site's package repository (§9.3), checked from some hosts.
type YUM struct {
	Hosts   []string          `yaml:"hosts"`
	Roles   []string          `yaml:"roles"`
	RepoDir string            `yaml:"repo_dir"` // /etc/yum.repos.d
	URLs    []string          `yaml:"urls"`     // base URLs to use instead of reading the repo files
	Vars    map[string]string `yaml:"vars"`     // $releasever, $basearch … in baseurl lines
}

// The guide's defaults.
const (
	DefaultYunyouContainer  = "apyunqing"
	DefaultOpenAPIContainer = "acprodapigw"
)

// IAMContainers are the guide's container names by role.
var IAMContainers = map[string]string{"core": "aciamcore", "web": "aciamweb"}

// ContainerName is the instance's container, or the service's default.
func (in ServiceInstance) ContainerName(def string) string {
	if in.Container != "" {
		return in.Container
	}
	return def
}

// RuntimeName is the instance's runtime (docker by default).
func (in ServiceInstance) RuntimeName() string {
	if in.Runtime == "" {
		return "docker"
	}
	return in.Runtime
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orLevel(l, def Level) Level {
	if l == (Level{}) {
		return def
	}
	return l
}

// PortOr is Yunyou's port (81).
func (y Yunyou) PortOr() int { return orInt(y.Port, 81) }

// MySQLUnitOr is the unit of Yunyou's database ("" when it is elsewhere).
func (y Yunyou) MySQLUnitOr() string {
	if y.MySQLUnit == "none" {
		return ""
	}
	return orStr(y.MySQLUnit, "mysql")
}

// ErrorLogOr is Yunyou's common-error.log.
func (y Yunyou) ErrorLogOr() string {
	return orStr(y.ErrorLog, "/home/admin/logs/apyunqing/common-error.log")
}

// LinesOr is how many newest lines of common-error.log go into the evidence (20).
func (y Yunyou) LinesOr() int { return orInt(y.Lines, 20) }

// PortsOr are the ports of an IAM role (§7.3.1).
func (i IAM) PortsOr(role string) []int {
	if p, ok := i.Ports[role]; ok {
		return p
	}
	if role == "web" {
		return []int{2022, 80, 12200}
	}
	return []int{2022, 8341, 12200}
}

// PortsOr are the gateway's ports (§8.2).
func (o OpenAPI) PortsOr() []int {
	if o.Ports != nil {
		return o.Ports
	}
	return []int{2022, 80, 12200}
}

// DigestLogOr is the gateway digest on the host.
func (o OpenAPI) DigestLogOr() string {
	return orStr(o.DigestLog, "/home/admin/logs/acprodapigw/gateway-digest.log")
}

// WindowOr is the span of digest lines judged (5 minutes).
func (o OpenAPI) WindowOr() time.Duration {
	if o.Window == 0 {
		return 5 * time.Minute
	}
	return o.Window.D()
}

// LinesOr bounds the digest lines read (5000).
func (o OpenAPI) LinesOr() int { return orInt(o.Lines, 5000) }

// ErrorRateOr is the failed-call share that warns / is critical (5 %, 20 %).
func (o OpenAPI) ErrorRateOr() Level { return orLevel(o.ErrorRate, Level{Warn: 5, Crit: 20}) }

// LagOr is Seconds_Behind_Master's warn/crit (60 s, 600 s).
func (m MySQL) LagOr() Level { return orLevel(m.Lag, Level{Warn: 60, Crit: 600}) }

// LogShareOr is the binlog + relay log share of their filesystem (30 %, 50 %).
func (m MySQL) LogShareOr() Level { return orLevel(m.LogShare, Level{Warn: 30, Crit: 50}) }

// Target is the instance's name in findings.
func (in MySQLInstance) Target() string {
	if in.Name != "" {
		return in.Name
	}
	t := in.Host
	if in.Container != "" {
		t += "/" + in.Container
	}
	if _, p, err := net.SplitHostPort(in.Address); err == nil {
		t += ":" + p
	}
	return t
}

// RepoDirOr is where the repo files are (/etc/yum.repos.d).
func (y YUM) RepoDirOr() string { return orStr(y.RepoDir, "/etc/yum.repos.d") }

var varNameOK = func(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	})
}

// services validates the services block: hosts of the inventory, plain container names,
// runtimes, ports, and paths that reach remote commands.
func (v *validator) services(s *Site, hosts map[string]bool) {
	sv := &s.Services
	inst := func(p string, in ServiceInstance, runtimes []string) {
		if !hosts[in.Host] {
			v.at(p+".host", "%q is not a host of the inventory", in.Host)
		}
		if in.Container != "" && !containerRe.MatchString(in.Container) {
			v.at(p+".container", "%q is not a container name (letters, digits, _ . -)", in.Container)
		}
		if in.Runtime != "" && !slices.Contains(runtimes, in.Runtime) {
			v.at(p+".runtime", "must be %s, not %q", strings.Join(runtimes, " or "), in.Runtime)
		}
	}
	ports := func(p string, ps []int) {
		for i, n := range ps {
			if n < 1 || n > 65535 {
				v.at(fmt.Sprintf("%s[%d]", p, i), "%d is not a port", n)
			}
		}
	}
	for i, in := range sv.Yunyou.Instances {
		p := fmt.Sprintf("services.yunyou.instances[%d]", i)
		inst(p, in, []string{"docker"}) // docker inspect/top: the guide's Yunyou runs under docker
		if in.Role != "" {
			v.at(p+".role", "only for IAM instances")
		}
	}
	if n := sv.Yunyou.Port; n != 0 {
		ports("services.yunyou.port", []int{n})
	}
	if u := sv.Yunyou.MySQLUnit; u != "" && !containerRe.MatchString(u) {
		v.at("services.yunyou.mysql_unit", "%q is not a unit name (or none)", u)
	}
	for i, in := range sv.IAM.Instances {
		p := fmt.Sprintf("services.iam.instances[%d]", i)
		inst(p, in, []string{"docker", "crictl"})
		if _, ok := IAMContainers[in.Role]; !ok {
			v.at(p+".role", "must be core (aciamcore) or web (aciamweb), not %q", in.Role)
		}
	}
	for role, ps := range sv.IAM.Ports {
		if _, ok := IAMContainers[role]; !ok {
			v.at("services.iam.ports."+role, "%q is not an IAM role (core, web)", role)
		}
		ports("services.iam.ports."+role, ps)
	}
	for i, in := range sv.OpenAPI.Instances {
		p := fmt.Sprintf("services.openapi.instances[%d]", i)
		inst(p, in, []string{"docker", "crictl"})
		if in.Role != "" {
			v.at(p+".role", "only for IAM instances")
		}
	}
	ports("services.openapi.ports", sv.OpenAPI.Ports)
	if w := sv.OpenAPI.Window; w != 0 {
		v.atLeast("services.openapi.window", w, time.Minute)
	}
	if sv.OpenAPI.Lines < 0 || sv.OpenAPI.Lines > 100000 {
		v.at("services.openapi.lines", "must be 1..100000 (0: 5000)")
	}
	if sv.Yunyou.Lines < 0 || sv.Yunyou.Lines > 500 {
		v.at("services.yunyou.error_lines", "must be 1..500 (0: 20)")
	}
	v.level("services.openapi.error_percent", sv.OpenAPI.ErrorRate, 100)
	names := map[string]bool{}
	for i, in := range sv.MySQL.Instances {
		p := fmt.Sprintf("services.mysql.instances[%d]", i)
		inst(p, ServiceInstance{Host: in.Host, Container: in.Container, Runtime: in.Runtime}, []string{"none", "docker", "crictl"})
		if (in.Runtime == "docker" || in.Runtime == "crictl") && in.Container == "" {
			v.at(p+".container", "required with runtime %s", in.Runtime)
		}
		if t := in.Target(); names[t] {
			v.at(p+".name", "%q is listed twice: give each a name", t)
		} else {
			names[t] = true
		}
		if in.Address != "" {
			h, port, err := net.SplitHostPort(in.Address)
			if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || h == "" || strings.HasPrefix(h, "-") {
				v.at(p+".address", "%q must be host:port", in.Address)
			}
		}
		if in.User != "" && !containerRe.MatchString(in.User) {
			v.at(p+".user", "%q is not a MySQL user name (letters, digits, _ . -)", in.User)
		}
	}
	v.level("services.mysql.lag_seconds", sv.MySQL.Lag, 0)
	v.level("services.mysql.logs_percent", sv.MySQL.LogShare, 100)
	for i, h := range sv.YUM.Hosts {
		if !hosts[h] {
			v.at(fmt.Sprintf("services.yum.hosts[%d]", i), "%q is not a host of the inventory", h)
		}
	}
	for i, u := range sv.YUM.URLs {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil {
			v.at(fmt.Sprintf("services.yum.urls[%d]", i), "%q must be an http(s) URL without user info", u)
		}
	}
	for k := range sv.YUM.Vars {
		if !varNameOK(k) {
			v.at("services.yum.vars."+k, "%q is not a yum variable name (releasever, basearch …)", k)
		}
	}
	remote := func(field string, p *string) {
		switch q := *p; {
		case q == "":
		case strings.HasPrefix(q, "-") || strings.HasPrefix(q, "~") || strings.ContainsAny(q, "*?[") ||
			strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			v.at(field, "%q must be a plain path (absolute, or relative to the login user's home; no globs)", q)
		}
	}
	remote("services.yunyou.error_log", &sv.Yunyou.ErrorLog)
	remote("services.openapi.digest_log", &sv.OpenAPI.DigestLog)
	remote("services.yum.repo_dir", &sv.YUM.RepoDir)
	for i := range sv.MySQL.Instances {
		remote(fmt.Sprintf("services.mysql.instances[%d].log_dir", i), &sv.MySQL.Instances[i].LogDir)
		remote(fmt.Sprintf("services.mysql.instances[%d].socket", i), &sv.MySQL.Instances[i].Socket)
	}
}
