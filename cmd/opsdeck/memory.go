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

// releaseAfterSync hands the memory of the first lists back to the system once every cache has
// synced: decoding 42,000 pods needs several times what keeping them does, and the runtime
// would otherwise return it only slowly.
func (e *env) releaseAfterSync(ctx context.Context) {
	for _, w := range e.watchers {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		w.WaitSynced(wctx)
		cancel()
	}
	if ctx.Err() == nil && len(e.watchers) > 0 {
		time.Sleep(5 * time.Second) // the first round over the fresh caches
		debug.FreeOSMemory()
	}
}
