package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"opsdeck/config"
	"opsdeck/site/sim"
)

// silentListener accepts TCP and never says a word (a wedged sshd, a half-dead host).
func silentListener(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func dialing(hc *hostConn) bool {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return hc.dialing != nil
}

// The header reads State every second: a host that accepts TCP and never speaks must not make
// it wait, and a caller whose context ends stops waiting for the shared dial.
func TestStateDoesNotWaitForADial(t *testing.T) {
	s, _ := simPool(t)
	o := OptionsFromSite(s.Config)
	o.ConnectTimeout = time.Minute // the dial outlives the test's questions
	p := NewPool(o)
	defer p.Close()
	h := config.Host{Name: "silent", Address: "127.0.0.1", Port: silentListener(t), User: "admin"}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 2)
	for range 2 { // two callers share one dial
		go func() { _, err := p.Run(ctx, h, "true"); errc <- err }()
	}
	hc := p.entry("silent")
	for !dialing(hc) {
		time.Sleep(time.Millisecond)
	}
	st := p.State("silent")
	if st.Connected || !dialing(hc) {
		t.Fatalf("State must answer while the dial is under way: %+v", st)
	}
	_ = p.States()
	cancel()
	for range 2 {
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled caller must stop waiting for the dial: %v", err)
		}
	}
	if !dialing(hc) {
		t.Fatal("the callers returned because the dial ended, not because of their context")
	}
}

// Two hosts that jump through each other: no deadlock, a clear error for both.
func TestJumpCycleEndsWithAnError(t *testing.T) {
	s, _ := simPool(t)
	o := OptionsFromSite(s.Config)
	o.ConnectTimeout = 2 * time.Second
	a := config.Host{Name: "a", Address: "127.0.0.1", Port: silentListener(t), User: "x", Jump: "b"}
	b := config.Host{Name: "b", Address: "127.0.0.1", Port: silentListener(t), User: "x", Jump: "a"}
	o.Hosts = map[string]config.Host{"a": a, "b": b}
	p := NewPool(o)
	defer p.Close()
	errc := make(chan error, 2)
	for _, h := range []config.Host{a, b} {
		go func() { _, err := p.Run(context.Background(), h, "true"); errc <- err }()
	}
	for range 2 {
		if err := <-errc; err == nil || !strings.Contains(err.Error(), "jump") {
			t.Fatalf("want a jump error, got %v", err)
		}
	}
}

// A command killed at its deadline that has not ended on the host is not started again; other
// commands still run; once it ends (here: the linger bound), it can run again.
func TestStuckCommandIsNotStartedAgain(t *testing.T) {
	s, _ := simPool(t)
	o := OptionsFromSite(s.Config)
	o.Linger = 300 * time.Millisecond
	p := NewPool(o)
	defer p.Close()
	h := host(s, "node1")
	s.Hosts["node1"].Update(func(st *sim.HostState) { st.Hang = true })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err := p.Run(ctx, h, "cat", "/proc/loadavg")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	s.Hosts["node1"].Update(func(st *sim.HostState) { st.Hang = false })
	_, err = p.Run(context.Background(), h, "cat", "/proc/loadavg")
	var sr *StillRunningError
	if !errors.As(err, &sr) || sr.Command != "cat /proc/loadavg" {
		t.Fatalf("want StillRunningError, got %v", err)
	}
	if _, err := p.Run(context.Background(), h, "cat", "/proc/uptime"); err != nil {
		t.Fatalf("another command must run: %v", err)
	}
	for range 200 {
		if _, err = p.Run(context.Background(), h, "cat", "/proc/loadavg"); !errors.As(err, &sr) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("after the linger bound the command runs again: %v", err)
	}
}

func TestReadOnlyPoolRunsProbesOnly(t *testing.T) {
	s, _ := simPool(t)
	o := OptionsFromSite(s.Config)
	o.ReadOnly = true
	p := NewPool(o)
	defer p.Close()
	h := host(s, "node1")
	_, err := p.Run(context.Background(), h, "find", "/home/t4/etcd/etcd_bk", "-delete")
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("%v", err)
	}
	if st := p.State("node1"); st.Connected || st.Failures != 0 {
		t.Fatalf("a refused command must not even connect: %+v", st)
	}
	if res, err := p.Run(context.Background(), h, "cat", "/proc/loadavg"); err != nil || res.ExitCode != 0 {
		t.Fatalf("a probe runs (under the remote timeout the sim emulates): %v %+v", err, res)
	}
}

func TestProbesRunUnderRemoteTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := wireCommand(ctx, true, []string{"df", "-P"})
	if !strings.HasPrefix(got, "timeout -s KILL ") || !strings.HasSuffix(got, " df -P") {
		t.Fatal(got)
	}
	if got := wireCommand(ctx, false, []string{"docker", "restart", "x"}); got != "docker restart x" {
		t.Fatal("only probes are wrapped:", got)
	}
	if got := wireCommand(context.Background(), true, []string{"df", "-P"}); got != "df -P" {
		t.Fatal("no deadline, no wrapper:", got)
	}
	if remoteSeconds(300*time.Millisecond) != "1" || remoteSeconds(9900*time.Millisecond) != "9" {
		t.Fatal("remote seconds: at least 1, rounded down")
	}
}

func writeKey(t *testing.T, path string) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	return priv
}

// A key file briefly unreadable fails that dial only; success is what is cached.
func TestAuthCachesOnlySuccess(t *testing.T) {
	key := filepath.Join(t.TempDir(), "id")
	p := NewPool(Options{IdentityFiles: []string{key}})
	s := hostSettings{identityFiles: []string{key}}
	if _, err := p.authFor(s); err == nil || !strings.Contains(err.Error(), "no usable key") {
		t.Fatalf("%v", err)
	}
	writeKey(t, key)
	if m, err := p.authFor(s); err != nil || len(m) != 1 {
		t.Fatalf("the key is readable now: %v", err)
	}
	os.Remove(key)
	if _, err := p.authFor(s); err != nil {
		t.Fatalf("a success stays cached: %v", err)
	}
}

// serveAgent runs an in-process ssh-agent on sock until the returned stop is called.
func serveAgent(t *testing.T, sock string, priv ed25519.PrivateKey) (stop func()) {
	t.Helper()
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go agent.ServeAgent(kr, c)
		}
	}()
	return func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		os.Remove(sock)
	}
}

// An ssh-agent that restarts is dialled again: no restart of opsdeck needed.
func TestAgentRedialledAfterRestart(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	a := &agentConn{timeout: time.Second}
	defer a.close()
	stop := serveAgent(t, sock, priv)
	ss, err := a.signers(sock)
	if err != nil || len(ss) != 1 {
		t.Fatalf("%v %d", err, len(ss))
	}
	if _, err := ss[0].Sign(rand.Reader, []byte("x")); err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := a.signers(sock); err == nil {
		t.Fatal("the agent is gone")
	}
	stop = serveAgent(t, sock, priv)
	defer stop()
	if ss, err := a.signers(sock); err != nil || len(ss) != 1 {
		t.Fatalf("the restarted agent must be dialled again: %v", err)
	}
}

// Streams only read, in every mode: a command that is not a probe shape never leaves.
func TestStreamRunsProbesOnly(t *testing.T) {
	s, p := simPool(t)
	var out strings.Builder
	err := p.Stream(context.Background(), host(s, "node1"), &out, "sh", "-c", "rm -rf /")
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("%v", err)
	}
	if st := p.State("node1"); st.Connected || st.Failures != 0 {
		t.Fatalf("a refused stream must not even connect: %+v", st)
	}
}
