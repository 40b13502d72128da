package etcd

import (
	"context"
	"fmt"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/site/ssh"
)

// ClusterTarget names the etcd checks that judge the cluster as a whole (members, alarms, the
// backup cron entry): one finding each, whichever master answered.
const ClusterTarget = BackupTarget

// onAMaster runs one etcdctl command on the masters in inventory order until one of them gets
// an answer from etcd (exit 0, or a JSON status with members in it): the cluster's view is the
// same from every member, and a master whose own etcd is down must not hide the others. The
// evidence of every attempt is kept. ok is false when no master answered; f then says why.
func (p *prober) onAMaster(ctx context.Context, inv probe.Inventory, names []string, answered func(ssh.Result) bool, args ...string) (res ssh.Result, f checks.Finding, ok bool) {
	var tried []string
	ran := false
	for _, name := range names {
		h, found := inv[name]
		if !found {
			continue
		}
		var one checks.Finding
		r, runOK := probe.Run(ctx, p.r, &one, h, EtcdctlArgv(p.site.Etcd, args...)...)
		f.Evidence = append(f.Evidence, one.Evidence...)
		switch {
		case !runOK:
			tried = append(tried, name+": "+one.Summary)
		case r.ExitCode == 127:
			tried = append(tried, name+": "+probe.ExitFailure(one, r).Summary)
		case answered(r):
			return r, f, true
		default:
			ran = true
			tried = append(tried, name+": "+etcdctlError(r))
		}
		if ctx.Err() != nil {
			break
		}
	}
	f.Status = checks.Unknown
	if ran {
		f.Status = checks.Crit // etcdctl ran and etcd did not answer it
	}
	if len(tried) == 0 {
		f.Summary = "no master in the inventory"
	} else {
		f.Summary = "no etcd member answers: " + strings.Join(tried, "; ")
	}
	f.Error = f.Summary
	return res, f, false
}

// etcdctlError is the line that says why etcdctl failed ("Error: …"), not its logged warnings.
func etcdctlError(r ssh.Result) string {
	lines := strings.Split(strings.TrimSpace(string(r.Stderr)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "{") {
			return l
		}
	}
	return fmt.Sprintf("exit status %d", r.ExitCode)
}

// members reads every member's status from one master (etcdctl asks each member itself).
func (p *prober) members(ctx context.Context, inv probe.Inventory, names []string) checks.Finding {
	res, f, ok := p.onAMaster(ctx, inv, names, func(r ssh.Result) bool {
		return r.ExitCode == 0 || strings.HasPrefix(strings.TrimSpace(string(r.Stdout)), "[{")
	}, "endpoint", "status", "--cluster", "-w", "json")
	if !ok {
		return f
	}
	ms, err := ParseEndpointStatus(res.Stdout, res.Stderr)
	if err != nil {
		return probe.ParseFailure(f, err)
	}
	if len(ms) == 0 {
		return probe.ParseFailure(f, fmt.Errorf("endpoint status listed no member"))
	}
	j := JudgeMembers(ms, p.site.Etcd)
	j.Evidence = f.Evidence
	return j
}

// alarms lists the cluster's alarms (one list for the whole cluster) from one master.
func (p *prober) alarms(ctx context.Context, inv probe.Inventory, names []string) checks.Finding {
	res, f, ok := p.onAMaster(ctx, inv, names, func(r ssh.Result) bool { return r.ExitCode == 0 }, "alarm", "list")
	if !ok {
		return f
	}
	as, err := ParseAlarms(res.Stdout)
	if err != nil {
		return probe.ParseFailure(f, err)
	}
	j := JudgeAlarms(as)
	j.Evidence = f.Evidence
	return j
}
