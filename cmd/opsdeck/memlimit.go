package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// memoryFloor is the soft memory limit below which the collector is left to its default pace:
// issue #14's budget for a 2,000-node site.
const memoryFloor = 192 << 20

// limitMemory keeps the heap close to what is live: a soft limit of the live heap plus 40 %
// (never under memoryFloor), moved every 10 s as the caches grow or shrink. A fixed limit would
// make the collector run without pause on a site whose caches alone exceed it; by default the
// heap may double before a collection. GOMEMLIMIT, when set, wins.
func limitMemory(ctx context.Context) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := func() {
		metrics.Read(sample)
		live := int64(0)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = int64(sample[0].Value.Uint64())
		}
		debug.SetMemoryLimit(max(memoryFloor, live+live*2/5))
	}
	set()
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				set()
			}
		}
	}()
}
