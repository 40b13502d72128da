package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// ParseGVR reads kubectl's full form resource.version.group ("machines.v1.machine.sigma.alipay.com").
func ParseGVR(s string) (schema.GroupVersionResource, error) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 3 {
		return schema.GroupVersionResource{}, fmt.Errorf("%q is not resource.version.group", s)
	}
	return schema.GroupVersionResource{Resource: parts[0], Version: parts[1], Group: parts[2]}, nil
}

// Watcher keeps trimmed caches of one cluster's objects, fed by watches (no polling), and knows
// how healthy its connection is.
type Watcher struct {
	Cluster   string
	PingEvery time.Duration
	clients   *Clients

	core  informers.SharedInformerFactory
	ks    informers.SharedInformerFactory // kube-system only: Deployments, DaemonSets
	dyn   dynamicinformer.DynamicSharedInformerFactory
	crs   map[string]cache.SharedIndexInformer // by resource name (machines, zones, …)
	pods  cache.SharedIndexInformer
	nodes cache.SharedIndexInformer

	lastEvent atomic.Int64 // unix nanos of the newest add/update/delete, or of the newest good ping
	mu        sync.Mutex
	synced    bool
	startedAt time.Time
	watchErr  string
	errAt     time.Time
}

const podsByNode = "node"

// NewWatcher prepares informers for the objects the checks read; crds maps a resource name to
// its GVR (from the site file's resources:).
func NewWatcher(cluster string, c *Clients, crds []schema.GroupVersionResource) *Watcher {
	w := &Watcher{Cluster: cluster, PingEvery: DefaultPingEvery, clients: c, crs: map[string]cache.SharedIndexInformer{}}
	w.core = informers.NewSharedInformerFactoryWithOptions(c.Kube, 0, informers.WithTransform(trim))
	w.ks = informers.NewSharedInformerFactoryWithOptions(c.Kube, 0, informers.WithNamespace("kube-system"), informers.WithTransform(trim))
	w.dyn = dynamicinformer.NewDynamicSharedInformerFactory(c.Dynamic, 0)

	w.nodes = w.core.Core().V1().Nodes().Informer()
	w.pods = w.core.Core().V1().Pods().Informer()
	_ = w.pods.AddIndexers(cache.Indexers{podsByNode: func(obj any) ([]string, error) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			return []string{p.Spec.NodeName}, nil
		}
		return nil, nil
	}})
	all := []cache.SharedIndexInformer{w.nodes, w.pods, w.core.Core().V1().Namespaces().Informer(),
		w.ks.Apps().V1().Deployments().Informer(), w.ks.Apps().V1().DaemonSets().Informer()}
	for _, gvr := range crds {
		inf := w.dyn.ForResource(gvr).Informer()
		_ = inf.SetTransform(trimUnstructured)
		w.crs[gvr.Resource] = inf
		all = append(all, inf)
	}
	touch := func(any) { w.lastEvent.Store(time.Now().UnixNano()) }
	for _, inf := range all {
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: touch, UpdateFunc: func(_, n any) { touch(n) }, DeleteFunc: touch})
		_ = inf.SetWatchErrorHandler(func(_ *cache.Reflector, err error) {
			w.mu.Lock()
			w.watchErr, w.errAt = err.Error(), time.Now()
			w.mu.Unlock()
		})
	}
	return w
}

// Start runs the informers until ctx ends; Health says when they have synced.
func (w *Watcher) Start(ctx context.Context) {
	w.mu.Lock()
	w.startedAt = time.Now()
	w.mu.Unlock()
	w.core.Start(ctx.Done())
	w.ks.Start(ctx.Done())
	w.dyn.Start(ctx.Done())
	go w.ping(ctx)
	go func() {
		w.core.WaitForCacheSync(ctx.Done())
		w.ks.WaitForCacheSync(ctx.Done())
		w.dyn.WaitForCacheSync(ctx.Done())
		if ctx.Err() == nil {
			w.mu.Lock()
			w.synced = true
			w.mu.Unlock()
			w.lastEvent.CompareAndSwap(0, time.Now().UnixNano())
		}
	}()
}

// DefaultPingEvery is how often the API is asked for its version: a watch on a connection that
// died without a word would otherwise look healthy (seen on the lab when kube-apiserver was
// killed). A watcher's PingEvery may be changed before Start.
const DefaultPingEvery = 5 * time.Second

func (w *Watcher) ping(ctx context.Context) {
	t := time.NewTicker(w.PingEvery)
	defer t.Stop()
	for first := true; ; first = false {
		if !first { // the first ping is at once: a dead API is known before any cache waits on it
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		err := w.askVersion(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.mu.Lock()
			w.watchErr, w.errAt = "API: "+err.Error(), time.Now()
			w.mu.Unlock()
			continue
		}
		w.mu.Lock()
		synced := w.synced
		w.mu.Unlock()
		if synced {
			w.lastEvent.Store(time.Now().UnixNano()) // the caches are current as of now
		}
	}
}

// askVersion is GET /version with a deadline (the discovery call itself takes no context).
func (w *Watcher) askVersion(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { _, err := w.clients.Kube.Discovery().ServerVersion(); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(w.PingEvery):
		return fmt.Errorf("GET /version: no answer within %s", w.PingEvery)
	case <-ctx.Done():
		return nil
	}
}

// WaitSynced blocks until the caches are synced, the API is known to fail, or ctx ends; it
// reports whether they are synced.
func (w *Watcher) WaitSynced(ctx context.Context) bool {
	for {
		h := w.Health()
		if h.Synced {
			return true
		}
		if h.LastError != "" {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Health is the state of the connection to the cluster.
type Health struct {
	Synced    bool
	StartedAt time.Time
	LastEvent time.Time // newest change seen (or the sync)
	LastError string    // newest watch error, if it is newer than the last event
	ErrorAt   time.Time
}

// Healthy is false while a watch error is newer than the last event (the API went away).
func (h Health) Healthy() bool {
	return h.Synced && (h.LastError == "" || h.ErrorAt.Before(h.LastEvent))
}

// Health reports the connection's state.
func (w *Watcher) Health() Health {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := Health{Synced: w.synced, StartedAt: w.startedAt, LastError: w.watchErr, ErrorAt: w.errAt}
	if n := w.lastEvent.Load(); n > 0 {
		h.LastEvent = time.Unix(0, n)
	}
	if !h.ErrorAt.IsZero() && h.ErrorAt.Before(h.LastEvent) {
		h.LastError = "" // recovered since
	}
	return h
}

// Nodes lists the cached nodes.
func (w *Watcher) Nodes() []*corev1.Node {
	ns, _ := w.core.Core().V1().Nodes().Lister().List(labels.Everything())
	return ns
}

// Node finds a cached node.
func (w *Watcher) Node(name string) (*corev1.Node, bool) {
	n, err := w.core.Core().V1().Nodes().Lister().Get(name)
	return n, err == nil
}

// Pods lists every cached pod.
func (w *Watcher) Pods() []*corev1.Pod {
	ps, _ := w.core.Core().V1().Pods().Lister().List(labels.Everything())
	return ps
}

// Pod finds a cached pod.
func (w *Watcher) Pod(ns, name string) (*corev1.Pod, bool) {
	p, err := w.core.Core().V1().Pods().Lister().Pods(ns).Get(name)
	return p, err == nil
}

// PodsOnNode uses the node index: nothing recounts all pods per node.
func (w *Watcher) PodsOnNode(node string) []*corev1.Pod {
	objs, _ := w.pods.GetIndexer().ByIndex(podsByNode, node)
	out := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*corev1.Pod))
	}
	return out
}

// Namespaces lists the cached namespaces.
func (w *Watcher) Namespaces() []*corev1.Namespace {
	ns, _ := w.core.Core().V1().Namespaces().Lister().List(labels.Everything())
	return ns
}

// Deployments and DaemonSets of kube-system.
func (w *Watcher) Deployments() []*appsv1.Deployment {
	ds, _ := w.ks.Apps().V1().Deployments().Lister().List(labels.Everything())
	return ds
}

// DaemonSets of kube-system.
func (w *Watcher) DaemonSets() []*appsv1.DaemonSet {
	ds, _ := w.ks.Apps().V1().DaemonSets().Lister().List(labels.Everything())
	return ds
}

// Custom lists the cached objects of a custom resource (by resource name, e.g. "machines").
func (w *Watcher) Custom(resource string) []*unstructured.Unstructured {
	inf, ok := w.crs[resource]
	if !ok {
		return nil
	}
	items := inf.GetStore().List()
	out := make([]*unstructured.Unstructured, 0, len(items))
	for _, o := range items {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}

// trim keeps only what checks and views read: managedFields, annotations and most of pod specs
// and statuses go, so 100k pods stay small.
func trim(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
		m.SetAnnotations(nil)
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		spec := corev1.PodSpec{NodeName: o.Spec.NodeName}
		for _, v := range o.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				spec.Volumes = append(spec.Volumes, corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: v.PersistentVolumeClaim}})
			}
		}
		for _, c := range o.Spec.Containers {
			spec.Containers = append(spec.Containers, corev1.Container{Name: c.Name, Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests}})
		}
		o.Spec = spec
		st := corev1.PodStatus{Phase: o.Status.Phase, Reason: o.Status.Reason, Conditions: o.Status.Conditions}
		for _, cs := range o.Status.ContainerStatuses {
			st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{Name: cs.Name, Ready: cs.Ready, RestartCount: cs.RestartCount, State: cs.State})
		}
		o.Status = st
	case *corev1.Node:
		o.Status.Images = nil
		o.Status.VolumesAttached = nil
		o.Status.VolumesInUse = nil
	}
	return obj, nil
}

func trimUnstructured(obj any) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		u.SetManagedFields(nil)
		u.SetAnnotations(nil)
	}
	return obj, nil
}
