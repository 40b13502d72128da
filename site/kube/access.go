package kube

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultAccessEvery is how often each watched collection is listed (one object) to learn
// whether this identity may still read it. RBAC is checked when a watch opens, never while it
// streams: a revoked role, or a token no longer accepted, would otherwise go unseen until the
// watch is renewed, 5–10 minutes later (seen in the soak, testdata/soak). A watcher's
// AccessEvery may be changed before Start; negative switches the probe off.
const DefaultAccessEvery = 10 * time.Second

func (w *Watcher) accessEvery() time.Duration {
	if w.AccessEvery != 0 {
		return w.AccessEvery
	}
	return DefaultAccessEvery
}

// accessLoop asks, every accessEvery, for one object of each synced collection. A refusal
// (403, 401) marks the collection unhealthy with the API's reason until a later probe is
// allowed; any other failure is left to the ping and the watches themselves.
func (w *Watcher) accessLoop(ctx context.Context) {
	every := w.accessEvery()
	if every < 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, in := range w.informers() {
			if in.list == nil || !in.synced() {
				continue // an unsynced collection reports its own list's refusal
			}
			lctx, cancel := context.WithTimeout(ctx, w.callTimeout())
			_, err := in.list(lctx, metav1.ListOptions{Limit: 1})
			cancel()
			if ctx.Err() != nil {
				return
			}
			in.access(err)
		}
	}
}

// access records the probe's answer: a refusal sets denied, an allowed list clears it.
func (in *informer) access(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case err == nil:
		in.denied = ""
	case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
		if in.denied == "" {
			in.deniedAt = time.Now()
		}
		in.denied = "access: " + err.Error()
	}
}
