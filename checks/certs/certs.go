// Package certs checks certificate expiry (guide §5.6.6): PEM files on the masters read over SSH
// (every certificate of a chain), the kubelet client certificate on every node, the chains
// served on certificates.endpoints, and client certificates inside kubeconfigs. Certificates are
// parsed here with crypto/x509; file contents never go into evidence (a PEM may hold a key).
package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// every is how often certificates are read unless the site overrides it: they change rarely.
const every = time.Hour

// Checks returns the certificate checks of the site; each reads only the certificates block.
func Checks(site *config.Site, r probe.Runner) []checks.Check {
	c := site.Certificates
	p := &prober{c: c, r: r, now: time.Now}
	inv := probe.NewInventory(site)
	var defs []checks.Def
	if len(c.Files) > 0 {
		masters := probe.Names(site, func(h config.Host) bool { return h.HasRole("master") })
		defs = append(defs, checks.Def{ID: "cert.files", Area: "certs", Title: "certificate files on the masters", Every: every,
			Targets: checks.Fixed(masters), Probe: inv.OnHost(p.files)})
	}
	if c.KubeletClient != "" {
		nodes := probe.Names(site, func(h config.Host) bool { return h.HasRole("node") })
		defs = append(defs, checks.Def{ID: "cert.kubelet", Area: "certs", Title: "kubelet client certificate", Every: every,
			Targets: checks.Fixed(nodes), Probe: inv.OnHost(p.kubelet)})
	}
	if len(c.Endpoints) > 0 {
		defs = append(defs, checks.Def{ID: "cert.endpoint", Area: "certs", Title: "certificates served over TLS", Every: every,
			Targets: checks.Fixed(c.Endpoints), Probe: p.endpoint})
	}
	if len(c.Kubeconfigs) > 0 {
		defs = append(defs, checks.Def{ID: "cert.kubeconfig", Area: "certs", Title: "client certificates in kubeconfigs", Every: every,
			Targets: checks.Fixed(c.Kubeconfigs), Probe: p.kubeconfig})
	}
	return checks.Build(site, defs...)
}

type prober struct {
	c   config.Certificates
	r   probe.Runner
	now func() time.Time
}

func (p *prober) judge(f checks.Finding, cs []Cert) checks.Finding {
	return Judge(f, cs, p.now(), p.c.WarnWithin.D(), p.c.CritWithin.D())
}

// FindArgv lists the files a glob names: find DIR -maxdepth 1 -name GLOB -type f (no shell).
func FindArgv(glob string) []string {
	dir, base := path.Split(glob)
	if dir == "" {
		dir = "."
	}
	return []string{"find", dir, "-maxdepth", "1", "-name", base, "-type", "f"}
}

// read fetches one file's bytes over SSH. Only the command goes into evidence, never the bytes.
func (p *prober) read(ctx context.Context, f *checks.Finding, h config.Host, file string) ([]Cert, bool) {
	argv := []string{"cat", "--", file}
	res, err := p.r.Run(ctx, h, argv...)
	if err != nil {
		*f = probe.ConnFailure(err)
		return nil, false
	}
	if res.ExitCode != 0 {
		f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit %d)", h.Name, res.Command, res.ExitCode), res.Stderr)
		*f = probe.ExitFailure(*f, res)
		return nil, false
	}
	cs, err := ParsePEM(h.Name+":"+file, res.Stdout)
	if err != nil {
		f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit 0, %d bytes, not shown)", h.Name, res.Command, len(res.Stdout)), nil)
		*f = probe.ParseFailure(*f, err)
		return nil, false
	}
	f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit 0, %d bytes, not shown: parsed locally)", h.Name, res.Command, len(res.Stdout)), nil)
	return cs, true
}

func (p *prober) files(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	var names []string
	for _, g := range p.c.Files {
		res, ok := probe.Run(ctx, p.r, &f, h, FindArgv(g)...)
		if !ok {
			return f
		}
		if res.ExitCode != 0 && !strings.Contains(string(res.Stderr), "No such file or directory") {
			return probe.ExitFailure(f, res)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
			if l != "" {
				names = append(names, l)
			}
		}
	}
	if len(names) == 0 {
		f.Status, f.Summary = checks.Unknown, "no certificate file matches "+strings.Join(p.c.Files, ", ")
		f.Error = f.Summary
		return f
	}
	var all []Cert
	for _, n := range names {
		cs, ok := p.read(ctx, &f, h, n)
		if !ok {
			return f
		}
		all = append(all, cs...)
	}
	return p.judge(f, all)
}

func (p *prober) kubelet(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	cs, ok := p.read(ctx, &f, h, p.c.KubeletClient)
	if !ok {
		return f
	}
	return p.judge(f, cs)
}

// endpoint reads the chain a TLS server presents. Nothing is sent and nothing is trusted: the
// handshake only collects certificates, so an expired or self-signed chain is read too.
func (p *prober) endpoint(ctx context.Context, addr string) checks.Finding {
	var f checks.Finding
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return checks.Failed(err)
	}
	cfg := &tls.Config{InsecureSkipVerify: true} // read-only: we judge the certificates, not trust them
	if !isIP(host) {
		cfg.ServerName = host
	}
	d := tls.Dialer{Config: cfg, NetDialer: &net.Dialer{Timeout: 5 * time.Second}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	f.Evidence = append(f.Evidence, checks.Evidence{Source: "tls " + addr + ": handshake"})
	if err != nil {
		f.Status, f.Summary, f.Error = checks.Unknown, "no TLS handshake: "+probe.FirstLine(err.Error()), err.Error()
		return f
	}
	defer conn.Close()
	var cs []Cert
	for i, c := range conn.(*tls.Conn).ConnectionState().PeerCertificates {
		cs = append(cs, FromX509(chainName(addr, i), c))
	}
	f.Evidence[0].Excerpt = fmt.Sprintf("%d certificates in the chain", len(cs))
	return p.judge(f, cs)
}

// kubeconfig reads the client certificates of every user of a local kubeconfig (embedded data
// or a file it names).
func (p *prober) kubeconfig(_ context.Context, file string) checks.Finding {
	var f checks.Finding
	f.Evidence = []checks.Evidence{{Source: "file " + file}}
	kc, err := clientcmd.LoadFromFile(config.ExpandPath(file))
	if err != nil {
		f.Status, f.Summary, f.Error = checks.Unknown, "unreadable kubeconfig: "+probe.FirstLine(err.Error()), err.Error()
		return f
	}
	var all []Cert
	var tokenUsers []string
	for name, u := range kc.AuthInfos {
		b := u.ClientCertificateData
		if len(b) == 0 && u.ClientCertificate != "" {
			cf := u.ClientCertificate
			if !filepath.IsAbs(cf) { // relative to the kubeconfig, as kubectl reads it
				cf = filepath.Join(filepath.Dir(config.ExpandPath(file)), cf)
			}
			if b, err = os.ReadFile(cf); err != nil {
				f.Status, f.Summary, f.Error = checks.Unknown, fmt.Sprintf("user %s: %v", name, err), err.Error()
				return f
			}
		}
		if len(b) == 0 {
			tokenUsers = append(tokenUsers, name)
			continue
		}
		cs, err := ParsePEM(file+" user "+name, b)
		if err != nil {
			return probe.ParseFailure(f, err)
		}
		all = append(all, cs...)
	}
	if len(all) == 0 {
		f.Status, f.Summary = checks.OK, "no client certificate (users "+strings.Join(tokenUsers, ", ")+" authenticate otherwise)"
		return f
	}
	return p.judge(f, all)
}
