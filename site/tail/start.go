package tail

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"

	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Defaults for a log source that does not say.
const (
	DefaultLines  = 200    // backlog read when a stream starts
	DefaultBuffer = 20_000 // lines kept per source
)

// Options configure StartAll.
type Options struct {
	// Parsers makes each source's parser from its format (checks/logs.NewParser); nil keeps
	// lines raw.
	Parsers ParserFactory
	// SSH streams remote commands. nil: a pool of the hub's own (one more connection per host,
	// so a tail never takes a session slot a check needs) built from the site's ssh settings.
	SSH StreamFunc
	// Kube are the clusters' clients by the site's cluster name (for kind pod).
	Kube map[string]kubernetes.Interface
	// Interval coalesces change notifications (default 100 ms).
	Interval time.Duration
}

// StartAll follows every log of the site file and returns the hub holding them; Close stops
// everything. Streams only read: the commands are tail -F, supervisorctl tail -f and docker /
// crictl exec of those, and pod logs are GETs; nothing the operator types reaches them. A source
// that cannot start (a cluster without a client) is in the hub with its reason, not an error.
func StartAll(ctx context.Context, site *config.Site, o Options) (*Hub, error) {
	h := NewHub(o.Interval)
	ctx = h.Start(ctx)
	var own *ssh.Pool
	if o.SSH == nil && needsSSH(site) {
		opts := ssh.OptionsFromSite(site)
		opts.MaxSessions = 8 // long-lived sessions, one per remote log, on the hub's own connection
		own = ssh.NewPool(opts)
		o.SSH = own.Stream
		go func() { <-ctx.Done(); own.Close() }()
	}
	hosts := map[string]config.Host{}
	for _, hc := range site.Inventory() {
		hosts[hc.Name] = hc
	}
	for _, ls := range Expand(site) {
		if err := h.Open(ctx, ls, hosts, o); err != nil {
			h.Close()
			return nil, err
		}
	}
	return h, nil
}

// Expand turns the logs block into one source per log and host: an entry with roles becomes
// NAME-HOST for every inventory host with one of them.
func Expand(site *config.Site) []config.LogSource {
	var out []config.LogSource
	for _, ls := range site.Logs {
		if len(ls.Roles) == 0 {
			out = append(out, ls)
			continue
		}
		for _, h := range site.Inventory() {
			for _, r := range ls.Roles {
				if h.HasRole(r) {
					one := ls
					one.Name, one.Host, one.Roles = ls.Name+"-"+h.Name, h.Name, nil
					out = append(out, one)
					break
				}
			}
		}
	}
	return out
}

func needsSSH(site *config.Site) bool {
	for _, l := range site.Logs {
		if (l.Host != "" || len(l.Roles) > 0) && l.Kind != "pod" {
			return true
		}
	}
	return false
}

// Open adds one log source to a started hub and starts following it.
func (h *Hub) Open(ctx context.Context, ls config.LogSource, hosts map[string]config.Host, o Options) error {
	src, st, err := plan(ls, hosts, o)
	if err != nil {
		return fmt.Errorf("logs %s: %w", ls.Name, err)
	}
	var p Parser
	if o.Parsers != nil {
		p = o.Parsers(src.Format)
	}
	buf := ls.Buffer
	if buf <= 0 {
		buf = DefaultBuffer
	}
	i := h.Add(src, p, buf)
	if st == nil {
		h.down(i, fmt.Errorf("%s", src.Where))
		return nil
	}
	h.wg.Add(1)
	go h.follow(ctx, i, st)
	return nil
}

// plan turns a site file entry into a source and the stream that reads it.
func plan(ls config.LogSource, hosts map[string]config.Host, o Options) (Source, stream, error) {
	n := ls.Lines
	if n == 0 {
		n = DefaultLines
	}
	if n < 0 {
		n = 0
	}
	kind := ls.Kind
	if kind == "" {
		kind = "file"
	}
	src := Source{Name: ls.Name, Kind: kind, Host: ls.Host, Path: ls.Path, Container: ls.Container,
		Runtime: ls.Runtime, Cluster: ls.Cluster, Format: ls.Format}
	var host *config.Host
	if ls.Host != "" && kind != "pod" {
		hc, ok := hosts[ls.Host]
		if !ok {
			return src, nil, fmt.Errorf("host %q is not in the inventory", ls.Host)
		}
		host = &hc
		if o.SSH == nil {
			return src, nil, fmt.Errorf("no SSH streamer for host %s", ls.Host)
		}
	}
	where := func(argv []string) string {
		s := ssh.Quote(argv...)
		if ls.Container != "" {
			s = ls.Runtime + " exec " + ls.Container + " " + s
			if ls.Runtime == "" {
				s = "docker exec " + ls.Container + " " + ssh.Quote(argv...)
			}
		}
		if host != nil {
			return "ssh " + host.Name + ": " + s
		}
		return "local: " + s
	}
	switch kind {
	case "file":
		if host == nil && ls.Container == "" {
			src.Where = "local file " + ls.Path
			return src, localFile{path: config.ExpandPath(ls.Path), n: n}, nil
		}
		c := command{host: host, ssh: o.SSH, argv: tailArgv(ls.Path, n)}
		if ls.Container != "" {
			c.prefix = execPrefix(ls.Runtime, ls.Container, host, o.SSH)
		}
		src.Where = where(c.argv(false))
		return src, c, nil
	case "supervisor":
		program, which := ls.Path, ls.Stream
		c := command{host: host, ssh: o.SSH, argv: supervisorArgv(program, which)}
		if ls.Container != "" {
			c.prefix = execPrefix(ls.Runtime, ls.Container, host, o.SSH)
		}
		src.Where = where(c.argv(false))
		return src, c, nil
	case "pod":
		ns, rest, _ := strings.Cut(ls.Path, "/")
		pod, ctr, _ := strings.Cut(rest, "/")
		if ls.Container != "" {
			ctr = ls.Container
		}
		src.Where = fmt.Sprintf("pod log %s/%s/%s", ls.Cluster, ns, pod)
		if ctr != "" {
			src.Where += " container " + ctr
		}
		if ls.Previous {
			src.Where += " (previous)"
		}
		cl := o.Kube[ls.Cluster]
		if cl == nil {
			src.Where = "no client for cluster " + ls.Cluster
			return src, nil, nil
		}
		return src, podLog{client: cl, namespace: ns, pod: pod, ctr: ctr, n: n, previous: ls.Previous}, nil
	}
	return src, nil, fmt.Errorf("kind %q is not file, pod or supervisor", kind)
}

// Base is a source's short label: its name.
func (s Source) Base() string {
	if s.Name != "" {
		return s.Name
	}
	return path.Base(s.Path)
}
