package kube

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// informer is one watched collection with its own health: a watch that fails (RBAC, a broken
// conversion webhook, a removed resource) makes only this collection stale, not the cluster.
type informer struct {
	name      string
	inf       cache.SharedIndexInformer // nil for the Leases, which are listed, not watched (leases.go)
	synced    func() bool
	start     func(stop <-chan struct{})
	stop      chan struct{} // closes this informer alone (custom resources come and go)
	closeOnce sync.Once

	startedAt atomic.Int64 // unix nanos
	okAt      atomic.Int64 // newest proof the data is current: list/watch opened, an event, a ping
	mu        sync.Mutex
	err       string
	errAt     time.Time

	list     listFunc      // the collection's list, for the access probe (access.go)
	stream   *streamSource // set: the first list is streamed (streamlist.go), not paged
	events   *eventSource  // set: watched with events decoded as the list's items (watchdecode.go)
	denied   string        // the access probe's refusal, until a probe is allowed again (under mu)
	deniedAt time.Time     //
}

type listFunc func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error)
type watchFunc func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error)

// newInformer builds an informer whose list and watch calls carry deadlines and report their
// success and failure to its health.
func (w *Watcher) newInformer(name string, example runtime.Object, list listFunc, wf watchFunc, transform cache.TransformFunc, idx cache.Indexers) *informer {
	in := &informer{name: name, stop: make(chan struct{}), list: list}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			ctx, cancel := context.WithTimeout(ctx, w.listTimeout())
			defer cancel()
			var obj runtime.Object
			var err error
			// Streamed from the watch cache; a consistent list (resourceVersion "", after the
			// watch expired) is read from etcd, and in pages so the API builds no huge answer.
			if in.stream.streams() && o.Continue == "" && o.ResourceVersion != "" {
				obj, err = streamList(ctx, *in.stream, o, transform)
			} else {
				obj, err = pagedList(ctx, o, list, transform)
			}
			in.result(err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			open := wf
			if in.events != nil {
				open = in.events.watch
			}
			wi, err := openWatch(ctx, w.callTimeout(), o, open)
			in.result(err)
			if err == nil && transform != nil {
				wi = trimmedWatch(wi, transform)
			}
			return wi, err
		},
	}
	in.inf = cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, listsOnly{}), example,
		cache.SharedIndexInformerOptions{Indexers: idx, ObjectDescription: name})
	in.synced, in.start = in.inf.HasSynced, in.inf.Run
	// No SetTransform: every object reaches the informer through the list and watch above,
	// which trim it already (a second pass re-trimmed every pod event for nothing).
	touch := func(obj any, initial bool, count int64) {
		in.okAt.Store(time.Now().UnixNano())
		if _, ok := obj.(*Pod); ok && count != 0 {
			w.podCount.Add(count)
		}
		// The first list's adds are judged by the first round, which waits for it; but if the
		// list failed first, that round judged an empty cache and the adds must be judged now.
		w.changedObject(obj, initial, initial && !in.failedBefore())
	}
	_, _ = in.inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(o any, initial bool) { touch(o, initial, 1) },
		UpdateFunc: func(old, o any) {
			switch {
			case sameButVersion(old, o):
				in.okAt.Store(time.Now().UnixNano())
			case heartbeatOnly(old, o):
				in.okAt.Store(time.Now().UnixNano())
				w.heartbeat(o.(*corev1.Node))
			default:
				touch(o, false, 0)
			}
		},
		DeleteFunc: func(o any) {
			if d, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = d.Obj
			}
			touch(o, false, -1)
		},
	})
	_ = in.inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) { in.result(err) })
	return in
}

// listsOnly tells client-go's reflectors not to fill their caches through a watch-list stream
// (sendInitialEvents, on by default since client-go 1.35): that stream brings each pod as a
// whole decoded event, bypassing streamList's pruning, and an API whose etcd does not report
// progress (RequestWatchProgress off, as in the lab) refuses it anyway, so a site would have
// taken a path the lab never does.
type listsOnly struct{}

func (listsOnly) IsWatchListSemanticsUnSupported() bool { return true }

// listPage is how many objects one page of a first list holds.
const listPage = 2000

// pagedList lists page by page and trims each page as it comes, so the first list of 42,000
// pods is never held decoded and untrimmed at once (the reflector's own first list asks the
// watch cache at resourceVersion 0, which answers everything in one response: a one-shot check
// peaked at 500 MB, two thirds of it that response). A paged list is a consistent read; from
// Kubernetes 1.31 on the API serves it from its watch cache, if its etcd reports progress
// (else from etcd, 2× slower than one answer from the cache). Collections that can be streamed
// read that one answer item by item instead (streamList); this is the rest, and their relists.
func pagedList(ctx context.Context, o metav1.ListOptions, list listFunc, transform cache.TransformFunc) (runtime.Object, error) {
	if o.Continue != "" || transform == nil {
		return list(ctx, o)
	}
	o.Limit, o.ResourceVersion, o.ResourceVersionMatch = listPage, "", ""
	var items []runtime.RawExtension
	for {
		page, err := list(ctx, o)
		if err != nil {
			return nil, err
		}
		objs, err := meta.ExtractList(page)
		if err != nil {
			return nil, err
		}
		for _, item := range objs {
			items = append(items, runtime.RawExtension{Object: transformed(transform, item)})
		}
		lm, err := meta.ListAccessor(page)
		if err != nil {
			return nil, err
		}
		if lm.GetContinue() == "" { // a list of the objects themselves: the reflector copies a typed list's items
			return &metav1.List{ListMeta: metav1.ListMeta{ResourceVersion: lm.GetResourceVersion()}, Items: items}, nil
		}
		o.Continue = lm.GetContinue()
	}
}

// transformed is obj after transform (nil: none), or obj itself when the transform fails.
func transformed(transform cache.TransformFunc, obj runtime.Object) runtime.Object {
	if transform == nil {
		return obj
	}
	if t, err := transform(obj); err == nil {
		if ro, ok := t.(runtime.Object); ok {
			return ro
		}
	}
	return obj
}

// trimmedWatch trims every object as it arrives: a streamed first list (watch-list) is collected
// whole before the informer's queue sees it, so trimming there held 42,000 untrimmed pods at once
// (a one-shot check peaked at 540 MB). With pagedList it is the informer's only transform.
func trimmedWatch(wi watch.Interface, transform cache.TransformFunc) watch.Interface {
	return watch.Filter(wi, func(ev watch.Event) (watch.Event, bool) {
		if ev.Type == watch.Error {
			return ev, true
		}
		// Bookmarks too: the reflector checks their type (pods become *Pod), and reads the
		// annotation that ends a streamed first list, which trimming would drop.
		var keep map[string]string
		if m, err := meta.Accessor(ev.Object); err == nil && ev.Type == watch.Bookmark {
			keep = m.GetAnnotations()
		}
		ev.Object = transformed(transform, ev.Object)
		if m, err := meta.Accessor(ev.Object); err == nil && keep != nil {
			m.SetAnnotations(keep)
		}
		return ev, true
	})
}

// openWatch opens a watch, giving up when the API has not answered within timeout (a server
// that accepts the connection and never answers must not hang a reflector for ever). The
// deadline covers the opening only: the returned watch lives until it is stopped.
func openWatch(ctx context.Context, timeout time.Duration, o metav1.ListOptions, wf watchFunc) (watch.Interface, error) {
	ctx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(timeout, cancel)
	wi, err := wf(ctx, o)
	if !timer.Stop() && err != nil {
		cancel()
		return nil, fmt.Errorf("watch: no answer within %s: %w", timeout, err)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return &cancelWatch{Interface: wi, cancel: cancel}, nil
}

type cancelWatch struct {
	watch.Interface
	cancel context.CancelFunc
}

func (c *cancelWatch) Stop() { c.Interface.Stop(); c.cancel() }

// failedBefore says whether a list or watch of this collection ever failed.
func (in *informer) failedBefore() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return !in.errAt.IsZero()
}

func (in *informer) result(err error) {
	if err == nil {
		in.okAt.Store(time.Now().UnixNano())
		return
	}
	in.mu.Lock()
	in.err, in.errAt = err.Error(), time.Now()
	in.mu.Unlock()
}

func (in *informer) run() {
	in.startedAt.Store(time.Now().UnixNano())
	go in.start(in.stop)
}

// InformerHealth is the state of one watched collection.
type InformerHealth struct {
	Name      string
	Started   bool
	Synced    bool
	StartedAt time.Time
	GoodAt    time.Time // the data is known current as of then
	LastError string    // the newest error, when no success came after it
	ErrorAt   time.Time
}

// Healthy is a synced collection with no error newer than its last success.
func (h InformerHealth) Healthy() bool { return h.Synced && h.LastError == "" }

func (in *informer) health() InformerHealth {
	h := InformerHealth{Name: in.name, Synced: in.synced()}
	if n := in.startedAt.Load(); n > 0 {
		h.Started, h.StartedAt = true, time.Unix(0, n)
	}
	if n := in.okAt.Load(); n > 0 {
		h.GoodAt = time.Unix(0, n)
	}
	in.mu.Lock()
	h.LastError, h.ErrorAt = in.err, in.errAt
	denied, deniedAt := in.denied, in.deniedAt
	in.mu.Unlock()
	if !h.ErrorAt.IsZero() && h.ErrorAt.Before(h.GoodAt) {
		h.LastError = "" // recovered since
	}
	if denied != "" { // the watch may still stream, but this identity may no longer read it
		h.LastError, h.ErrorAt = denied, deniedAt
	}
	return h
}

// halt stops this informer (its resource is no longer served, or the watcher ends).
func (in *informer) halt() { in.closeOnce.Do(func() { close(in.stop) }) }
