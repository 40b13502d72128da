//go:build lab

package ssh

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"opsdeck/config"
	"opsdeck/internal/labenv"
)

// benchHosts are the lab's benchNNN hosts (LAB_EXTRA_HOSTS=193 make lab-up) plus its seven,
// and one blackholed host that accepts TCP and never answers.
func benchHosts(b *testing.B, lab *labenv.Lab) ([]config.Host, func()) {
	var hosts []config.Host
	for _, h := range lab.Site.Inventory() {
		if h.Jump == "" {
			hosts = append(hosts, h)
		}
	}
	for i := 1; i <= 250; i++ {
		addr := fmt.Sprintf("127.0.6.%d", i)
		c, err := net.DialTimeout("tcp", addr+":22", 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		hosts = append(hosts, config.Host{Name: fmt.Sprintf("bench%03d", i), Address: addr, Port: 22, User: "opslab"})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	hosts = append(hosts, config.Host{Name: "blackhole", Address: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: "opslab"})
	return hosts, func() { ln.Close() }
}

// round runs one probe on every host, 64 at a time, and counts the hosts that answered.
func round(p *Pool, hosts []config.Host) (ok int) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 64)
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if res, err := p.Run(ctx, h, "cat", "/proc/loadavg"); err == nil && res.ExitCode == 0 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok
}

func BenchmarkLabHostRound(b *testing.B) {
	lab := labenv.Load(b)
	hosts, done := benchHosts(b, lab)
	defer done()
	opts := OptionsFromSite(lab.Site)
	opts.ConnectTimeout = 2 * time.Second
	b.Logf("%d hosts (one blackholed)", len(hosts))
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			p := NewPool(opts)
			if ok := round(p, hosts); ok != len(hosts)-1 {
				b.Fatalf("%d of %d answered", ok, len(hosts)-1)
			}
			p.Close()
		}
	})
	b.Run("warm", func(b *testing.B) {
		p := NewPool(opts)
		defer p.Close()
		round(p, hosts)
		for b.Loop() {
			// The blackholed host is in backoff after the first round: it costs nothing more.
			if ok := round(p, hosts); ok != len(hosts)-1 {
				b.Fatalf("%d of %d answered", ok, len(hosts)-1)
			}
		}
	})
}
