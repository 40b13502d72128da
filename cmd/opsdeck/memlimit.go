package main

import (
	"os"
	"runtime/debug"
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
