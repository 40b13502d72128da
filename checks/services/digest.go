package services

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/logs"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/tail"
)

// digest reads the newest lines of gateway-digest.log and judges the calls of the last window.
func digest(ctx context.Context, r probe.Runner, h config.Host, o config.OpenAPI, now time.Time) checks.Finding {
	var f checks.Finding
	res, ok := probe.RunOK(ctx, r, &f, h, "tail", "-n", strconv.Itoa(o.LinesOr()), o.DigestLogOr())
	if !ok {
		return f
	}
	f.Evidence[len(f.Evidence)-1].Excerpt = lastLines(string(res.Stdout), 5) // the whole read is too long to keep
	s := SummarizeDigest(string(res.Stdout), now.Add(-o.WindowOr()))
	return JudgeDigest(f, s, o.WindowOr(), o.ErrorRateOr())
}

// DigestSummary counts the gateway's calls since a time.
type DigestSummary struct {
	Calls, Failed int
	Codes         map[string]int // result codes of the failed calls
	Oldest        time.Time      // the oldest line read (the window is cut short when it is newer)
}

// SummarizeDigest reads digest lines (log4j header, then the ';' record) with the logs
// package's parser and code table, and counts those at or after since.
func SummarizeDigest(text string, since time.Time) DigestSummary {
	s := DigestSummary{Codes: map[string]int{}}
	p := logs.NewParser("gateway")
	for _, line := range strings.Split(text, "\n") {
		var e tail.Entry
		e.Text = line
		if p.Parse(line, &e) || e.Time.IsZero() {
			continue // a continuation or not a digest line
		}
		if s.Oldest.IsZero() || e.Time.Before(s.Oldest) {
			s.Oldest = e.Time
		}
		if e.Time.Before(since) {
			continue
		}
		i := strings.LastIndex(line, " - ")
		if i < 0 {
			continue
		}
		d, ok := logs.ParseDigest(line[i+3:])
		if !ok {
			continue
		}
		s.Calls++
		if !d.Success && d.Code != "OK" {
			s.Failed++
			s.Codes[d.Code]++
		}
	}
	return s
}

// TopCodes are the failed calls' codes, most frequent first.
func (s DigestSummary) TopCodes() []string {
	out := make([]string, 0, len(s.Codes))
	for c := range s.Codes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if s.Codes[out[i]] != s.Codes[out[j]] {
			return s.Codes[out[i]] > s.Codes[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// JudgeDigest: the failed share of the window's calls against error_percent; each top code is
// explained from the guide's table (§8.3.1, §8.3.2).
func JudgeDigest(f checks.Finding, s DigestSummary, window time.Duration, lv config.Level) checks.Finding {
	if s.Calls == 0 {
		f.Status = checks.OK
		f.Summary = "no calls in the last " + probe.HumanDuration(window)
		if s.Oldest.IsZero() {
			f.Summary = "no digest lines read"
			f.Status = checks.Warn
			f.Details = "gateway-digest.log holds no request line: is the gateway serving, and is this the right file (services.openapi.digest_log)?"
		}
		return f
	}
	rate := float64(s.Failed) * 100 / float64(s.Calls)
	f.Status = checks.Judge(rate, lv.Warn, lv.Crit)
	f.Metrics = append(f.Metrics,
		checks.Metric{Name: "error rate", Value: math.Round(rate*10) / 10, Unit: "%", Warn: lv.Warn, Crit: lv.Crit},
		checks.Metric{Name: "calls", Value: float64(s.Calls)}, checks.Metric{Name: "failed", Value: float64(s.Failed)})
	f.Summary = fmt.Sprintf("%.1f %% of %d calls failed in the last %s", rate, s.Calls, probe.HumanDuration(window))
	top := s.TopCodes()
	var codes, lines []string
	for i, c := range top {
		if i < 3 {
			codes = append(codes, fmt.Sprintf("%s ×%d", c, s.Codes[c]))
		}
		if i < 5 {
			lines = append(lines, fmt.Sprintf("%s ×%d: %s", c, s.Codes[c], logs.ExplainCode(c)))
		}
	}
	if len(codes) > 0 {
		f.Summary += ": " + strings.Join(codes, ", ")
	}
	f.Details = strings.Join(lines, "\n")
	return f
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
