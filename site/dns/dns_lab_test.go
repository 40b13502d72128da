//go:build lab

package dns

import (
	"context"
	"strings"
	"testing"

	"opsdeck/internal/labenv"
)

// The lab's bind9 master answers, and its slave answers the same from a real zone transfer.
func TestLabBind9MasterAndSlave(t *testing.T) {
	lab := labenv.Load(t)
	ctx := context.Background()
	for _, server := range append([]string{"127.0.2.1"}, lab.Site.ADNS.SlaveVIPs...) {
		a, err := Query(ctx, server, "www.lab.example", "A")
		if err != nil || a.Rcode != "NOERROR" || len(a.Records) != 1 || !strings.HasSuffix(a.Records[0], "10.10.0.80") {
			t.Errorf("%s: %+v %v", server, a, err)
		}
		if a.RTT <= 0 {
			t.Errorf("%s: no round-trip time", server)
		}
		nx, err := Query(ctx, server, "nope.lab.example", "A")
		if err != nil || nx.Rcode != "NXDOMAIN" {
			t.Errorf("%s: nonexistent name: %+v %v", server, nx, err)
		}
	}
	m, _ := Query(ctx, "127.0.2.1", "lab.example", "SOA")
	s, _ := Query(ctx, "127.0.2.2", "lab.example", "SOA")
	if len(m.Records) != 1 || len(s.Records) != 1 || m.Records[0] != s.Records[0] {
		t.Fatalf("slave SOA differs from master: %v vs %v", s.Records, m.Records)
	}
}
