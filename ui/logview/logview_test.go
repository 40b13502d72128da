package logview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/checks/logs"
	"opsdeck/site/tail"
)

var t0 = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

func init() { time.Local = time.UTC } // log4j and klog times are local: pin them for golden views

// demoHub holds two sources with lines in the guide's formats.
func demoHub(t testing.TB) *tail.Hub {
	h := tail.NewHub(time.Millisecond)
	adns := h.Add(tail.Source{Name: "adns-biz", Host: "ops1", Container: "adns-master", Kind: "supervisor", Path: "dnsmng"}, logs.NewParser("logrus"), 1000)
	gw := h.Add(tail.Source{Name: "gateway", Path: "/home/admin/logs/acprodapigw/gateway-digest.log"}, logs.NewParser("auto"), 1000)
	h.Ingest(adns, []string{
		`time="2026-11-26T09:00:01+08:00" level=info msg="zone sync started" service=DNSDataChecker`,
		`time="2026-11-26T09:00:03+08:00" level=error msg="failed to fetch zone lab.example.'s RRs from slave 10.10.0.23: connect: connection refused" service=DNSDataChecker`,
		`time="2026-11-26T09:00:05+08:00" level=warning msg="DNS service(port 53) on node 10.10.0.23 is found to be unavailable for 4m0s" service=DNSHealthChecker`,
	}, t0)
	h.Ingest(gw, []string{
		`2026-11-26 01:00:02,100 [/// - ] INFO  GATEWAY-DIGEST - 72fd;antcloud.gotone.ddrobot.notify;1.0;GOTONE;LTAI;WEWCXUCN;0116659020;TIMEOUT;3001;3000;false;NA;1`,
		`2026-11-26 01:00:04,000 [ - ] ERROR webshell.K8sWebshellController - 中文日志：连接超时 broken pipe`,
		`java.io.IOException: Broken pipe`,
		"\tat java.net.SocketOutputStream.socketWrite0(Native Method)",
	}, t0)
	return h
}

func newModel(t testing.TB, h *tail.Hub, w, ht int) *Model {
	m := New(Options{Hub: h, SaveDir: t.TempDir()})
	m.SetSize(w, ht)
	m.refresh()
	return m
}

// press sends keys and runs the commands they return (rebuilds, saves) to completion.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			r := []rune(k)
			msg = tea.KeyPressMsg{Code: r[0], Text: k}
		}
		_, cmd := m.Update(msg)
		for cmd != nil {
			var next tea.Cmd
			_, next = m.Update(cmd())
			cmd = next
		}
	}
}

func screen(m *Model) string { return ansi.Strip(m.View(t0.Add(5 * time.Second))) }

func checkGolden(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimSuffix(strings.TrimPrefix(want, "\n"), "\n") // the literal's own first and last newline
	if got != want {
		t.Errorf("view:\n%s\nwant:\n%s", got, want)
	}
}

func TestGoldenMergedByTime(t *testing.T) {
	m := newModel(t, demoHub(t), 100, 8)
	checkGolden(t, screen(m), `
 logs  adns-biz, gateway · 5 shown · FOLLOW
adns-biz 01:00:01.000 INF time="2026-11-26T09:00:01+08:00" level=info msg="zone sync started" servi…
gateway  01:00:02.100 ERR 2026-11-26 01:00:02,100 [/// - ] INFO  GATEWAY-DIGEST - 72fd;antcloud.got…
adns-biz 01:00:03.000 ERR time="2026-11-26T09:00:03+08:00" level=error msg="failed to fetch zone la…
gateway  01:00:04.000 ERR 2026-11-26 01:00:04,000 [ - ] ERROR webshell.K8sWebshellController - 中文…
adns-biz 01:00:05.000 WRN time="2026-11-26T09:00:05+08:00" level=warning msg="DNS service(port 53) …


`)
}

func TestViewIsExactlyItsSizeWithCJK(t *testing.T) {
	h := demoHub(t)
	for _, wrap := range []bool{false, true} {
		for _, w := range []int{20, 41, 57, 80} {
			for _, ht := range []int{1, 2, 5, 9, 30} {
				m := newModel(t, h, w, ht)
				m.wrap, m.expand = wrap, wrap
				lines := strings.Split(m.View(t0), "\n")
				if len(lines) != ht {
					t.Fatalf("w=%d h=%d wrap=%v: %d lines", w, ht, wrap, len(lines))
				}
				for _, l := range lines {
					if cw := ansi.StringWidth(l); cw > w {
						t.Errorf("w=%d h=%d wrap=%v: line %q is %d cells", w, ht, wrap, ansi.Strip(l), cw)
					}
				}
			}
		}
	}
}

func TestGoldenFilterHighlightsAndInverts(t *testing.T) {
	m := newModel(t, demoHub(t), 90, 5)
	m.stamps = false
	press(m, "/", "f", "e", "t", "c", "h", "enter")
	checkGolden(t, screen(m), `
 logs  adns-biz, gateway · 1 shown · FOLLOW · /fetch/
adns-biz ERR time="2026-11-26T09:00:03+08:00" level=error msg="failed to fetch zone lab.e…



`)
	if raw := m.View(t0); !strings.Contains(raw, hlOn+"fetch"+hlOff) {
		t.Errorf("the match is not highlighted: %q", raw)
	}
	press(m, "/", "ctrl+u")
	m.input = []rune("!zone|GATEWAY")
	press(m, "enter")
	got := screen(m)
	if !strings.Contains(got, "· 2 shown") || !strings.Contains(got, "K8sWebshellController") || strings.Contains(got, "fetch") {
		t.Errorf("inverted filter:\n%s", got)
	}
	// A bad pattern keeps the old filter and says why.
	press(m, "/", "(", "enter")
	if !m.Capturing() || !strings.Contains(screen(m), "missing closing )") {
		t.Errorf("bad regex:\n%s", screen(m))
	}
	press(m, "esc")
	if m.Capturing() || m.filterText != "!zone|GATEWAY" {
		t.Errorf("esc: capturing %v filter %q", m.Capturing(), m.filterText)
	}
}

func TestLevelFilterAndErrorJumps(t *testing.T) {
	m := newModel(t, demoHub(t), 80, 10)
	press(m, "l")
	if got := screen(m); !strings.Contains(got, "4 shown") || !strings.Contains(got, "≥WARN") || strings.Contains(got, "zone sync started") {
		t.Errorf("level ≥ warn:\n%s", got)
	}
	press(m, "l")
	if got := screen(m); !strings.Contains(got, "3 shown") || strings.Contains(got, "WRN") {
		t.Errorf("level ≥ error:\n%s", got)
	}
	press(m, "l") // back to all
	press(m, "N")
	if m.pos != 3 || m.follow {
		t.Errorf("previous error from the bottom: pos %d follow %v", m.pos, m.follow)
	}
	press(m, "N", "N") // the adns error, then the gateway's TIMEOUT digest
	if m.pos != 1 {
		t.Errorf("pos %d, want 1", m.pos)
	}
	press(m, "N")
	if !strings.Contains(m.status, "no more errors") {
		t.Errorf("status %q", m.status)
	}
	press(m, "n")
	if m.pos != 2 {
		t.Errorf("next error: pos %d", m.pos)
	}
}

func TestGoldenExpandedStackTraceAndNote(t *testing.T) {
	m := newModel(t, demoHub(t), 80, 6)
	m.stamps = false
	m.shown = []bool{false, true}
	m.applyRebuild(m.rebuild()().(rebuiltMsg))
	checkGolden(t, screen(m), `
 logs  gateway · 2 shown · FOLLOW
ERR 2026-11-26 01:00:02,100 [/// - ] INFO  GATEWAY-DIGEST - 72fd;antcloud.goton…
ERR 2026-11-26 01:00:04,000 [ - ] ERROR webshell.K8sWebshellController - 中文日…



`)
	press(m, "e")
	checkGolden(t, screen(m), `
 logs  gateway · 2 shown · FOLLOW
ERR 2026-11-26 01:00:02,100 [/// - ] INFO  GATEWAY-DIGEST - 72fd;antcloud.goton…
ERR 2026-11-26 01:00:04,000 [ - ] ERROR webshell.K8sWebshellController - 中文日…
    java.io.IOException: Broken pipe
     at java.net.SocketOutputStream.socketWrite0(Native Method)

`)
	m.SetSize(300, 4)
	press(m, "e")
	if got := screen(m); !strings.Contains(got, "⟵ TIMEOUT: call timed out: check the downstream service (downstream took 3000 ms") ||
		!strings.Contains(got, "[+2 lines, e expands]") {
		t.Errorf("note and fold count:\n%s", got)
	}
}

func TestWrapKeepsCJKWhole(t *testing.T) {
	h := tail.NewHub(time.Millisecond)
	src := h.Add(tail.Source{Name: "x"}, nil, 100)
	h.Ingest(src, []string{"日志日志日志日志日志日志"}, t0) // 24 cells
	m := newModel(t, h, 10, 4)
	m.stamps = false
	press(m, "w")
	checkGolden(t, screen(m), `
 logs  x …
    日志日
志日志日志
日志日志
`)
}

func TestGapIsShown(t *testing.T) {
	h := tail.NewHub(time.Millisecond)
	src := h.Add(tail.Source{Name: "kubelet"}, nil, 100)
	h.Ingest(src, []string{"I1126 01:00:00.000000 1 kubelet.go:1] before"}, t0)
	tail.RecordGapForTest(h, src, t0.Add(7*time.Second), t0.Add(19*time.Second), "connection lost")
	m := newModel(t, h, 100, 4)
	m.stamps = false
	checkGolden(t, screen(m), `
 logs  kubelet · 3 shown · FOLLOW
    I1126 01:00:00.000000 1 kubelet.go:1] before
── stream lost: connection lost
 stream lost 01:00:07, resumed 01:00:19: lines written in between are missing  (connection lost)`)
}

func TestSaveWritesTheShownLines(t *testing.T) {
	m := newModel(t, demoHub(t), 80, 10)
	Now = func() time.Time { return t0 }
	press(m, "/")
	m.input = []rune("Broken|fetch")
	press(m, "enter", "s")
	if !strings.HasPrefix(m.status, "saved 4 lines to ") {
		t.Fatalf("status %q", m.status)
	}
	b, err := os.ReadFile(filepath.Join(m.opts.SaveDir, "opsdeck-logs-20261126-010000.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := "adns-biz 2026-11-26T09:00:03.000+08:00 time=\"2026-11-26T09:00:03+08:00\" level=error msg=\"failed to fetch zone lab.example.'s RRs from slave 10.10.0.23: connect: connection refused\" service=DNSDataChecker\n" +
		"gateway 2026-11-26T01:00:04.000Z 2026-11-26 01:00:04,000 [ - ] ERROR webshell.K8sWebshellController - 中文日志：连接超时 broken pipe\n" +
		"java.io.IOException: Broken pipe\n at java.net.SocketOutputStream.socketWrite0(Native Method)\n"
	if string(b) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", b, want)
	}
}

func TestShowTarget(t *testing.T) {
	h := demoHub(t)
	h.Add(tail.Source{Name: "kubelet-node3", Host: "node3", Path: "/home/t4/sigma-slave/logs/KUBELET.INFO"}, nil, 10)
	h.Add(tail.Source{Name: "containerd-node3", Host: "node3", Path: "/home/t4/containerd/logs/containerd.log"}, nil, 10)
	m := newModel(t, h, 80, 5)
	for target, want := range map[string][]bool{
		"node3":                    {false, false, true, false},
		"ops1/adns-master":         {true, false, false, false},
		"ops1/adns-master/dnsmng":  {true, false, false, false},
		"ops1/adns-master/bind":    {true, false, false, false}, // no bind log: the container's logs
		"ops1":                     {true, false, false, false},
		"kube-system/etcd-master1": nil,
	} {
		ok := m.ShowTarget(target)
		if ok != (want != nil) || want != nil && strings.Join(boolStrings(m.shown), ",") != strings.Join(boolStrings(want), ",") {
			t.Errorf("%s: ok %v shown %v, want %v", target, ok, m.shown, want)
		}
	}
}

func boolStrings(bs []bool) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		if b {
			out[i] = "1"
		} else {
			out[i] = "0"
		}
	}
	return out
}

func TestPauseHoldsTheScreen(t *testing.T) {
	h := tail.NewHub(time.Millisecond)
	src := h.Add(tail.Source{Name: "x"}, nil, 100)
	h.Ingest(src, []string{"one"}, t0)
	m := newModel(t, h, 40, 4)
	press(m, "p")
	h.Ingest(src, []string{"two"}, t0)
	m.refresh()
	if strings.Contains(screen(m), "two") || !strings.Contains(screen(m), "PAUSED") {
		t.Errorf("paused:\n%s", screen(m))
	}
	press(m, "p")
	if !strings.Contains(screen(m), "two") {
		t.Errorf("resumed:\n%s", screen(m))
	}
}

func TestLiteralFiltersSkipTheRegexEngine(t *testing.T) {
	for pat, lits := range map[string]string{
		"fetch zone|cni config": "fetch zone,cni config",
		"error":                 "error",
		"err(or)?":              "",
		"(?i)error":             "",
		"a|b.c":                 "",
	} {
		p, err := compile(pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.lits, ","); got != lits {
			t.Errorf("%q: literals %q, want %q", pat, got, lits)
		}
		for _, s := range []string{"x fetch zone y", "cni configs", "ERROR", "an error", "abxc", "nothing"} {
			if p.MatchString(s) != p.re.MatchString(s) {
				t.Errorf("%q on %q: fast path disagrees with the regexp", pat, s)
			}
		}
	}
}
