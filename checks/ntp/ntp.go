// Package ntp checks time synchronisation on every host over SSH (guide §3.1, §9.2): the selected
// source, offset, stratum, reach and last sync, from chrony where it runs, else from ntpd's ntpq;
// on the ops hosts (the site's NTP servers) whether their upstream servers answer.
package ntp

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Checks returns the NTP checks: ntp.sync on every host, ntp.upstream on the NTP server hosts.
func Checks(site *config.Site, r probe.Runner) []checks.Check {
	p := &prober{ntp: site.NTP, r: r, now: time.Now, tool: map[string]string{}}
	inv := probe.NewInventory(site)
	all := probe.Names(site, func(config.Host) bool { return true })
	servers := probe.Names(site, func(h config.Host) bool { return IsServer(site, h) })
	return checks.Build(site,
		checks.Def{ID: "ntp.sync", Area: "ntp", Title: "clock synchronised, offset", Targets: checks.Fixed(all), Probe: inv.OnHost(p.sync)},
		checks.Def{ID: "ntp.upstream", Area: "ntp", Title: "NTP servers reach their upstream", Targets: checks.Fixed(servers), Probe: inv.OnHost(p.upstream)},
	)
}

// IsServer tells whether a host is one of the site's NTP servers: an ops host (ops1, ops2 serve
// time to the site, §3.1) or a host whose name or address ntp.servers lists.
func IsServer(site *config.Site, h config.Host) bool {
	return h.HasRole("ops") || slices.Contains(site.NTP.Servers, h.Address) || slices.Contains(site.NTP.Servers, h.Name)
}

type prober struct {
	ntp config.NTP
	r   probe.Runner
	now func() time.Time

	mu   sync.Mutex
	tool map[string]string // host → "chrony" | "ntpq", once one answered
}

// State is what a host's time daemon says.
type State struct {
	Tool     string // chrony | ntpq
	Sources  []Source
	Tracking *Tracking // chrony only
}

// Selected returns the source the host syncs to, if any.
func (s State) Selected() (Source, bool) {
	for _, src := range s.Sources {
		if src.Selected() {
			return src, true
		}
	}
	return Source{}, false
}

// read asks chrony (CSV), and ntpq where chrony is absent or not running; the tool that answered
// is remembered per host.
func (p *prober) read(ctx context.Context, f *checks.Finding, h config.Host) (State, bool) {
	p.mu.Lock()
	tool := p.tool[h.Name]
	p.mu.Unlock()
	if tool != "ntpq" {
		res, ok := probe.Run(ctx, p.r, f, h, "chronyc", "-n", "-c", "tracking")
		if !ok {
			return State{}, false
		}
		if res.ExitCode == 0 {
			st, ok := p.readChrony(ctx, f, h, res)
			if ok {
				p.remember(h.Name, "chrony")
			}
			return st, ok
		}
		if tool == "chrony" { // it answered before: this failure is the finding
			*f = probe.ExitFailure(*f, res)
			return State{}, false
		}
	}
	res, ok := probe.Run(ctx, p.r, f, h, "ntpq", "-pn")
	if !ok {
		return State{}, false
	}
	if res.ExitCode != 0 {
		*f = probe.ExitFailure(*f, res)
		f.Summary = "neither chronyc nor ntpq answered: " + f.Error
		f.Details = "No time daemon answered on this host: it keeps no time with the site (§3.1)."
		return State{}, false
	}
	ss, err := ParseNtpq(res.Stdout)
	if err != nil {
		*f = probe.ParseFailure(*f, err)
		return State{}, false
	}
	p.remember(h.Name, "ntpq")
	return State{Tool: "ntpq", Sources: ss}, true
}

func (p *prober) readChrony(ctx context.Context, f *checks.Finding, h config.Host, tracking ssh.Result) (State, bool) {
	tr, err := ParseChronyTracking(tracking.Stdout)
	if err != nil {
		*f = probe.ParseFailure(*f, err)
		return State{}, false
	}
	res, ok := probe.RunOK(ctx, p.r, f, h, "chronyc", "-n", "-c", "sources")
	if !ok {
		return State{}, false
	}
	ss, err := ParseChronySources(res.Stdout)
	if err != nil {
		*f = probe.ParseFailure(*f, err)
		return State{}, false
	}
	return State{Tool: "chrony", Sources: ss, Tracking: &tr}, true
}

func (p *prober) remember(host, tool string) {
	p.mu.Lock()
	p.tool[host] = tool
	p.mu.Unlock()
}

func (p *prober) sync(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	st, ok := p.read(ctx, &f, h)
	if !ok {
		return f
	}
	return JudgeSync(f, st, p.ntp.Offset, p.now())
}

// JudgeSync: no selected source is crit; the offset is judged against offset_ms (§9.2: 30 ms,
// §3.1: 1 s), in absolute value.
func JudgeSync(f checks.Finding, st State, lv config.Level, now time.Time) checks.Finding {
	sel, ok := st.Selected()
	reach := 0
	for _, s := range st.Sources {
		if s.Reachable() {
			reach++
		}
	}
	f.Metrics = append(f.Metrics, checks.Metric{Name: "sources reachable", Value: float64(reach)}, checks.Metric{Name: "sources", Value: float64(len(st.Sources))})
	if !ok {
		f.Status = checks.Crit
		f.Summary = fmt.Sprintf("no selected time source (%s; %d of %d sources reachable)", st.Tool, reach, len(st.Sources))
		if st.Tracking != nil && !st.Tracking.RefTime.IsZero() {
			f.Summary += ", last synced " + probe.HumanDuration(now.Sub(st.Tracking.RefTime)) + " ago"
		}
		f.Details = "The clock runs free: check that the NTP servers answer (§3.1: blank tally or .INIT. means no answer), then sync with ntpdate -u SERVER."
		return f
	}
	offset := sel.OffsetMS
	if st.Tracking != nil {
		offset = st.Tracking.OffsetMS // how far the system clock is, not the last sample
	}
	abs := math.Abs(offset)
	f.Status = checks.Judge(abs, lv.Warn, lv.Crit)
	f.Summary = fmt.Sprintf("synced to %s (stratum %d), offset %s", sel.Address, sel.Stratum, fmtMS(offset))
	switch f.Status {
	case checks.Crit:
		f.Summary += fmt.Sprintf(", over %g ms", lv.Crit)
	case checks.Warn:
		f.Summary += fmt.Sprintf(", over %g ms", lv.Warn)
	}
	f.Metrics = append(f.Metrics,
		checks.Metric{Name: "offset", Value: round3(abs), Unit: "ms", Warn: lv.Warn, Crit: lv.Crit},
		checks.Metric{Name: "stratum", Value: float64(sel.Stratum)},
		checks.Metric{Name: "reach", Value: float64(sel.Reach)})
	if sel.LastRx != Never {
		f.Metrics = append(f.Metrics, checks.Metric{Name: "last sample", Value: sel.LastRx.Seconds(), Unit: "s"})
	}
	var lines []string
	if st.Tracking != nil && !st.Tracking.RefTime.IsZero() {
		lines = append(lines, fmt.Sprintf("last clock update %s ago (%s)", probe.HumanDuration(now.Sub(st.Tracking.RefTime)), st.Tracking.Leap))
	}
	for _, s := range st.Sources {
		lines = append(lines, fmt.Sprintf("%c %-15s stratum %2d reach %03o offset %s", tallyOrBlank(s.Tally), s.Address, s.Stratum, s.Reach, fmtMS(s.OffsetMS)))
	}
	if f.Status != checks.OK {
		lines = append([]string{fmt.Sprintf("The offset must stay under %g ms (§9.2; within 1 s on a normal day, §3.1): sync with ntpdate -u SERVER.", lv.Warn)}, lines...)
	}
	f.Details = strings.Join(lines, "\n")
	return f
}

func (p *prober) upstream(ctx context.Context, h config.Host) checks.Finding {
	var f checks.Finding
	st, ok := p.read(ctx, &f, h)
	if !ok {
		return f
	}
	return JudgeUpstream(f, st, p.ntp.Upstream)
}

// JudgeUpstream judges an NTP server's own sources: those of ntp.upstream when set, else all.
// None answering is crit (the site's time drifts with it); a single upstream is a warning: no HA
// (§3.1, 注意事项).
func JudgeUpstream(f checks.Finding, st State, upstream []string) checks.Finding {
	var ups []Source
	for _, s := range st.Sources {
		switch {
		case len(upstream) > 0:
			if slices.Contains(upstream, s.Address) {
				ups = append(ups, s)
			}
		case !strings.HasPrefix(s.Address, "LOCAL(") && s.RefID != ".LOCL.": // ntpd's local clock is no upstream
			ups = append(ups, s)
		}
	}
	var up, down []string
	for _, s := range ups {
		if s.Reachable() {
			up = append(up, s.Address)
		} else {
			down = append(down, s.Address)
		}
	}
	f.Metrics = []checks.Metric{{Name: "upstream reachable", Value: float64(len(up))}, {Name: "upstream", Value: float64(len(ups))}}
	switch {
	case len(ups) == 0:
		f.Status = checks.Crit
		f.Summary = "no upstream NTP server configured"
		if len(upstream) > 0 {
			f.Summary = "none of ntp.upstream (" + strings.Join(upstream, ", ") + ") is a source of this host"
		}
	case len(up) == 0:
		f.Status = checks.Crit
		f.Summary = "every upstream NTP server unreachable: " + strings.Join(down, ", ")
		f.Details = "The site's time follows this server: with no upstream it drifts, and etcd members out of sync can take the cluster down (§3.1)."
	case len(ups) == 1:
		f.Status = checks.Warn
		f.Summary = "a single upstream NTP server (" + up[0] + "): no HA"
		f.Details = "The guide advises against one upstream without HA (§3.1): if it dies, etcd nodes drift apart."
	case len(down) > 0:
		f.Status = checks.Warn
		f.Summary = fmt.Sprintf("%d of %d upstream servers unreachable: %s", len(down), len(ups), strings.Join(down, ", "))
	default:
		f.Status = checks.OK
		f.Summary = fmt.Sprintf("%d upstream servers reachable: %s", len(up), strings.Join(up, ", "))
	}
	return f
}

func tallyOrBlank(b byte) byte {
	if b == 0 {
		return ' '
	}
	return b
}

// fmtMS writes an offset with a sign, in ms (µs below 1 ms).
func fmtMS(ms float64) string {
	if math.Abs(ms) < 1 {
		return fmt.Sprintf("%+.1f µs", ms*1000)
	}
	return fmt.Sprintf("%+.1f ms", ms)
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
