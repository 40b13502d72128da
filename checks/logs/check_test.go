package logs

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/tail"
)

func guideLines(t *testing.T, file string) []string {
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func probe(t *testing.T, cs []checks.Check, id, target string) checks.Finding {
	for _, c := range cs {
		if c.ID == id {
			return c.Probe(context.Background(), target)
		}
	}
	t.Fatalf("no check %s", id)
	return checks.Finding{}
}

// The guide's dnsmng sample: 17 errors in 5 minutes, and a slave the masters cannot fetch from.
func TestGuideADNSLogMakesFindings(t *testing.T) {
	site := config.Defaults()
	site.Logs = []config.LogSource{{Name: "dnsmng", Format: "logrus", ErrorRate: config.Level{Warn: 2, Crit: 100}}}
	h := tail.NewHub(time.Millisecond)
	src := h.Add(tail.Source{Name: "dnsmng"}, NewParser("logrus"), 1000)
	tail.MarkUpForTest(h, src)
	h.Ingest(src, guideLines(t, "guide_adns_biz.log"), time.Now())
	cs := Checks(&site, h)

	f := probe(t, cs, "logs.errors", "dnsmng")
	if f.Status != checks.Warn || !strings.HasPrefix(f.Summary, "17 errors, 7 warnings in the last 5m0s (3.4 errors/min)") || len(f.Evidence) != 1 {
		t.Errorf("error rate: %v %q", f.Status, f.Summary)
	}
	var slaves []string
	for _, c := range cs {
		if c.ID == "logs.adns_slave" {
			slaves = c.Targets()
		}
	}
	if len(slaves) != 1 || slaves[0] != "192.**.**.23" {
		t.Fatalf("slaves %q", slaves)
	}
	f = probe(t, cs, "logs.adns_slave", "192.**.**.23")
	if f.Status != checks.Warn || !strings.Contains(f.Summary, "failed 14 times") || !strings.Contains(f.Summary, "(13 zones) from slave 192.**.**.23") {
		t.Errorf("slave: %v %q", f.Status, f.Summary)
	}
}

func TestLostStreamIsUnknownNotCrit(t *testing.T) {
	site := config.Defaults()
	h := tail.NewHub(time.Millisecond)
	src := h.Add(tail.Source{Name: "kubelet-node1", Where: "ssh node1: tail -n 200 -F /home/t4/sigma-slave/logs/KUBELET.INFO"}, nil, 10)
	tail.RecordGapForTest(h, src, time.Now(), time.Time{}, "connection refused")
	f := probe(t, Checks(&site, h), "logs.errors", "kubelet-node1")
	if f.Status != checks.Unknown || !strings.Contains(f.Summary, "stream down since") || !strings.Contains(f.Summary, "connection refused") {
		t.Errorf("%v %q", f.Status, f.Summary)
	}
}
