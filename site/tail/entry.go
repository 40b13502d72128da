// Package tail follows logs wherever the guide keeps them: local files (github.com/nxadm/tail:
// follows, reopens on rotation and truncation), files on hosts over SSH (`tail -n N -F` on a
// connection of its own), files inside containers (docker / crictl exec), supervisord program
// logs, and pod logs through the Kubernetes API. A broken stream reconnects by itself and leaves a
// gap entry saying when it was lost and when it resumed. Every stream only reads.
//
// Lines land in a bounded ring per source inside a Hub, which counts them by level and tells
// subscribers, at most once per interval, that something changed (a version bump).
package tail

import "time"

// Level is an entry's severity as its format says it; Unknown when the line does not say.
type Level int8

const (
	Unknown Level = iota
	Debug
	Info
	Warn
	Error
	Fatal
)

var levelNames = [...]string{"?", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

func (l Level) String() string {
	if l < Unknown || l > Fatal {
		return "?"
	}
	return levelNames[l]
}

// Kind tells a log line from the stream's own notes.
type Kind uint8

const (
	Line Kind = iota // a line (or an event with folded continuation lines) from the log
	Gap              // the stream was lost and resumed: lines may be missing in between
	Note             // the stream's own news: started, failed, waiting to reconnect
)

// Entry is one event of one source.
type Entry struct {
	Seq    uint64    // per source, increasing; a reader's cursor
	Source int       // index into Hub.Sources
	Kind   Kind      //
	Time   time.Time // the event's own time when the format carries one, else Recv
	Recv   time.Time // when opsdeck read it
	Level  Level
	Text   string   // the first line, control characters made visible
	More   []string // continuation lines folded into this event (stack traces)
	// Dropped counts continuation lines beyond MaxFolded that were not kept.
	Dropped int
	Note    string // an explanation in place (a gateway result code), or the gap's detail
}

// MaxFolded bounds the continuation lines kept per event; the rest are only counted.
const MaxFolded = 200

// Parser reads one source's lines. It is stateful (a stack trace belongs to the event before
// it), used by one goroutine at a time, and never drops a line: what it cannot read is kept raw.
type Parser interface {
	// Parse fills e (Text is already set, Time and Recv hold the read time) and reports whether
	// the line continues the previous event instead of starting one.
	Parse(line string, e *Entry) (continuation bool)
}

// ParserFactory makes the parser for a source's format ("" or "auto" means guess per line).
type ParserFactory func(format string) Parser

// rawParser keeps every line as it is: the fallback when no parser factory is given.
type rawParser struct{}

func (rawParser) Parse(string, *Entry) bool { return false }
