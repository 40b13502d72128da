// Package etcd checks etcd on the masters over SSH (guide §5.2): endpoint health with the etcd
// certificates, every member's status and the cluster's alarms, the age of the daily snapshots
// and the cron entry that takes them; and the masters' certificate backup (§5.3).
package etcd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// Checks returns the etcd checks, on every host with role master.
func Checks(site *config.Site, r probe.Runner) []checks.Check {
	p := &prober{site: site, r: r, now: time.Now}
	inv := probe.NewInventory(site)
	masters := checks.Fixed(probe.Names(site, func(h config.Host) bool { return h.HasRole("master") }))
	backup, cluster := checks.Fixed(nil), checks.Fixed(nil)
	if len(masters()) > 0 {
		backup, cluster = checks.Fixed([]string{BackupTarget}), checks.Fixed([]string{ClusterTarget})
	}
	onCluster := func(fn func(context.Context, probe.Inventory, []string) checks.Finding) func(context.Context, string) checks.Finding {
		return func(ctx context.Context, _ string) checks.Finding { return fn(ctx, inv, masters()) }
	}
	defs := []checks.Def{
		{ID: "etcd.health", Area: "etcd", Title: "etcd endpoint health", Targets: masters, Probe: inv.OnHost(p.health)},
		{ID: "etcd.backup", Area: "etcd", Kind: checks.KindOther, Title: "etcd snapshots (one member backs the cluster up)",
			Targets: backup, Probe: onCluster(p.clusterBackup)},
		{ID: "etcd.members", Area: "etcd", Kind: checks.KindOther, Guide: "§5.2", Title: "etcd members: leader, errors, database size, raft index spread",
			Targets: cluster, Probe: onCluster(p.members)},
		{ID: "etcd.alarms", Area: "etcd", Kind: checks.KindOther, Guide: "§5.2", Title: "etcd alarms (NOSPACE, CORRUPT)",
			Targets: cluster, Probe: onCluster(p.alarms)},
		{ID: "etcd.backup-cron", Area: "etcd", Kind: checks.KindOther, Guide: "§5.2", Title: "etcd backup cron entry on a master", Every: time.Hour,
			Targets: cluster, Probe: onCluster(p.cron)},
	}
	if site.Certificates.MasterBackupDir != "" {
		defs = append(defs, checks.Def{ID: "cert.master-backup", Area: "certs", Kind: checks.KindHost, Guide: "§5.3",
			Title: "master certificate backup newer than the certificates", Every: time.Hour, Targets: masters, Probe: inv.OnHost(p.masterBackup)})
	}
	return checks.Build(site, defs...)
}

// BackupTarget names the one etcd.backup finding: §5.2 backs the cluster up on one member, so
// the judgement is the newest snapshot on any master, not a crit for every master without one.
const BackupTarget = "etcd"

type prober struct {
	site *config.Site
	r    probe.Runner
	now  func() time.Time
}

// EtcdctlArgv builds the guide's etcdctl command line (§5.2), leaving out certificate flags the
// site does not set (an etcd served over plain HTTP). The etcd.snapshot action uses it too.
func EtcdctlArgv(e config.Etcd, args ...string) []string {
	argv := []string{e.Etcdctl, "--endpoints", e.Endpoints}
	for _, kv := range [][2]string{{"--cacert", e.CACert}, {"--cert", e.Cert}, {"--key", e.Key}} {
		if kv[1] != "" {
			argv = append(argv, kv[0], kv[1])
		}
	}
	return append(argv, args...)
}

func (p *prober) health(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	res, ok := probe.Run(ctx, p.r, &f, h, EtcdctlArgv(p.site.Etcd, "endpoint", "health")...)
	if !ok {
		return f
	}
	out := strings.TrimSpace(string(res.Stdout) + string(res.Stderr))
	switch {
	case res.ExitCode == 0 && strings.Contains(out, "is healthy"):
		f.Status, f.Summary = checks.OK, probe.FirstLine(out)
	case res.ExitCode == 127 || strings.Contains(out, "not found"):
		return probe.ExitFailure(f, res)
	default:
		f.Status, f.Summary, f.Error = checks.Crit, "etcd unhealthy: "+probe.FirstLine(out), out
	}
	return f
}

// onEveryMaster runs read on every master at once; read records its evidence in f and returns
// why the master could not be read ("" when it was). The evidence comes back in master order.
func onEveryMaster(ctx context.Context, inv probe.Inventory, names []string, read func(i int, h config.Host, f *checks.Finding) string) (errs []string, evidence []checks.Evidence) {
	errs = make([]string, len(names))
	fs := make([]checks.Finding, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		h, ok := inv[name]
		if !ok {
			errs[i] = "not in the inventory"
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read(i, h, &fs[i])
		}()
	}
	wg.Wait()
	for _, f := range fs {
		evidence = append(evidence, f.Evidence...)
	}
	return errs, evidence
}

// clusterBackup reads every master's backup folder (at once) and judges them together.
func (p *prober) clusterBackup(ctx context.Context, inv probe.Inventory, names []string) checks.Finding {
	dir := p.site.Etcd.BackupDir
	ms := make([]MasterBackups, len(names))
	errs, evidence := onEveryMaster(ctx, inv, names, func(i int, h config.Host, f *checks.Finding) string {
		res, ok := probe.Run(ctx, p.r, f, h, "find", dir, "-maxdepth", "1", "-name", "etcd_v3_*.db", "-printf", `%T@ %s %f\n`)
		switch {
		case !ok:
			return f.Summary
		case res.ExitCode != 0:
			return "no backup folder " + dir + ": " + probe.FirstLine(strings.TrimSpace(string(res.Stderr)))
		}
		snaps, err := ParseFindSnapshots(res.Stdout)
		ms[i].Snapshots = snaps
		if err != nil {
			return err.Error()
		}
		return ""
	})
	for i, name := range names {
		ms[i].Host, ms[i].Err = name, errs[i]
	}
	f := JudgeClusterBackups(ms, p.now(), p.site.Etcd.MaxAge.D())
	f.Evidence = evidence
	if f.Status != checks.OK {
		f.Details = strings.TrimSpace("Daily snapshots (§5.2) go to " + dir + " on one member, by cron; etcd.snapshot takes one now.\n" + f.Details)
	}
	return f
}

// Snapshot is one etcd backup file.
type Snapshot struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// ParseFindSnapshots reads `find DIR -maxdepth 1 -name 'etcd_v3_*.db' -printf '%T@ %s %f\n'`.
func ParseFindSnapshots(b []byte) ([]Snapshot, error) {
	var out []Snapshot
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("find: unexpected line %q", sc.Text())
		}
		ts, err1 := strconv.ParseFloat(f[0], 64)
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("find: unexpected line %q", sc.Text())
		}
		sec := int64(ts)
		out = append(out, Snapshot{Name: f[2], Size: size, ModTime: time.Unix(sec, int64((ts-float64(sec))*1e9))})
	}
	return out, nil
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
