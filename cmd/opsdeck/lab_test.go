//go:build lab

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"opsdeck/checks"
	"opsdeck/internal/labenv"
	sitekube "opsdeck/site/kube"
)

// One inspection round against the lab's real sshd hosts: the seeded problem is found, the
// healthy parts are ok, and the bastion-only master is reached through ProxyJump.
func TestLabCheck(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node3", "kubelet", "inactive")
	out, stderr, code := run(t, "check", "--site", lab.SiteFile, "--only", "host.*", "--only", "etcd.*", "--only", "adns.processes", "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		key := f.Check + " " + f.Target
		seen[key] = true
		want := checks.OK
		switch {
		case key == "host.kubelet node3":
			want = checks.Crit
		case f.Check == "host.cpu" || f.Check == "host.load":
			// The lab's hosts share this machine's real CPU with the test run itself: only
			// require that it was measured.
			if f.Status == checks.Unknown || len(f.Metrics) == 0 {
				t.Errorf("%s: not measured: %q (error %q)", key, f.Summary, f.Error)
			}
			continue
		}
		if f.Status != want {
			t.Errorf("%s: %s %q (error %q), want %s", key, f.Status, f.Summary, f.Error, want)
		}
	}
	for _, k := range []string{"host.reachable master1", "host.disk node1", "host.kubelet master1", "host.reachable bastion"} {
		if !seen[k] {
			t.Errorf("no finding %s", k)
		}
	}
}

// `opsdeck action run` starts kubelet on a real sshd host: the host's state really changes and
// the verification (the host.kubelet check) sees it.
func TestLabStartKubelet(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node3", "kubelet", "inactive")
	defer lab.SetUnit(t, "node3", "kubelet", "inactive") // the scenario's state
	out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 0 || !strings.Contains(out, "verify: check host.kubelet on node3: ok") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if s := lab.Unit(t, "node3", "kubelet"); s != "active" {
		t.Fatalf("kubelet on node3 is %q", s)
	}
	// Run again: the step is skipped as already done, and the run still verifies.
	out, _, code = run(t, "action", "run", "--site", lab.SiteFile, "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	if code != 0 || !strings.Contains(out, "skipped") {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
}

// A kubelet that fails to start: the action fails, says so, and the audit has both records.
func TestLabRestartBrokenKubelet(t *testing.T) {
	lab := labenv.Load(t)
	lab.SetUnit(t, "node2", "kubelet.broken", "yes")
	defer func() {
		lab.SetUnit(t, "node2", "kubelet", "active")
		lab.RemoveUnitFile(t, "node2", "kubelet.broken")
	}()
	out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "host.restart-kubelet", "node2", "--yes-i-typed", "node2")
	if code != 1 || !strings.Contains(out, "[1/1] failed (exit 1") || !strings.Contains(stderr, "step 1 failed") ||
		!strings.Contains(out, "diagnosis: ssh node2: journalctl -u kubelet -n 50 --no-pager") || !strings.Contains(out, "failed to run Kubelet") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// Every host action on the lab's real programs.
func TestLabHostActions(t *testing.T) {
	lab := labenv.Load(t)
	runActionCases(t, []string{"--site", lab.SiteFile}, []actionCase{
		{"adns.restart-process", "ops1/bind", "ops1/bind", []string{"bind: started", "verify: check adns.processes on ops1: ok"}},
		{"host.restart-container", "ops2/adns-slave", "ops2/adns-slave", []string{"adns-slave", "verify: check host.containers on ops2: ok"}},
		{"host.ntp-sync", "node1", "yes", []string{"ntpdate -u 127.0.4.1", "127.0.4.1 s8"}},
		{"etcd.snapshot", "master1", "yes", []string{"Snapshot saved at etcd_bk/etcd_v3_", "verify: check etcd.backup on etcd: ok"}},
	})
}

// The Kubernetes half of the lab scenario is found through the watch caches.
func TestLabKubeChecks(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	lab.SetUnit(t, "node3", "kubelet", "inactive") // the scenario's §2.3.2 shape
	out, stderr, _ := run(t, "check", "--site", lab.SiteFile, "--only", "kube.*", "--only", "adns.zone", "--only", "adns.dnsendpoint", "-o", "json")
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	by := map[string]checks.Finding{}
	for _, f := range r.Findings {
		by[f.Check+" "+f.Target] = f.Finding
	}
	// Two clusters: targets carry the cluster's name.
	want := map[string]checks.Status{
		"kube.api lab": checks.OK, "kube.node lab/node1": checks.OK, "kube.node lab/node2": checks.Warn, "kube.node lab/node3": checks.Crit,
		"kube.node lab/node4": checks.Warn, "kube.pod lab/app-demo/web-2": checks.Crit, "kube.pod lab/app-demo/web-3": checks.Crit,
		"kube.pod lab/app-demo/queue-pending-0": checks.Warn, "kube.pod lab/app-demo/stuck-finalizer": checks.Crit,
		"kube.pod lab/kube-system/network-controller-7f9c-xk2lp":      checks.OK, // known exception
		"kube.workload lab/kube-system/deployment/network-controller": checks.Crit, "kube.workload lab/kube-system/deployment/coredns": checks.OK,
		"kube.workload lab/kube-system/daemonset/rama-daemon": checks.Crit, "kube.static-pod lab/kube-system/kube-apiserver-master1": checks.OK,
		"kube.namespace lab/stuck-ns": checks.Crit, "kube.machine lab/node5-dead": checks.Crit, "kube.machine lab/node1": checks.OK,
		"kube.machineop lab/scale-out-node6": checks.Crit, "adns.zone lab/broken.example": checks.Crit, "adns.zone lab/lab.example": checks.OK,
		"adns.dnsendpoint lab/app-demo/api": checks.Crit, "adns.dnsendpoint lab/app-demo/www": checks.OK, "kube.allocation lab/node1": checks.OK,
		// The business cluster serves none of the Ant resources: once "not installed", the rest live.
		"kube.api business": checks.OK, "kube.node business/biz1": checks.OK, "kube.machine business": checks.OK,
		"kube.machineop business": checks.OK, "adns.zone business": checks.OK, "adns.dnsendpoint business": checks.OK,
	}
	for k, st := range want {
		f, ok := by[k]
		if !ok || f.Status != st {
			t.Errorf("%s: %s %q (want %s)", k, f.Status, f.Summary, st)
		}
	}
	for k, f := range by {
		if f.Status == checks.Unknown {
			t.Errorf("%s is unknown: %q", k, f.Summary)
		}
	}
	if f := by["kube.machine business"]; !strings.Contains(f.Summary, "not installed on this cluster") {
		t.Errorf("business machines: %q", f.Summary)
	}
	if _, ok := by["kube.pod lab/app-demo/report-28913420-x7k2p"]; ok {
		t.Error("a completed job pod is not a problem")
	}
	// node3 rebooted and its kubelet did not start (§2.3.2): its host answers over SSH.
	if f := by["kube.node lab/node3"]; !strings.Contains(f.Summary, "kubelet inactive → start kubelet") || !strings.Contains(f.Summary, "lease not renewed") {
		t.Errorf("node3: %q", f.Summary)
	}
	// node4's kubelet stopped renewing its Lease: only that is wrong with it.
	if f := by["kube.node lab/node4"]; !strings.Contains(f.Summary, "Ready; lease not renewed for") {
		t.Errorf("node4: %q", f.Summary)
	}
}

// Every Kubernetes action through `opsdeck action run` on the lab apiserver.
func TestLabKubeActions(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	defer lab.Reseed(t)
	// An earlier run labelled node1: take the label off so the action applies again.
	admin, err := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Kube.CoreV1().Nodes().Patch(context.Background(), "node1", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"machine.sigma.alipay.com/no-daemonset":null}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, target, typed, want string
	}{
		{"kube.cordon", "lab:node1", "yes", "verify: check probe on node node1 is cordoned: node node1 is cordoned"},
		{"kube.uncordon", "lab:node1", "yes", "node node1 is schedulable"},
		{"kube.label-no-daemonset", "lab:node1", "yes", "the node carries the label"},
		{"kube.delete-pod", "lab:app-demo/queue-pending-0", "lab:app-demo/queue-pending-0", "the pod is gone"},
		{"kube.force-delete-pod", "lab:app-demo/web-3", "lab:app-demo/web-3", "the pod is gone"},
		{"kube.strip-finalizers", "lab:pods/app-demo/stuck-finalizer", "lab:pods/app-demo/stuck-finalizer", "(succeeded)"},
		{"kube.strip-finalizers", "lab:machines/node5-dead", "lab:machines/node5-dead", "(succeeded)"},
	}
	for _, c := range cases {
		out, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, c.name, c.target, "--yes-i-typed", c.typed)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%s %s: exit %d, want %q\n%s\n%s", c.name, c.target, code, c.want, out, stderr)
		}
	}
	// node3's pods still wait to be rescheduled: refused.
	_, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "kube.remove-node", "lab:node3", "--yes-i-typed", "lab:node3")
	if code == 0 || !strings.Contains(stderr, "still need rescheduling") {
		t.Fatalf("removal with pods left: %d\n%s", code, stderr)
	}
	// Its host answers over SSH (§2.3.2 says start kubelet): removed only with an override.
	removeNode3 := func() (string, string, int) {
		deletePodsOn(t, admin, "node3")
		return run(t, "action", "run", "--site", lab.SiteFile, "kube.remove-node", "lab:node3", "--yes-i-typed", "lab:node3",
			"--override-reason", "lab: the host stays up, the removal itself is tested")
	}
	if _, stderr, code := run(t, "action", "run", "--site", lab.SiteFile, "kube.remove-node", "lab:node3", "--yes-i-typed", "lab:node3"); code == 0 ||
		!strings.Contains(stderr, "still need rescheduling") && !strings.Contains(stderr, "not known to be unreachable") {
		t.Fatalf("removal of a reachable host: %d\n%s", code, stderr)
	}
	out, stderr, code := removeNode3()
	if code != 0 || !strings.Contains(out, "[5/5] ran") || !strings.Contains(out, "OVERRIDE") {
		t.Fatalf("removal with override: %d\n%s\n%s", code, out, stderr)
	}
	// Re-running the node removal after it is done skips every step, verified, not assumed.
	lab.Reseed(t) // node3 comes back NotReady; its machine, configmaps and pods too
	if out, stderr, code := removeNode3(); code != 0 {
		t.Fatalf("second removal: %d\n%s\n%s", code, out, stderr)
	}
}

// deletePodsOn removes a dead node's pods at once, as the migration plan's step 3 does (no
// kubelet answers there, so with grace 0).
func deletePodsOn(t *testing.T, admin *sitekube.Clients, node string) {
	t.Helper()
	ctx := context.Background()
	ps, err := admin.Kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	for _, p := range ps.Items {
		if len(p.Finalizers) > 0 {
			continue
		}
		if err := admin.Kube.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
			t.Fatal(err)
		}
	}
	// The watcher of the next opsdeck process lists afresh: nothing to wait for here.
}

// The read-only user cannot run an API action: the gate refuses it with RBAC's reason, before
// anything runs.
func TestLabKubeActionDeniedForViewer(t *testing.T) {
	lab := labenv.Load(t)
	b, _ := os.ReadFile(lab.SiteFile)
	site := filepath.Join(filepath.Dir(lab.SiteFile), "state", "viewer-site.yaml")
	src := strings.Replace(string(b), "kubeconfig: state/kube/admin.kubeconfig", "kubeconfig: kube/viewer.kubeconfig", 1)
	src = strings.ReplaceAll(src, "state/", "")
	os.WriteFile(site, []byte(src), 0o600)
	out, stderr, code := run(t, "action", "run", "--site", site, "kube.cordon", "lab:node1", "--yes-i-typed", "yes")
	if code != 1 || !strings.Contains(stderr, "refused (rbac)") || strings.Contains(out, "[1/1]") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// A group with from_cluster gets the cluster's Nodes as hosts, by InternalIP.
func TestLabHostsFromCluster(t *testing.T) {
	lab := labenv.Load(t)
	lab.Reseed(t)
	b, _ := os.ReadFile(lab.SiteFile)
	src := string(b)
	i := strings.Index(src, "    - name: nodes")
	j := strings.Index(src, "\nadns:")
	if i < 0 || j < 0 {
		t.Fatal("lab site file layout changed")
	}
	src = src[:i] + "    - name: nodes\n      roles: [node]\n      from_cluster: lab\n      hosts: []\n" + src[strings.Index(src[i:], "\n# Ports")+i:]
	site := filepath.Join(filepath.Dir(lab.SiteFile), "from-cluster-site.yaml")
	if err := os.WriteFile(site, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(site)
	out, stderr, _ := run(t, "check", "--site", site, "--only", "host.reachable", "-o", "json")
	var r checks.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got := map[string]checks.Status{}
	for _, f := range r.Findings {
		got[f.Target] = f.Status
	}
	// node1–node3 have sshd on their InternalIPs; node4's address answers nothing; master1 is
	// listed by its own group and not twice.
	if got["node1"] != checks.OK || got["node3"] != checks.OK || got["node4"] != checks.Unknown || got["master1"] != checks.OK || len(got) != 8 {
		t.Fatalf("%v", got)
	}
}
