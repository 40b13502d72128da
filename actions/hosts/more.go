package hosts

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"opsdeck/actions"
	"opsdeck/checks"
	"opsdeck/checks/adns"
	"opsdeck/checks/etcd"
	"opsdeck/checks/ntp"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// moreActions are the host actions beyond kubelet: containers, ADNS processes, NTP, etcd backups.
func moreActions(site *config.Site, byName map[string]config.Host, r probe.Runner) []actions.Action {
	var out []actions.Action

	// docker restart <container> for the ADNS containers (§6: "container hung").
	containers := map[string]config.ADNSInstance{}
	var containerTargets []string
	for _, in := range site.ADNS.Instances {
		if in.Runtime == "docker" {
			containers[adns.Target(in)] = in
			containerTargets = append(containerTargets, adns.Target(in))
		}
	}
	if len(containerTargets) > 0 {
		out = append(out, actions.Action{
			Name: "host.restart-container", Title: "Restart an ADNS container (docker restart, §6)", TargetKind: "container",
			Destructive: true, Targets: func() []string { return containerTargets },
			Plan: func(_ context.Context, target string) (*actions.Plan, error) {
				in := containers[target]
				h := byName[in.Host]
				return &actions.Plan{Action: "host.restart-container", Title: "docker restart " + in.Container, Target: target, Destructive: true,
					Steps:  []actions.Step{{SSH: &actions.Command{Host: h, Argv: []string{"docker", "restart", in.Container}}, Timeout: 2 * time.Minute}},
					Verify: &actions.Verify{Check: "host.containers", Target: in.Host, Within: time.Minute},
					Notes:  []string{"DNS answered by this instance stops while it restarts"}}, nil
			},
		})
	}

	// supervisorctl restart <process> inside an ADNS instance (§6: "process died").
	type proc struct {
		in   config.ADNSInstance
		name string
	}
	procs := map[string]proc{}
	var procTargets []string
	for _, in := range site.ADNS.Instances {
		if in.Runtime == "crictl" && r == nil {
			continue // crictl execs by container id: finding it needs a runner
		}
		names := []string{"bind", "dnsagent", "keepalived"}
		if in.Role == "master" {
			names = append(names, "dnsmng")
		}
		for _, n := range names {
			t := adns.Target(in) + "/" + n
			procs[t] = proc{in, n}
			procTargets = append(procTargets, t)
		}
	}
	if len(procTargets) > 0 {
		out = append(out, actions.Action{
			Name: "adns.restart-process", Title: "Restart an ADNS process under supervisord (§6.5.4)", TargetKind: "adns-process",
			Destructive: true, Targets: func() []string { return procTargets },
			Plan: func(ctx context.Context, target string) (*actions.Plan, error) {
				pr, ok := procs[target]
				if !ok {
					return nil, fmt.Errorf("%q is not an ADNS process (host[/container]/process)", target)
				}
				h := byName[pr.in.Host]
				id := ""
				if pr.in.Runtime == "crictl" {
					var err error
					if id, err = adns.ContainerID(ctx, r, h, pr.in); err != nil {
						return nil, fmt.Errorf("%s: %w", target, err)
					}
				}
				argv, err := adns.ExecArgv(pr.in, id, "supervisorctl", "restart", pr.name)
				if err != nil {
					return nil, err
				}
				return &actions.Plan{Action: "adns.restart-process", Title: "supervisorctl restart " + pr.name, Target: target, Destructive: true,
					Steps:  []actions.Step{{SSH: &actions.Command{Host: h, Argv: argv}, Timeout: time.Minute}},
					Verify: &actions.Verify{Check: "adns.processes", Target: adns.Target(pr.in), Within: 30 * time.Second}}, nil
			},
		})
	}

	// Sync a host's clock (§3.1, §9.2): the ops hosts (the site's NTP servers) to the upstream
	// servers, every other host to the site's servers; a host never syncs to itself.
	if len(site.NTP.Servers)+len(site.NTP.Upstream) > 0 {
		all := make([]string, 0, len(byName))
		for _, h := range site.Inventory() {
			all = append(all, h.Name)
		}
		out = append(out, actions.Action{
			Name: "host.ntp-sync", Title: "Step the clock to the NTP server (§3.1, §9.2)", TargetKind: "host",
			Targets: func() []string { return all },
			Plan: func(_ context.Context, target string) (*actions.Plan, error) {
				h, ok := byName[target]
				if !ok {
					return nil, fmt.Errorf("%q is not a host of the inventory", target)
				}
				server, err := NTPServerFor(site, h)
				if err != nil {
					return nil, err
				}
				argv := []string{"ntpdate", "-u", server}
				if site.NTP.Client == "chrony" {
					argv = []string{"chronyc", "makestep"} // steps to chrony's own selected source
				}
				warn := site.NTP.Offset.Warn
				return &actions.Plan{Action: "host.ntp-sync", Title: strings.Join(argv, " "), Target: target,
					Steps: []actions.Step{{SSH: &actions.Command{Host: h, Argv: argv}, Timeout: 30 * time.Second}},
					Verify: &actions.Verify{Check: "ntp.sync", Target: target, Within: 30 * time.Second,
						ExpectText: fmt.Sprintf("offset under %g ms", warn),
						Expect: func(f checks.Finding) bool {
							for _, m := range f.Metrics {
								if m.Name == "offset" {
									return m.Value < warn
								}
							}
							return false // no selected source: no offset to trust
						}},
					Notes: []string{"the clock jumps; logs and certificates checked in the same second may look odd"}}, nil
			},
		})
	}

	// etcd snapshot on a master, the guide's backup script (§5.2).
	var masters []string
	for _, h := range site.Inventory() {
		if h.HasRole("master") {
			masters = append(masters, h.Name)
		}
	}
	if len(masters) > 0 {
		out = append(out, actions.Action{
			Name: "etcd.snapshot", Title: "Take an etcd snapshot into the backup folder (§5.2)", TargetKind: "host",
			Targets: func() []string { return masters },
			Plan: func(_ context.Context, target string) (*actions.Plan, error) {
				e := site.Etcd
				loc, err := time.LoadLocation(site.Changes.Timezone)
				if err != nil {
					loc = time.Local
				}
				file := path.Join(e.BackupDir, fmt.Sprintf("etcd_v3_%s.db", time.Now().In(loc).Format("2006-01-02")))
				argv := etcd.EtcdctlArgv(e, "snapshot", "save", file)
				h := byName[target]
				return &actions.Plan{Action: "etcd.snapshot", Title: "snapshot to " + file, Target: target,
					Steps: []actions.Step{
						{SSH: &actions.Command{Host: h, Argv: []string{"mkdir", "-p", e.BackupDir}}, Timeout: 10 * time.Second},
						{SSH: &actions.Command{Host: h, Argv: argv}, Timeout: 5 * time.Minute},
					},
					Verify: &actions.Verify{Check: "etcd.backup", Target: etcd.BackupTarget, Within: 30 * time.Second}}, nil
			},
		})
	}
	return out
}

// NTPServerFor is the server a host steps its clock to: an ops host (an NTP server of the site)
// to the first upstream server, any other host to the first of the site's servers; never itself.
func NTPServerFor(site *config.Site, h config.Host) (string, error) {
	list, key := site.NTP.Servers, "ntp.servers"
	if ntp.IsServer(site, h) {
		list, key = site.NTP.Upstream, "ntp.upstream"
	}
	for _, s := range list {
		if s != h.Address && s != h.Name {
			return s, nil
		}
	}
	return "", fmt.Errorf("no NTP server for %s to sync to: %s lists %s", h.Name, key, orNothing(list))
}

func orNothing(l []string) string {
	if len(l) == 0 {
		return "nothing"
	}
	return "only the host itself"
}
