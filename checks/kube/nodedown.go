package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Reach is what the bastion knows about a node's host (as host.reachable sees it).
type Reach struct {
	Host      string    // inventory name ("" when the node is not in the inventory)
	Reachable bool      // an SSH command just ran there
	Known     bool      // false: could not tell (no inventory entry, no SSH pool)
	Since     time.Time // unreachable since (the pool's state), zero when unknown
	Reason    string    // the connection error
}

// HostOf finds the inventory host of a node: same name, else the node's InternalIP as address.
func HostOf(site *config.Site, n *corev1.Node) (config.Host, bool) {
	ip := ""
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			ip = a.Address
		}
	}
	var byIP config.Host
	found := false
	for _, h := range site.Inventory() {
		if h.Name == n.Name {
			return h, true
		}
		if ip != "" && h.Address == ip && !found {
			byIP, found = h, true
		}
	}
	return byIP, found
}

// UnreachableSince reads the pool's state for a host: when it has been failing to connect
// (zero when it is connected or was never tried), with the error.
func UnreachableSince(hosts Hosts, name string) (time.Time, string) {
	if hosts == nil {
		return time.Time{}, ""
	}
	for _, st := range hosts.States() {
		if st.Host == name && !st.Connected && st.Failures > 0 {
			return st.Since, st.LastError
		}
	}
	return time.Time{}, ""
}

// nodeDown adds the guide's decision to a NotReady node's finding: a reachable host whose
// kubelet did not start (§2.3.2, fix: start kubelet, the journal says why it stopped) or a
// host that is gone (§2.3.1, the migration plan).
func (c *cluster) nodeDown(ctx context.Context, n *corev1.Node, f *checks.Finding) {
	plan := PlanMigration(n.Name, c.w.PodsOnNode(n.Name), c.w.Custom(resourceName(c.site.Resources.IPInstances))).Text()
	h, ok := HostOf(c.site, n)
	if !ok || c.hosts == nil {
		f.Summary += "; host not in the inventory: reachability unknown"
		f.Details = join(f.Details, "Ping the node from a healthy node (§2.3.1): if it answers, start its kubelet (§2.3.2); if not, migrate:\n"+plan)
		return
	}
	res, err := c.hosts.Run(ctx, h, "systemctl", "is-active", "kubelet")
	if Unreachable(err) {
		since, why := UnreachableSince(c.hosts, h.Name)
		if why == "" {
			why = err.Error()
		}
		f.Summary += "; host " + h.Name + " unreachable over SSH"
		if !since.IsZero() {
			f.Summary += " for " + human(c.clock().Sub(since))
		}
		f.Summary += " → migrate its pods and remove the node (§2.3.1)"
		f.Details = join(f.Details, "The host does not answer ("+firstLine(why)+"): it is gone, or down for long.\n"+plan)
		return
	}
	if err != nil { // a changed host key, refused auth, a deadline: the host is there, SSH cannot tell more
		f.Summary += "; host " + h.Name + " answers but SSH cannot check its kubelet (" + firstLine(err.Error()) + ")"
		f.Details = join(f.Details, "Fix the SSH access first (host.reachable); if the host is really gone, migrate:\n"+plan)
		return
	}
	state := strings.TrimSpace(string(res.Stdout))
	if state == "" {
		state = "unknown"
	}
	jctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	jr, jerr := c.hosts.Run(jctx, h, "journalctl", "-u", "kubelet", "-n", "20", "--no-pager")
	if jerr == nil {
		f.AddEvidence(fmt.Sprintf("ssh %s: journalctl -u kubelet -n 20", h.Name), jr.Stdout)
	}
	if state != "active" {
		f.Summary += fmt.Sprintf("; host %s reachable, kubelet %s → start kubelet (§2.3.2)", h.Name, state)
		f.Details = join(f.Details, fmt.Sprintf("The host answers over SSH but its kubelet is %s: it rebooted and kubelet did not start (§2.3.2).\n"+
			"Fix: action host.start-kubelet on %s (systemctl start kubelet), then systemctl status kubelet must be active;\n"+
			"if it fails again, journalctl -u kubelet says why (its last lines are in the evidence). The containers come back by themselves.", state, h.Name))
		return
	}
	f.Summary += fmt.Sprintf("; host %s reachable, kubelet active but not reporting", h.Name)
	f.Details = join(f.Details, "The kubelet runs but the API does not hear from it: read its journal (evidence), check its certificates and the route to the API; restart it with host.restart-kubelet.")
}

// Unreachable tells an SSH failure that means the host does not answer (dial refused or timed
// out, no handshake) from one where it answers but SSH refuses (host key, auth).
func Unreachable(err error) bool {
	var ce *ssh.ConnectError
	return err != nil && errors.As(err, &ce) && (ce.Op == "dial" || ce.Op == "jump" || ce.Op == "handshake")
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
