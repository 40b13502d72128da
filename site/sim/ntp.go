package sim

import (
	"fmt"
	"strings"
	"time"
)

// NTPState is a simulated host's time daemon: chrony (chronyc answers) or ntpd (ntpq answers),
// its sources, and the clock's offset (HostState.ClockOffset, which ntpdate resets).
type NTPState struct {
	Daemon  string // "chrony", "ntpd" or "" (none runs)
	Sources []NTPSource
}

// NTPSource is one configured server of a host's time daemon.
type NTPSource struct {
	Address  string
	Stratum  int
	Down     bool // never answers (ntpq: .INIT., reach 0)
	Selected bool
}

func init() {
	commands["chronyc"] = chronyc
	commands["ntpq"] = ntpq
}

func chronyc(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	if st.NTP.Daemon != "chrony" {
		return "", "506 Cannot talk to daemon\n", 1
	}
	args := strings.Join(argv[1:], " ")
	sel, ok := st.NTP.selected()
	off := st.ClockOffset.Seconds()
	switch args {
	case "-n -c tracking":
		if !ok {
			return fmt.Sprintf("00000000,,0,0.000000000,%.9f,0.000000000,0.000000000,-0.185,0.000,0.000,1.000000000,1.000000000,0.0,Not synchronised\n", off), "", 0
		}
		var ip [4]int
		fmt.Sscanf(sel.Address, "%d.%d.%d.%d", &ip[0], &ip[1], &ip[2], &ip[3])
		ref := now.Add(-32 * time.Second)
		return fmt.Sprintf("%02X%02X%02X%02X,%s,%d,%d.%09d,%.9f,%.9f,0.000001308,2.353,0.000,0.170,0.000415408,0.000071479,64.3,Normal\n",
			ip[0], ip[1], ip[2], ip[3], sel.Address, sel.Stratum+1, ref.Unix(), ref.Nanosecond(), off, off/4), "", 0
	case "-n -c sources":
		var b strings.Builder
		for _, s := range st.NTP.Sources {
			state, reach, last := "+", "377", "31"
			if s.Selected {
				state = "*"
			}
			if s.Down {
				state, reach, last = "?", "0", "4294967295"
			}
			fmt.Fprintf(&b, "^,%s,%s,%d,6,%s,%s,%.9f,%.9f,0.000104851\n", state, s.Address, s.Stratum, reach, last, -off, -off)
		}
		return b.String(), "", 0
	case "makestep":
		st.ClockOffset = 0
		return "200 OK\n", "", 0
	}
	return "", "sim: chronyc -n -c tracking | -n -c sources | makestep\n", 1
}

func ntpq(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
	if st.NTP.Daemon != "ntpd" {
		return "", "sh: 1: ntpq: not found\n", 127
	}
	if len(argv) != 2 || argv[1] != "-pn" {
		return "", "sim: only ntpq -pn is emulated\n", 1
	}
	var b strings.Builder
	b.WriteString("     remote           refid      st t when poll reach   delay   offset  jitter\n")
	b.WriteString("==============================================================================\n")
	b.WriteString(" 127.127.1.0     .LOCL.          10 l  66d   64    0    0.000    0.000   0.000\n")
	for _, s := range st.NTP.Sources {
		if s.Down {
			fmt.Fprintf(&b, " %-15s .INIT.          16 u    - 1024    0    0.000    0.000   0.000\n", s.Address)
			continue
		}
		tally := '+'
		if s.Selected {
			tally = '*'
		}
		fmt.Fprintf(&b, "%c%-15s 202.112.29.82    %d u   37   64  377    0.412  %7.3f   0.087\n", tally, s.Address, s.Stratum, -float64(st.ClockOffset)/float64(time.Millisecond))
	}
	return b.String(), "", 0
}

func (n NTPState) selected() (NTPSource, bool) {
	for _, s := range n.Sources {
		if s.Selected && !s.Down {
			return s, true
		}
	}
	return NTPSource{}, false
}

// demoNTP gives the scenario's hosts their time daemons: ntpd on the ops hosts (the site's NTP
// servers, synced to two upstream servers), chrony on the nodes (synced to ops1 and ops2);
// node6's clock is 45 ms off (over §9.2's 30 ms).
func demoNTP(sc *Scenario) {
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		if h.Name == "ops1" || h.Name == "ops2" {
			h.State.NTP = NTPState{Daemon: "ntpd", Sources: []NTPSource{
				{Address: "10.1.1.1", Stratum: 2, Selected: true}, {Address: "10.1.1.2", Stratum: 2}}}
			h.State.ClockOffset = 120 * time.Microsecond
			continue
		}
		h.State.NTP = NTPState{Daemon: "chrony", Sources: []NTPSource{
			{Address: "10.10.0.11", Stratum: 3, Selected: true}, {Address: "10.10.0.12", Stratum: 3}}}
		h.State.ClockOffset = time.Duration(i*37) * time.Microsecond
		if h.Name == "node6" {
			h.State.ClockOffset = 45 * time.Millisecond
		}
	}
}

// outageNTP: ops2 lost both upstream servers (nothing answers it: .INIT.).
func outageNTP(sc *Scenario) {
	for i := range sc.Hosts {
		if h := &sc.Hosts[i]; h.Name == "ops2" {
			h.State.NTP.Sources = []NTPSource{{Address: "10.1.1.1", Down: true}, {Address: "10.1.1.2", Down: true}}
		}
	}
}
