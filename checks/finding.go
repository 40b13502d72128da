// Package checks holds what every probe produces (Finding), the scheduler that runs probes, and
// the store that keeps the latest finding per (check, target).
package checks

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is a verdict. Order matters: it is the "worst" order used everywhere (ok < warn <
// unknown < crit), which also gives the Nagios exit code rule.
type Status int

const (
	OK Status = iota
	Warn
	Unknown
	Crit
)

var statusNames = [...]string{"ok", "warn", "unknown", "crit"}

func (s Status) String() string {
	if s < OK || s > Crit {
		return "unknown"
	}
	return statusNames[s]
}

// ParseStatus reads "ok", "warn", "crit" or "unknown".
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown status %q", s)
}

// MarshalJSON writes the status as its word.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the status word.
func (s *Status) UnmarshalJSON(b []byte) error {
	var w string
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v, err := ParseStatus(w)
	*s = v
	return err
}

// ExitCode is the Nagios plugin convention: 0 ok, 1 warn, 2 crit, 3 unknown.
func (s Status) ExitCode() int {
	switch s {
	case OK:
		return 0
	case Warn:
		return 1
	case Crit:
		return 2
	}
	return 3
}

// Metric is one measured value with the lines it was judged against (0 when not applicable).
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	Warn  float64 `json:"warn,omitempty"`
	Crit  float64 `json:"crit,omitempty"`
}

// Evidence is what was asked and a bounded excerpt of what came back.
type Evidence struct {
	Source  string `json:"source"` // e.g. "ssh node3: df -P" or "GET /api/v1/nodes"
	Excerpt string `json:"excerpt,omitempty"`
}

// MaxExcerpt bounds evidence kept per finding, so thousands of findings stay small.
const MaxExcerpt = 2048

// Finding is the latest verdict of one check on one target.
type Finding struct {
	Check      string        `json:"check"`
	Area       string        `json:"area"`
	Target     string        `json:"target"`
	Kind       string        `json:"kind,omitempty"`  // what Target names (Ref reads it)
	Guide      string        `json:"guide,omitempty"` // the guide's section the check follows
	Status     Status        `json:"status"`
	Summary    string        `json:"summary"`
	Details    string        `json:"details,omitempty"`
	Metrics    []Metric      `json:"metrics,omitempty"`
	Evidence   []Evidence    `json:"evidence,omitempty"`
	ObservedAt time.Time     `json:"observed_at"`
	Duration   time.Duration `json:"-"`
	// Error is why the probe could not tell (kept apart from the verdict).
	Error string `json:"error,omitempty"`
	// Exception is the site file's reason when a known exception turned this finding ok.
	Exception string `json:"exception,omitempty"`
}

// Key identifies the (check, target) a finding is about.
func (f Finding) Key() string { return keyOf(f.Check, f.Target) }

// keyOf is the key of (check, target): the store's, and the scheduler's for a probe out.
func keyOf(check, target string) string { return check + "\x00" + target }

// AddEvidence records a command and its output, cut to MaxExcerpt.
func (f *Finding) AddEvidence(source string, raw []byte) {
	ex := string(raw)
	if len(ex) > MaxExcerpt {
		ex = ex[:MaxExcerpt] + "\n… (cut)"
	}
	f.Evidence = append(f.Evidence, Evidence{Source: source, Excerpt: ex})
}

// Age is how old the finding is at now.
func (f Finding) Age(now time.Time) time.Duration { return now.Sub(f.ObservedAt) }

// Judge compares v against a warn/crit pair: above crit is Crit, at or above warn is Warn. The
// guide's alarm lines read "not above 90 %": exactly at the line is a warning, not an alarm.
func Judge(v, warn, crit float64) Status {
	switch {
	case crit > 0 && v > crit:
		return Crit
	case warn > 0 && v >= warn:
		return Warn
	}
	return OK
}

// Failed is a finding for a probe that could not tell.
func Failed(err error) Finding {
	return Finding{Status: Unknown, Summary: "could not check: " + err.Error(), Error: err.Error()}
}
