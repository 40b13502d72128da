package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"time"
)

// startProfile writes a CPU profile to $OPSDECK_CPUPROFILE while the process runs (for `make
// bench-screen` investigations: the cockpit measured from outside, profiled from inside).
func startProfile() (stop func()) {
	startTrace()
	heap := os.Getenv("OPSDECK_MEMPROFILE") // the heap in use when the process ends
	// OPSDECK_MEMPROFILE_RATE=4096 samples an allocation every 4 kB instead of 512 kB: an idle
	// cockpit allocates too little in 30 s for the default to say where.
	if rate, err := strconv.Atoi(os.Getenv("OPSDECK_MEMPROFILE_RATE")); err == nil && rate > 0 {
		runtime.MemProfileRate = rate
	}
	path := os.Getenv("OPSDECK_CPUPROFILE")
	if path == "" {
		return func() { writeHeap(heap) }
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	// OPSDECK_CPUPROFILE_AFTER=30s leaves the start-up out (the first lists, the first round).
	after, _ := time.ParseDuration(os.Getenv("OPSDECK_CPUPROFILE_AFTER"))
	started := make(chan bool, 1)
	go func() {
		time.Sleep(after)
		if heap != "" && after > 0 { // allocations since then: go tool pprof -diff_base X.start X
			writeHeap(heap + ".start")
		}
		started <- pprof.StartCPUProfile(f) == nil
	}()
	return func() {
		writeHeap(heap)
		select {
		case ok := <-started:
			if ok {
				pprof.StopCPUProfile()
			}
		default:
		}
		f.Close()
	}
}

func writeHeap(path string) {
	if path == "" {
		return
	}
	if f, err := os.Create(path); err == nil {
		runtime.GC()
		_ = pprof.WriteHeapProfile(f)
		f.Close()
	}
}

// startTrace writes an execution trace to $OPSDECK_TRACE for $OPSDECK_TRACE_FOR (10 s), from
// $OPSDECK_CPUPROFILE_AFTER on: what wakes an idle cockpit, where a key's frame waits
// (go tool trace).
func startTrace() {
	path := os.Getenv("OPSDECK_TRACE")
	if path == "" {
		return
	}
	after, _ := time.ParseDuration(os.Getenv("OPSDECK_CPUPROFILE_AFTER"))
	span, err := time.ParseDuration(os.Getenv("OPSDECK_TRACE_FOR"))
	if err != nil || span <= 0 {
		span = 10 * time.Second
	}
	go func() {
		time.Sleep(after)
		f, err := os.Create(path)
		if err != nil {
			return
		}
		defer f.Close()
		if trace.Start(f) != nil {
			return
		}
		time.Sleep(span)
		trace.Stop()
	}()
}
