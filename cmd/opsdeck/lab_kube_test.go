//go:build lab

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"opsdeck/checks"
	"opsdeck/internal/labenv"
	sitekube "opsdeck/site/kube"
)

// labVariant writes a copy of the lab site file with edits, beside it (relative paths hold).
func labVariant(t *testing.T, lab *labenv.Lab, name string, edit func(string) string) string {
	t.Helper()
	b, err := os.ReadFile(lab.SiteFile)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(lab.SiteFile), name)
	if err := os.WriteFile(p, []byte(edit(string(b))), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(p) })
	return p
}

func checkJSON(t *testing.T, site string, only ...string) map[string]checks.Finding {
	t.Helper()
	args := []string{"check", "--site", site, "-o", "json"}
	for _, o := range only {
		args = append(args, "--only", o)
	}
	out, stderr, _ := run(t, args...)
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	by := map[string]checks.Finding{}
	for _, f := range r.Findings {
		by[f.Check+" "+f.Target] = f.Finding
	}
	return by
}

func labAdmin(t *testing.T, lab *labenv.Lab) *sitekube.Clients {
	t.Helper()
	admin, err := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	return admin
}

// The guide's node-down decision on real sshd hosts: node3 answers over SSH with its kubelet
// stopped → start kubelet, the journal in the evidence; node4 made NotReady, its address
// answering nothing → the migration plan.
func TestLabNodeDownDecision(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	defer lab.Reseed(t) // node4 Ready again
	lab.SetUnit(t, "node3", "kubelet", "inactive")
	admin := labAdmin(t, lab)
	ctx := context.Background()
	n, err := admin.Kube.CoreV1().Nodes().Get(ctx, "node4", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == corev1.NodeReady {
			n.Status.Conditions[i].Status, n.Status.Conditions[i].Reason = corev1.ConditionUnknown, "NodeStatusUnknown"
			n.Status.Conditions[i].LastTransitionTime = metav1.NewTime(time.Now().Add(-30 * time.Minute))
		}
	}
	if _, err := admin.Kube.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// node4 (127.0.1.8) joins the inventory: nothing listens there.
	site := labVariant(t, lab, "nodedown-site.yaml", func(s string) string {
		return strings.Replace(s, "        - {name: node3, address: 127.0.1.7}\n", "        - {name: node3, address: 127.0.1.7}\n        - {name: node4, address: 127.0.1.8}\n", 1)
	})
	by := checkJSON(t, site, "kube.node")
	f3 := by["kube.node lab/node3"]
	if f3.Status != checks.Crit || !strings.Contains(f3.Summary, "host node3 reachable, kubelet inactive → start kubelet (§2.3.2)") {
		t.Errorf("node3: %s %q", f3.Status, f3.Summary)
	}
	journal := false
	for _, e := range f3.Evidence {
		journal = journal || strings.HasPrefix(e.Source, "ssh node3: journalctl -u kubelet")
	}
	if !journal {
		t.Errorf("node3 evidence: %+v", f3.Evidence)
	}
	f4 := by["kube.node lab/node4"]
	if f4.Status != checks.Crit || !strings.Contains(f4.Summary, "host node4 unreachable over SSH") || !strings.Contains(f4.Details, "Migration plan for node4") {
		t.Errorf("node4: %s %q\n%s", f4.Status, f4.Summary, f4.Details)
	}
	// node4's host is down (NotReady for 30 minutes, nothing answers) and no pod is left on
	// it: kube.remove-node plans without an override.
	out, stderr, _ := run(t, "action", "plan", "--site", site, "kube.remove-node", "lab:node4")
	if !strings.Contains(out, "remove dead node node4") || strings.Contains(out, "OVERRIDE") {
		t.Errorf("remove-node node4 plan:\n%s\n%s", out, stderr)
	}
}

// A stopped renewer on one node (its kubelet stopped heartbeating) makes only that node stale
// once its Lease is older than the threshold.
func TestLabLeaseStopsRenewing(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	pause := filepath.Join(lab.State, "kube", "lease-paused", "node1")
	if err := os.WriteFile(pause, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(pause)
	site := labVariant(t, lab, "lease-site.yaml", func(s string) string {
		return strings.Replace(s, "thresholds:\n", "thresholds:\n  node_heartbeat_stale: 15s\n", 1)
	})
	admin := labAdmin(t, lab)
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, err := admin.Kube.CoordinationV1().Leases("kube-node-lease").Get(context.Background(), "node1", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(l.Spec.RenewTime.Time) > 16*time.Second {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node1's lease is still renewed: is the lab's lease-renewer running?")
		}
		time.Sleep(time.Second)
	}
	by := checkJSON(t, site, "kube.node")
	if f := by["kube.node lab/node1"]; f.Status != checks.Warn || !strings.Contains(f.Summary, "lease not renewed for") {
		t.Errorf("node1: %s %q", f.Status, f.Summary)
	}
	if f := by["kube.node lab/master1"]; f.Status != checks.OK {
		t.Errorf("master1's lease is renewed: %s %q", f.Status, f.Summary)
	}
}

// RBAC takes list/watch of zones away from the user opsdeck runs as: only the zone check turns
// unknown (naming the refusal); the other watches stay live.
func TestLabForbiddenResourceOnlyItsChecks(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	admin := labAdmin(t, lab)
	ctx := context.Background()
	read := []string{"get", "list", "watch"}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "opsdeck-no-zones"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"", "apps", "coordination.k8s.io", "machine.sigma.alipay.com", "networking.alibaba.com"}, Resources: []string{"*"}, Verbs: read},
		{APIGroups: []string{"adns.alipay.com"}, Resources: []string{"dnsendpoints", "dnsrecords"}, Verbs: read},
	}}
	if _, err := admin.Kube.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "opsdeck-no-zones"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "opsdeck-no-zones"},
		Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "opsdeck-no-zones"}}}
	if _, err := admin.Kube.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	// The admin's token, impersonating that user (as kubectl --as does).
	b, err := os.ReadFile(lab.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(lab.State, "kube", "no-zones.kubeconfig")
	src := strings.Replace(string(b), "    token: ", "    as: opsdeck-no-zones\n    token: ", 1)
	if err := os.WriteFile(kc, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	site := labVariant(t, lab, "no-zones-site.yaml", func(s string) string {
		return strings.Replace(s, "kubeconfig: state/kube/admin.kubeconfig", "kubeconfig: state/kube/no-zones.kubeconfig", 1)
	})
	by := checkJSON(t, site, "kube", "adns.zone", "adns.dnsendpoint")
	zones := 0
	for k, f := range by {
		switch {
		case strings.HasPrefix(k, "adns.zone lab"):
			zones++
			if f.Status != checks.Unknown || !strings.Contains(f.Summary, "zones") || !strings.Contains(f.Summary, "forbidden") {
				t.Errorf("%s: %s %q", k, f.Status, f.Summary)
			}
		case strings.HasPrefix(k, "kube.api lab"):
			if f.Status != checks.Warn || !strings.Contains(f.Summary, "zones") {
				t.Errorf("%s: %s %q", k, f.Status, f.Summary)
			}
		case f.Status == checks.Unknown:
			t.Errorf("%s is unknown too: %q", k, f.Summary)
		}
	}
	if zones == 0 {
		t.Error("no zone finding")
	}
	for _, k := range []string{"kube.machine lab/node1", "adns.dnsendpoint lab/app-demo/www", "kube.node lab/node1"} {
		if by[k].Status != checks.OK {
			t.Errorf("%s: %s %q", k, by[k].Status, by[k].Summary)
		}
	}
}
