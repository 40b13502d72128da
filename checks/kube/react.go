package kube

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

// Rerun runs one check on one target now and stores its finding (checks.Scheduler.RunOne). An
// error wrapping checks.ErrProbeOut says it could not yet: the target is asked again later.
type Rerun func(ctx context.Context, check, target string) error

// React makes Kubernetes findings event-driven: after an informer event (coalesced over
// every, 100 ms in the cockpit) it re-judges only what the event touched — kube.node and
// kube.allocation of the touched nodes, kube.pod of touched pods that are problems now or were
// listed — so a Node flip reaches the store within ~every, not at the next 30 s round. The
// schedule stays as the safety net (a Lease going stale has no event). It returns when ctx ends.
func React(ctx context.Context, site *config.Site, ws []*sitekube.Watcher, store *checks.Store, every time.Duration, rerun Rerun) {
	for _, w := range ws {
		c := &cluster{site: site, w: w}
		if len(ws) > 1 {
			c.prefix = w.Cluster + "/"
		}
		go c.react(ctx, store, every, rerun)
	}
}

func (c *cluster) react(ctx context.Context, store *checks.Store, every time.Duration, rerun Rerun) {
	off := map[string]bool{}
	for _, id := range []string{"kube.node", "kube.allocation", "kube.pod"} {
		_, _, off[id] = c.site.CheckSchedule(id)
	}
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	// What was touched before the lists it needs were in waits for them here. The first round
	// waits for those lists too and judges what they brought; but when its wait gave up first
	// (a 100,000-pod list slower than its bound) it judged a partial cache, and a Node flipped
	// meanwhile would wait for the next round (5 minutes for kube.allocation). So a touch that
	// waited is judged again only where that round has judged already.
	held := map[string]pending{"kube.node": {}, "kube.allocation": {}, "kube.pod": {}}
	waited := map[string]bool{}
	judgedBefore := func(id string, names []string) []string {
		if !waited[id] {
			return names
		}
		waited[id] = false
		return slices.DeleteFunc(names, func(n string) bool { return !store.Has(id, c.prefix+n) })
	}
	// A touch whose rerun found a probe of its target still out (a NotReady node's SSH look)
	// is judged again once that probe is back: the probe read the node before the touch, and
	// its verdict would stand until the next event or round (up to 40 s).
	again := make(chan string, 64)
	rerunLater := func(id, name string, err error) {
		if errors.Is(err, checks.ErrProbeOut) {
			held[id].add([]string{name})
		}
	}
	last := time.Time{}
	for {
		var retry <-chan time.Time
		if held["kube.node"].any() || held["kube.allocation"].any() || held["kube.pod"].any() {
			retry = time.After(every)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.w.Changed():
		case <-retry:
		case n := <-again:
			held["kube.node"].add([]string{n})
		}
		// Coalesce: at most one pass per period; events meanwhile join the next take.
		if wait := every - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		nodes, pods := c.w.TakeTouched()
		for id, keys := range map[string][]string{"kube.node": nodes, "kube.allocation": nodes, "kube.pod": pods} {
			if !off[id] {
				held[id].add(keys)
			}
		}
		// A judgement waits for the lists it reads (the first round judges what a first list
		// brought; a list that fails is settled too: events must not wait for it).
		nodesIn, podsIn := c.w.Settled("nodes"), c.w.Settled("pods")
		if nodesIn {
			for _, n := range judgedBefore("kube.node", held["kube.node"].take()) {
				go func() { // a NotReady node's SSH look must not hold the others
					if err := rerun(ctx, "kube.node", c.prefix+n); errors.Is(err, checks.ErrProbeOut) {
						select {
						case again <- n:
						case <-ctx.Done():
						}
					}
				}()
			}
		}
		if nodesIn && podsIn {
			for _, n := range judgedBefore("kube.allocation", held["kube.allocation"].take()) {
				rerunLater("kube.allocation", n, rerun(ctx, "kube.allocation", c.prefix+n))
			}
		}
		for _, id := range []string{"kube.node", "kube.allocation"} {
			if held[id].any() {
				waited[id] = true
			}
		}
		if !podsIn {
			continue
		}
		th := c.site.Thresholds
		for _, key := range held["kube.pod"].take() {
			target := c.prefix + key
			ns, name, _ := strings.Cut(key, "/")
			p, ok := c.w.Pod(ns, name)
			bad := false
			if ok {
				_, _, bad = PodProblem(p, last, th.PodPending.D(), th.PodTerminating.D())
			}
			if bad || store.Has("kube.pod", target) {
				rerunLater("kube.pod", key, rerun(ctx, "kube.pod", target))
			}
		}
	}
}

// pending is a set of touched names waiting to be judged.
type pending map[string]bool

func (p pending) any() bool { return len(p) > 0 }

func (p pending) add(keys []string) {
	for _, k := range keys {
		p[k] = true
	}
}

// take empties the set and returns its names in order.
func (p pending) take() []string {
	keys := slices.Sorted(maps.Keys(p))
	clear(p)
	return keys
}
