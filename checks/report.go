package checks

import (
	"time"
)

// ReportSchema names the JSON layout of `opsdeck check -o json`; it changes only with a new name.
const ReportSchema = "opsdeck.check/v1"

// Report is one inspection round, as `opsdeck check -o json` prints it.
type Report struct {
	Schema     string        `json:"schema"`
	Site       string        `json:"site"`
	StartedAt  time.Time     `json:"started_at"`
	DurationMS int64         `json:"duration_ms"`
	Summary    Summary       `json:"summary"`
	Findings   []JSONFinding `json:"findings"`
	// Connections is the state of each SSH connection the round used.
	Connections []Connection `json:"connections,omitempty"`
}

// Connection is one host's SSH connection as the pool saw it.
type Connection struct {
	Host      string    `json:"host"`
	Connected bool      `json:"connected"`
	RTTMS     float64   `json:"rtt_ms"`
	LastError string    `json:"last_error,omitempty"`
	Since     time.Time `json:"since"`
	Failures  int       `json:"failures,omitempty"`
}

// Summary counts findings by status and gives the exit code the round ends with.
type Summary struct {
	Total    int    `json:"total"`
	OK       int    `json:"ok"`
	Warn     int    `json:"warn"`
	Crit     int    `json:"crit"`
	Unknown  int    `json:"unknown"`
	Worst    Status `json:"worst"`
	ExitCode int    `json:"exit_code"`
}

// JSONFinding is a Finding with its duration in milliseconds, as the schema documents it.
type JSONFinding struct {
	Finding
	DurationMS int64 `json:"duration_ms"`
}

// NewReport builds the report of a round from its findings (sorted worst first).
func NewReport(site string, started time.Time, took time.Duration, fs []Finding) Report {
	fs = append([]Finding(nil), fs...)
	SortWorstFirst(fs)
	r := Report{Schema: ReportSchema, Site: site, StartedAt: started, DurationMS: took.Milliseconds(), Findings: []JSONFinding{}}
	for _, f := range fs {
		r.Findings = append(r.Findings, JSONFinding{Finding: f, DurationMS: f.Duration.Milliseconds()})
		switch f.Status {
		case OK:
			r.Summary.OK++
		case Warn:
			r.Summary.Warn++
		case Crit:
			r.Summary.Crit++
		default:
			r.Summary.Unknown++
		}
	}
	r.Summary.Total = len(fs)
	r.Summary.Worst = Worst(fs)
	r.Summary.ExitCode = r.Summary.Worst.ExitCode()
	return r
}
