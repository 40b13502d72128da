package ssh

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// agentConn is the pool's connection to ssh-agent: dialled when first needed, every call bounded
// by a deadline, and dropped after any error so the next call dials again (an agent that
// restarted, or a forwarded agent that came back, works without restarting opsdeck).
type agentConn struct {
	timeout time.Duration

	mu     sync.Mutex // held for the local dial only (bounded by timeout)
	sock   string
	conn   net.Conn
	client agent.ExtendedAgent
}

// signers lists the agent's keys, retrying once on a fresh connection after an error.
func (a *agentConn) signers(sock string) ([]gossh.Signer, error) {
	var last error
	for range 2 {
		cl, conn, err := a.get(sock)
		if err != nil {
			return nil, fmt.Errorf("ssh-agent %s: %w", sock, err)
		}
		_ = conn.SetDeadline(time.Now().Add(a.timeout))
		ss, err := cl.Signers()
		if err == nil {
			out := make([]gossh.Signer, len(ss))
			for i, s := range ss {
				out[i] = wrapAgentSigner(s, a, conn)
			}
			return out, nil
		}
		a.reset(conn)
		last = err
	}
	return nil, fmt.Errorf("ssh-agent %s: %w", sock, last)
}

func (a *agentConn) get(sock string) (agent.ExtendedAgent, net.Conn, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil && a.sock == sock {
		return a.client, a.conn, nil
	}
	if a.conn != nil {
		a.conn.Close()
	}
	conn, err := net.DialTimeout("unix", sock, a.timeout)
	if err != nil {
		a.conn, a.client = nil, nil
		return nil, nil, err
	}
	a.sock, a.conn, a.client = sock, conn, agent.NewClient(conn)
	return a.client, conn, nil
}

// reset forgets conn (if it is still the current one) so the next call dials again.
func (a *agentConn) reset(conn net.Conn) {
	a.mu.Lock()
	if a.conn == conn {
		a.conn, a.client = nil, nil
	}
	a.mu.Unlock()
	conn.Close()
}

func (a *agentConn) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		a.conn.Close()
		a.conn, a.client = nil, nil
	}
}

// agentSigner bounds each signature by the agent deadline and drops the connection on failure.
// It keeps SignWithAlgorithm (RSA keys need rsa-sha2-*; modern sshd refuses ssh-rsa/SHA-1).
type agentSigner struct {
	gossh.AlgorithmSigner
	a    *agentConn
	conn net.Conn
}

func wrapAgentSigner(s gossh.Signer, a *agentConn, conn net.Conn) gossh.Signer {
	as, ok := s.(gossh.AlgorithmSigner)
	if !ok {
		return s
	}
	return &agentSigner{AlgorithmSigner: as, a: a, conn: conn}
}

func (s *agentSigner) Sign(rand io.Reader, data []byte) (*gossh.Signature, error) {
	return s.SignWithAlgorithm(rand, data, "")
}

func (s *agentSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*gossh.Signature, error) {
	_ = s.conn.SetDeadline(time.Now().Add(s.a.timeout))
	sig, err := s.AlgorithmSigner.SignWithAlgorithm(rand, data, algorithm)
	if err != nil {
		s.a.reset(s.conn)
	}
	return sig, err
}
