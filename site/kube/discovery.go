package kube

import (
	"context"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
)

// DefaultDiscoverEvery is how often a cluster is asked again which custom resources it serves:
// a resource installed later is picked up, one removed stops being watched.
const DefaultDiscoverEvery = 3 * time.Minute

// ServedState says whether a cluster serves a custom resource.
type ServedState int

const (
	Discovering ServedState = iota // not known yet (discovery has not answered)
	Served
	NotServed
)

func (s ServedState) String() string {
	return [...]string{"discovering", "served", "not served"}[s]
}

// ResourceState is what the watcher knows about one optional custom resource.
type ResourceState struct {
	GVR       schema.GroupVersionResource
	State     ServedState
	Reason    string    // why NotServed or still Discovering (the discovery error)
	CheckedAt time.Time // the last discovery answer
	Fixed     bool      // from the site file's list, not discovered
}

type customResource struct {
	gvr   schema.GroupVersionResource
	state ResourceState
	in    *informer
}

// Resource reports a configured custom resource's state; ok is false for a name that is not
// one (a core collection, or a resource switched off in the site file).
func (w *Watcher) Resource(name string) (ResourceState, bool) {
	w.crMu.Lock()
	defer w.crMu.Unlock()
	cr, ok := w.crs[name]
	if !ok {
		return ResourceState{}, false
	}
	st := cr.state
	st.GVR = cr.gvr
	return st, true
}

// Resources lists the configured custom resources' states.
func (w *Watcher) Resources() []ResourceState {
	w.crMu.Lock()
	names := make([]string, 0, len(w.crs))
	for n := range w.crs {
		names = append(names, n)
	}
	w.crMu.Unlock()
	slices.Sort(names)
	out := make([]ResourceState, 0, len(names))
	for _, n := range names {
		st, _ := w.Resource(n)
		out = append(out, st)
	}
	return out
}

func (w *Watcher) discoverLoop(ctx context.Context) {
	every := w.DiscoverEvery
	if every <= 0 {
		every = DefaultDiscoverEvery
	}
	for {
		w.discover(ctx)
		if w.Served != nil {
			return // the site file's list does not change while running
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// discover asks the API (one call per group/version, each under the call deadline) which
// configured resources it serves, then starts or stops their informers.
func (w *Watcher) discover(ctx context.Context) {
	w.crMu.Lock()
	gvrs := make([]schema.GroupVersionResource, 0, len(w.crs))
	for _, cr := range w.crs {
		gvrs = append(gvrs, cr.gvr)
	}
	w.crMu.Unlock()
	answers := map[schema.GroupVersion]*metav1.APIResourceList{}
	errs := map[schema.GroupVersion]error{}
	if w.Served == nil {
		for _, gvr := range gvrs {
			gv := gvr.GroupVersion()
			if _, done := answers[gv]; done || errs[gv] != nil {
				continue
			}
			var list *metav1.APIResourceList
			err := withDeadline(ctx, w.callTimeout(), "discovery of "+gv.String(), func() error {
				var err error
				list, err = w.clients.calls().Discovery().ServerResourcesForGroupVersion(gv.String())
				return err
			})
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				errs[gv] = err
				continue
			}
			answers[gv] = list
		}
	}
	now := time.Now()
	w.crMu.Lock()
	defer w.crMu.Unlock()
	for name, cr := range w.crs {
		gv := cr.gvr.GroupVersion()
		next := cr.state
		switch {
		case w.Served != nil:
			next = ResourceState{State: NotServed, Reason: "not in the site file's list for this cluster", Fixed: true, CheckedAt: now}
			if slices.Contains(w.Served, name) {
				next = ResourceState{State: Served, Fixed: true, CheckedAt: now}
			}
		case errs[gv] != nil && apierrors.IsNotFound(errs[gv]):
			next = ResourceState{State: NotServed, Reason: "API group " + gv.String() + " is not served", CheckedAt: now}
		case errs[gv] != nil:
			// Could not tell: keep what was known, say why.
			next.Reason = errs[gv].Error()
		default:
			served := false
			for _, r := range answers[gv].APIResources {
				if r.Name == name {
					served = true
				}
			}
			next = ResourceState{State: NotServed, Reason: gv.String() + " has no resource " + name, CheckedAt: now}
			if served {
				next = ResourceState{State: Served, CheckedAt: now}
			}
		}
		switch {
		case next.State == Served && cr.in == nil:
			cr.in = w.customInformer(cr.gvr)
			cr.in.run()
			go func(in *informer) { <-ctx.Done(); in.halt() }(cr.in)
		case next.State == NotServed && cr.in != nil:
			cr.in.halt()
			cr.in = nil
		}
		cr.state = next
	}
}

func (w *Watcher) customInformer(gvr schema.GroupVersionResource) *informer {
	d := w.clients.Dynamic
	return w.newInformer(gvr.Resource, &unstructured.Unstructured{},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return d.Resource(gvr).List(ctx, o)
		},
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return d.Resource(gvr).Watch(ctx, o)
		},
		trimUnstructured, nil)
}
