//go:build lab

package ssh

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/internal/labenv"
)

func labPool(t *testing.T, lab *labenv.Lab) *Pool {
	t.Helper()
	p := NewPool(OptionsFromSite(lab.Site))
	t.Cleanup(p.Close)
	return p
}

func runOK(t *testing.T, p *Pool, lab *labenv.Lab, host string, argv ...string) string {
	t.Helper()
	res, err := p.Run(context.Background(), lab.Host(t, host), argv...)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("%s: %s: exit %d, %v\n%s%s", host, Quote(argv...), res.ExitCode, err, res.Stdout, res.Stderr)
	}
	return string(res.Stdout)
}

// Real OpenSSH sshd, key auth, host keys from the lab's known_hosts.
func TestLabSSHD(t *testing.T) {
	lab := labenv.Load(t)
	p := labPool(t, lab)
	if out := runOK(t, p, lab, "ops1", "uptime"); !strings.Contains(out, "load average") {
		t.Fatalf("uptime: %q", out)
	}
	// Each simulated host has its own identity and shims.
	if out := runOK(t, p, lab, "node2", "sh", "-c", "echo $LAB_HOST"); strings.TrimSpace(out) != "node2" {
		t.Fatalf("LAB_HOST = %q", out)
	}
}

// master1 is only reached through the bastion (ProxyJump), each hop's key verified.
func TestLabProxyJump(t *testing.T) {
	lab := labenv.Load(t)
	m := lab.Host(t, "master1")
	if m.Jump != "bastion" {
		t.Fatalf("lab site: master1 jump = %q", m.Jump)
	}
	out := runOK(t, labPool(t, lab), lab, "master1", "sh", "-c", "echo $LAB_HOST; echo $SSH_CONNECTION")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// The connection to master1 comes from the bastion's side of the tunnel, not from us directly.
	if lines[0] != "master1" || !strings.HasSuffix(lines[1], "127.0.1.4 22") {
		t.Fatalf("%q", out)
	}
}

func TestLabUnknownAndChangedHostKeys(t *testing.T) {
	lab := labenv.Load(t)
	kh, err := os.ReadFile(lab.Site.SSH.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Unknown: a known_hosts without node1.
	var keep []string
	for _, l := range strings.Split(string(kh), "\n") {
		if !strings.HasPrefix(l, "127.0.1.5 ") {
			keep = append(keep, l)
		}
	}
	unknown := filepath.Join(dir, "unknown")
	os.WriteFile(unknown, []byte(strings.Join(keep, "\n")), 0o600)
	// Changed: node2's line carries node3's key.
	var node3Key string
	for _, l := range strings.Split(string(kh), "\n") {
		if strings.HasPrefix(l, "127.0.1.7 ") {
			node3Key = strings.TrimPrefix(l, "127.0.1.7 ")
		}
	}
	changed := filepath.Join(dir, "changed")
	os.WriteFile(changed, []byte(strings.ReplaceAll(string(kh), "127.0.1.6 ", "127.0.1.6-old ")+"127.0.1.6 "+node3Key+"\n"), 0o600)

	opts := OptionsFromSite(lab.Site)
	opts.KnownHosts = unknown
	_, err = NewPool(opts).Run(context.Background(), lab.Host(t, "node1"), "true")
	var hk *HostKeyError
	if !errors.As(err, &hk) || hk.Changed || !strings.HasPrefix(hk.Fingerprint, "SHA256:") || !strings.HasPrefix(hk.Line, "127.0.1.5 ssh-ed25519 ") {
		t.Fatalf("unknown host: %v", err)
	}
	opts.KnownHosts = changed
	_, err = NewPool(opts).Run(context.Background(), lab.Host(t, "node2"), "true")
	if !IsHostKeyChanged(err) {
		t.Fatalf("changed host key: %v", err)
	}
}

// A command that never ends is cut at its deadline and the session closed.
func TestLabHungCommand(t *testing.T) {
	lab := labenv.Load(t)
	p := labPool(t, lab)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := p.Run(ctx, lab.Host(t, "node1"), "sleep", "60")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	// The remote sleep is killed, not left behind on the host (the kill is asynchronous).
	out := ""
	for range 20 {
		out = runOK(t, p, lab, "node1", "sh", "-c", "pgrep -u opslab -x sleep -a || true")
		if !strings.Contains(out, "sleep 60") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Contains(out, "sleep 60") {
		t.Fatalf("the remote command outlived its deadline: %q", out)
	}
	// The connection is still good for the next command.
	runOK(t, p, lab, "node1", "true")
}

// supervisord runs the ADNS processes; ops1 sees its own, ops2 through a docker exec shim.
func TestLabSupervisord(t *testing.T) {
	lab := labenv.Load(t)
	p := labPool(t, lab)
	master := runOK(t, p, lab, "ops1", "supervisorctl", "status")
	for _, proc := range []string{"bind", "dnsagent", "dnsmng", "keepalived"} {
		if !strings.Contains(master, proc) || !strings.Contains(master, "RUNNING") {
			t.Errorf("adns-master lacks running %s:\n%s", proc, master)
		}
	}
	slave := runOK(t, p, lab, "ops2", "docker", "exec", "adns-slave", "supervisorctl", "status")
	if !strings.Contains(slave, "bind") || strings.Contains(slave, "dnsmng") {
		t.Errorf("adns-slave:\n%s", slave)
	}
	resp, err := http.Get("http://" + lab.Site.ADNS.MasterVIP + "/ha/hastate")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(b)) != "127.0.2.1" {
		t.Fatalf("hastate = %q", b)
	}
}

// chronyd serves time on loopback; the client's sources are real chronyc output, one dead.
func TestLabChrony(t *testing.T) {
	lab := labenv.Load(t)
	out := runOK(t, labPool(t, lab), lab, "ops1", "chronyc", "-n", "-c", "sources")
	if !strings.Contains(out, "^,*,127.0.4.1,") || !strings.Contains(out, "^,?,127.0.4.2,") {
		t.Fatalf("sources:\n%s", out)
	}
}

// etcd behind the apiserver, checked from the master as the guide does (§5.2).
func TestLabEtcd(t *testing.T) {
	lab := labenv.Load(t)
	res, err := labPool(t, lab).Run(context.Background(), lab.Host(t, "master1"), "etcdctl", "--endpoints", "http://127.0.3.1:2379", "endpoint", "health")
	if err != nil || !strings.Contains(string(res.Stdout)+string(res.Stderr), "is healthy") {
		t.Fatalf("%v %s %s", err, res.Stdout, res.Stderr)
	}
}

// `supervisorctl restart bind` is the real thing: named really restarts (a new pid) and answers.
func TestLabSupervisorRestartBind(t *testing.T) {
	lab := labenv.Load(t)
	p := labPool(t, lab)
	pid := func() string {
		out := runOK(t, p, lab, "ops1", "supervisorctl", "pid", "bind")
		return strings.TrimSpace(out)
	}
	before := pid()
	out := runOK(t, p, lab, "ops1", "supervisorctl", "restart", "bind")
	if !strings.Contains(out, "bind: started") {
		t.Fatalf("restart: %q", out)
	}
	if after := pid(); after == before || after == "0" {
		t.Fatalf("bind pid %s → %s", before, after)
	}
}

// Auth through ssh-agent alone (no identity file), as an operator's bastion usually works.
func TestLabAgentAuth(t *testing.T) {
	lab := labenv.Load(t)
	sock := filepath.Join(t.TempDir(), "agent.sock")
	agentCmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agentCmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer agentCmd.Process.Kill()
	for range 50 {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	add := exec.Command("ssh-add", lab.Site.SSH.IdentityFiles[0])
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v %s", err, out)
	}
	t.Setenv("SSH_AUTH_SOCK", sock)
	opts := OptionsFromSite(lab.Site)
	opts.IdentityFiles = nil
	opts.UseAgent = true
	p := NewPool(opts)
	defer p.Close()
	if out := runOK(t, p, lab, "node2", "sh", "-c", "echo $LAB_HOST"); strings.TrimSpace(out) != "node2" {
		t.Fatalf("%q", out)
	}
	// Without the agent and without a key file there is no way in, and the error says so.
	t.Setenv("SSH_AUTH_SOCK", "")
	_, err := NewPool(opts).Run(context.Background(), lab.Host(t, "node2"), "true")
	if err == nil || !strings.Contains(err.Error(), "no usable key") {
		t.Fatalf("%v", err)
	}
}
