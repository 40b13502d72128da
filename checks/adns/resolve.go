package adns

import (
	"context"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/dns"
)

// Resolver asks one DNS server one question; site/dns.Query is the real one.
type Resolver func(ctx context.Context, server, name, qtype string) (dns.Answer, error)

// servers are the addresses resolution is checked on: every slave VIP, then the master VIP.
func servers(a config.ADNS) []string {
	out := slices.Clone(a.SlaveVIPs)
	if a.MasterVIP != "" && !slices.Contains(out, a.MasterVIP) {
		out = append(out, a.MasterVIP)
	}
	return out
}

// resolver judges resolution per server (§6.2, §6.4): answer, rcode and latency of every probe
// name, and successful resolutions per minute from its own history.
type resolver struct {
	a     config.ADNS
	ask   Resolver
	every time.Duration // the check's interval: queries per round are sized from it
	now   func() time.Time

	mu      sync.Mutex
	history map[string][]round // server → recent rounds
}

type round struct {
	at        time.Time
	ok, total int
}

func (rs *resolver) addr(server string) string {
	return net.JoinHostPort(server, strconv.Itoa(rs.a.DNSPort))
}

// queriesPerRound sends enough queries that a healthy server reaches min_success_per_min at this
// check's interval (at least one per probe name).
func (rs *resolver) queriesPerRound() int {
	n := int(math.Ceil(rs.a.MinPerMin * rs.every.Minutes()))
	return max(n, len(rs.a.ProbeNames))
}

func (rs *resolver) probe(ctx context.Context, server string) checks.Finding {
	var f checks.Finding
	lv := rs.a.Latency
	q := rs.queriesPerRound()
	ok, worstRTT := 0, time.Duration(0)
	var fails []string
	seen := map[string]bool{}
	var lines []string
	dead := map[string]bool{} // no answer once: not asked again this round
	for i := range q {
		name := rs.a.ProbeNames[i%len(rs.a.ProbeNames)]
		if dead[name] {
			continue
		}
		a, err := rs.ask1(ctx, server, name, q-i)
		first := !seen[name]
		seen[name] = true
		switch {
		case err != nil:
			dead[name] = true
			if first {
				fails = append(fails, name+": no answer ("+shortErr(err)+")")
				f.Evidence = append(f.Evidence, checks.Evidence{Source: "dns @" + rs.addr(server) + ": A " + name, Excerpt: err.Error()})
			}
			continue
		case a.Rcode != "NOERROR" || len(a.Records) == 0:
			if first {
				why := a.Rcode
				if why == "NOERROR" {
					why = "no A record"
				}
				fails = append(fails, name+": "+why)
			}
		default:
			ok++
		}
		worstRTT = max(worstRTT, a.RTT)
		if first {
			f.Evidence = append(f.Evidence, checks.Evidence{Source: "dns @" + rs.addr(server) + ": A " + name,
				Excerpt: fmt.Sprintf("%s in %s\n%s", a.Rcode, a.RTT.Round(time.Microsecond), strings.Join(a.Records, "\n"))})
			lines = append(lines, fmt.Sprintf("%s → %s %s (%s)", name, a.Rcode, strings.Join(answers(a.Records), ", "), a.RTT.Round(time.Microsecond)))
		}
	}
	perMin := rs.record(server, ok, q)
	ms := float64(worstRTT.Microseconds()) / 1000
	f.Metrics = []checks.Metric{
		{Name: "latency (slowest)", Value: math.Round(ms*10) / 10, Unit: "ms", Warn: lv.Warn, Crit: lv.Crit},
		{Name: "successful resolutions", Value: math.Round(perMin*10) / 10, Unit: "/min", Warn: rs.a.MinPerMin},
		{Name: "answered", Value: float64(ok)}, {Name: "asked", Value: float64(q)},
	}
	f.Details = strings.Join(lines, "\n")
	switch {
	case len(fails) > 0:
		f.Status = checks.Crit
		f.Summary = strings.Join(fails, "; ")
		f.Details = "Resolution fails on " + server + " (§6.6.2, §6.6.4): check bind in the ADNS instance (supervisorctl status), then whether the name is registered.\n" + f.Details
	case perMin < rs.a.MinPerMin:
		f.Status = checks.Crit
		f.Summary = fmt.Sprintf("%.1f successful resolutions per minute, under %g (§6.2)", perMin, rs.a.MinPerMin)
	default:
		f.Status = checks.Judge(ms, lv.Warn, lv.Crit)
		f.Summary = fmt.Sprintf("%d names resolve in %s at most", len(seen), worstRTT.Round(time.Microsecond))
		if f.Status != checks.OK {
			f.Summary = fmt.Sprintf("slow: %s to answer (alarm line %g ms, §6.2)", worstRTT.Round(time.Millisecond), lv.Warn)
			f.Details = "Persistent slowness: network delay, or the ADNS container's CPU/memory at its limit (§6.6.5: docker stats).\n" + f.Details
		}
	}
	return f
}

// ask1 asks one question with a share of the time left, so one silent server cannot use up the
// whole round on its first question (at most 2 s, the usual resolver timeout).
func (rs *resolver) ask1(ctx context.Context, server, name string, left int) (dns.Answer, error) {
	d := 2 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl)/time.Duration(left+1))
	}
	qctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return rs.ask(qctx, rs.addr(server), name, "A")
}

// record keeps this round and returns successful resolutions per minute over the last minute of
// rounds (a first round counts for the interval it stands for).
func (rs *resolver) record(server string, ok, total int) float64 {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	now := rs.now()
	h := append(rs.history[server], round{now, ok, total})
	keep := h[:0]
	for _, r := range h {
		if now.Sub(r.at) < time.Minute {
			keep = append(keep, r)
		}
	}
	rs.history[server] = keep
	sum := 0
	for _, r := range keep {
		sum += r.ok
	}
	covered := time.Duration(len(keep)) * rs.every
	return float64(sum) / max(covered.Minutes(), rs.every.Minutes(), 1e-9)
}

func answers(records []string) []string {
	var out []string
	for _, r := range records {
		f := strings.Fields(r)
		if len(f) > 0 {
			out = append(out, f[len(f)-1])
		}
	}
	return out
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
