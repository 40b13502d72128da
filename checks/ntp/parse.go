package ntp

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Source is one time source of a host, from chrony or ntpd, in ntpq's terms.
type Source struct {
	Tally   byte   // ntpq's tally code: '*' selected, '+' candidate, '-' outlier, 'x' falseticker, '#', 'o', '.', ' ' (no answer)
	Address string // as printed (-n: an address; ntpq may print a cut name)
	RefID   string // ntpq only: the source's own reference, ".INIT." when it never reached one
	Stratum int
	Reach   uint8         // the last eight polls, a bit each (printed in octal)
	Poll    time.Duration // polling interval
	// LastRx is how long ago the last sample came (chrony's LastRx, ntpq's when); Never when none.
	LastRx   time.Duration
	OffsetMS float64
}

// Never is LastRx for a source that never answered.
const Never = time.Duration(math.MaxInt64)

// Selected tells whether the host syncs to this source now (ntpq '*' or 'o').
func (s Source) Selected() bool { return s.Tally == '*' || s.Tally == 'o' }

// Reachable tells whether any of the last eight polls was answered (and ntpd has a refid).
func (s Source) Reachable() bool { return s.Reach != 0 && s.RefID != ".INIT." }

// chronyStates maps chronyc's source state to ntpq's tally code.
var chronyStates = map[string]byte{"*": '*', "+": '+', "-": '-', "x": 'x', "~": '-', "?": ' '}

// ParseChronySources reads `chronyc -n -c sources`: mode,state,address,stratum,poll (log2 s),
// reach (octal),lastRx (s; 4294967295 never),adjusted offset,measured offset,error (seconds).
func ParseChronySources(b []byte) ([]Source, error) {
	var out []Source
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 10 {
			return nil, fmt.Errorf("chronyc sources line %d: want 10 fields, got %d: %q", n, len(f), line)
		}
		tally, ok := chronyStates[f[1]]
		if !ok {
			return nil, fmt.Errorf("chronyc sources line %d: unknown state %q", n, f[1])
		}
		st, err1 := strconv.Atoi(f[3])
		poll, err2 := strconv.Atoi(f[4])
		reach, err3 := strconv.ParseUint(f[5], 8, 8)
		last, err4 := strconv.ParseUint(f[6], 10, 64)
		off, err5 := strconv.ParseFloat(f[7], 64)
		if err := firstErr(err1, err2, err3, err4, err5); err != nil {
			return nil, fmt.Errorf("chronyc sources line %d: %q: %v", n, line, err)
		}
		s := Source{Tally: tally, Address: f[2], Stratum: st, Reach: uint8(reach), OffsetMS: off * 1000,
			Poll: time.Duration(math.Pow(2, float64(poll)) * float64(time.Second)), LastRx: Never}
		if last != math.MaxUint32 {
			s.LastRx = time.Duration(last) * time.Second
		}
		out = append(out, s)
	}
	return out, nil
}

// Tracking is chrony's view of the system clock (`chronyc -n -c tracking`).
type Tracking struct {
	RefID    string // hex; 00000000 when never synchronised
	RefName  string
	Stratum  int
	RefTime  time.Time // last update of the clock from a source (zero when never)
	OffsetMS float64   // the system clock's offset from NTP time (positive: fast)
	Leap     string    // Normal, Insert second, Delete second, Not synchronised
}

// Synced tells whether chrony has a reference.
func (t Tracking) Synced() bool { return t.Leap != "Not synchronised" && t.RefID != "00000000" }

// ParseChronyTracking reads `chronyc -n -c tracking`: refid,name,stratum,ref time (epoch),system
// time offset (s),last offset,rms offset,frequency,residual,skew,root delay,root dispersion,
// update interval,leap status.
func ParseChronyTracking(b []byte) (Tracking, error) {
	line := strings.TrimSpace(string(b))
	f := strings.Split(line, ",")
	if len(f) != 14 {
		return Tracking{}, fmt.Errorf("chronyc tracking: want 14 fields, got %d: %q", len(f), line)
	}
	st, err1 := strconv.Atoi(f[2])
	ref, err2 := strconv.ParseFloat(f[3], 64)
	off, err3 := strconv.ParseFloat(f[4], 64)
	if err := firstErr(err1, err2, err3); err != nil {
		return Tracking{}, fmt.Errorf("chronyc tracking: %q: %v", line, err)
	}
	t := Tracking{RefID: f[0], RefName: f[1], Stratum: st, OffsetMS: off * 1000, Leap: f[13]}
	if ref > 0 {
		sec := math.Floor(ref)
		t.RefTime = time.Unix(int64(sec), int64((ref-sec)*1e9))
	}
	return t, nil
}

// ParseNtpq reads `ntpq -pn` (or -p): a header, a rule of '=', then one line per peer whose first
// character is the tally code. A remote too long for its column is printed alone and the rest
// of the peer follows on the next line.
func ParseNtpq(b []byte) ([]Source, error) {
	var out []Source
	sc := bufio.NewScanner(bytes.NewReader(b))
	seenRule := false
	pending := "" // a wrapped remote (tally included) waiting for its values
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t")
		switch {
		case line == "":
			continue
		case !seenRule:
			seenRule = strings.HasPrefix(line, "===")
			if !seenRule && !strings.Contains(line, "remote") {
				return nil, fmt.Errorf("ntpq line %d: unexpected header %q", n, line)
			}
			continue
		}
		f := strings.Fields(line[1:])
		if pending != "" {
			if len(f) != 9 || line[0] != ' ' {
				return nil, fmt.Errorf("ntpq line %d: %q should continue %q", n, line, strings.TrimSpace(pending))
			}
			line, f = pending, append([]string{strings.TrimSpace(pending[1:])}, f...)
			pending = ""
		} else if len(f) == 1 {
			pending = line
			continue
		}
		if len(f) != 10 {
			return nil, fmt.Errorf("ntpq line %d: want 10 columns, got %d: %q", n, len(f), line)
		}
		s, err := ntpqPeer(line[0], f)
		if err != nil {
			return nil, fmt.Errorf("ntpq line %d: %q: %v", n, line, err)
		}
		out = append(out, s)
	}
	if !seenRule {
		return nil, fmt.Errorf("ntpq: no peer table")
	}
	if pending != "" {
		return nil, fmt.Errorf("ntpq: %q has no values", strings.TrimSpace(pending))
	}
	return out, nil
}

const ntpqTallies = " x.-+#*o"

// ntpqPeer reads remote refid st t when poll reach delay offset jitter.
func ntpqPeer(tally byte, f []string) (Source, error) {
	if strings.IndexByte(ntpqTallies, tally) < 0 {
		return Source{}, fmt.Errorf("unknown tally code %q", tally)
	}
	st, err1 := strconv.Atoi(f[2])
	when, err2 := ntpqInterval(f[4])
	poll, err3 := ntpqInterval(f[5])
	reach, err4 := strconv.ParseUint(f[6], 8, 8)
	off, err5 := strconv.ParseFloat(f[8], 64)
	if err := firstErr(err1, err2, err3, err4, err5); err != nil {
		return Source{}, err
	}
	return Source{Tally: tally, Address: f[0], RefID: f[1], Stratum: st, Reach: uint8(reach), Poll: poll, LastRx: when, OffsetMS: off}, nil
}

// ntpqInterval reads when/poll: seconds, or with an m, h or d suffix; "-" is never.
func ntpqInterval(s string) (time.Duration, error) {
	if s == "-" {
		return Never, nil
	}
	unit := time.Second
	switch s[len(s)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	}
	if unit != time.Second {
		s = s[:len(s)-1]
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not an interval", s)
	}
	return time.Duration(v) * unit, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
