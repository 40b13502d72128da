package main

import (
	"context"
	"os"
	"runtime/debug"
	"time"
)

// gcPercent is the collector's pace: the heap may grow by half of what is live before a
// collection, not double it (the default). The cockpit's live heap is mostly its caches (120 MB
// at 2,000 nodes / 42,000 pods) and it allocates little while nothing changes, so collections stay
// rare and resident memory stays near 1.5× the caches. A soft memory limit near the live heap was
// tried and made the collector run without pause (the limit counts every runtime byte, not only
// the live heap). GOGC and GOMEMLIMIT, when set, win.
const gcPercent = 50

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// listingGCPercent is the pace while the cockpit's first lists come in: the heap grows from
// nothing to the caches' size, and at 50 % the collector marked it again at every step (a third
// of the CPU before the first complete screen). releaseAfterSync goes back to gcPercent; a
// one-shot check keeps gcPercent throughout (its peak has a budget, its start has none).
const listingGCPercent = 150

func loosenGCWhileListing() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(listingGCPercent)
	}
}

// releaseAfterSync hands the memory of the first lists back to the system once every cache has
// synced: decoding 42,000 pods needs several times what keeping them does, and the runtime
// would otherwise return it only slowly. The collector's pace goes back to gcPercent then.
func (e *env) releaseAfterSync(ctx context.Context) {
	for _, w := range e.watchers {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		w.WaitSynced(wctx)
		cancel()
	}
	if ctx.Err() != nil || len(e.watchers) == 0 {
		tuneGC()
		return
	}
	time.Sleep(5 * time.Second) // the first round over the fresh caches
	tuneGC()
	debug.FreeOSMemory()
}
