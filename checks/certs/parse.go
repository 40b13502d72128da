package certs

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// Cert is one certificate as a finding shows it.
type Cert struct {
	Where     string // where it was read: "master1:/etc/kubernetes/pki/apiserver.crt", "127.0.3.1:6443 #2"
	CN        string
	SANs      []string
	Issuer    string
	Serial    string // hex
	NotBefore time.Time
	NotAfter  time.Time
}

// FromX509 keeps what a finding shows of a certificate.
func FromX509(where string, c *x509.Certificate) Cert {
	out := Cert{Where: where, CN: c.Subject.CommonName, Issuer: c.Issuer.CommonName, Serial: hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	if out.Issuer == "" {
		out.Issuer = c.Issuer.String()
	}
	out.SANs = append(out.SANs, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out.SANs = append(out.SANs, ip.String())
	}
	return out
}

// ParsePEM reads every CERTIFICATE block of a PEM file (a chain holds several); other blocks —
// a private key beside the certificate, as in kubelet-client-current.pem — are skipped unread.
func ParsePEM(where string, b []byte) ([]Cert, error) {
	var out []Cert
	for n := 1; ; n++ {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: PEM block %d: %v", where, n, err)
		}
		out = append(out, FromX509(chainName(where, len(out)), c))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", where)
	}
	return out, nil
}

func chainName(where string, i int) string {
	if i == 0 {
		return where
	}
	return fmt.Sprintf("%s #%d", where, i+1)
}

// Line describes a certificate on one line, for details.
func (c Cert) Line(now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: CN=%s", c.Where, orDash(c.CN))
	if len(c.SANs) > 0 {
		fmt.Fprintf(&b, " SANs=%s", strings.Join(c.SANs, ","))
	}
	fmt.Fprintf(&b, " issuer=%s serial=%s notAfter=%s (%s)", orDash(c.Issuer), c.Serial, c.NotAfter.UTC().Format("2006-01-02 15:04 MST"), c.left(now))
	if now.Before(c.NotBefore) {
		fmt.Fprintf(&b, " notBefore=%s (in the future)", c.NotBefore.UTC().Format("2006-01-02 15:04 MST"))
	}
	return b.String()
}

func (c Cert) left(now time.Time) string {
	d := c.NotAfter.Sub(now)
	if d <= 0 {
		return "expired " + days(-d) + " ago"
	}
	return days(d) + " left"
}

func days(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%.0fh", d.Hours())
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sortByExpiry puts the soonest to expire first.
func sortByExpiry(cs []Cert) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].NotAfter.Before(cs[j].NotAfter) })
}

// isIP tells whether host is an address (no SNI is sent for an address).
func isIP(host string) bool { return net.ParseIP(host) != nil }
