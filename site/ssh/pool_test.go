package ssh

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/config"
	"opsdeck/site/sim"
)

func simPool(t *testing.T) (*sim.Site, *Pool) {
	t.Helper()
	s, err := sim.Start(t.TempDir(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	p := NewPool(OptionsFromSite(s.Config))
	t.Cleanup(p.Close)
	return s, p
}

func host(s *sim.Site, name string) config.Host {
	for _, h := range s.Config.Inventory() {
		if h.Name == name {
			return h
		}
	}
	panic(name)
}

func TestOneConnectionManySessions(t *testing.T) {
	s, p := simPool(t)
	h := host(s, "node1")
	done := make(chan error, 20)
	for range 20 {
		go func() { _, err := p.Run(context.Background(), h, "cat", "/proc/loadavg"); done <- err }()
	}
	for range 20 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	st := p.State("node1")
	if !st.Connected || st.RTT <= 0 || st.Failures != 0 {
		t.Fatalf("%+v", st)
	}
}

func TestDeadHostBacksOff(t *testing.T) {
	s, p := simPool(t)
	h := host(s, "node2")
	s.StopHost("node2")
	_, err1 := p.Run(context.Background(), h, "true")
	_, err2 := p.Run(context.Background(), h, "true")
	if err1 == nil || err2 == nil || err2.Error() != err1.Error() {
		t.Fatalf("second attempt within the backoff must return the first error: %v / %v", err1, err2)
	}
	st := p.State("node2")
	// One failure recorded: the second Run did not dial again.
	if st.Connected || st.Failures != 1 || !strings.Contains(st.LastError, "connection refused") || st.Since.IsZero() {
		t.Fatalf("%+v", st)
	}
	if p.retryAfter(1) != time.Second || p.retryAfter(3) != 4*time.Second || p.retryAfter(20) != time.Minute {
		t.Fatal("backoff must double from 1s to at most 1m")
	}
	// The host comes back: after the backoff the pool reconnects.
	if err := s.StartHost("node2"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(p.retryAfter(1))
	if _, err := p.Run(context.Background(), h, "true"); err != nil {
		t.Fatalf("no reconnect: %v", err)
	}
}

func TestServerGoneIsNoticed(t *testing.T) {
	s, p := simPool(t)
	h := host(s, "node3")
	if _, err := p.Run(context.Background(), h, "true"); err != nil {
		t.Fatal(err)
	}
	s.StopHost("node3") // closes the live connection too
	deadline := time.Now().Add(2 * time.Second)
	for p.State("node3").Connected && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := p.State("node3"); st.Connected || st.LastError == "" {
		t.Fatalf("%+v", st)
	}
}

func TestOutputIsBounded(t *testing.T) {
	s, _ := simPool(t)
	o := OptionsFromSite(s.Config)
	o.MaxOutput = 64
	p := NewPool(o)
	defer p.Close()
	res, err := p.Run(context.Background(), host(s, "node1"), "cat", "/proc/meminfo")
	if err != nil || len(res.Stdout) != 64 || !res.Truncated {
		t.Fatalf("%v %d %v", err, len(res.Stdout), res.Truncated)
	}
}

func TestUserSSHConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(`Host db*
  HostName 10.9.9.%h
  User dba
  Port 2222
  ProxyJump bastion
  IdentityFile ~/.ssh/id_db
  IdentitiesOnly yes
  ServerAliveInterval 7
Host *
  User nobody
`), 0o600)
	u := loadUserConfig(cfg)
	if u.err != nil {
		t.Fatal(u.err)
	}
	h, s := u.resolve(config.Host{Name: "db1", Address: "db1", Port: 22}, Options{})
	if h.Address != "10.9.9.db1" || h.Port != 2222 || h.User != "dba" || h.Jump != "bastion" {
		t.Errorf("%+v", h)
	}
	if !s.identitiesOnly || s.aliveInterval != 7*time.Second || len(s.identityFiles) != 1 || !strings.HasSuffix(s.identityFiles[0], ".ssh/id_db") {
		t.Errorf("%+v", s)
	}
	// The site file wins where it says something.
	h, _ = u.resolve(config.Host{Name: "db2", Address: "10.0.0.2", Port: 22, User: "ops", Jump: "ops1"}, Options{})
	if h.Address != "10.0.0.2" || h.Port != 22 || h.User != "ops" || h.Jump != "ops1" {
		t.Errorf("site file must win: %+v", h)
	}
}

func TestBrokenSSHConfigIsIgnoredWithAReason(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfg, []byte("Host a\n  Match\x00garbage \"unterminated\n"), 0o600)
	p := NewPool(Options{SSHConfig: cfg})
	h, _ := p.user.resolve(config.Host{Name: "a", Address: "a", Port: 22, User: "x"}, p.opts)
	if h.Address != "a" || h.User != "x" {
		t.Fatalf("%+v", h)
	}
	_ = p.ConfigProblem() // may or may not parse; either way resolution works
}

// A host that accepts TCP and never says a word is cut at the handshake deadline.
func TestSilentHostHitsHandshakeDeadline(t *testing.T) {
	s, _ := simPool(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c) // never answer
		}
	}()
	o := OptionsFromSite(s.Config)
	o.ConnectTimeout = 300 * time.Millisecond
	p := NewPool(o)
	defer p.Close()
	h := config.Host{Name: "silent", Address: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: "admin"}
	_, err = p.Run(context.Background(), h, "true")
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Op != "handshake" || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Fatalf("%v", err)
	}
}
