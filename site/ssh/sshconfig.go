package ssh

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"

	"opsdeck/config"
)

// userConfig is the operator's ~/.ssh/config, applied the way OpenSSH would for what the site file
// leaves open: the site file is the "command line" and wins where it says something.
type userConfig struct {
	cfg  *ssh_config.Config
	path string
	err  error // why it could not be read (the pool then works without it)
}

func loadUserConfig(path string) *userConfig {
	uc := &userConfig{path: path}
	if path == "" {
		return uc
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return uc
	}
	if err != nil {
		uc.err = err
		return uc
	}
	defer f.Close()
	cfg, err := ssh_config.Decode(f)
	if err != nil {
		uc.err = fmt.Errorf("%s: %v (ignored: opsdeck goes on without it)", path, err)
		return uc
	}
	uc.cfg = cfg
	return uc
}

func (u *userConfig) get(alias, key string) string {
	if u == nil || u.cfg == nil {
		return ""
	}
	v, err := u.cfg.Get(alias, key)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(v)
}

func (u *userConfig) getAll(alias, key string) []string {
	if u == nil || u.cfg == nil {
		return nil
	}
	vs, _ := u.cfg.GetAll(alias, key)
	return vs
}

// hostSettings are the per-host connection settings after ~/.ssh/config.
type hostSettings struct {
	identityFiles  []string
	identitiesOnly bool
	knownHosts     string
	connectTimeout time.Duration
	aliveInterval  time.Duration
}

// resolve applies ~/.ssh/config to h: HostName and Port when the inventory gives only a name,
// User and ProxyJump when the site file gives none, and the per-host connection settings.
func (u *userConfig) resolve(h config.Host, o Options) (config.Host, hostSettings) {
	s := hostSettings{identityFiles: o.IdentityFiles, knownHosts: o.KnownHosts, connectTimeout: o.ConnectTimeout, aliveInterval: o.KeepAlive}
	alias := h.Name
	if hn := u.get(alias, "HostName"); hn != "" && (h.Address == "" || h.Address == h.Name) {
		h.Address = strings.ReplaceAll(hn, "%h", h.Name)
		if p, err := strconv.Atoi(u.get(alias, "Port")); err == nil && p > 0 && (h.Port == 0 || h.Port == 22) {
			h.Port = p
		}
	}
	if h.User == "" {
		h.User = u.get(alias, "User")
	}
	if h.Jump == "" {
		if j := u.get(alias, "ProxyJump"); j != "" && !strings.EqualFold(j, "none") {
			h.Jump = j
		}
	}
	if files := u.getAll(alias, "IdentityFile"); len(files) > 0 && len(o.IdentityFiles) == 0 {
		for _, f := range files {
			s.identityFiles = append(s.identityFiles, config.ExpandPath(f))
		}
	}
	s.identitiesOnly = strings.EqualFold(u.get(alias, "IdentitiesOnly"), "yes")
	if kh := u.get(alias, "UserKnownHostsFile"); kh != "" && o.KnownHosts == "" {
		s.knownHosts = config.ExpandPath(strings.Fields(kh)[0])
	}
	if ct, err := strconv.Atoi(u.get(alias, "ConnectTimeout")); err == nil && ct > 0 && o.ConnectTimeout == 0 {
		s.connectTimeout = time.Duration(ct) * time.Second
	}
	if ai, err := strconv.Atoi(u.get(alias, "ServerAliveInterval")); err == nil && ai > 0 {
		s.aliveInterval = time.Duration(ai) * time.Second
	}
	if s.connectTimeout <= 0 {
		s.connectTimeout = 5 * time.Second
	}
	if s.knownHosts == "" {
		s.knownHosts = config.ExpandPath("~/.ssh/known_hosts")
	}
	return h, s
}
