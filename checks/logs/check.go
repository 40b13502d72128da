package logs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/tail"
)

// Window is how far back the log checks look.
const Window = 5 * time.Minute

// Default error rates (errors or worse per minute over Window) when a source does not set its own.
var DefaultErrorRate = config.Level{Warn: 10, Crit: 60}

// SlaveFailures is how many "failed to fetch zone … from slave X" lines within Window make X warn
// (guide §6: repeated, they mean slave X is down).
const SlaveFailures = 3

// Checks returns the log checks over a running hub: error rate per source ("logs.errors"), and
// ADNS slaves the masters cannot fetch zones from ("logs.adns_slave").
func Checks(site *config.Site, hub *tail.Hub) []checks.Check {
	if hub == nil || len(hub.Sources()) == 0 {
		return nil
	}
	rates := map[string]config.Level{}
	for _, l := range site.Logs {
		rates[l.Name] = l.ErrorRate
	}
	index := func(name string) int {
		for i, s := range hub.Sources() {
			if s.Name == name {
				return i
			}
		}
		return -1
	}
	var out []checks.Check
	if iv, to, off := site.CheckSchedule("logs.errors"); !off {
		out = append(out, checks.Check{ID: "logs.errors", Area: "logs", Title: "Errors per minute in followed logs", Interval: iv, Timeout: to,
			Targets: func() []string {
				var names []string
				for _, s := range hub.Sources() {
					names = append(names, s.Name)
				}
				return names
			},
			Probe: func(_ context.Context, target string) checks.Finding {
				src := index(target)
				if src < 0 {
					return checks.Failed(fmt.Errorf("no log source %s", target))
				}
				return errorRate(hub, src, rates[target], time.Now())
			}})
	}
	if iv, to, off := site.CheckSchedule("logs.adns_slave"); !off {
		seen := &slaveSet{}
		out = append(out, checks.Check{ID: "logs.adns_slave", Area: "logs", Title: "ADNS slaves the masters cannot fetch zones from", Interval: iv, Timeout: to,
			Targets: func() []string { return seen.scan(hub, time.Now()) },
			Probe: func(_ context.Context, target string) checks.Finding {
				return slaveFinding(hub, target, time.Now())
			}})
	}
	return out
}

func errorRate(hub *tail.Hub, src int, lv config.Level, now time.Time) checks.Finding {
	if lv.Warn == 0 && lv.Crit == 0 {
		lv = DefaultErrorRate
	}
	st := hub.State(src)
	s := hub.Sources()[src]
	var f checks.Finding
	if !st.Up {
		f.Status = checks.Unknown
		f.Summary = "stream down"
		if !st.Since.IsZero() {
			f.Summary += " since " + st.Since.Format("15:04:05")
		}
		if st.Err != "" {
			f.Summary += ": " + firstLine(st.Err)
			f.Error = st.Err
		}
		f.Details = s.Where
		f.AddEvidence("stream "+s.Name+" ("+s.Where+")", []byte(st.Err))
		return f
	}
	c := hub.Counts(src, Window)
	errs := c[tail.Error] + c[tail.Fatal]
	perMin := float64(errs) / Window.Minutes()
	f.Metrics = []checks.Metric{{Name: "errors_per_min", Value: perMin, Unit: "/min", Warn: lv.Warn, Crit: lv.Crit},
		{Name: "warnings_per_min", Value: float64(c[tail.Warn]) / Window.Minutes(), Unit: "/min"}}
	f.Status = checks.Judge(perMin, lv.Warn, lv.Crit)
	f.Summary = fmt.Sprintf("%d errors, %d warnings in the last %s (%.1f errors/min)", errs, c[tail.Warn], Window, perMin)
	var ex []string
	hub.Recent(src, now.Add(-Window), func(e *tail.Entry) {
		if len(ex) < 5 && e.Kind == tail.Line && e.Level >= tail.Error {
			ex = append(ex, e.Text)
		}
	})
	slices.Reverse(ex)
	if len(ex) == 0 {
		ex = []string{fmt.Sprintf("(no error lines in the last %s; %d lines read since the stream started)", Window, st.Lines)}
	}
	f.AddEvidence("log "+s.Name+" ("+s.Where+"), latest errors", []byte(strings.Join(ex, "\n")))
	return f
}

// fetchFailed is the guide's dnsmng line naming a slave it cannot reach (§6).
var fetchFailed = regexp.MustCompile(`failed to fetch zone (\S+?)'s RRs from slave ([^\s:]+)`)

// slaveSet remembers every slave named in a failure, so one that recovers turns ok instead of
// vanishing.
type slaveSet struct {
	mu    sync.Mutex
	names []string
}

func (s *slaveSet) scan(hub *tail.Hub, now time.Time) []string {
	for src := range hub.Sources() {
		hub.Recent(src, now.Add(-Window), func(e *tail.Entry) {
			if m := fetchFailed.FindStringSubmatch(e.Text); m != nil {
				s.mu.Lock()
				if !slices.Contains(s.names, m[2]) {
					s.names = append(s.names, m[2])
				}
				s.mu.Unlock()
			}
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.names)
}

func slaveFinding(hub *tail.Hub, slave string, now time.Time) checks.Finding {
	var f checks.Finding
	n := 0
	zones := map[string]bool{}
	var ex []string
	var where []string
	for src, s := range hub.Sources() {
		hub.Recent(src, now.Add(-Window), func(e *tail.Entry) {
			if m := fetchFailed.FindStringSubmatch(e.Text); m != nil && m[2] == slave {
				n++
				zones[m[1]] = true
				if len(ex) < 3 {
					ex = append(ex, e.Text)
				}
				if !slices.Contains(where, s.Name) {
					where = append(where, s.Name)
				}
			}
		})
	}
	f.Metrics = []checks.Metric{{Name: "fetch_failures", Value: float64(n), Warn: SlaveFailures}}
	if n < SlaveFailures {
		f.Status, f.Summary = checks.OK, fmt.Sprintf("%d zone fetch failures from slave %s in the last %s", n, slave, Window)
		return f
	}
	f.Status = checks.Warn
	f.Summary = fmt.Sprintf("masters failed %d times in %s to fetch zones (%d zones) from slave %s: the slave is likely down", n, Window, len(zones), slave)
	f.Details = "Guide §6: repeated \"failed to fetch zone … from slave X\" means slave X is down. Check its supervisorctl status (bind, dnsagent) and the container."
	slices.Reverse(ex)
	f.AddEvidence("logs "+strings.Join(where, ", "), []byte(strings.Join(ex, "\n")))
	return f
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
