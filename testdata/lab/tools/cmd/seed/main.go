// Command seed writes the lab's scenario into its kube-apiserver (no controllers run there, so
// what it writes stays as written), and can add thousands of nodes and pods for benchmarks.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

type seeder struct {
	kube kubernetes.Interface
	dyn  dynamic.Interface
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "admin kubeconfig")
	nodes := flag.Int("nodes", 0, "extra nodes for benchmarks (scale-node-NNNNN)")
	pods := flag.Int("pods", 0, "extra pods for benchmarks, spread over the extra nodes")
	workers := flag.Int("workers", 32, "concurrent requests while scaling")
	business := flag.Bool("business", false, "seed a business cluster: nodes, pods, no Ant custom resources")
	renew := flag.Duration("renew", 0, "after seeding, renew every node's Lease this often (like kubelets, 10s) until killed")
	skip := flag.String("renew-skip", "node3,node4", "nodes whose Leases are not renewed (their kubelets are down in the scenario)")
	pauseDir := flag.String("renew-pause-dir", "", "a file named after a node in this folder pauses its renewals")
	noSeed := flag.Bool("no-seed", false, "do not seed, only renew")
	statusEvery := flag.Duration("status-every", 0, "with -no-seed: post every Ready node's status this often, spread over the period (like kubelets, 5m)")
	crashShare := flag.Float64("crashloop-share", 0, "with -no-seed: this share of the scale pods crash-loops, one restart each per -crashloop-every")
	crashEvery := flag.Duration("crashloop-every", 5*time.Minute, "how often a crash-looping pod restarts (a kubelet's back-off tops out at 5m)")
	flag.Parse()
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 2000, 4000
	// Protobuf, as kubelets speak: the renewals' JSON cost the lab's apiserver cores the cockpit
	// measured against. (The dynamic client for custom resources speaks JSON still.)
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	jsonCfg := rest.CopyConfig(cfg)
	jsonCfg.ContentType = ""
	s := &seeder{kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(jsonCfg)}
	ctx := context.Background()
	if *noSeed && *statusEvery > 0 {
		go s.beatStatus(ctx, *statusEvery, skipSet(*skip), *pauseDir)
	}
	if *noSeed {
		go s.crashLoop(ctx, *crashShare, *crashEvery)
		if *renew > 0 {
			s.renew(ctx, *renew, skipSet(*skip), *pauseDir, 32)
		}
		select {} // the status beats, until killed
	}
	start := time.Now()
	if *business {
		must(s.businessScenario(ctx))
		log.Printf("business cluster seeded in %s", time.Since(start).Round(time.Millisecond))
		return
	}
	must(ensureCRDs(ctx, apiext.NewForConfigOrDie(jsonCfg)))
	// CRDs take a moment to be served.
	for i := 0; i < 100; i++ {
		if _, err := s.dyn.Resource(machines.gvr).List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(s.scenario(ctx))
	log.Printf("scenario seeded in %s", time.Since(start).Round(time.Millisecond))
	if *nodes > 0 || *pods > 0 {
		must(s.scale(ctx, *nodes, *pods, *workers))
	}
	if *renew > 0 {
		s.renew(ctx, *renew, skipSet(*skip), *pauseDir, 32)
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (s *seeder) namespace(ctx context.Context, name string) error {
	_, err := s.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		ns, err := s.kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if ns.DeletionTimestamp != nil {
			return nil // a namespace left stuck terminating on purpose by an earlier run
		}
	} else if err != nil {
		return err
	}
	// Pods need a default ServiceAccount, and no controller-manager runs here to make one.
	_, err = s.kube.CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	return ignoreExists(err)
}

// nodeSpec is one seeded node.
type nodeSpec struct {
	name, ip  string
	ready     corev1.ConditionStatus
	heartbeat time.Duration // age of the last heartbeat
	cordoned  bool
	master    bool
}

// nodeImages are the images every lab node says it holds. A site's kubelet lists up to 50, each
// by digest and tag, and they are most of a Node's bytes: a lab without them is kinder to the
// cockpit's first list of Nodes than a site is.
var nodeImages = func() []corev1.ContainerImage {
	var out []corev1.ContainerImage
	for i := range 30 {
		repo := fmt.Sprintf("reg.example.alipay.net/ake3/team%d/component-%02d", i%6, i)
		out = append(out, corev1.ContainerImage{SizeBytes: int64(50+i*13) << 20, Names: []string{
			fmt.Sprintf("%s@sha256:%064x", repo, i*7919+1), fmt.Sprintf("%s:v1.%d.%d-20261101", repo, i%4, i)}})
	}
	return out
}()

func (s *seeder) node(ctx context.Context, n nodeSpec) error {
	labels := map[string]string{"kubernetes.io/hostname": n.name}
	if n.master {
		labels["node-role.kubernetes.io/master"] = ""
	}
	obj := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: labels},
		Spec:       corev1.NodeSpec{Unschedulable: n.cordoned},
	}
	created, err := s.kube.CoreV1().Nodes().Create(ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		if created, err = s.kube.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	hb := metav1.NewTime(time.Now().Add(-n.heartbeat))
	created.Status = corev1.NodeStatus{
		Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.ip}, {Type: corev1.NodeHostName, Address: n.name}},
		Capacity:    corev1.ResourceList{"cpu": mustQ("32"), "memory": mustQ("256Gi"), "pods": mustQ("110")},
		Allocatable: corev1.ResourceList{"cpu": mustQ("31"), "memory": mustQ("250Gi"), "pods": mustQ("110")},
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: n.ready, LastHeartbeatTime: hb, LastTransitionTime: hb,
			Reason:  map[corev1.ConditionStatus]string{corev1.ConditionTrue: "KubeletReady", corev1.ConditionUnknown: "NodeStatusUnknown"}[n.ready],
			Message: map[corev1.ConditionStatus]string{corev1.ConditionTrue: "kubelet is posting ready status", corev1.ConditionUnknown: "Kubelet stopped posting node status."}[n.ready]}},
		NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Alibaba Group Enterprise Linux Server 7.2", ContainerRuntimeVersion: "containerd://1.7.0"},
		Images:   nodeImages,
	}
	if _, err = s.kube.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return err
	}
	return s.lease(ctx, n.name, n.heartbeat) // the kubelet's heartbeat, as old as its status one
}

// podSpec is one seeded pod and the status it is left in.
type podSpec struct {
	ns, name, node string
	phase          corev1.PodPhase
	waiting        string // container waiting reason: CrashLoopBackOff, ImagePullBackOff
	terminated     string // container terminated reason: Completed
	ready          bool
	restarts       int32
	finalizers     []string
	pvc            string
	owner          string // DaemonSet or Deployment name, for the kind
	cpu            string
}

func (s *seeder) pod(ctx context.Context, p podSpec) error {
	cpu := p.cpu
	if cpu == "" {
		cpu = "500m"
	}
	obj := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: p.ns, Finalizers: p.finalizers, Labels: map[string]string{"app": p.name}},
		Spec: corev1.PodSpec{
			NodeName: p.node,
			Containers: []corev1.Container{{Name: "main", Image: "reg.lab.example/" + p.name + ":1.0",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": mustQ(cpu), "memory": mustQ("512Mi")}}}},
		},
	}
	if p.pvc != "" {
		obj.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: p.pvc}}}}
	}
	created, err := s.kube.CoreV1().Pods(p.ns).Create(ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	cs := corev1.ContainerStatus{Name: "main", Image: obj.Spec.Containers[0].Image, Ready: p.ready, RestartCount: p.restarts}
	switch {
	case p.waiting != "":
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: p.waiting, Message: "seeded by the lab"}
	case p.terminated != "":
		cs.State.Terminated = &corev1.ContainerStateTerminated{Reason: p.terminated, ExitCode: 0}
	case p.phase == corev1.PodRunning:
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.Now()}
	}
	readyCond := corev1.ConditionFalse
	if p.ready {
		readyCond = corev1.ConditionTrue
	}
	created.Status = corev1.PodStatus{Phase: p.phase, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: readyCond}}}
	if p.phase != corev1.PodPending || p.node != "" {
		created.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	}
	_, err = s.kube.CoreV1().Pods(p.ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

func (s *seeder) cr(ctx context.Context, d crd, ns, name string, spec, status map[string]any, finalizers ...string) error {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": d.gvr.GroupVersion().String(), "kind": d.kind,
		"metadata": map[string]any{"name": name}, "spec": spec,
	}}
	if ns != "" {
		u.SetNamespace(ns)
	}
	if len(finalizers) > 0 {
		u.SetFinalizers(finalizers)
	}
	var ri dynamic.ResourceInterface = s.dyn.Resource(d.gvr)
	if d.namespaced {
		ri = s.dyn.Resource(d.gvr).Namespace(ns)
	}
	created, err := ri.Create(ctx, u, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if status != nil {
		created.Object["status"] = status
		_, err = ri.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	}
	return err
}

func (s *seeder) scale(ctx context.Context, nodes, pods, workers int) error {
	if err := s.namespace(ctx, "scale"); err != nil {
		return err
	}
	start := time.Now()
	var done atomic.Int64
	run := func(n int, f func(i int) error) error {
		var wg sync.WaitGroup
		var firstErr atomic.Value
		next := atomic.Int64{}
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= n {
						return
					}
					if err := f(i); err != nil {
						firstErr.CompareAndSwap(nil, err)
						return
					}
					if d := done.Add(1); d%5000 == 0 {
						log.Printf("%d objects in %s", d, time.Since(start).Round(time.Second))
					}
				}
			}()
		}
		wg.Wait()
		if e, ok := firstErr.Load().(error); ok {
			return e
		}
		return nil
	}
	if err := run(nodes, func(i int) error {
		return s.node(ctx, nodeSpec{name: fmt.Sprintf("scale-node-%05d", i), ip: fmt.Sprintf("10.%d.%d.%d", 100+i/65536, i/256%256, i%256), ready: corev1.ConditionTrue})
	}); err != nil {
		return err
	}
	if nodes == 0 && pods > 0 {
		return fmt.Errorf("-pods needs -nodes to spread them over")
	}
	if err := run(pods, func(i int) error {
		return s.pod(ctx, podSpec{ns: "scale", name: fmt.Sprintf("scale-pod-%06d", i), node: fmt.Sprintf("scale-node-%05d", i%nodes), phase: corev1.PodRunning, ready: true, cpu: "100m"})
	}); err != nil {
		return err
	}
	log.Printf("scaled: %d nodes, %d pods in %s", nodes, pods, time.Since(start).Round(time.Second))
	return nil
}

// viewerRules is what `opsdeck watch` reads, and nothing more: view-only RBAC for the user
// "viewer" (README's monitoring identity). Pods have a rule of their own, second in the list:
// the soak (testdata/soak) revokes and restores exactly that rule.
var viewerRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"nodes", "namespaces", "events"}, Verbs: readVerbs},
	{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: readVerbs},
	{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: readVerbs},
	{APIGroups: []string{"machine.sigma.alipay.com", "adns.alipay.com", "networking.alibaba.com"}, Resources: []string{"*"}, Verbs: readVerbs},
}

// viewerNamespaced: the workloads opsdeck reads in kube-system, the node Leases in kube-node-lease.
var viewerNamespaced = map[string][]rbacv1.PolicyRule{
	"kube-system": {{APIGroups: []string{"apps"}, Resources: []string{"deployments", "daemonsets"}, Verbs: readVerbs}},
	leaseNS:       {{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: readVerbs}},
}

var readVerbs = []string{"get", "list", "watch"}

// rbac creates or resets the viewer's roles (a rule the soak revoked comes back on the next seed).
func (s *seeder) rbac(ctx context.Context) error {
	const name = "opsdeck-viewer"
	viewer := []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "viewer"}}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: viewerRules}
	if err := upsert(ctx, role, s.kube.RbacV1().ClusterRoles().Create, s.kube.RbacV1().ClusterRoles().Update, s.kube.RbacV1().ClusterRoles().Get); err != nil {
		return err
	}
	b := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects:   viewer,
	}
	if _, err := s.kube.RbacV1().ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return err
	}
	for ns, rules := range viewerNamespaced {
		roles := s.kube.RbacV1().Roles(ns)
		r := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}
		if err := upsert(ctx, r, roles.Create, roles.Update, roles.Get); err != nil {
			return err
		}
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
			Subjects:   viewer,
		}
		if _, err := s.kube.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); ignoreExists(err) != nil {
			return err
		}
	}
	return nil
}

// upsert creates obj, or replaces an existing one's content with obj's.
func upsert[T interface {
	metav1.Object
	*R
}, R any](ctx context.Context, obj T,
	create func(context.Context, T, metav1.CreateOptions) (T, error),
	update func(context.Context, T, metav1.UpdateOptions) (T, error),
	get func(context.Context, string, metav1.GetOptions) (T, error)) error {
	_, err := create(ctx, obj, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	old, err := get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil {
		return err
	}
	obj.SetResourceVersion(old.GetResourceVersion())
	_, err = update(ctx, obj, metav1.UpdateOptions{})
	return err
}

func (s *seeder) workloads(ctx context.Context) error {
	for _, d := range []struct {
		name        string
		want, ready int32
	}{{"coredns", 2, 2}, {"network-controller", 1, 0}, {"sigma-operator", 1, 1}} {
		obj := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: d.name, Namespace: "kube-system"},
			Spec: appsv1.DeploymentSpec{Replicas: &d.want, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.name}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": d.name}},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "reg.lab.example/" + d.name + ":1.0"}}}}},
		}
		created, err := s.kube.AppsV1().Deployments("kube-system").Create(ctx, obj, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return err
		}
		created.Status = appsv1.DeploymentStatus{Replicas: d.want, ReadyReplicas: d.ready, AvailableReplicas: d.ready, UpdatedReplicas: d.want, ObservedGeneration: created.Generation}
		if _, err := s.kube.AppsV1().Deployments("kube-system").UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name           string
		desired, ready int32
	}{{"rama-daemon", 5, 4}, {"kube-proxy", 5, 5}} {
		obj := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: d.name, Namespace: "kube-system"},
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.name}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": d.name}},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "reg.lab.example/" + d.name + ":1.0"}}}}},
		}
		created, err := s.kube.AppsV1().DaemonSets("kube-system").Create(ctx, obj, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return err
		}
		created.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: d.desired, CurrentNumberScheduled: d.desired, NumberReady: d.ready, NumberAvailable: d.ready, UpdatedNumberScheduled: d.desired, ObservedGeneration: created.Generation}
		if _, err := s.kube.AppsV1().DaemonSets("kube-system").UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}
