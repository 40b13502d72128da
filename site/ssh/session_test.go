package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skeema/knownhosts"
	gossh "golang.org/x/crypto/ssh"

	"opsdeck/config"
)

// testServer is a tiny sshd on 127.0.0.1 whose session handling a test scripts: refuse the
// first refusals session opens (as sshd does past MaxSessions), or never answer them (hang).
type testServer struct {
	conns    atomic.Int32
	refusals atomic.Int32
	hang     bool
}

func (s *testServer) start(t *testing.T) (Options, config.Host) {
	t.Helper()
	dir := t.TempDir()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostKey, _ := gossh.NewSignerFromKey(hostPriv)
	cfg := &gossh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go s.serve(c, cfg)
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	kh := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(ln.Addr().String())}, hostKey.PublicKey())
	os.WriteFile(kh, []byte(line+"\n"), 0o600)
	key := filepath.Join(dir, "id")
	writeKey(t, key)
	return Options{KnownHosts: kh, IdentityFiles: []string{key}, ConnectTimeout: 5 * time.Second},
		config.Host{Name: "t", Address: "127.0.0.1", Port: port, User: "u"}
}

func (s *testServer) serve(c net.Conn, cfg *gossh.ServerConfig) {
	sc, chans, reqs, err := gossh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go gossh.DiscardRequests(reqs)
	if s.hang {
		<-make(chan struct{}) // never look at a channel open
	}
	for nc := range chans {
		if s.refusals.Add(-1) >= 0 {
			nc.Reject(gossh.ResourceShortage, "no more sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer ch.Close()
			for r := range creqs {
				r.Reply(r.Type == "exec", nil)
				if r.Type == "exec" {
					ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 0))
					return
				}
			}
		}()
	}
}

// sshd refusing sessions (MaxSessions) is asked again on the same connection: nothing is dropped.
func TestRefusedSessionsAreRetriedOnTheSameConnection(t *testing.T) {
	s := &testServer{}
	s.refusals.Store(22) // more than the 20 after which the pool used to drop the connection
	o, h := s.start(t)
	p := NewPool(o)
	defer p.Close()
	res, err := p.Run(context.Background(), h, "true")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("%v %+v", err, res)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("the connection was dropped and redialled: %d connections", n)
	}
}

// A server that never answers a session open does not hold the caller past its context.
func TestNewSessionHonoursTheContext(t *testing.T) {
	s := &testServer{hang: true}
	o, h := s.start(t)
	p := NewPool(o)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := p.Run(ctx, h, "true")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	if st := p.State("t"); !st.Connected {
		t.Fatalf("a slow session open is not a dead connection: %+v", st)
	}
}
