package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Host is one inventory host with its group's defaults applied.
type Host struct {
	Name    string
	Address string
	Port    int
	User    string
	Jump    string
	Roles   []string
	Group   string
}

// HasRole tells whether the host carries role r.
func (h Host) HasRole(r string) bool { return slices.Contains(h.Roles, r) }

// Inventory flattens the host groups, applying defaults → group → host.
func (s *Site) Inventory() []Host {
	d := s.Hosts.Defaults
	var out []Host
	for _, g := range s.Hosts.Groups {
		for _, hc := range g.Hosts {
			h := Host{
				Name:    hc.Name,
				Address: hc.Address,
				Port:    first(hc.Port, g.Port, d.Port, 22),
				User:    first(hc.User, g.User, d.User),
				Jump:    first(hc.Jump, g.Jump, d.Jump),
				Roles:   firstSlice(hc.Roles, g.Roles, d.Roles),
				Group:   g.Name,
			}
			if h.Jump == h.Name { // a group's own jump host is reached directly
				h.Jump = ""
			}
			if h.Address == "" {
				h.Address = h.Name
			}
			out = append(out, h)
		}
	}
	return out
}

// CheckSchedule returns the interval and timeout for one check, and whether it is switched off.
func (s *Site) CheckSchedule(id string) (interval, timeout time.Duration, disabled bool) {
	interval, timeout = s.Checks.Interval.D(), s.Checks.Timeout.D()
	if o, ok := s.Checks.Overrides[id]; ok {
		if o.Interval > 0 {
			interval = o.Interval.D()
		}
		if o.Timeout > 0 {
			timeout = o.Timeout.D()
		}
		disabled = o.Disabled
	}
	return interval, timeout, disabled
}

// ExpandPath resolves a leading "~/" against the user's home directory.
func ExpandPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

func first[T comparable](vs ...T) T {
	var zero T
	for _, v := range vs {
		if v != zero {
			return v
		}
	}
	return zero
}

func firstSlice(vs ...[]string) []string {
	for _, v := range vs {
		if len(v) > 0 {
			return v
		}
	}
	return nil
}

// AuditPath is the audit log's file: the site file's audit.path, else
// $XDG_STATE_HOME/opsdeck/audit.jsonl (~/.local/state when XDG_STATE_HOME is unset).
func (s *Site) AuditPath() string {
	if s.Audit.Path != "" {
		return ExpandPath(s.Audit.Path)
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		dir = ExpandPath("~/.local/state")
	}
	return filepath.Join(dir, "opsdeck", "audit.jsonl")
}

// resolveRelative makes the site file's local paths (known_hosts, keys, kubeconfigs, audit log)
// relative to the file's own folder, as kubeconfig does, so a site file can travel with its keys.
func (s *Site) resolveRelative(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~/") {
			return p
		}
		return filepath.Join(dir, p)
	}
	s.SSH.KnownHosts = abs(s.SSH.KnownHosts)
	for i := range s.SSH.IdentityFiles {
		s.SSH.IdentityFiles[i] = abs(s.SSH.IdentityFiles[i])
	}
	for i := range s.Clusters {
		var parts []string
		for _, p := range filepath.SplitList(s.Clusters[i].Kubeconfig) {
			parts = append(parts, abs(p))
		}
		s.Clusters[i].Kubeconfig = strings.Join(parts, string(filepath.ListSeparator))
	}
	for i := range s.Certificates.Kubeconfigs {
		s.Certificates.Kubeconfigs[i] = abs(s.Certificates.Kubeconfigs[i])
	}
	s.Audit.Path = abs(s.Audit.Path)
}

// NodeHost is a cluster Node as the inventory sees it.
type NodeHost struct {
	Name       string
	InternalIP string
}

// AddClusterNodes returns a copy of the site whose groups with from_cluster also hold that
// cluster's Nodes (by InternalIP), except those the group or another group already lists.
// A Node joins only with a parseable InternalIP that no other host uses: a Node cannot point
// an entry at another host's address. Skipped says which were left out and why.
func (s *Site) AddClusterNodes(nodes map[string][]NodeHost) (out *Site, skipped []string) {
	cp := *s
	cp.Hosts.Groups = make([]HostGroup, len(s.Hosts.Groups))
	known := map[string]bool{}
	addrs := map[string]string{} // address → host using it
	for _, h := range s.Inventory() {
		known[h.Name] = true
		addrs[normalIP(h.Address)] = h.Name
	}
	for i, g := range s.Hosts.Groups {
		g.Hosts = append([]HostConfig(nil), g.Hosts...)
		for _, n := range nodes[g.FromCluster] {
			if g.FromCluster == "" || known[n.Name] {
				continue
			}
			ip := net.ParseIP(n.InternalIP)
			switch {
			case n.InternalIP == "":
				skipped = append(skipped, fmt.Sprintf("cluster %s: node %s has no InternalIP", g.FromCluster, n.Name))
				continue
			case ip == nil:
				skipped = append(skipped, fmt.Sprintf("cluster %s: node %s: InternalIP %q is not an IP address", g.FromCluster, n.Name, n.InternalIP))
				continue
			case addrs[ip.String()] != "":
				skipped = append(skipped, fmt.Sprintf("cluster %s: node %s: InternalIP %s is already host %s's address", g.FromCluster, n.Name, ip, addrs[ip.String()]))
				continue
			}
			known[n.Name] = true
			addrs[ip.String()] = n.Name
			g.Hosts = append(g.Hosts, HostConfig{Name: n.Name, Address: ip.String()})
		}
		cp.Hosts.Groups[i] = g
	}
	return &cp, skipped
}

func normalIP(a string) string {
	if ip := net.ParseIP(a); ip != nil {
		return ip.String()
	}
	return a
}
