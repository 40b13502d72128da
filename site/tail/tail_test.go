package tail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/config"
	"opsdeck/site/tail/seek"
)

func TestRingKeepsItsLineBudget(t *testing.T) {
	r := newRing(16)
	for i := range 40 {
		r.push(Entry{Text: fmt.Sprint(i)})
	}
	if r.len() != 16 || r.lines != 16 {
		t.Fatalf("len %d lines %d", r.len(), r.lines)
	}
	if e, _ := r.at(r.first); e.Text != "24" {
		t.Errorf("oldest %q, want 24", e.Text)
	}
	for range 5 {
		r.fold("\tat frame")
	}
	if r.lines > 16 || r.len() != 11 {
		t.Errorf("after folding: %d entries, %d lines", r.len(), r.lines)
	}
	last, _ := r.last()
	if last.Text != "39" || len(last.More) != 5 {
		t.Errorf("last %q with %d folded", last.Text, len(last.More))
	}
	if _, ok := r.at(0); ok {
		t.Error("evicted seq still readable")
	}
}

func TestRingGrowsToItsBudget(t *testing.T) {
	r := newRing(5000)
	for i := range 4000 {
		r.push(Entry{Text: fmt.Sprint(i)})
	}
	for s := r.first; s < r.next; s++ {
		if e, _ := r.at(s); e.Text != fmt.Sprint(s) || e.Seq != s {
			t.Fatalf("seq %d holds %q (%d)", s, e.Text, e.Seq)
		}
	}
}

// waitFor reads the hub after each change notification until cond holds (or fails after a
// generous minute: no timing is asserted, only that it happens).
func waitFor(t *testing.T, h *Hub, what string, cond func() bool) {
	t.Helper()
	ch := h.Subscribe()
	defer h.Unsubscribe(ch)
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("never: %s", what)
		}
	}
}

func texts(h *Hub, src int) []string {
	var out []string
	h.Range(src, 0, 1<<30, func(e *Entry) {
		if e.Kind == Line {
			out = append(out, e.Text)
		}
	})
	return out
}

func TestLocalFileRotationAndTruncation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	if err := os.WriteFile(p, []byte("old1\nold2\nold3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	site := &config.Site{Logs: []config.LogSource{{Name: "app", Path: p, Lines: 2}}}
	h, err := StartAll(context.Background(), site, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	has := func(want ...string) func() bool {
		return func() bool { return strings.Join(texts(h, 0), ",") == strings.Join(want, ",") }
	}
	waitFor(t, h, "the last two lines", has("old2", "old3"))
	appendTo(t, p, "new1\n")
	waitFor(t, h, "an appended line", has("old2", "old3", "new1"))
	// logrotate's default: rename, then a new file under the old name.
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, p, "rotated1\n")
	waitFor(t, h, "the first line of the new file", has("old2", "old3", "new1", "rotated1"))
	// copytruncate: the file shrinks under the reader.
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let the reader see the size drop before the file grows again
	appendTo(t, p, "after-truncate\n")
	waitFor(t, h, "the line after truncation", has("old2", "old3", "new1", "rotated1", "after-truncate"))
	if st := h.State(0); !st.Up || st.Lines != 5 {
		t.Errorf("state %+v", st)
	}
}

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// flaky fails its first run after one line, then works: the hub records the gap.
type flaky struct{ runs chan int }

func (f flaky) run(ctx context.Context, l *link, resume bool, _ time.Time) error {
	n := <-f.runs
	if n == 0 {
		l.lines([]string{"before"})
		return errors.New("connection reset by peer")
	}
	l.lines([]string{fmt.Sprintf("after (resume=%v)", resume)})
	<-ctx.Done()
	return ctx.Err()
}

func TestBrokenStreamReconnectsAndRecordsTheGap(t *testing.T) {
	old := BackoffMin
	BackoffMin = time.Millisecond
	defer func() { BackoffMin = old }()
	h := NewHub(time.Millisecond)
	ctx := h.Start(context.Background())
	defer h.Close()
	src := h.Add(Source{Name: "x"}, nil, 100)
	runs := make(chan int, 2)
	runs <- 0
	runs <- 1
	h.wg.Add(1)
	go h.follow(ctx, src, flaky{runs})
	var kinds []string
	waitFor(t, h, "the line after the gap", func() bool {
		kinds = kinds[:0]
		h.Range(src, 0, 100, func(e *Entry) { kinds = append(kinds, fmt.Sprintf("%d:%s", e.Kind, e.Text)) })
		return len(kinds) == 4
	})
	if !strings.HasPrefix(kinds[1], "2:stream lost: connection reset") || !strings.HasPrefix(kinds[2], "1:stream lost ") ||
		!strings.Contains(kinds[2], ", resumed ") || kinds[3] != "0:after (resume=true)" {
		t.Errorf("entries: %q", kinds)
	}
}

func TestCleanNeutralisesEscapes(t *testing.T) {
	if got := Clean("ok\x1b[31mred\x1b]0;title\x07\tx\r"); got != "ok\uFFFD[31mred\uFFFD]0;title\uFFFD x" {
		t.Errorf("%q", got)
	}
	if got := Clean("中文 plain"); got != "中文 plain" {
		t.Errorf("%q", got)
	}
}

func TestLastLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("a\nbb\nccc\n"), 0o600)
	for n, want := range map[int]int64{0: 9, 1: 5, 2: 2, 3: 0, 10: 0} {
		if got, _ := seek.LastLines(p, n); got != want {
			t.Errorf("n=%d: %d, want %d", n, got, want)
		}
	}
}

func TestRolesExpandToOneSourcePerHost(t *testing.T) {
	site := &config.Site{
		Hosts: config.Hosts{Groups: []config.HostGroup{
			{Name: "nodes", Roles: []string{"node"}, Hosts: []config.HostConfig{{Name: "node1"}, {Name: "node2"}}},
			{Name: "ops", Roles: []string{"ops"}, Hosts: []config.HostConfig{{Name: "ops1"}}},
		}},
		Logs: []config.LogSource{
			{Name: "kubelet", Roles: []string{"node"}, Path: "/home/t4/sigma-slave/logs/KUBELET.INFO"},
			{Name: "gw", Path: "/x.log"},
		},
	}
	var got []string
	for _, l := range Expand(site) {
		got = append(got, l.Name+"@"+l.Host)
	}
	if strings.Join(got, " ") != "kubelet-node1@node1 kubelet-node2@node2 gw@" {
		t.Errorf("%q", got)
	}
}
