package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mattn/go-isatty"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"opsdeck/actions"
	hostactions "opsdeck/actions/hosts"
	kubeactions "opsdeck/actions/kube"
	svcactions "opsdeck/actions/services"
	"opsdeck/checks"
	"opsdeck/checks/adns"
	"opsdeck/checks/certs"
	"opsdeck/checks/etcd"
	"opsdeck/checks/hosts"
	kubechecks "opsdeck/checks/kube"
	logchecks "opsdeck/checks/logs"
	"opsdeck/checks/ntp"
	"opsdeck/checks/services"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
	"opsdeck/site/sim"
	"opsdeck/site/ssh"
	"opsdeck/site/tail"
)

// env is a loaded site with its connections, checks and actions.
type env struct {
	site     *config.Site
	pool     *ssh.Pool
	watchers []*sitekube.Watcher
	checks   []checks.Check
	registry *actions.Registry
	logs     *tail.Hub // the site's log streams (nil without logs:)
	close    func()
}

// openSite loads the site file (or starts the demo site) and builds every check on it.
func openSite(g globals) (*env, error) {
	var site *config.Site
	closers := []func(){}
	if g.demo {
		dir, err := os.MkdirTemp("", "opsdeck-demo-")
		if err != nil {
			return nil, err
		}
		sc, err := sim.ScenarioByName(g.scenario, time.Now())
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s, err := sim.Start(dir, sim.Options{Scenario: sc})
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting the demo site: %w", err)
		}
		site = s.Config
		// Demo actions are audited too, in a log of their own that outlives the demo.
		site.Audit.Path = demoAuditPath()
		closers = append(closers, s.Close, func() { os.RemoveAll(dir) })
	} else {
		path := config.ExpandPath(g.site)
		s, err := config.Load(path)
		if errors.Is(err, config.ErrNoSiteFile) {
			return nil, fmt.Errorf("%v\n  create one with: opsdeck config init %s\n  or try the demo: opsdeck --demo", err, path)
		}
		var ps config.Problems
		if errors.As(err, &ps) {
			return nil, fmt.Errorf("the site file has %d problem(s):\n%v", len(ps), ps)
		}
		if err != nil {
			return nil, err
		}
		site = s
	}
	if g.kubeconfig != "" || g.context != "" {
		// kubectl's flags: one cluster, from these, instead of the site file's.
		name := g.context
		if name == "" {
			name = "default"
		}
		site.Clusters = []config.Cluster{{Name: name, Kubeconfig: g.kubeconfig, Context: g.context}}
	}
	watchers, stop, err := startWatchers(site)
	if err != nil {
		for _, c := range closers {
			c()
		}
		return nil, err
	}
	closers = append([]func(){stop}, closers...)
	site = withClusterNodes(site, watchers)
	opts := ssh.OptionsFromSite(site)
	opts.ReadOnly = g.readOnly // watch, --read-only and check: probe commands only (site/ssh/probes.go)
	pool := ssh.NewPool(opts)
	closers = append([]func(){pool.Close}, closers...)
	var hub *tail.Hub
	if len(site.Logs) > 0 {
		if hub, err = startLogs(site); err != nil {
			for _, c := range closers {
				c()
			}
			return nil, err
		}
		closers = append([]func(){hub.Close}, closers...)
	}
	cs := slices.Concat(hosts.Checks(site, pool), etcd.Checks(site, pool), ntp.Checks(site, pool), certs.Checks(site, pool),
		adns.Checks(site, pool), kubechecks.Checks(site, watchers, pool), logchecks.Checks(site, hub),
		services.Checks(site, pool))
	return &env{
		site:     site,
		pool:     pool,
		logs:     hub,
		watchers: watchers,
		checks:   cs,
		registry: actions.NewRegistry(slices.Concat(hostactions.ActionsWith(site, pool), kubeactions.Actions(site, watchers, pool),
			svcactions.Actions(site))...),
		close: func() {
			for _, c := range closers {
				c()
			}
		},
	}, nil
}

// startWatchers connects to every cluster of the site, read-only at the transport: the checks
// only ever watch. Each cluster watches the custom resources it serves (discovered, or the
// site file's list for it); resources switched off are never watched.
func startWatchers(site *config.Site) ([]*sitekube.Watcher, func(), error) {
	var crds []schema.GroupVersionResource
	plural := map[string]string{} // resources: key → the resource's plural name
	for key, full := range site.Resources.ByName() {
		gvr, err := sitekube.ParseGVR(full)
		if err != nil {
			return nil, nil, fmt.Errorf("resources.%s: %w", key, err)
		}
		crds = append(crds, gvr)
		plural[key] = gvr.Resource
	}
	ctx, cancel := context.WithCancel(context.Background())
	var ws []*sitekube.Watcher
	for _, c := range site.Clusters {
		cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: config.ExpandPath(c.Kubeconfig), Context: c.Context, ReadOnly: true,
			Timeout: site.Checks.Timeout.D()})
		if err != nil {
			cancel()
			return nil, nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		w := sitekube.NewWatcher(c.Name, cl, crds)
		w.CallTimeout = site.Checks.Timeout.D()
		w.LeaseEvery = sitekube.NodeLeaseEvery(site.Thresholds.NodeHeartbeatStale.D())
		if c.Resources != nil {
			w.Served = []string{}
			for _, key := range c.Resources {
				w.Served = append(w.Served, plural[key])
			}
		}
		w.Start(ctx)
		ws = append(ws, w)
	}
	return ws, cancel, nil
}

// syncWait bounds how long a one-shot command waits for the caches: a big cluster's first list
// takes a while, a dead API must not hang cron (its findings then say "not synced").
const syncWait = time.Minute

// withClusterNodes adds the Nodes of clusters named by a group's from_cluster to that group
// (by InternalIP), waiting a check timeout at most for the caches. Nodes added to the cluster
// later join at the next start. A Node without a usable InternalIP of its own is left out,
// with a warning on stderr.
func withClusterNodes(site *config.Site, ws []*sitekube.Watcher) *config.Site {
	want := map[string]bool{}
	for _, g := range site.Hosts.Groups {
		if g.FromCluster != "" {
			want[g.FromCluster] = true
		}
	}
	if len(want) == 0 {
		return site
	}
	nodes := map[string][]config.NodeHost{}
	for _, w := range ws {
		if !want[w.Cluster] {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), site.Checks.Timeout.D())
		w.WaitFor(ctx, "nodes")
		cancel()
		for _, n := range w.AllNodeFacts() {
			nodes[w.Cluster] = append(nodes[w.Cluster], config.NodeHost{Name: n.Name, InternalIP: n.InternalIP})
		}
	}
	out, skipped := site.AddClusterNodes(nodes)
	for _, s := range skipped {
		fmt.Fprintln(os.Stderr, "opsdeck: from_cluster:", s)
	}
	return out
}

// waitWatchers gives the caches up to d to sync (a one-shot check needs them full), saying so on
// a terminal.
func (e *env) waitWatchers(ctx context.Context, d time.Duration) {
	if len(e.watchers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	tty := isatty.IsTerminal(os.Stderr.Fd())
	for _, w := range e.watchers {
		if tty {
			fmt.Fprintf(os.Stderr, "\rsyncing %s…", w.Cluster)
		}
		// The custom resources too (discovered first): an action's targets and the checks of a
		// one-shot round read them. Returns early when the API is known to fail.
		names := slices.Clone(sitekube.CoreCollections)
		for _, r := range w.Resources() {
			names = append(names, r.GVR.Resource)
		}
		w.WaitFor(ctx, names...)
	}
	if tty {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
}

func (e *env) scheduler(store *checks.Store, selected []checks.Check) *checks.Scheduler {
	return &checks.Scheduler{Checks: selected, Store: store, Limit: e.site.Checks.Concurrency, Exceptions: e.site.Exceptions}
}

func demoAuditPath() string {
	return filepath.Join(filepath.Dir((&config.Site{}).AuditPath()), "audit-demo.jsonl")
}

// startLogs follows the site's logs: files here and over SSH (on connections of their own),
// container and supervisord logs, pod logs through a read-only client. Streams only read.
func startLogs(site *config.Site) (*tail.Hub, error) {
	kube := map[string]kubernetes.Interface{}
	for _, c := range site.Clusters {
		cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: config.ExpandPath(c.Kubeconfig), Context: c.Context, ReadOnly: true})
		if err == nil {
			kube[c.Name] = cl.Kube
		}
	}
	return tail.StartAll(context.Background(), site, tail.Options{Parsers: logchecks.NewParser, Kube: kube})
}
