//go:build lab

package kube

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"opsdeck/internal/labenv"
)

// The lab's real kube-apiserver (with etcd behind it), through opsdeck's client code.
func TestLabAPIServer(t *testing.T) {
	lab := labenv.Load(t)
	ctx := context.Background()
	admin, err := Connect(Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := admin.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) < 5 {
		t.Fatalf("nodes: %v (%d)", err, len(nodes.Items))
	}
	machines := schema.GroupVersionResource{Group: "machine.sigma.alipay.com", Version: "v1", Resource: "machines"}
	m, err := admin.Dynamic.Resource(machines).Get(ctx, "node5-dead", metav1.GetOptions{})
	if err != nil || m.GetDeletionTimestamp() == nil || len(m.GetFinalizers()) == 0 {
		t.Fatalf("machine stuck deleting: %v %v", err, m)
	}
	ns, err := admin.Kube.CoreV1().Namespaces().Get(ctx, "stuck-ns", metav1.GetOptions{})
	if err != nil || ns.Status.Phase != "Terminating" {
		t.Fatalf("namespace stuck terminating: %v %v", err, ns.Status.Phase)
	}
}

// The lab's read-only user can list but RBAC denies it any change.
func TestLabViewerIsDeniedByRBAC(t *testing.T) {
	lab := labenv.Load(t)
	ctx := context.Background()
	viewer, err := Connect(Options{Kubeconfig: lab.ViewerKubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := viewer.Kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{Limit: 5}); err != nil {
		t.Fatalf("viewer list: %v", err)
	}
	err = viewer.Kube.CoreV1().Pods("app-demo").Delete(ctx, "web-1", metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("viewer delete: want Forbidden, got %v", err)
	}
}

// A read-only connection cannot change the real apiserver, even with admin credentials.
func TestLabReadOnlyTransport(t *testing.T) {
	lab := labenv.Load(t)
	ro, err := Connect(Options{Kubeconfig: lab.Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	err = ro.Kube.CoreV1().Pods("app-demo").Delete(context.Background(), "web-1", metav1.DeleteOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
	if _, err := ro.Kube.CoreV1().Pods("app-demo").Get(context.Background(), "web-1", metav1.GetOptions{}); err != nil {
		t.Fatalf("web-1 must still exist: %v", err)
	}
}

// The first list of Nodes from the real apiserver (protobuf, streamed, pruned) holds what the
// checks read and none of the images the API's Nodes list (the seeder gives each node 30, as a
// site's kubelets report theirs).
func TestLabNodesArePrunedOfTheirImages(t *testing.T) {
	ctx, admin := labAdmin(t)
	api, err := admin.Kube.CoreV1().Nodes().Get(ctx, "node1", metav1.GetOptions{})
	if err != nil || len(api.Status.Images) == 0 {
		t.Fatalf("node1 in the API: %v, %d images (the seeder gives every node some)", err, len(api.Status.Images))
	}
	w := NewWatcher("lab", admin, nil)
	w.Start(ctx)
	if !w.WaitFor(ctx, "nodes") {
		t.Fatal("nodes never synced")
	}
	n, ok := w.Node("node1")
	if !ok {
		t.Fatal("node1 is not in the cache")
	}
	if len(n.Status.Images) != 0 || len(n.ManagedFields) != 0 || len(n.Annotations) != 0 {
		t.Errorf("cached node1 kept %d images, %d managed fields, %d annotations", len(n.Status.Images), len(n.ManagedFields), len(n.Annotations))
	}
	if n.Labels["node-role.kubernetes.io/master"] != api.Labels["node-role.kubernetes.io/master"] || len(n.Status.Conditions) == 0 ||
		n.Status.NodeInfo.KubeletVersion == "" || n.Status.Allocatable.Cpu().IsZero() {
		t.Errorf("cached node1 lost what the checks read: %+v", n)
	}
}

// The first list's pods, decoded straight from the real API's bytes, are the Pods PodOf makes of
// the API's own objects.
func TestLabPodsDecodedDirectlyAreTheAPIsPods(t *testing.T) {
	ctx, admin := labAdmin(t)
	src := *NewWatcher("lab", admin, nil).pods.stream
	direct := 0
	newDecoder := src.direct
	src.direct = func() func([]byte) (runtime.Object, error) {
		d := newDecoder()
		return func(b []byte) (runtime.Object, error) {
			obj, err := d(b)
			if err == nil {
				direct++
			}
			return obj, err
		}
	}
	streamed, err := streamList(ctx, src, metav1.ListOptions{ResourceVersion: "0"}, trimPod)
	if err != nil {
		t.Fatal(err)
	}
	api, err := admin.Kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*corev1.Pod{}
	for i := range api.Items {
		byName[api.Items[i].Namespace+"/"+api.Items[i].Name] = &api.Items[i]
	}
	items := streamed.(*metav1.List).Items
	same, states := 0, map[string]bool{}
	for _, it := range items {
		got := it.Object.(*Pod)
		want, ok := byName[got.Namespace+"/"+got.Name]
		if !ok || want.ResourceVersion != got.ResourceVersion {
			continue // changed between the two lists
		}
		if w := PodOf(want); !reflect.DeepEqual(got, w) {
			t.Errorf("%s/%s: direct\n%#v\nvia PodOf\n%#v", got.Namespace, got.Name, got, w)
			continue
		}
		same++
		for _, cs := range got.Status.ContainerStatuses {
			states[fmt.Sprintf("waiting=%v running=%v terminated=%v", cs.State.Waiting != nil, cs.State.Running != nil, cs.State.Terminated != nil)] = true
		}
	}
	if direct != len(items) || len(items) == 0 || same < len(items)*9/10 {
		t.Fatalf("%d pods streamed, %d decoded directly, %d compared equal", len(items), direct, same)
	}
	t.Logf("%d pods, %d compared; container states seen: %v", len(items), same, states)
}

// labAdmin connects to the lab's apiserver as its admin, with a context that ends with the test.
func labAdmin(t *testing.T) (context.Context, *Clients) {
	lab := labenv.Load(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	admin, err := Connect(Options{Kubeconfig: lab.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, admin
}
