package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func mustQ(s string) resource.Quantity { return resource.MustParse(s) }

// stuckPod is deleted by every seeding and held by its finalizer.
var stuckPod = podSpec{ns: "app-demo", name: "stuck-finalizer", node: "node1", phase: corev1.PodRunning, ready: true, finalizers: []string{"lab.opsdeck/hold"}}

// scenario is the lab's problems and healthy parts (testdata/lab/README.md lists them).
func (s *seeder) scenario(ctx context.Context) error {
	for _, ns := range []string{"kube-system", leaseNS, "asp-aks", "sigma-operator-machine-conditions", "app-demo", "stuck-ns"} {
		if err := s.namespace(ctx, ns); err != nil {
			return err
		}
	}
	if err := s.rbac(ctx); err != nil {
		return err
	}
	nodes := []nodeSpec{
		{name: "master1", ip: "127.0.1.4", ready: corev1.ConditionTrue, master: true},
		{name: "node1", ip: "127.0.1.5", ready: corev1.ConditionTrue},
		{name: "node2", ip: "127.0.1.6", ready: corev1.ConditionTrue, cordoned: true},
		{name: "node3", ip: "127.0.1.7", ready: corev1.ConditionUnknown, heartbeat: 20 * time.Minute}, // kubelet inactive
		{name: "node4", ip: "127.0.1.8", ready: corev1.ConditionTrue, heartbeat: 10 * time.Minute},    // heartbeat stale (its Lease is not renewed)
	}
	for _, n := range nodes {
		if err := s.node(ctx, n); err != nil {
			return err
		}
	}
	run := corev1.PodRunning
	pods := []podSpec{
		{ns: "kube-system", name: "kube-apiserver-master1", node: "master1", phase: run, ready: true},
		{ns: "kube-system", name: "etcd-master1", node: "master1", phase: run, ready: true},
		{ns: "kube-system", name: "kube-scheduler-master1", node: "master1", phase: run, ready: true},
		{ns: "kube-system", name: "kube-controller-manager-master1", node: "master1", phase: run, ready: true},
		{ns: "kube-system", name: "coredns-5d78c9869d-abcde", node: "node1", phase: run, ready: true},
		{ns: "kube-system", name: "coredns-5d78c9869d-fghij", node: "node2", phase: run, ready: true},
		{ns: "kube-system", name: "network-controller-7f9c-xk2lp", node: "node1", phase: corev1.PodPending, waiting: "ImagePullBackOff"}, // known exception (§9.4)
		{ns: "kube-system", name: "rama-daemon-master1", node: "master1", phase: run, ready: true},
		{ns: "kube-system", name: "rama-daemon-node1", node: "node1", phase: run, ready: true},
		{ns: "kube-system", name: "rama-daemon-node2", node: "node2", phase: run, ready: true},
		{ns: "kube-system", name: "rama-daemon-node3", node: "node3", phase: run, ready: false},
		{ns: "app-demo", name: "web-1", node: "node1", phase: run, ready: true, cpu: "4"},
		{ns: "app-demo", name: "web-2", node: "node2", phase: run, waiting: "CrashLoopBackOff", restarts: 17},
		{ns: "app-demo", name: "web-3", node: "node1", phase: corev1.PodPending, waiting: "ImagePullBackOff"},
		{ns: "app-demo", name: "report-28913420-x7k2p", node: "node1", phase: corev1.PodSucceeded, terminated: "Completed"},
		{ns: "app-demo", name: "queue-pending-0", phase: corev1.PodPending}, // unschedulable
		{ns: "app-demo", name: "db-0", node: "node3", phase: run, ready: false, pvc: "data-db-0"},
		{ns: "app-demo", name: "cache-0", node: "node3", phase: run, ready: false},
		stuckPod,
	}
	for _, p := range pods {
		if err := s.pod(ctx, p); err != nil {
			return err
		}
	}
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data-db-0", Namespace: "app-demo"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{"storage": mustQ("100Gi")}}},
	}
	if _, err := s.kube.CoreV1().PersistentVolumeClaims("app-demo").Create(ctx, pvc, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return err
	}
	for _, cm := range []string{"node3-conditions", "node3-readiness-gates"} {
		obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cm, Namespace: "sigma-operator-machine-conditions"}, Data: map[string]string{"node": "node3"}}
		if _, err := s.kube.CoreV1().ConfigMaps(obj.Namespace).Create(ctx, obj, metav1.CreateOptions{}); ignoreExists(err) != nil {
			return err
		}
	}
	if err := s.workloads(ctx); err != nil {
		return err
	}
	const machineFinalizer = "finalizer.k8s.alipay.com/machine"
	for _, m := range []string{"master1", "node1", "node2", "node3", "node4", "node5-dead"} {
		if err := s.cr(ctx, machines, "", m, map[string]any{"hostname": m}, map[string]any{"phase": "Running"}, machineFinalizer); err != nil {
			return err
		}
	}
	for _, op := range []struct{ name, phase string }{{"scale-out-node6", "Failed"}, {"scale-out-node4", "Succeeded"}} {
		if err := s.cr(ctx, machineOps, "", op.name, map[string]any{"type": "scale-out"}, map[string]any{"phase": op.phase, "message": "seeded"}); err != nil {
			return err
		}
	}
	for _, z := range []struct{ name, phase string }{{"lab.example", "Created"}, {"broken.example", "Failed"}} {
		if err := s.cr(ctx, zones, "", z.name, map[string]any{"name": z.name}, map[string]any{"phase": z.phase}); err != nil {
			return err
		}
	}
	for _, e := range []struct{ name, phase string }{{"www", "Succeed"}, {"iam", "Succeed"}, {"api", "Failed"}} {
		if err := s.cr(ctx, dnsEndpoints, "app-demo", e.name, map[string]any{"dnsName": e.name + ".lab.example"}, map[string]any{"phase": e.phase}); err != nil {
			return err
		}
		if err := s.cr(ctx, dnsRecords, "app-demo", e.name, map[string]any{"name": e.name + ".lab.example", "type": "A"}, nil); err != nil {
			return err
		}
	}
	for _, ip := range []struct{ name, pod string }{{"ip-db-0", "db-0"}, {"ip-cache-0", "cache-0"}, {"ip-web-1", "web-1"}} {
		if err := s.cr(ctx, ipInstances, "asp-aks", ip.name, map[string]any{"podName": ip.pod, "podNamespace": "app-demo", "address": "10.200.0.10"}, nil); err != nil {
			return err
		}
	}
	return s.stuck(ctx)
}

// stuck deletes what should hang in deletion: no controller or kubelet will ever finish it.
func (s *seeder) stuck(ctx context.Context) error {
	ignoreGone := func(err error) error {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	if err := ignoreGone(s.kube.CoreV1().Namespaces().Delete(ctx, "stuck-ns", metav1.DeleteOptions{})); err != nil {
		return err
	}
	// A test that stripped its finalizer left it terminating for a kubelet that never comes:
	// remove it for good and make it again.
	if p, err := s.kube.CoreV1().Pods("app-demo").Get(ctx, stuckPod.name, metav1.GetOptions{}); err == nil && len(p.Finalizers) == 0 {
		zero := int64(0)
		if err := ignoreGone(s.kube.CoreV1().Pods("app-demo").Delete(ctx, stuckPod.name, metav1.DeleteOptions{GracePeriodSeconds: &zero})); err != nil {
			return err
		}
		for i := 0; i < 100; i++ {
			if _, err := s.kube.CoreV1().Pods("app-demo").Get(ctx, stuckPod.name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := s.pod(ctx, stuckPod); err != nil {
			return err
		}
	}
	if err := ignoreGone(s.kube.CoreV1().Pods("app-demo").Delete(ctx, stuckPod.name, metav1.DeleteOptions{})); err != nil {
		return err
	}
	return ignoreGone(s.dyn.Resource(machines.gvr).Delete(ctx, "node5-dead", metav1.DeleteOptions{}))
}

// businessScenario is a business cluster (a second apiserver on the same etcd, its own prefix):
// Ready nodes with Leases, an app, kube-system workloads, and none of the Ant resources.
func (s *seeder) businessScenario(ctx context.Context) error {
	for _, ns := range []string{"kube-system", leaseNS, "shop"} {
		if err := s.namespace(ctx, ns); err != nil {
			return err
		}
	}
	if err := s.rbac(ctx); err != nil {
		return err
	}
	for i, n := range []string{"biz1", "biz2"} {
		if err := s.node(ctx, nodeSpec{name: n, ip: fmt.Sprintf("10.20.0.%d", i+1), ready: corev1.ConditionTrue}); err != nil {
			return err
		}
		if err := s.pod(ctx, podSpec{ns: "shop", name: "cart-" + n, node: n, phase: corev1.PodRunning, ready: true}); err != nil {
			return err
		}
	}
	return nil
}
