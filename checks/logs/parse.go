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
	// The last timestamp text and its time: a burst of lines shares its second, and parsing a
	// time is the dearest part of reading a line.
	stamp string
	at    time.Time
}

// cached parses stamp with parse unless it is the previous line's.
func (p *Parser) cached(stamp string, parse func(string) (time.Time, error)) (time.Time, bool) {
	if stamp == p.stamp {
		return p.at, true
	}
	t, err := parse(stamp)
	if err != nil {
		return time.Time{}, false
	}
	p.stamp, p.at = strings.Clone(stamp), t
	return t, true
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
		if p.parseLogrus(line, e) {
			return false
		}
	case "klog":
		if p.parseKlog(line, e) {
			return false
		}
	case "log4j", "gateway":
		if p.parseLog4j(line, e) {
			p.javaOpen = true
			return false
		}
		return p.continuation(line)
	default: // auto
		switch {
		case p.parseLog4j(line, e):
			p.javaOpen = true
			return false
		case p.parseLogrus(line, e), p.parseKlog(line, e):
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
func (p *Parser) parseLog4j(line string, e *tail.Entry) bool {
	// 0123456789012345678901234
	// 2021-06-22 00:08:29,757 …
	if len(line) < 24 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':' ||
		(line[19] != ',' && line[19] != '.') || !isDigits(line[:4]) || !isDigits(line[20:23]) {
		return false
	}
	// Fixed layout: read the digits in place (time.Parse is the dearest part of a line).
	if !isDigits(line[5:7]) || !isDigits(line[8:10]) || !isDigits(line[11:13]) || !isDigits(line[14:16]) || !isDigits(line[17:19]) {
		return false
	}
	t := time.Date(num(line[:4]), time.Month(num(line[5:7])), num(line[8:10]), num(line[11:13]), num(line[14:16]), num(line[17:19]),
		num(line[20:23])*1e6, time.Local)
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
func (p *Parser) parseLogrus(line string, e *tail.Entry) bool {
	s := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(s, `time="`) {
		return false
	}
	end := strings.IndexByte(s[6:], '"')
	if end < 0 {
		return false
	}
	if t, ok := p.cached(s[6:6+end], func(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }); ok {
		e.Time = t
	}
	if i := strings.Index(s, " level="); i >= 0 {
		w, _ := firstWord(s[i+7:])
		e.Level = levelWord(strings.Trim(w, `"`))
	}
	return true
}

// parseKlog reads klog's header: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg.
func (p *Parser) parseKlog(line string, e *tail.Entry) bool {
	// 0123456789012345678901
	// E1125 12:00:00.123456 …
	if len(line) < 22 || strings.IndexByte("IWEF", line[0]) < 0 || line[5] != ' ' || line[8] != ':' ||
		line[11] != ':' || line[14] != '.' || !isDigits(line[1:5]) || !isDigits(line[15:21]) {
		return false
	}
	if !isDigits(line[6:8]) || !isDigits(line[9:11]) || !isDigits(line[12:14]) {
		return false
	}
	t := time.Date(p.year, time.Month(num(line[1:3])), num(line[3:5]), num(line[6:8]), num(line[9:11]), num(line[12:14]),
		num(line[15:21])*1e3, time.Local)
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

// num reads a run of digits (already checked).
func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
