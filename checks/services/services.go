// Package services checks the platform services an Ant Stack Plus site runs on its ops hosts:
// Yunyou (apyunqing, §4.2–4.3, §4.6, §9.5), IAM (aciamcore / aciamweb, §7, §9.6), the OpenAPI
// gateway (acprodapigw, §8), MySQL replication (§5.8.1) and the YUM repository (§9.3). Each
// runs only for what the site file's services block lists.
package services

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/adns"
	"opsdeck/checks/hosts"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Kind of the targets of the container checks: host/container.
const KindContainer = "container"

// Checks returns the service checks the site configures.
func Checks(site *config.Site, r probe.Runner) []checks.Check {
	return checks.Build(site, Defs(site, r, time.Now)...)
}

// Defs declares the checks (tests pin now).
func Defs(site *config.Site, r probe.Runner, now func() time.Time) []checks.Def {
	sv := site.Services
	inv := probe.NewInventory(site)
	var defs []checks.Def
	if len(sv.Yunyou.Instances) > 0 {
		ins := byTarget(sv.Yunyou.Instances, config.DefaultYunyouContainer)
		defs = append(defs, checks.Def{ID: "yunyou.service", Area: "services", Kind: KindContainer, Guide: "§4.3",
			Title: "Yunyou: apyunqing up, java, port 81, MySQL, OOM kills, common-error.log", Targets: checks.Fixed(keys(ins)),
			Probe: func(ctx context.Context, t string) checks.Finding {
				in := ins[t]
				return yunyou(ctx, r, inv[in.Host], sv.Yunyou, in)
			}})
	}
	if len(sv.IAM.Instances) > 0 {
		ins := map[string]config.ServiceInstance{}
		for _, in := range sv.IAM.Instances {
			ins[Target(in, config.IAMContainers[in.Role])] = in
		}
		defs = append(defs, checks.Def{ID: "iam.service", Area: "services", Kind: KindContainer, Guide: "§7.3",
			Title: "IAM: checkService has no false, ports listening", Targets: checks.Fixed(keys(ins)),
			Probe: func(ctx context.Context, t string) checks.Finding {
				in := ins[t]
				return health(ctx, r, inv[in.Host], in, config.IAMContainers[in.Role], sv.IAM.PortsOr(in.Role),
					"IAM: restart aciamcore's containers, then aciamweb's (action iam.restart, §9.6); aciamcore depends on antvip: if restarts do not help, check the middleware.")
			}})
	}
	if len(sv.OpenAPI.Instances) > 0 {
		ins := byTarget(sv.OpenAPI.Instances, config.DefaultOpenAPIContainer)
		defs = append(defs,
			checks.Def{ID: "openapi.service", Area: "services", Kind: KindContainer, Guide: "§8.2",
				Title: "OpenAPI gateway: checkService has no false, ports listening", Targets: checks.Fixed(keys(ins)),
				Probe: func(ctx context.Context, t string) checks.Finding {
					in := ins[t]
					return health(ctx, r, inv[in.Host], in, config.DefaultOpenAPIContainer, sv.OpenAPI.PortsOr(),
						"OpenAPI gateway: read common-error.log and gateway-digest.log under /home/admin/logs/acprodapigw (§8.1), then restart its container.")
				}},
			checks.Def{ID: "openapi.digest", Area: "services", Kind: KindContainer, Guide: "§8.3",
				Title: "OpenAPI gateway: error rate and top result codes (gateway-digest.log)", Targets: checks.Fixed(keys(ins)), Every: time.Minute,
				Probe: func(ctx context.Context, t string) checks.Finding {
					in := ins[t]
					return digest(ctx, r, inv[in.Host], sv.OpenAPI, now())
				}})
	}
	if len(sv.MySQL.Instances) > 0 {
		ins := map[string]config.MySQLInstance{}
		for _, in := range sv.MySQL.Instances {
			ins[in.Target()] = in
		}
		defs = append(defs, checks.Def{ID: "mysql.replication", Area: "services", Kind: checks.KindOther, Guide: "§5.8.1",
			Title: "MySQL: replication threads, lag, binlog and relay log disk share", Targets: checks.Fixed(keys(ins)),
			Probe: func(ctx context.Context, t string) checks.Finding {
				in := ins[t]
				return mysql(ctx, r, inv[in.Host], sv.MySQL, in, site.Thresholds.Disk)
			}})
	}
	if yumHosts := YUMHosts(site); len(yumHosts) > 0 {
		defs = append(defs, checks.Def{ID: "yum.repo", Area: "services", Kind: checks.KindHost, Guide: "§9.3",
			Title: "YUM repository answers from the host (repodata/repomd.xml)", Targets: checks.Fixed(yumHosts), Every: 5 * time.Minute,
			Probe: inv.OnHost(func(ctx context.Context, h config.Host) checks.Finding { return yum(ctx, r, h, sv.YUM, now()) })})
	}
	return defs
}

// YUMHosts are the hosts the repository is checked from: services.yum.hosts, and every host
// with one of services.yum.roles.
func YUMHosts(site *config.Site) []string {
	y := site.Services.YUM
	return probe.Names(site, func(h config.Host) bool {
		if slices.Contains(y.Hosts, h.Name) {
			return true
		}
		for _, r := range y.Roles {
			if h.HasRole(r) {
				return true
			}
		}
		return false
	})
}

// Target names a service container: host/container.
func Target(in config.ServiceInstance, def string) string {
	return in.Host + "/" + in.ContainerName(def)
}

func byTarget(list []config.ServiceInstance, def string) map[string]config.ServiceInstance {
	out := map[string]config.ServiceInstance{}
	for _, in := range list {
		out[Target(in, def)] = in
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// asADNS lets the container helpers of checks/adns (exec argv, crictl ids) serve any container.
func asADNS(in config.ServiceInstance, def string) config.ADNSInstance {
	return config.ADNSInstance{Host: in.Host, Container: in.ContainerName(def), Runtime: in.RuntimeName()}
}

// execIn runs argv in the container (crictl: by the id of its running container). ok is false
// when nothing ran; a container that is not running is reported in *down.
func execIn(ctx context.Context, r probe.Runner, f *checks.Finding, h config.Host, in config.ADNSInstance, argv ...string) (res ssh.Result, ok bool, down string) {
	id := ""
	if in.Runtime == "crictl" {
		idArgv, err := adns.IDArgv(in)
		if err != nil {
			*f = checks.Failed(err)
			return res, false, ""
		}
		if res, ok = probe.RunOK(ctx, r, f, h, idArgv...); !ok {
			return res, false, ""
		}
		if id, err = adns.ParseContainerID(in.Container, res.Stdout); err != nil {
			return res, false, err.Error()
		}
	}
	full, err := adns.ExecArgv(in, id, argv...)
	if err != nil {
		*f = checks.Failed(err)
		return res, false, ""
	}
	res, ok = probe.Run(ctx, r, f, h, full...)
	if ok && res.ExitCode != 0 && strings.Contains(string(res.Stderr), "is not running") {
		return res, false, probe.FirstLine(string(res.Stderr))
	}
	return res, ok, ""
}

// answer judges how a command in a container went: a container not running, or a command that
// failed, is crit (read false); final when nothing ran (the finding already says why).
func answer(v *verdict, what string, res ssh.Result, ran bool, down string) (read, final bool) {
	switch {
	case down != "":
		v.add(checks.Crit, "container not running: %s", down)
	case !ran:
		return false, true
	case res.ExitCode != 0:
		v.add(checks.Crit, "%s did not answer: %s", what, orWord(probe.FirstLine(string(res.Stderr)), fmt.Sprintf("exit %d", res.ExitCode)))
	default:
		return true, false
	}
	return false, false
}

// listening reads ss -ltnH on the host and says which of ports are not listened on.
func listening(ctx context.Context, r probe.Runner, f *checks.Finding, h config.Host, ports []int) (missing []int, ok bool) {
	if len(ports) == 0 {
		return nil, true
	}
	res, ok := probe.RunOK(ctx, r, f, h, "ss", "-ltnH")
	if !ok {
		return nil, false
	}
	ls, err := hosts.ParseSS(res.Stdout)
	if err != nil {
		*f = probe.ParseFailure(*f, err)
		return nil, false
	}
	for _, p := range ports {
		if !hosts.Listening(ls, strconv.Itoa(p)) {
			missing = append(missing, p)
		}
	}
	return missing, true
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// verdict collects problems of one finding: the worst status wins, every part is said.
type verdict struct {
	status checks.Status
	parts  []string
}

func (v *verdict) add(s checks.Status, format string, args ...any) {
	v.status = max(v.status, s)
	v.parts = append(v.parts, fmt.Sprintf(format, args...))
}

func (v verdict) apply(f *checks.Finding, okSummary string) {
	f.Status = v.status
	if len(v.parts) == 0 {
		f.Summary = okSummary
		return
	}
	f.Summary = strings.Join(v.parts, "; ")
}
