package kube

import (
	"sync"
)

// PodTouches collects the pods (namespace/name) that changed since its reader last took them.
// Each reader has its own (the reactor's TakeTouched is another), so a view can follow 42,000
// pods by their changes instead of listing them all on every redraw.
type PodTouches struct {
	mu   sync.Mutex
	keys map[string]struct{}
	lost bool // more changes than it keeps: the reader must list everything again
}

// maxTouches bounds a reader that stopped reading; past it, the reader reloads.
const maxTouches = 500_000

// TrackPods registers a new reader of pod changes; it sees every change from now on.
func (w *Watcher) TrackPods() *PodTouches {
	t := &PodTouches{keys: map[string]struct{}{}}
	w.touchMu.Lock()
	w.podReaders = append(w.podReaders, t)
	w.touchMu.Unlock()
	return t
}

// Take returns the pods changed since the last Take and forgets them; lost says that some were
// dropped and everything must be read again.
func (t *PodTouches) Take() (keys []string, lost bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys = make([]string, 0, len(t.keys))
	for k := range t.keys {
		keys = append(keys, k)
	}
	clear(t.keys)
	lost, t.lost = t.lost, false
	return keys, lost
}

func (t *PodTouches) add(key string) {
	t.mu.Lock()
	if len(t.keys) < maxTouches {
		t.keys[key] = struct{}{}
	} else {
		t.lost = true
	}
	t.mu.Unlock()
}

func (w *Watcher) touchPod(p *Pod) {
	w.touchMu.Lock()
	rs := w.podReaders
	w.touchMu.Unlock()
	if len(rs) == 0 {
		return
	}
	key := p.Namespace + "/" + p.Name
	for _, r := range rs {
		r.add(key)
	}
}
