// Package ssh reaches hosts the way an operator's OpenSSH does: ~/.ssh/config, ssh-agent and
// identity files, host keys verified against known_hosts, ProxyJump; one connection per host
// with several sessions on it, keepalives, handshake and per-command deadlines, and backoff
// when a host is down.
package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skeema/knownhosts"
	gossh "golang.org/x/crypto/ssh"

	"opsdeck/config"
)

// Options configure a Pool.
type Options struct {
	KnownHosts     string
	IdentityFiles  []string
	UseAgent       bool
	SSHConfig      string // ~/.ssh/config to honour ("" for none)
	ConnectTimeout time.Duration
	KeepAlive      time.Duration // ServerAliveInterval; 0 means 15s
	MaxSessions    int           // per host, below sshd's MaxSessions
	RetryMin       time.Duration // first pause after a failed dial; doubles up to RetryMax
	RetryMax       time.Duration
	MaxOutput      int // bytes kept per stream of one command
	// ReadOnly refuses every command that is not a probe of the allowlist (probes.go).
	ReadOnly bool
	// Linger bounds how long a command killed at its deadline may hold its session while it
	// has not ended remotely; 0 means 10m.
	Linger time.Duration
	// AgentTimeout bounds each ssh-agent call; 0 means 5s.
	AgentTimeout time.Duration
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
		SSHConfig:      config.ExpandPath(s.SSH.ConfigFile),
		ConnectTimeout: s.SSH.ConnectTimeout.D(),
		KeepAlive:      s.SSH.KeepAlive.D(),
		MaxSessions:    s.SSH.MaxSessionsPerHost,
		Hosts:          hosts,
	}
}

// Result is what one remote command produced.
type Result struct {
	Command   string
	Stdout    []byte
	Stderr    []byte
	ExitCode  int
	Truncated bool // output beyond MaxOutput was dropped
}

// Pool holds one connection per host.
//
// Locking: p.mu guards the map of hosts, each hostConn.mu guards that host's fields. Neither is
// ever held across network I/O (dial, handshake, session open, agent calls), so State — read by
// the cockpit's header every second — never waits on a host. A dial in progress is shared:
// other callers wait on its done channel or their own context, whichever ends first.
type Pool struct {
	opts Options
	user *userConfig

	mu    sync.Mutex
	conns map[string]*hostConn
	auths map[string][]gossh.AuthMethod // by identity set; only complete successes are kept
	agent *agentConn
	// closed is set by Close: a dial that finishes later closes its connection at once.
	closed bool
}

type hostConn struct {
	mu       sync.Mutex // short critical sections only: never held across I/O
	client   *gossh.Client
	dialing  chan struct{} // non-nil while a dial is under way; closed when it ends
	sessions chan struct{}
	// stuck holds the commands killed at their deadline whose remote run has not ended (a
	// process in D state survives SIGKILL): each keeps its session until it really exits.
	stuck map[string]time.Time

	// state, read by State
	connectedAt time.Time
	rtt         time.Duration
	lastErr     error
	lastFail    time.Time
	failures    int
	since       time.Time // when the connected/failed state last changed
}

// NewPool makes a pool; nothing is dialled until a command runs.
func NewPool(opts Options) *Pool {
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 8
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 15 * time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Minute
	}
	if opts.MaxOutput <= 0 {
		opts.MaxOutput = 1 << 20
	}
	if opts.Linger <= 0 {
		opts.Linger = 10 * time.Minute
	}
	if opts.AgentTimeout <= 0 {
		opts.AgentTimeout = 5 * time.Second
	}
	return &Pool{opts: opts, user: loadUserConfig(opts.SSHConfig), conns: map[string]*hostConn{},
		auths: map[string][]gossh.AuthMethod{}, agent: &agentConn{timeout: opts.AgentTimeout}}
}

// ConfigProblem says why ~/.ssh/config was ignored ("" when it was read or absent).
func (p *Pool) ConfigProblem() string {
	if p.user.err != nil {
		return p.user.err.Error()
	}
	return ""
}

// Run executes argv (quoted, never pasted) on host and waits for it or ctx. A non-zero exit is
// not an error: it is in Result.ExitCode. At the deadline the remote command is killed and its
// session closed once the command has really ended.
//
// A probe (an argv shape of the allowlist, probes.go) runs under a remote `timeout -s KILL`
// matching ctx's deadline. In a read-only pool anything else is refused before any I/O. A
// command whose previous run on the host has not ended remotely is not started again.
func (p *Pool) Run(ctx context.Context, h config.Host, argv ...string) (Result, error) {
	cmd := Quote(argv...)
	res := Result{Command: cmd, ExitCode: -1}
	probe := IsProbe(argv)
	if p.opts.ReadOnly && !probe {
		return res, &RefusedError{Host: h.Name, Command: cmd}
	}
	wire := wireCommand(ctx, probe, argv)
	hc := p.entry(h.Name)
	if err := hc.stuckCheck(h.Name, cmd); err != nil {
		return res, err
	}
	for attempt, redialled := 0, false; ; attempt++ {
		c, err := p.client(ctx, hc, h)
		if err != nil {
			return res, err
		}
		select {
		case hc.sessions <- struct{}{}:
		case <-ctx.Done():
			return res, fmt.Errorf("%s: waiting for a free session%s: %w", h.Name, hc.lingering(), ctx.Err())
		}
		sess, err := newSession(ctx, c)
		var refused *gossh.OpenChannelError
		switch {
		case err == nil:
		case errors.As(err, &refused):
			// sshd refused the channel (MaxSessions counts sessions it has not finished
			// closing): nothing ran and the connection is fine, so wait and ask again for as
			// long as ctx allows, never dropping the sessions in flight.
			<-hc.sessions
			select {
			case <-time.After(min(time.Duration(attempt+1)*20*time.Millisecond, 100*time.Millisecond)):
				continue
			case <-ctx.Done():
				return res, fmt.Errorf("%s: sshd refused a session (%v): %w", h.Name, err, ctx.Err())
			}
		case ctx.Err() != nil:
			<-hc.sessions
			return res, fmt.Errorf("%s: opening a session: %w", h.Name, ctx.Err())
		default:
			<-hc.sessions
			p.drop(hc, c, err)
			if !redialled { // the connection went stale: redial once
				redialled = true
				continue
			}
			return res, &ConnectError{Host: h.Name, Op: "session", Err: err}
		}
		return p.runSession(ctx, hc, sess, h, cmd, wire)
	}
}

// wireCommand is what is sent: a probe with a deadline runs under `timeout -s KILL`, so a
// command the channel's SIGKILL does not reach (sshd without signal support, a shell between)
// still ends on the host.
func wireCommand(ctx context.Context, probe bool, argv []string) string {
	if dl, ok := ctx.Deadline(); ok && probe {
		argv = append([]string{"timeout", "-s", "KILL", remoteSeconds(time.Until(dl))}, argv...)
	}
	return Quote(argv...)
}

// remoteSeconds is the remote timeout for a local deadline d away: whole seconds, at least 1,
// rounded down so the remote kill comes no later than ours.
func remoteSeconds(d time.Duration) string {
	return strconv.Itoa(max(int(d/time.Second), 1))
}

// newSession opens a session unless ctx ends first (a session that opens late is closed).
func newSession(ctx context.Context, c *gossh.Client) (*gossh.Session, error) {
	type opened struct {
		s   *gossh.Session
		err error
	}
	ch := make(chan opened, 1)
	go func() { s, err := c.NewSession(); ch <- opened{s, err} }()
	select {
	case o := <-ch:
		return o.s, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.s != nil {
				o.s.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// stuckCheck says whether cmd's previous run was killed at its deadline and has not ended.
func (hc *hostConn) stuckCheck(host, cmd string) error {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if since, ok := hc.stuck[cmd]; ok {
		return &StillRunningError{Host: host, Command: cmd, Since: since}
	}
	return nil
}

func (hc *hostConn) markStuck(cmd string, since time.Time) {
	hc.mu.Lock()
	if hc.stuck == nil {
		hc.stuck = map[string]time.Time{}
	}
	hc.stuck[cmd] = since
	hc.mu.Unlock()
}

func (hc *hostConn) unstuck(cmd string) {
	hc.mu.Lock()
	delete(hc.stuck, cmd)
	hc.mu.Unlock()
}

// lingering names the commands that hold sessions past their deadline, for a wait's error.
func (hc *hostConn) lingering() string {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	var old []string
	for c := range hc.stuck {
		old = append(old, c)
	}
	if len(old) == 0 {
		return ""
	}
	slices.Sort(old)
	return " (still running remotely: " + strings.Join(old, "; ") + ")"
}

func (p *Pool) runSession(ctx context.Context, hc *hostConn, sess *gossh.Session, h config.Host, cmd, wire string) (Result, error) {
	res := Result{Command: cmd, ExitCode: -1}
	stdout := &capBuffer{max: p.opts.MaxOutput}
	stderr := &capBuffer{max: p.opts.MaxOutput}
	sess.Stdout, sess.Stderr = stdout, stderr
	done := make(chan error, 1)
	go func() { done <- sess.Run(wire) }()
	var err error
	select {
	case err = <-done:
		sess.Close()
		<-hc.sessions
	case <-ctx.Done():
		_ = sess.Signal(gossh.SIGKILL) // OpenSSH ≥ 7.9 delivers it
		// The command keeps its session, and no second run of it starts, until it really
		// exits (a process in D state survives SIGKILL) or the linger bound passes.
		hc.markStuck(cmd, time.Now())
		go func() {
			select {
			case <-done:
			case <-time.After(p.opts.Linger):
			}
			sess.Close()
			<-hc.sessions
			hc.unstuck(cmd)
		}()
		return res, fmt.Errorf("%s: %q did not finish: %w", h.Name, cmd, ctx.Err())
	}
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	res.Truncated = stdout.dropped > 0 || stderr.dropped > 0
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

func (p *Pool) drop(hc *hostConn, c *gossh.Client, why error) {
	hc.mu.Lock()
	if hc.client == c {
		hc.client = nil
		hc.lastErr, hc.since = why, time.Now()
	}
	hc.mu.Unlock()
	c.Close()
}

// retryAfter is how long a host that failed n times in a row is left alone: 1s, 2s, 4s … 1m.
func (p *Pool) retryAfter(n int) time.Duration {
	d := p.opts.RetryMin
	for i := 1; i < n && d < p.opts.RetryMax; i++ {
		d *= 2
	}
	return min(d, p.opts.RetryMax)
}

// client returns the host's connection, dialling it if needed. One dial per host is shared by
// every caller; each waits for it or for its own ctx. Within the backoff after a failure the
// last error is returned at once, so a dead host costs one connect timeout per backoff period,
// not one per check.
func (p *Pool) client(ctx context.Context, hc *hostConn, h config.Host, chain ...string) (*gossh.Client, error) {
	for {
		hc.mu.Lock()
		if hc.client != nil {
			c := hc.client
			hc.mu.Unlock()
			return c, nil
		}
		if hc.lastErr != nil && hc.failures > 0 && time.Since(hc.lastFail) < p.retryAfter(hc.failures) {
			err := hc.lastErr
			hc.mu.Unlock()
			return nil, err
		}
		wait := hc.dialing
		if wait == nil {
			wait = make(chan struct{})
			hc.dialing = wait
			// The dial outlives an impatient caller (it is bounded by the connect timeout) so
			// the others waiting for it get its result.
			go p.dialShared(context.WithoutCancel(ctx), hc, h, chain, wait)
		}
		hc.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: waiting for the connection: %w", h.Name, ctx.Err())
		}
		hc.mu.Lock()
		c, err := hc.client, hc.lastErr
		hc.mu.Unlock()
		if c != nil {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		// The connection came and went already: go round again.
	}
}

// dialShared runs one dial for everyone waiting on done and records its outcome.
func (p *Pool) dialShared(ctx context.Context, hc *hostConn, h config.Host, chain []string, done chan struct{}) {
	start := time.Now()
	c, settings, err := p.dial(ctx, h, chain)
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if err == nil && closed {
		c.Close()
		err = errors.New("the pool is closed")
	}
	hc.mu.Lock()
	hc.dialing = nil
	if err != nil {
		if hc.failures == 0 || hc.lastErr == nil {
			hc.since = time.Now()
		}
		hc.lastErr, hc.lastFail = err, time.Now()
		hc.failures++
	} else {
		hc.client, hc.failures, hc.lastErr = c, 0, nil
		hc.connectedAt, hc.since, hc.rtt = time.Now(), time.Now(), time.Since(start)
	}
	hc.mu.Unlock()
	close(done)
	if err != nil {
		return
	}
	go p.keepAlive(hc, c, settings.aliveInterval)
	go func() { // forget the connection when the server goes away
		err := c.Wait()
		hc.mu.Lock()
		if hc.client == c {
			hc.client = nil
			if err == nil {
				err = errors.New("connection closed by the server")
			}
			hc.lastErr, hc.since = err, time.Now()
		}
		hc.mu.Unlock()
	}()
}

// keepAlive sends OpenSSH keepalives; three unanswered in a row close the connection, so a host
// that vanished is noticed without waiting for a command to hang.
func (p *Pool) keepAlive(hc *hostConn, c *gossh.Client, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	missed := 0
	for range t.C {
		hc.mu.Lock()
		current := hc.client == c
		hc.mu.Unlock()
		if !current {
			return
		}
		start := time.Now()
		reply := make(chan error, 1)
		go func() { _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); reply <- err }()
		select {
		case err := <-reply:
			if err != nil {
				p.drop(hc, c, fmt.Errorf("keepalive: %w", err))
				return
			}
			missed = 0
			hc.mu.Lock()
			hc.rtt = time.Since(start)
			hc.mu.Unlock()
		case <-time.After(every):
			if missed++; missed >= 3 {
				p.drop(hc, c, errors.New("no answer to 3 keepalives"))
				return
			}
		}
	}
}

// dial connects to h, through its jump host if it has one; chain is the hosts already on the way.
func (p *Pool) dial(ctx context.Context, h config.Host, chain []string) (*gossh.Client, hostSettings, error) {
	h, s := p.user.resolve(h, p.opts)
	addr := net.JoinHostPort(h.Address, strconv.Itoa(h.Port))
	cfg, err := p.clientConfig(h, addr, s)
	if err != nil {
		return nil, s, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.connectTimeout)
	defer cancel()

	var conn net.Conn
	if h.Jump != "" {
		chain = append(slices.Clone(chain), h.Name)
		if slices.Contains(chain, h.Jump) || len(chain) > 4 {
			return nil, s, &ConnectError{Host: h.Name, Op: "jump", Err: fmt.Errorf("jump loop or chain too long: %s → %s", strings.Join(chain, " → "), h.Jump)}
		}
		jh, ok := p.opts.Hosts[h.Jump]
		if !ok {
			jh = config.Host{Name: h.Jump, Address: h.Jump, Port: 22} // a ~/.ssh/config alias
		}
		jc, err := p.client(ctx, p.entry(jh.Name), jh, chain...)
		if err != nil {
			return nil, s, &ConnectError{Host: h.Name, Op: "jump via " + jh.Name, Err: err}
		}
		conn, err = jc.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, s, &ConnectError{Host: h.Name, Op: "dial via " + jh.Name, Err: err}
		}
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, s, &ConnectError{Host: h.Name, Op: "dial", Err: err}
		}
	}
	// The handshake has no context of its own: closing the socket is how a deadline ends it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, cfg)
	if !stop() {
		if cc != nil {
			cc.Close()
		}
		return nil, s, &ConnectError{Host: h.Name, Op: "handshake", Err: fmt.Errorf("no answer within %s", s.connectTimeout)}
	}
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		if errors.As(err, &hk) {
			return nil, s, hk
		}
		op := "handshake"
		if strings.Contains(err.Error(), "unable to authenticate") {
			op = "auth"
		}
		return nil, s, &ConnectError{Host: h.Name, Op: op, Err: err}
	}
	return gossh.NewClient(cc, chans, reqs), s, nil
}

func (p *Pool) clientConfig(h config.Host, addr string, s hostSettings) (*gossh.ClientConfig, error) {
	if _, err := os.Stat(s.knownHosts); err != nil {
		return nil, &ConnectError{Host: h.Name, Op: "known_hosts", Err: fmt.Errorf("%s: %w (host keys must be verified)", s.knownHosts, err)}
	}
	db, err := knownhosts.NewDB(s.knownHosts)
	if err != nil {
		return nil, &ConnectError{Host: h.Name, Op: "known_hosts", Err: err}
	}
	verify := db.HostKeyCallback()
	auth, err := p.authFor(s)
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
			e := &HostKeyError{Host: h.Name, Address: addr, KnownHosts: s.knownHosts,
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
		Timeout:           s.connectTimeout,
	}, nil
}

// authFor loads the keys from identity files and ssh-agent for one identity set. Only a
// complete success is cached: an agent that restarted or a key file briefly unreadable must not
// fail every host until opsdeck restarts. With IdentitiesOnly, agent keys are limited to those
// of the identity files, as OpenSSH does.
func (p *Pool) authFor(s hostSettings) ([]gossh.AuthMethod, error) {
	key := strings.Join(s.identityFiles, "\x00") + fmt.Sprint(s.identitiesOnly)
	p.mu.Lock()
	m, ok := p.auths[key]
	p.mu.Unlock()
	if ok {
		return m, nil
	}
	m, complete, err := p.authMethods(s) // file reads: outside the lock
	if err == nil && complete {
		p.mu.Lock()
		p.auths[key] = m
		p.mu.Unlock()
	}
	return m, err
}

func (p *Pool) authMethods(s hostSettings) (methods []gossh.AuthMethod, complete bool, err error) {
	var signers []gossh.Signer
	var wanted [][]byte // public keys of the identity files, for IdentitiesOnly
	var problems []string
	for _, f := range s.identityFiles {
		if pub, err := os.ReadFile(f + ".pub"); err == nil {
			if k, _, _, _, err := gossh.ParseAuthorizedKey(pub); err == nil {
				wanted = append(wanted, k.Marshal())
			}
		}
		b, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		sg, err := gossh.ParsePrivateKey(b)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v (a passphrase-protected key must be in ssh-agent)", f, err))
			continue
		}
		signers = append(signers, sg)
		wanted = append(wanted, sg.PublicKey().Marshal())
	}
	if sock := os.Getenv("SSH_AUTH_SOCK"); p.opts.UseAgent && sock != "" {
		methods = append(methods, gossh.PublicKeysCallback(func() ([]gossh.Signer, error) {
			all, err := p.agent.signers(sock) // dialled per use, re-dialled after an error
			if err != nil || !s.identitiesOnly {
				return all, err
			}
			var keep []gossh.Signer
			for _, sg := range all {
				if slices.ContainsFunc(wanted, func(w []byte) bool { return bytes.Equal(w, sg.PublicKey().Marshal()) }) {
					keep = append(keep, sg)
				}
			}
			return keep, nil
		}))
	}
	if len(signers) > 0 {
		methods = append(methods, gossh.PublicKeys(signers...))
	}
	if len(methods) == 0 {
		return nil, false, fmt.Errorf("no usable key (%s)", strings.Join(orNone(problems), "; "))
	}
	return methods, len(problems) == 0, nil
}

func orNone(problems []string) []string {
	if len(problems) == 0 {
		return []string{"no identity file and no ssh-agent"}
	}
	return problems
}

// HostState is what the pool knows about one host's connection.
type HostState struct {
	Host      string        `json:"host"`
	Connected bool          `json:"connected"`
	RTT       time.Duration `json:"-"`
	RTTMS     float64       `json:"rtt_ms"`
	LastError string        `json:"last_error,omitempty"`
	Since     time.Time     `json:"since"`              // when it connected or started failing
	Failures  int           `json:"failures,omitempty"` // dial failures in a row
}

// States reports every host the pool has tried, sorted by name.
func (p *Pool) States() []HostState {
	p.mu.Lock()
	names := make([]string, 0, len(p.conns))
	for n := range p.conns {
		names = append(names, n)
	}
	p.mu.Unlock()
	slices.Sort(names)
	out := make([]HostState, 0, len(names))
	for _, n := range names {
		out = append(out, p.State(n))
	}
	return out
}

// State reports one host's connection.
func (p *Pool) State(name string) HostState {
	hc := p.entry(name)
	hc.mu.Lock()
	defer hc.mu.Unlock()
	st := HostState{Host: name, Connected: hc.client != nil, RTT: hc.rtt, Since: hc.since, Failures: hc.failures}
	st.RTTMS = float64(hc.rtt.Microseconds()) / 1000
	if hc.lastErr != nil && hc.client == nil {
		st.LastError = hc.lastErr.Error()
	}
	return st
}

// Close drops every connection.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	hcs := make([]*hostConn, 0, len(p.conns))
	for _, hc := range p.conns {
		hcs = append(hcs, hc)
	}
	p.mu.Unlock()
	for _, hc := range hcs {
		hc.mu.Lock()
		c := hc.client
		hc.client = nil
		hc.mu.Unlock()
		if c != nil {
			c.Close()
		}
	}
	p.agent.close()
}

// capBuffer keeps the first max bytes of a stream and counts the rest (the stream is always
// drained, so a chatty command never blocks its session).
// (Not an embedded bytes.Buffer: io.Copy would use its ReadFrom and skip the cap.)
type capBuffer struct {
	buf     bytes.Buffer
	max     int
	dropped int
}

func (b *capBuffer) Bytes() []byte { return b.buf.Bytes() }

// copyBufs are ReadFrom's chunks: io.Copy into a plain Writer allocated 32 KB per stream, two
// per command run (a fifth of the idle cockpit's garbage on the lab).
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 4<<10); return &b }}

// ReadFrom drains r through Write, with a pooled chunk (io.Copy uses it).
func (b *capBuffer) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	var n int64
	for {
		k, err := r.Read(*bp)
		if k > 0 {
			_, _ = b.Write((*bp)[:k])
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (b *capBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if room >= len(p) {
		return b.buf.Write(p)
	}
	if room > 0 {
		b.buf.Write(p[:room])
	}
	b.dropped += len(p) - max(room, 0)
	return len(p), nil
}
