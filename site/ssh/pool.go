// Package ssh reaches hosts the way an operator's OpenSSH does: one connection per host with
// several sessions on it, host keys verified against known_hosts, per-command deadlines.
package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skeema/knownhosts"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"opsdeck/config"
)

// Options configure a Pool.
type Options struct {
	KnownHosts     string
	IdentityFiles  []string
	UseAgent       bool
	ConnectTimeout time.Duration
	MaxSessions    int           // per host, below sshd's MaxSessions
	RetryAfter     time.Duration // a failed dial is not retried sooner, so a dead host costs one timeout
	MaxOutput      int           // bytes kept per stream of one command
	// Hosts resolves jump host names.
	Hosts map[string]config.Host
}

// OptionsFromSite builds pool options from the site file.
func OptionsFromSite(s *config.Site) Options {
	hosts := map[string]config.Host{}
	for _, h := range s.Inventory() {
		hosts[h.Name] = h
	}
	files := make([]string, len(s.SSH.IdentityFiles))
	for i, f := range s.SSH.IdentityFiles {
		files[i] = config.ExpandPath(f)
	}
	return Options{
		KnownHosts:     config.ExpandPath(s.SSH.KnownHosts),
		IdentityFiles:  files,
		UseAgent:       s.SSH.UseAgent,
		ConnectTimeout: s.SSH.ConnectTimeout.D(),
		MaxSessions:    s.SSH.MaxSessionsPerHost,
		Hosts:          hosts,
	}
}

// Result is what one remote command produced.
type Result struct {
	Command  string
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Pool holds one connection per host.
type Pool struct {
	opts Options

	mu    sync.Mutex
	conns map[string]*hostConn

	authOnce sync.Once
	auth     []gossh.AuthMethod
	authErr  error
}

type hostConn struct {
	mu       sync.Mutex // held while dialling, so concurrent callers share one dial
	client   *gossh.Client
	lastErr  error
	lastFail time.Time
	sessions chan struct{}
}

// NewPool makes a pool; nothing is dialled until a command runs.
func NewPool(opts Options) *Pool {
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 8
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = opts.ConnectTimeout
	}
	if opts.MaxOutput <= 0 {
		opts.MaxOutput = 1 << 20
	}
	return &Pool{opts: opts, conns: map[string]*hostConn{}}
}

// Run executes argv (quoted, never pasted) on host and waits for it or ctx. A non-zero exit is
// not an error: it is in Result.ExitCode.
func (p *Pool) Run(ctx context.Context, h config.Host, argv ...string) (Result, error) {
	cmd := Quote(argv...)
	res := Result{Command: cmd, ExitCode: -1}
	hc := p.entry(h.Name)
	for attempt := 0; ; attempt++ {
		c, err := p.client(ctx, hc, h)
		if err != nil {
			return res, err
		}
		select {
		case hc.sessions <- struct{}{}:
		case <-ctx.Done():
			return res, fmt.Errorf("%s: waiting for a free session: %w", h.Name, ctx.Err())
		}
		sess, err := c.NewSession()
		if err != nil {
			<-hc.sessions
			p.drop(hc, c)
			if attempt == 0 { // the connection went stale: redial once
				continue
			}
			return res, &ConnectError{Host: h.Name, Op: "session", Err: err}
		}
		res, err = p.runSession(ctx, sess, h, cmd)
		<-hc.sessions
		return res, err
	}
}

func (p *Pool) runSession(ctx context.Context, sess *gossh.Session, h config.Host, cmd string) (Result, error) {
	defer sess.Close()
	res := Result{Command: cmd, ExitCode: -1}
	stdout := &capBuffer{max: p.opts.MaxOutput}
	stderr := &capBuffer{max: p.opts.MaxOutput}
	sess.Stdout, sess.Stderr = stdout, stderr
	done := make(chan error, 1)
	go func() { done <- sess.Run(cmd) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		sess.Close()
		return res, fmt.Errorf("%s: %q did not finish: %w", h.Name, cmd, ctx.Err())
	}
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	var exit *gossh.ExitError
	switch {
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitStatus()
	default:
		return res, fmt.Errorf("%s: %q: %w", h.Name, cmd, err)
	}
	return res, nil
}

func (p *Pool) entry(name string) *hostConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	hc, ok := p.conns[name]
	if !ok {
		hc = &hostConn{sessions: make(chan struct{}, p.opts.MaxSessions)}
		p.conns[name] = hc
	}
	return hc
}

func (p *Pool) drop(hc *hostConn, c *gossh.Client) {
	hc.mu.Lock()
	if hc.client == c {
		hc.client = nil
	}
	hc.mu.Unlock()
	c.Close()
}

// client returns the host's connection, dialling it if needed. A recent failure is returned as
// is, so many checks of one dead host cost one connect timeout, not one each.
func (p *Pool) client(ctx context.Context, hc *hostConn, h config.Host, chain ...string) (*gossh.Client, error) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.client != nil {
		return hc.client, nil
	}
	if hc.lastErr != nil && time.Since(hc.lastFail) < p.opts.RetryAfter {
		return nil, hc.lastErr
	}
	c, err := p.dial(ctx, h, chain)
	if err != nil {
		if ctx.Err() == nil { // our own deadline is not the host's fault
			hc.lastErr, hc.lastFail = err, time.Now()
		}
		return nil, err
	}
	hc.client, hc.lastErr = c, nil
	go func() { // forget the connection when the server goes away
		_ = c.Wait()
		hc.mu.Lock()
		if hc.client == c {
			hc.client = nil
		}
		hc.mu.Unlock()
	}()
	return c, nil
}

// dial connects to h, through its jump host if it has one; chain is the hosts already on the way.
func (p *Pool) dial(ctx context.Context, h config.Host, chain []string) (*gossh.Client, error) {
	addr := net.JoinHostPort(h.Address, strconv.Itoa(h.Port))
	cfg, err := p.clientConfig(h, addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.ConnectTimeout)
	defer cancel()

	var conn net.Conn
	if h.Jump != "" {
		chain = append(chain, h.Name)
		if slices.Contains(chain, h.Jump) || len(chain) > 4 {
			return nil, &ConnectError{Host: h.Name, Op: "jump", Err: fmt.Errorf("jump loop or chain too long: %s → %s", strings.Join(chain, " → "), h.Jump)}
		}
		jh, ok := p.opts.Hosts[h.Jump]
		if !ok {
			return nil, &ConnectError{Host: h.Name, Op: "jump", Err: fmt.Errorf("jump host %q is not in the inventory", h.Jump)}
		}
		jc, err := p.client(ctx, p.entry(jh.Name), jh, chain...)
		if err != nil {
			return nil, &ConnectError{Host: h.Name, Op: "jump via " + jh.Name, Err: err}
		}
		conn, err = jc.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, &ConnectError{Host: h.Name, Op: "dial via " + jh.Name, Err: err}
		}
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, &ConnectError{Host: h.Name, Op: "dial", Err: err}
		}
	}
	// The handshake has no context of its own: closing the socket is how a deadline ends it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, cfg)
	if !stop() {
		if cc != nil {
			cc.Close()
		}
		return nil, &ConnectError{Host: h.Name, Op: "handshake", Err: fmt.Errorf("no answer within %s", p.opts.ConnectTimeout)}
	}
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		if errors.As(err, &hk) {
			return nil, hk
		}
		op := "handshake"
		if strings.Contains(err.Error(), "unable to authenticate") {
			op = "auth"
		}
		return nil, &ConnectError{Host: h.Name, Op: op, Err: err}
	}
	return gossh.NewClient(cc, chans, reqs), nil
}

func (p *Pool) clientConfig(h config.Host, addr string) (*gossh.ClientConfig, error) {
	if _, err := os.Stat(p.opts.KnownHosts); err != nil {
		return nil, &ConnectError{Host: h.Name, Op: "known_hosts", Err: fmt.Errorf("%s: %w (host keys must be verified)", p.opts.KnownHosts, err)}
	}
	db, err := knownhosts.NewDB(p.opts.KnownHosts)
	if err != nil {
		return nil, &ConnectError{Host: h.Name, Op: "known_hosts", Err: err}
	}
	verify := db.HostKeyCallback()
	p.authOnce.Do(func() { p.auth, p.authErr = p.authMethods() })
	auth, err := p.auth, p.authErr
	if err != nil {
		return nil, &ConnectError{Host: h.Name, Op: "auth", Err: err}
	}
	return &gossh.ClientConfig{
		User: h.User,
		Auth: auth,
		HostKeyCallback: func(hostname string, remote net.Addr, key gossh.PublicKey) error {
			err := verify(hostname, remote, key)
			if err == nil {
				return nil
			}
			e := &HostKeyError{Host: h.Name, Address: addr, KnownHosts: p.opts.KnownHosts,
				KeyType: key.Type(), Fingerprint: gossh.FingerprintSHA256(key),
				Line: knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)}
			switch {
			case knownhosts.IsHostKeyChanged(err):
				e.Changed = true
			case knownhosts.IsHostUnknown(err):
			default:
				return err
			}
			return e
		},
		HostKeyAlgorithms: db.HostKeyAlgorithms(addr),
		Timeout:           p.opts.ConnectTimeout,
	}, nil
}

func (p *Pool) authMethods() ([]gossh.AuthMethod, error) {
	var signers []gossh.Signer
	var problems []string
	for _, f := range p.opts.IdentityFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		s, err := gossh.ParsePrivateKey(b)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f, err))
			continue
		}
		signers = append(signers, s)
	}
	var methods []gossh.AuthMethod
	if len(signers) > 0 {
		methods = append(methods, gossh.PublicKeys(signers...))
	}
	if sock := os.Getenv("SSH_AUTH_SOCK"); p.opts.UseAgent && sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			methods = append(methods, gossh.PublicKeysCallback(agent.NewClient(conn).Signers))
		} else {
			problems = append(problems, "ssh-agent: "+err.Error())
		}
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("no usable key (%s)", strings.Join(problems, "; "))
	}
	return methods, nil
}

// Close drops every connection.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, hc := range p.conns {
		hc.mu.Lock()
		if hc.client != nil {
			hc.client.Close()
			hc.client = nil
		}
		hc.mu.Unlock()
	}
}

// capBuffer keeps the first max bytes of a stream and counts the rest.
type capBuffer struct {
	bytes.Buffer
	max     int
	dropped int
}

func (b *capBuffer) Write(p []byte) (int, error) {
	room := b.max - b.Len()
	if room >= len(p) {
		return b.Buffer.Write(p)
	}
	if room > 0 {
		b.Buffer.Write(p[:room])
	}
	b.dropped += len(p) - max(room, 0)
	return len(p), nil
}
