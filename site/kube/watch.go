package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
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
// how healthy each watch is. Custom resources are optional: only those the cluster serves are
// watched (discovery at start and every DiscoverEvery, or the site file's fixed list).
type Watcher struct {
	Cluster       string
	PingEvery     time.Duration // how often GET /version proves the API answers
	DiscoverEvery time.Duration // how often the served custom resources are looked up again
	CallTimeout   time.Duration // deadline of one call (ping, discovery, opening a watch)
	ListTimeout   time.Duration // deadline of one list (a big cluster's pods take a while)
	AccessEvery   time.Duration // how often each collection's read access is asked again (access.go)
	LeaseEvery    time.Duration // how often the node Leases are listed (leases.go; NodeLeaseEvery)
	// Served, when not nil, names the custom resources this cluster serves (by resource name,
	// from the site file) and switches discovery off.
	Served []string

	clients *Clients

	nodes, pods, namespaces, deployments, daemonsets, leases *informer
	core                                                     []*informer

	crMu  sync.Mutex
	crs   map[string]*customResource // by resource name (machines, zones, …)
	crCtx context.Context

	mu        sync.Mutex
	startedAt time.Time
	apiErr    string // the newest failed ping
	apiErrAt  time.Time
	apiOKAt   time.Time

	// podsVersion counts pod events; nodesVersion moves with what views read of AllNodeFacts
	// (NodesVersion).
	podsVersion  atomic.Uint64
	nodesVersion atomic.Uint64
	podCount     atomic.Int64 // pods the handler has heard of (PodCount)
	changed      chan struct{}
	moved        chan struct{} // the views' signal (Moved)
	dirtyMu      sync.Mutex
	dirty        map[string]bool // node names touched by node, pod and lease events since the last take
	dirtyPods    map[string]bool // namespace/name of pods touched since the last take
	touchMu      sync.Mutex
	podReaders   []*PodTouches // views following pod changes (TrackPods)
	leaseTab     leaseTable    // the node Leases' renewTimes (leases.go)
}

const (
	podsByNode = "node"
	// LeaseNamespace holds the kubelets' heartbeats (one Lease per node, renewed every 10 s).
	LeaseNamespace = "kube-node-lease"
)

// NewWatcher prepares informers for the objects the checks read; crds are the optional custom
// resources (from the site file's resources:), watched only where the cluster serves them.
func NewWatcher(cluster string, c *Clients, crds []schema.GroupVersionResource) *Watcher {
	w := &Watcher{Cluster: cluster, PingEvery: DefaultPingEvery, DiscoverEvery: DefaultDiscoverEvery,
		CallTimeout: DefaultCallTimeout, ListTimeout: 2 * time.Minute, clients: c,
		crs: map[string]*customResource{}, changed: make(chan struct{}, 1), moved: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	k := c.Kube
	w.nodes = w.newInformer("nodes", &corev1.Node{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return k.CoreV1().Nodes().List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return k.CoreV1().Nodes().Watch(ctx, o)
		},
		trim, nil)
	w.pods = w.newInformer("pods", &Pod{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return k.CoreV1().Pods("").List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return k.CoreV1().Pods("").Watch(ctx, o)
		},
		// By node, and the few unsettled pods: nothing reads pods by namespace, and that
		// index's few huge sets were rehashed over and over while 42,000 pods came in.
		trimPod, cache.Indexers{podsByNode: func(obj any) ([]string, error) {
			if p, ok := obj.(*Pod); ok && p.Spec.NodeName != "" {
				return []string{p.Spec.NodeName}, nil
			}
			return nil, nil
		}, podsByState: podStates}) // podstates.go
	// The two big collections are streamed at first (streamlist.go).
	w.pods.stream = &streamSource{client: func() rest.Interface { return k.CoreV1().RESTClient() }, resource: "pods",
		newItem: func() protoObject { return &corev1.Pod{} }, newList: func() runtime.Object { return &corev1.PodList{} }, prune: podPrune,
		direct: func() func([]byte) (runtime.Object, error) {
			d := newPodDecoder()
			return func(b []byte) (runtime.Object, error) { return d.pod(b) }
		}}
	w.nodes.stream = &streamSource{client: func() rest.Interface { return k.CoreV1().RESTClient() }, resource: "nodes",
		newItem: func() protoObject { return &corev1.Node{} }, newList: func() runtime.Object { return &corev1.NodeList{} }, prune: nodePrune}
	// And their watch events decoded the same way (watchdecode.go).
	w.pods.events = newEventSource(w.pods.stream, "Pod", c.Config)
	w.nodes.events = newEventSource(w.nodes.stream, "Node", c.Config)
	w.namespaces = w.newInformer("namespaces", &corev1.Namespace{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return k.CoreV1().Namespaces().List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return k.CoreV1().Namespaces().Watch(ctx, o)
		},
		trim, nil)
	w.deployments = w.newInformer("deployments", &appsv1.Deployment{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return k.AppsV1().Deployments("kube-system").List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return k.AppsV1().Deployments("kube-system").Watch(ctx, o)
		},
		trim, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	w.daemonsets = w.newInformer("daemonsets", &appsv1.DaemonSet{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return k.AppsV1().DaemonSets("kube-system").List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return k.AppsV1().DaemonSets("kube-system").Watch(ctx, o)
		},
		trim, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	w.leases = w.newLeasePoll(k)
	w.core = []*informer{w.nodes, w.pods, w.namespaces, w.deployments, w.daemonsets, w.leases}
	for _, gvr := range crds {
		w.crs[gvr.Resource] = &customResource{gvr: gvr}
	}
	return w
}

// Start runs the informers until ctx ends; Health says when they have synced. Custom resources
// start once discovery has found them.
func (w *Watcher) Start(ctx context.Context) {
	w.mu.Lock()
	w.startedAt = time.Now()
	w.mu.Unlock()
	for _, in := range w.core {
		in.run()
		go func(in *informer) { <-ctx.Done(); in.halt() }(in)
	}
	w.crMu.Lock()
	w.crCtx = ctx
	w.crMu.Unlock()
	go w.ping(ctx)
	go w.accessLoop(ctx)
	go w.discoverLoop(ctx)
}

// DefaultPingEvery is how often the API is asked for its version: a watch on a connection that
// died without a word would otherwise look healthy (seen on the lab when kube-apiserver was
// killed). A watcher's PingEvery may be changed before Start.
const DefaultPingEvery = 5 * time.Second

func (w *Watcher) callTimeout() time.Duration {
	if w.CallTimeout > 0 {
		return w.CallTimeout
	}
	return DefaultCallTimeout
}

func (w *Watcher) listTimeout() time.Duration {
	if w.ListTimeout > 0 {
		return w.ListTimeout
	}
	return 2 * time.Minute
}

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
		now := time.Now()
		w.mu.Lock()
		if err != nil {
			w.apiErr, w.apiErrAt = "API: "+err.Error(), now
		} else {
			w.apiOKAt = now
		}
		w.mu.Unlock()
		if err != nil {
			continue
		}
		// The API answers: a synced collection with no outstanding error is current as of now
		// (a watch would have said otherwise). Not the Leases: they are as current as their last
		// list.
		for _, in := range w.informers() {
			if h := in.health(); in.inf != nil && h.Synced && h.LastError == "" {
				in.okAt.Store(now.UnixNano())
			}
		}
	}
}

// askVersion is GET /version with a deadline (the discovery call itself takes no context).
func (w *Watcher) askVersion(ctx context.Context) error {
	// Within one ping period (at least a second: a loaded machine answers slowly), and never
	// longer than a call may take: a hung API is known well inside one check timeout.
	d := min(max(w.PingEvery, time.Second), w.callTimeout())
	return withDeadline(ctx, d, "GET /version", func() error {
		_, err := w.clients.calls().Discovery().ServerVersion()
		return err
	})
}

// withDeadline runs f (a call that takes no context) and gives up waiting after d; the calls
// client's own rest.Config.Timeout ends the request itself.
func withDeadline(ctx context.Context, d time.Duration, what string, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		// The client's own timeout (the same d) may fire first: the same silence, said the same way.
		var te interface{ Timeout() bool }
		if err != nil && ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) && te.Timeout()) {
			return fmt.Errorf("%s: no answer within %s: %w", what, d, err)
		}
		return err
	case <-time.After(d):
		return fmt.Errorf("%s: no answer within %s", what, d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// informers lists the core informers and the running custom ones.
func (w *Watcher) informers() []*informer {
	out := append([]*informer(nil), w.core...)
	w.crMu.Lock()
	for _, cr := range w.crs {
		if cr.in != nil {
			out = append(out, cr.in)
		}
	}
	w.crMu.Unlock()
	return out
}

// WaitSynced blocks until the core caches (nodes, pods, namespaces, kube-system workloads,
// leases) are synced, known to fail, or ctx ends; it reports whether they are all synced.
func (w *Watcher) WaitSynced(ctx context.Context) bool {
	return w.WaitFor(ctx, CoreCollections...)
}

// CoreCollections are the collections every cluster serves.
var CoreCollections = []string{"nodes", "pods", "namespaces", "deployments", "daemonsets", "leases"}

// WaitFor blocks until each named collection is synced or failing (a failed first list, or the
// API not answering), or ctx ends; it reports whether all of them are synced. A custom
// resource is waited for until discovery has decided on it.
func (w *Watcher) WaitFor(ctx context.Context, names ...string) bool {
	for {
		if all, settled := w.settled(names); settled {
			return all
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Settled says WaitFor would return at once: each named collection is synced or failing.
func (w *Watcher) Settled(names ...string) bool {
	_, settled := w.settled(names)
	return settled
}

// settled is whether the named collections are all synced, and whether each is synced or
// failing (all implies settled).
func (w *Watcher) settled(names []string) (all, settled bool) {
	all, settled = true, true
	for _, n := range names {
		if !slices.Contains(CoreCollections, n) {
			if _, ok := w.Resource(n); !ok {
				continue // not a collection of this watcher: nothing to wait for
			}
		}
		if cr, ok := w.Resource(n); ok && cr.State != Served {
			if cr.State == Discovering {
				settled, all = false, false
			}
			continue // not served: nothing to wait for
		}
		h := w.InformerHealth(n)
		if !h.Synced {
			all = false
			if h.LastError == "" {
				settled = false
			}
		}
	}
	return all, settled
}

// Health is the state of the connection to the cluster as a whole.
type Health struct {
	Synced    bool // every core collection is synced
	StartedAt time.Time
	LastEvent time.Time // the oldest "current as of" among the core collections
	LastError string    // the API's failure, or the first failing collection's
	ErrorAt   time.Time
	APIError  bool // LastError is the API's own (nothing answers), not one collection's
}

// Healthy is false while an error is newer than the last success.
func (h Health) Healthy() bool { return h.Synced && h.LastError == "" }

// Health reports the connection's state: the API ping and the core collections together.
func (w *Watcher) Health() Health {
	w.mu.Lock()
	h := Health{StartedAt: w.startedAt}
	if w.apiErr != "" && w.apiErrAt.After(w.apiOKAt) {
		h.LastError, h.ErrorAt, h.APIError = w.apiErr, w.apiErrAt, true
	}
	w.mu.Unlock()
	h.Synced = true
	for _, in := range w.core {
		ih := w.InformerHealth(in.name)
		if !ih.Synced {
			h.Synced = false
		}
		if h.LastEvent.IsZero() || ih.GoodAt.Before(h.LastEvent) {
			h.LastEvent = ih.GoodAt
		}
		if ih.LastError != "" && h.LastError == "" {
			h.LastError, h.ErrorAt = in.name+": "+ih.LastError, ih.ErrorAt
		}
	}
	return h
}

// InformerHealth reports one collection ("nodes", "pods", "namespaces", "deployments",
// "daemonsets", "leases" or a custom resource's name), the API's failures included: a failed
// ping newer than the collection's last success makes it unhealthy too.
func (w *Watcher) InformerHealth(name string) InformerHealth {
	var in *informer
	for _, c := range w.core {
		if c.name == name {
			in = c
		}
	}
	if in == nil {
		w.crMu.Lock()
		if cr, ok := w.crs[name]; ok {
			in = cr.in
		}
		w.crMu.Unlock()
	}
	if in == nil {
		return InformerHealth{Name: name}
	}
	h := in.health()
	w.mu.Lock()
	apiErr, apiErrAt := w.apiErr, w.apiErrAt
	w.mu.Unlock()
	if apiErr != "" && apiErrAt.After(h.GoodAt) && (h.LastError == "" || apiErrAt.After(h.ErrorAt)) {
		h.LastError, h.ErrorAt = apiErr, apiErrAt
	}
	return h
}

// Nodes lists the cached nodes.
func (w *Watcher) Nodes() []*corev1.Node {
	ns, _ := corelisters.NewNodeLister(w.nodes.inf.GetIndexer()).List(labels.Everything())
	return ns
}

// Node finds a cached node.
func (w *Watcher) Node(name string) (*corev1.Node, bool) {
	n, err := corelisters.NewNodeLister(w.nodes.inf.GetIndexer()).Get(name)
	return n, err == nil
}

// PodCount is how many pods the cache holds, without listing them (the handler's count, a
// moment behind the cache while the first list is handed over).
func (w *Watcher) PodCount() int { return int(w.podCount.Load()) }

// Pods lists every cached pod.
func (w *Watcher) Pods() []*Pod {
	objs := w.pods.inf.GetIndexer().List()
	out := make([]*Pod, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*Pod))
	}
	return out
}

// Pod finds a cached pod.
func (w *Watcher) Pod(ns, name string) (*Pod, bool) {
	o, ok, _ := w.pods.inf.GetIndexer().GetByKey(ns + "/" + name)
	if !ok {
		return nil, false
	}
	return o.(*Pod), true
}

// PodsOnNode uses the node index: nothing recounts all pods per node.
func (w *Watcher) PodsOnNode(node string) []*Pod {
	objs, _ := w.pods.inf.GetIndexer().ByIndex(podsByNode, node)
	out := make([]*Pod, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*Pod))
	}
	return out
}

// Namespaces lists the cached namespaces.
func (w *Watcher) Namespaces() []*corev1.Namespace {
	ns, _ := corelisters.NewNamespaceLister(w.namespaces.inf.GetIndexer()).List(labels.Everything())
	return ns
}

// Deployments of kube-system.
func (w *Watcher) Deployments() []*appsv1.Deployment {
	ds, _ := appslisters.NewDeploymentLister(w.deployments.inf.GetIndexer()).List(labels.Everything())
	return ds
}

// DaemonSets of kube-system.
func (w *Watcher) DaemonSets() []*appsv1.DaemonSet {
	ds, _ := appslisters.NewDaemonSetLister(w.daemonsets.inf.GetIndexer()).List(labels.Everything())
	return ds
}

// Custom lists the cached objects of a custom resource (by resource name, e.g. "machines");
// nothing when the cluster does not serve it.
func (w *Watcher) Custom(resource string) []*unstructured.Unstructured {
	w.crMu.Lock()
	cr, ok := w.crs[resource]
	var in *informer
	if ok {
		in = cr.in
	}
	w.crMu.Unlock()
	if in == nil {
		return nil
	}
	items := in.inf.GetStore().List()
	out := make([]*unstructured.Unstructured, 0, len(items))
	for _, o := range items {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}
