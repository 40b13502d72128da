package logview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/checks/logs"
	"opsdeck/config"
	"opsdeck/site/tail"
)

// sampleLines are lines in the demo's formats, cycled to fill files and buffers.
var sampleLines = []string{
	`time="2026-11-26T09:00:03+08:00" level=error msg="failed to fetch zone lab.example.'s RRs from slave 10.10.0.23: connect: connection refused" service=DNSDataChecker`,
	`I1126 01:44:05.392808   27059 kubelet.go:2101] "SyncLoop (PLEG): event for pod" pod="kube-system/rama-daemon-node1" event="ContainerStarted"`,
	`2026-11-26 01:00:02,100 [/// - ] INFO  GATEWAY-DIGEST - 72fd;antcloud.iam.user.query;1.0;IAM;LTAI;DEMO;0116659020;OK;31;23;true;NA;8`,
	`W1126 01:44:05.393036   27059 cni.go:239] Unable to update cni config: no networks found in /etc/cni/net.d`,
	`time="2026-11-26T09:00:01+08:00" level=info msg="zone conf drift check passed" service=DNSDataChecker`,
}

// BenchmarkIngestLocalFileFiltered: lines appended to a local file, read by the hub's follower
// (nxadm/tail), parsed, and taken into a pane whose regex filter is active. ns/op is per line.
func BenchmarkIngestLocalFileFiltered(b *testing.B) {
	p := filepath.Join(b.TempDir(), "app.log")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	site := &config.Site{Logs: []config.LogSource{{Name: "app", Path: p, Lines: -1, Buffer: 2_000_000}}}
	h, err := tail.StartAll(context.Background(), site, tail.Options{Parsers: logs.NewParser})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	m := New(Options{Hub: h})
	m.filter.re, _ = compile(`fetch zone|cni config`)
	var data strings.Builder
	for i := range b.N {
		data.WriteString(sampleLines[i%len(sampleLines)])
		data.WriteByte('\n')
	}
	for h.State(0).Entries == 0 && !h.State(0).Up { // the follower is watching
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	f.WriteString(data.String())
	f.Close()
	for h.State(0).Lines < uint64(b.N) {
		m.refresh()
		time.Sleep(time.Millisecond)
	}
	for m.refresh() != nil {
	}
	m.refresh()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	want := 0
	for i := range b.N {
		if s := sampleLines[i%len(sampleLines)]; strings.Contains(s, "fetch zone") || strings.Contains(s, "cni config") {
			want++
		}
	}
	if len(m.live()) != want {
		b.Fatalf("%d shown, want %d", len(m.live()), want)
	}
}

// BenchmarkFrame is one 160×48 frame with n lines buffered (follow mode, two sources merged).
// 10 lines fill 10 rows; from 1,000 on the screen is full and the cost must stay flat.
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{10, 1_000, 1_000_000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			h := tail.NewHub(time.Millisecond)
			a := h.Add(tail.Source{Name: "dnsmng-ops1"}, logs.NewParser("auto"), n)
			c := h.Add(tail.Source{Name: "kubelet-node1"}, logs.NewParser("auto"), n)
			t := time.Now()
			batch := make([]string, 0, 10_000)
			for i := 0; i < n; {
				batch = batch[:0]
				for ; len(batch) < cap(batch) && i < n; i++ {
					batch = append(batch, sampleLines[i%len(sampleLines)])
				}
				h.Ingest([]int{a, c}[i%2], batch, t)
			}
			m := New(Options{Hub: h})
			m.SetSize(160, 48)
			for m.refresh() != nil {
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View(t)
			}
		})
	}
}
