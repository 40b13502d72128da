// Package logs reads the log formats the guide shows (log4j with folded stack traces, logrus
// key=value, klog, the OpenAPI gateway digest with its result code explained in place) and turns
// the hub's per-source error counts and known patterns into findings (area "logs").
package logs

import (
	"strings"
	"time"

	"opsdeck/site/tail"
)

// Parser reads one source's lines in a declared format, or guesses each line's format ("auto").
// It remembers whether a Java event is open, so the lines of its stack trace fold into it.
type Parser struct {
	format   string
	javaOpen bool // the last event was a log4j line: what follows without a header belongs to it
	year     int  // klog lines carry no year
}

// NewParser is the tail.ParserFactory for site/tail.
func NewParser(format string) tail.Parser {
	if format == "" {
		format = "auto"
	}
	return &Parser{format: format, year: time.Now().Year()}
}

// Parse fills e from line and says whether the line continues the previous event.
func (p *Parser) Parse(line string, e *tail.Entry) bool {
	switch p.format {
	case "raw":
		return false
	case "logrus":
		if parseLogrus(line, e) {
			return false
		}
	case "klog":
		if parseKlog(line, e, p.year) {
			return false
		}
	case "log4j", "gateway":
		if parseLog4j(line, e) {
			p.javaOpen = true
			return false
		}
		return p.continuation(line)
	default: // auto
		switch {
		case parseLog4j(line, e):
			p.javaOpen = true
			return false
		case parseLogrus(line, e), parseKlog(line, e, p.year):
			p.javaOpen = false
			return false
		}
		return p.continuation(line)
	}
	return false
}

// continuation: inside a Java event, every line without a header is part of it (exception
// message, "\tat …" frames, "Caused by: …", "... 15 more").
func (p *Parser) continuation(line string) bool {
	if p.javaOpen {
		return true
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// parseLog4j reads "2021-06-22 00:08:29,757 [ctx] ERROR logger - message" (the level may come
// right after the time or after a bracketed context). The gateway digest is such a line whose
// message is the ';'-separated record.
func parseLog4j(line string, e *tail.Entry) bool {
	// 0123456789012345678901234
	// 2021-06-22 00:08:29,757 …
	if len(line) < 24 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':' ||
		(line[19] != ',' && line[19] != '.') || !isDigits(line[:4]) || !isDigits(line[20:23]) {
		return false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.000", line[:19]+"."+line[20:23], time.Local)
	if err != nil {
		return false
	}
	e.Time = t
	rest := line[23:]
	if i := strings.IndexByte(rest, '['); i >= 0 && i < 3 {
		if j := strings.IndexByte(rest[i:], ']'); j >= 0 {
			rest = rest[i+j+1:]
		}
	}
	word, after := firstWord(rest)
	e.Level = levelWord(word)
	if logger, msg, ok := strings.Cut(after, " - "); ok && strings.TrimSpace(logger) == "GATEWAY-DIGEST" {
		explainDigest(msg, e)
	}
	return true
}

func firstWord(s string) (string, string) {
	s = strings.TrimLeft(s, " ")
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " ")
}

func levelWord(w string) tail.Level {
	switch strings.ToUpper(w) {
	case "TRACE", "DEBUG":
		return tail.Debug
	case "INFO", "NOTICE":
		return tail.Info
	case "WARN", "WARNING":
		return tail.Warn
	case "ERROR", "ERR":
		return tail.Error
	case "FATAL", "PANIC", "CRITICAL", "CRIT":
		return tail.Fatal
	}
	return tail.Unknown
}

// parseLogrus reads logrus' text format: time="2021-08-03T22:01:02+08:00" level=error msg="…"
// service=DNSDataChecker.
func parseLogrus(line string, e *tail.Entry) bool {
	s := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(s, `time="`) {
		return false
	}
	end := strings.IndexByte(s[6:], '"')
	if end < 0 {
		return false
	}
	if t, err := time.Parse(time.RFC3339Nano, s[6:6+end]); err == nil {
		e.Time = t
	}
	if i := strings.Index(s, " level="); i >= 0 {
		w, _ := firstWord(s[i+7:])
		e.Level = levelWord(strings.Trim(w, `"`))
	}
	return true
}

// parseKlog reads klog's header: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg.
func parseKlog(line string, e *tail.Entry, year int) bool {
	// 0123456789012345678901
	// E1125 12:00:00.123456 …
	if len(line) < 22 || strings.IndexByte("IWEF", line[0]) < 0 || line[5] != ' ' || line[8] != ':' ||
		line[11] != ':' || line[14] != '.' || !isDigits(line[1:5]) || !isDigits(line[15:21]) {
		return false
	}
	t, err := time.ParseInLocation("2006 0102 15:04:05.000000", itoa(year)+" "+line[1:21], time.Local)
	if err != nil {
		return false
	}
	if t.After(time.Now().Add(24 * time.Hour)) { // December's lines read in January
		t = t.AddDate(-1, 0, 0)
	}
	e.Time = t
	switch line[0] {
	case 'I':
		e.Level = tail.Info
	case 'W':
		e.Level = tail.Warn
	case 'E':
		e.Level = tail.Error
	default:
		e.Level = tail.Fatal
	}
	return true
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}
