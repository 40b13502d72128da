// Package sim is the embedded simulated site behind `--demo` and the end-to-end tests: real
// protocols (SSH today; Kubernetes, DNS, NTP, TLS as later parts add them) on 127.0.0.1 ephemeral
// ports, driven by a scenario. opsdeck reaches it through the same client code as a real site.
package sim

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/skeema/knownhosts"
	gossh "golang.org/x/crypto/ssh"

	"opsdeck/config"
)

// Site is a running simulated site.
type Site struct {
	Dir    string       // holds the demo's site.yaml, known_hosts and client key
	Config *config.Site // the site file describing it (also written to Dir/site.yaml)
	Hosts  map[string]*Host

	servers  map[string]*sshServer
	Kube     *KubeAPI
	Business *KubeAPI // with Options.BusinessCluster: a cluster without the Ant resources
	stop     chan struct{}
	pki      *pki
	ADNS     *ADNSService
	logs     *logWriter
}

// Options tune a simulated site; the zero value is the demo scenario at the real time.
type Options struct {
	Now      func() time.Time // the sim's clock (tests pin it)
	Scenario Scenario
	// BusinessCluster adds a second cluster, "business", serving none of the Ant resources.
	BusinessCluster bool
}

// Start brings up the simulated site with its files under dir.
func Start(dir string, opts Options) (*Site, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Scenario.Hosts == nil {
		opts.Scenario = DemoScenario(opts.Now())
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	clientPub, _ := gossh.NewPublicKey(pub)
	block, err := gossh.MarshalPrivateKey(priv, "opsdeck demo")
	if err != nil {
		return nil, err
	}
	keyPath := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}

	s := &Site{Dir: dir, Hosts: map[string]*Host{}, servers: map[string]*sshServer{}, stop: make(chan struct{})}
	site := config.Defaults()
	site.Name = "demo"
	site.SSH.KnownHosts = filepath.Join(dir, "known_hosts")
	site.SSH.IdentityFiles = []string{keyPath}
	site.SSH.UseAgent = false
	site.SSH.ConfigFile = "" // the demo must not pick up the operator's ~/.ssh/config
	site.ADNS.MasterVIP = demoMasterVIP
	site.ADNS.SlaveVIPs = []string{demoSlaveVIP}
	site.ADNS.ProbeNames = []string{"iam.demo.example", "www.demo.example"}
	site.NTP.Servers = []string{"10.10.0.11", "10.10.0.12"}
	site.NTP.Upstream = []string{"10.1.1.1", "10.1.1.2"}
	site.SSH.ConnectTimeout = config.Duration(2 * time.Second)
	site.Checks.Interval = config.Duration(5 * time.Second)
	site.Checks.Timeout = config.Duration(5 * time.Second)
	// A change window open around the demo's start, so actions show the discipline at work.
	day := opts.Now().UTC().Truncate(24 * time.Hour)
	site.Changes.Timezone = "UTC"
	site.Changes.Windows = []config.TimeWindow{{
		Start:  day.Format("2006-01-02 15:04"),
		End:    day.Add(48 * time.Hour).Format("2006-01-02 15:04"),
		Reason: "CHG-DEMO",
	}}

	var known strings.Builder
	groups := map[string]*config.HostGroup{}
	var order []string
	for _, sh := range opts.Scenario.Hosts {
		h := &Host{Name: sh.Name, Roles: sh.Roles, state: sh.State}
		srv, err := newSSHServer(h, clientPub, opts.Now)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.Hosts[h.Name] = h
		s.servers[h.Name] = srv
		addr := fmt.Sprintf("127.0.0.1:%d", srv.port())
		known.WriteString(knownhosts.Line([]string{knownhosts.Normalize(addr)}, srv.hostKey.PublicKey()) + "\n")
		g, ok := groups[sh.Group]
		if !ok {
			g = &config.HostGroup{Name: sh.Group, User: "admin", Roles: sh.Roles}
			groups[sh.Group] = g
			order = append(order, sh.Group)
		}
		hc := config.HostConfig{Name: h.Name, Address: "127.0.0.1", Port: srv.port()}
		if !slices.Equal(sh.Roles, g.Roles) {
			hc.Roles = sh.Roles
		}
		g.Hosts = append(g.Hosts, hc)
		for _, c := range sh.State.Containers {
			role := "slave"
			if _, ok := c.Processes["dnsmng"]; ok {
				role = "master"
			}
			site.ADNS.Instances = append(site.ADNS.Instances, config.ADNSInstance{Host: h.Name, Container: c.Name, Role: role, Runtime: "docker"})
		}
	}
	for _, name := range order {
		site.Hosts.Groups = append(site.Hosts.Groups, *groups[name])
	}
	for _, sh := range opts.Scenario.Hosts {
		if sh.Down {
			s.servers[sh.Name].stop()
		}
	}
	if err := os.WriteFile(site.SSH.KnownHosts, []byte(known.String()), 0o600); err != nil {
		s.Close()
		return nil, err
	}
	// The cluster: a Kubernetes API on loopback, with a kubeconfig like any other.
	s.Kube, err = StartKubeAPI(opts.Now)
	if err != nil {
		s.Close()
		return nil, err
	}
	seedKube(s.Kube, opts.Now())
	seedEvents(s.Kube, opts.Now()) // events.go
	// The kubelets of the healthy nodes renew their Leases; node3's stopped.
	s.Kube.RenewLeases([]string{"node1", "node2", "node4", "node5", "node6"}, 5*time.Second, s.stop)
	kc := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kc, "demo", s.Kube.URL()); err != nil {
		s.Close()
		return nil, err
	}
	site.Clusters = []config.Cluster{{Name: "demo", Kubeconfig: kc, Role: "meta"}}
	if opts.BusinessCluster {
		if s.Business, err = StartKubeAPI(opts.Now); err != nil {
			s.Close()
			return nil, err
		}
		s.Business.ServeCustomResources(false)
		seedBusiness(s.Business, opts.Now())
		s.Business.RenewLeases([]string{"biz1", "biz2"}, 5*time.Second, s.stop)
		bkc := filepath.Join(dir, "business.kubeconfig")
		if err := writeKubeconfig(bkc, "business", s.Business.URL()); err != nil {
			s.Close()
			return nil, err
		}
		site.Clusters = append(site.Clusters, config.Cluster{Name: "business", Kubeconfig: bkc, Role: "business"})
	}
	if s.ADNS, err = startADNS(&site, opts.Scenario); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startPKI(&site, dir, opts.Now()); err != nil {
		s.Close()
		return nil, err
	}
	site.Exceptions = []config.Exception{
		{Check: "kube.pod", Target: "kube-system/network-controller-*", Reason: "ImagePullBackOff expected after power-loss recovery (§9.4)"},
		{Check: "kube.workload", Target: "kube-system/deployment/network-controller", Reason: "waits for its image after power-loss recovery (§9.4)"},
	}

	// Live logs, local and behind the hosts' SSH servers (logs.go).
	if s.logs, err = startLogs(s, opts.Now); err != nil {
		s.Close()
		return nil, err
	}
	site.Logs = demoLogs(s)
	s.servicesConfig(&site) // services.go

	// The demo's site file is a real one: `opsdeck check --site DIR/site.yaml` reads it back.
	site.Path = filepath.Join(dir, "site.yaml")
	b, err := config.Marshal(&site)
	if err == nil {
		err = os.WriteFile(site.Path, append([]byte("# written by opsdeck --demo\n"), b...), 0o600)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Config = &site
	return s, nil
}

// StopHost takes a host off the network (connection refused from now on).
func (s *Site) StopHost(name string) { s.servers[name].stop() }

// StartHost brings a stopped host back on its old port.
func (s *Site) StartHost(name string) error { return s.servers[name].restart() }

// ReplaceHostKey gives a host a new host key, as a reinstalled (or impersonated) machine would.
func (s *Site) ReplaceHostKey(name string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return err
	}
	srv := s.servers[name]
	srv.config.AddHostKey(signer) // replaces the key of the same algorithm
	srv.hostKey = signer
	return nil
}

// Close stops every simulated server.
func (s *Site) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	for _, srv := range s.servers {
		srv.stop()
	}
	if s.Kube != nil {
		s.Kube.Close()
	}
	s.pki.close()
	s.ADNS.Close()
	if s.Business != nil {
		s.Business.Close()
	}
	if s.logs != nil {
		s.logs.stop()
	}
}

func writeKubeconfig(path, name, server string) error {
	text := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: %[1]s\n  cluster: {server: %[2]q}\nusers:\n- name: %[1]s-admin\n  user: {token: demo}\ncontexts:\n- name: %[1]s\n  context: {cluster: %[1]s, user: %[1]s-admin}\ncurrent-context: %[1]s\n", name, server)
	return os.WriteFile(path, []byte(text), 0o600)
}
