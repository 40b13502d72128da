package kube

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

// An API that accepts connections and never answers: every finding is unknown within one check
// timeout, saying the API does not answer (not the scheduler's "timed out").
func TestHangingAPIIsUnknownWithinTheTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	cl, err := sitekube.NewClients(&rest.Config{Host: "http://" + ln.Addr().String()}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := sitekube.NewWatcher("hung", cl, nil)
	w.PingEvery, w.CallTimeout = 500*time.Millisecond, time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	site := config.Defaults()
	site.Checks.Timeout = config.Duration(5 * time.Second)
	got := runChecks(t, Checks(&site, []*sitekube.Watcher{w}, nil), "kube.api", "kube.pods")
	for _, id := range []string{"kube.api hung", "kube.pods pods"} {
		f, ok := got[id]
		if id == "kube.pods pods" && !ok {
			continue // no target without a cache: the api finding says why
		}
		// Either the ping or the watch's own deadline says it first; both name the silence.
		if f.Status != checks.Unknown || !strings.Contains(f.Summary, "no answer within") {
			t.Errorf("%s: %s %q", id, f.Status, f.Summary)
		}
	}
}
