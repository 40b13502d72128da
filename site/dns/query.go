// Package dns asks DNS servers questions (miekg/dns) and measures how long they take to answer.
package dns

import (
	"context"
	"fmt"
	"net"
	"time"

	mdns "github.com/miekg/dns"
)

// Answer is what a server said about one name.
type Answer struct {
	Server  string
	Name    string
	Type    string
	Rcode   string   // NOERROR, NXDOMAIN, SERVFAIL, …
	Records []string // answer section, one record a line
	RTT     time.Duration
	// SOA is the zone's SOA from the answer or, for a name below the apex, the authority section.
	SOA *mdns.SOA
}

// Query asks server (host or host:port; port 53 by default) for name's qtype records (e.g. "A").
func Query(ctx context.Context, server, name, qtype string) (Answer, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	t, ok := mdns.StringToType[qtype]
	if !ok {
		return Answer{}, fmt.Errorf("unknown record type %q", qtype)
	}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), t)
	m.RecursionDesired = false
	c := &mdns.Client{Net: "udp", Timeout: 3 * time.Second}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
	}
	r, rtt, err := c.ExchangeContext(ctx, m, server)
	a := Answer{Server: server, Name: mdns.Fqdn(name), Type: qtype, RTT: rtt}
	if err != nil {
		return a, fmt.Errorf("%s %s @%s: %w", qtype, name, server, err)
	}
	a.Rcode = mdns.RcodeToString[r.Rcode]
	for _, rr := range r.Answer {
		a.Records = append(a.Records, rr.String())
		if soa, ok := rr.(*mdns.SOA); ok {
			a.SOA = soa
		}
	}
	for _, rr := range r.Ns {
		if soa, ok := rr.(*mdns.SOA); ok && a.SOA == nil {
			a.SOA = soa
		}
	}
	return a, nil
}
