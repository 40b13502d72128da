package logs

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"opsdeck/site/tail"
)

// feed parses a file line by line the way the hub does, folding continuations.
func feed(t *testing.T, file, format string) []tail.Entry {
	t.Helper()
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := NewParser(format)
	var out []tail.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	recv := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	for sc.Scan() {
		e := tail.Entry{Text: tail.Clean(sc.Text()), Time: recv, Recv: recv}
		if p.Parse(e.Text, &e) && len(out) > 0 {
			out[len(out)-1].More = append(out[len(out)-1].More, e.Text)
			continue
		}
		out = append(out, e)
	}
	return out
}

func TestLog4jFoldsStackTraces(t *testing.T) {
	for _, format := range []string{"auto", "log4j"} {
		es := feed(t, "guide_common_error.log", format)
		if len(es) != 2 {
			t.Fatalf("%s: %d events, want 2 (each with its trace folded)", format, len(es))
		}
		if es[0].Level != tail.Error || len(es[0].More) != 1 || es[0].More[0] != "java.lang.NullPointerException: null" {
			t.Errorf("%s: event 1 = %v %q", format, es[0].Level, es[0].More)
		}
		want := time.Date(2021, 6, 22, 2, 11, 9, 360e6, time.Local)
		if !es[1].Time.Equal(want) || es[1].Level != tail.Error || len(es[1].More) != 26 {
			t.Errorf("%s: event 2 at %s, %v, %d folded lines (want %s, ERROR, 26)", format, es[1].Time, es[1].Level, len(es[1].More), want)
		}
		if last := es[1].More[len(es[1].More)-1]; !strings.Contains(last, "BioServletOutputStream.doWrite") {
			t.Errorf("%s: last folded line %q", format, last)
		}
	}
}

func TestLogrusLevelsAndTimes(t *testing.T) {
	es := feed(t, "guide_adns_biz.log", "auto")
	if len(es) != 37 {
		t.Fatalf("%d events, want 37", len(es))
	}
	counts := map[tail.Level]int{}
	for _, e := range es {
		counts[e.Level]++
		if len(e.More) > 0 {
			t.Errorf("logrus lines never fold: %q", e.Text)
		}
	}
	if counts[tail.Error] != 17 || counts[tail.Warn] != 7 || counts[tail.Info] != 13 {
		t.Errorf("levels %v", counts)
	}
	want := time.Date(2021, 8, 2, 5, 4, 56, 0, time.UTC)
	if !es[0].Time.Equal(want) {
		t.Errorf("time %s, want %s", es[0].Time, want)
	}
}

func TestKlog(t *testing.T) {
	es := feed(t, "klog_library.log", "auto")
	want := []tail.Level{tail.Info, tail.Info, tail.Warn, tail.Error, tail.Error}
	if len(es) != len(want) {
		t.Fatalf("%d events", len(es))
	}
	for i, e := range es {
		if e.Level != want[i] {
			t.Errorf("line %d: %v, want %v", i, e.Level, want[i])
		}
		if e.Time.Month() != 11 || e.Time.Day() != 26 || e.Time.Hour() != 1 || e.Time.Minute() != 44 {
			t.Errorf("line %d: time %s", i, e.Time)
		}
	}
}

func TestGatewayDigestExplainsItsCode(t *testing.T) {
	es := feed(t, "guide_gateway_digest.log", "gateway")
	if len(es) != 1 {
		t.Fatalf("%d events", len(es))
	}
	e := es[0]
	if e.Level != tail.Error || !strings.HasPrefix(e.Note, "CALL_REQUEST_ERROR: not in the guide's result code list") ||
		!strings.Contains(e.Note, "downstream took 39 ms") {
		t.Errorf("level %v note %q", e.Level, e.Note)
	}
	d, ok := ParseDigest(strings.SplitN(e.Text, " - ", 2)[1])
	if !ok || d.API != "antcloud.gotone.ddrobot.notify" || d.Product != "GOTONE" || d.Code != "CALL_REQUEST_ERROR" || d.Success || d.GatewayMS != "8" {
		t.Errorf("digest %+v", d)
	}
	line := strings.Replace(e.Text, "CALL_REQUEST_ERROR;47;39", "OVER_RATE_LIMIT;3;0", 1)
	var e2 tail.Entry
	NewParser("auto").Parse(line, &e2)
	if e2.Level != tail.Warn || e2.Note != "OVER_RATE_LIMIT: over the gateway's rate limit quota" {
		t.Errorf("rate limited: %v %q", e2.Level, e2.Note)
	}
}

// A line no parser knows is kept raw: it is its own event, level unknown, never dropped.
func TestUnknownLinesAreKept(t *testing.T) {
	p := NewParser("auto")
	for _, l := range []string{"Server listening on 127.0.0.1 port 22.", "", "中文日志 没有时间"} {
		var e tail.Entry
		if p.Parse(l, &e) || e.Level != tail.Unknown {
			t.Errorf("%q: folded or got level %v", l, e.Level)
		}
	}
}
