package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"opsdeck/config"
	sitekube "opsdeck/site/kube"
	"opsdeck/site/ssh"
)

type fakeHosts struct{ states []ssh.HostState }

func (f fakeHosts) States() []ssh.HostState { return f.states }
func (f fakeHosts) Run(context.Context, config.Host, ...string) (ssh.Result, error) {
	return ssh.Result{}, nil
}

var t0 = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

func deadNode(name, ip string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown}}}}
}

// kube.remove-node's preconditions: host unreachable long enough (or an override with a
// reason), no pod left to reschedule; and pod deletes carry the pod's UID.
func TestRemoveNodePreconditions(t *testing.T) {
	busy := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "db-0", UID: "uid-db-0"}, Spec: corev1.PodSpec{NodeName: "n2"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	done := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "job"}, Spec: corev1.PodSpec{NodeName: "n1"},
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}
	kc := fake.NewSimpleClientset(deadNode("n1", "10.0.0.1"), deadNode("n2", "10.0.0.2"), deadNode("n3", "10.0.0.3"), busy, done)
	w := sitekube.NewWatcher("c", &sitekube.Clients{Kube: kc, Dynamic: dynfake.NewSimpleDynamicClient(runtime.NewScheme())}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitFor(ctx, "nodes", "pods") {
		t.Fatal("not synced")
	}
	site := config.Defaults()
	site.Hosts.Groups = []config.HostGroup{{Name: "nodes", Hosts: []config.HostConfig{{Name: "h1", Address: "10.0.0.1"}, {Name: "n2", Address: "10.0.0.2"}, {Name: "n3", Address: "10.0.0.3"}}}}
	hosts := fakeHosts{[]ssh.HostState{
		{Host: "h1", Failures: 9, Since: t0.Add(-20 * time.Minute), LastError: "h1: dial: connection refused"},
		{Host: "n3", Failures: 2, Since: t0.Add(-2 * time.Minute), LastError: "n3: dial: no route to host"},
	}}
	a := &acts{site: &site, ws: []*sitekube.Watcher{w}, hosts: hosts, now: func() time.Time { return t0 }}
	rm := a.removeNode()
	// n1's host (found by InternalIP) has been down 20 minutes, its only pod is a finished job.
	if p, err := rm.Plan(ctx, "n1"); err != nil || len(p.Steps) != 5 || strings.Contains(p.Title, "OVERRIDE") {
		t.Fatalf("n1: %v %+v", err, p)
	}
	if _, err := rm.Plan(ctx, "n2"); err == nil || !strings.Contains(err.Error(), "1 pod(s) of n2 still need rescheduling (app/db-0)") {
		t.Fatalf("n2: %v", err)
	}
	if _, err := rm.Plan(ctx, "n3"); err == nil || !strings.Contains(err.Error(), "unreachable for 2m0s only") {
		t.Fatalf("n3: %v", err)
	}
	if _, err := rm.Plan(WithOverride(ctx, "short"), "n3"); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Fatalf("n3 short override: %v", err)
	}
	p, err := rm.Plan(WithOverride(ctx, "rack A12 powered off for good, CHG-77"), "n3")
	if err != nil || !strings.Contains(p.Title, "OVERRIDE") || !strings.Contains(p.Title, "CHG-77") {
		t.Fatalf("n3 override: %v %+v", err, p)
	}
	del, err := a.deletePod(false).Plan(ctx, "app/db-0")
	if err != nil || !strings.Contains(del.Steps[0].String(), "uid=uid-db-0") {
		t.Fatalf("delete-pod: %v %s", err, del.Steps[0])
	}
}
