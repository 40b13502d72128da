package sim

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// sshServer is one simulated host's sshd on its own 127.0.0.1 port, with its own host key.
type sshServer struct {
	host     *Host
	ln       net.Listener
	hostKey  gossh.Signer
	config   *gossh.ServerConfig
	now      func() time.Time
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	stopping bool
}

func newSSHServer(h *Host, clientKey gossh.PublicKey, now func() time.Time) (*sshServer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	s := &sshServer{host: h, hostKey: signer, now: now, conns: map[net.Conn]struct{}{}}
	s.config = &gossh.ServerConfig{
		PublicKeyCallback: func(meta gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			if bytes.Equal(key.Marshal(), clientKey.Marshal()) {
				return nil, nil
			}
			return nil, fmt.Errorf("key not authorized for %s", meta.User())
		},
	}
	s.config.AddHostKey(signer)
	return s, s.listen("127.0.0.1:0")
}

func (s *sshServer) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve(ln)
	return nil
}

func (s *sshServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *sshServer) serve(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *sshServer) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	sc, chans, reqs, err := gossh.NewServerConn(c, s.config)
	if err != nil {
		return
	}
	_ = c.SetDeadline(time.Time{})
	defer sc.Close()
	go gossh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(gossh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go s.session(ch, creqs)
	}
}

func (s *sshServer) session(ch gossh.Channel, reqs <-chan *gossh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			_ = req.Reply(req.Type == "env", nil)
			continue
		}
		var payload struct{ Command string }
		if err := gossh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			return
		}
		_ = req.Reply(true, nil)
		if s.host.State().Hang {
			// A wedged host: the command never answers; the client's deadline must end it.
			for range reqs {
			}
			return
		}
		if s.stream(ch, reqs, payload.Command) { // log tails (tailcmd.go)
			return
		}
		stdout, stderr, code := s.run(payload.Command)
		_, _ = ch.Write([]byte(stdout))
		_, _ = ch.Stderr().Write([]byte(stderr))
		status := make([]byte, 4)
		binary.BigEndian.PutUint32(status, uint32(code))
		_, _ = ch.SendRequest("exit-status", false, status)
		return
	}
}

func (s *sshServer) run(cmd string) (string, string, int) {
	argv, err := splitShell(cmd)
	if err != nil {
		return "", "sim: " + err.Error() + "\n", 2
	}
	if len(argv) == 0 {
		return "", "", 0
	}
	return s.host.exec(argv, s.now())
}

// stop closes the listener and every connection, as a host going down would.
func (s *sshServer) stop() {
	s.mu.Lock()
	s.stopping = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.wg.Wait()
}

// restart listens again on the same port (a host coming back).
func (s *sshServer) restart() error {
	s.mu.Lock()
	s.stopping = false
	s.mu.Unlock()
	addr := s.ln.Addr().String()
	if err := s.listen(addr); err != nil {
		return errors.Join(errors.New("sim: host did not come back"), err)
	}
	return nil
}
