package sim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"

	"opsdeck/config"
)

// DNSState is what a simulated ADNS host holds of the DNS service: the VIPs keepalived bound on it.
type DNSState struct {
	VIPs []string
}

// The demo's VIPs are loopback addresses, so its bind stand-ins can really listen on them.
const (
	demoMasterVIP = "127.0.53.100"
	demoSlaveVIP  = "127.0.53.101"
	demoZone      = "demo.example."
)

// ADNSService is the demo's ADNS seen from the network: bind answering zone demo.example on the
// master and slave VIPs (miekg/dns on one UDP port), and dnsmng's GET /ha/hastate on the master VIP.
// Tests and scenarios change it through its fields under Update.
type ADNSService struct {
	mu           sync.Mutex
	MasterSerial uint32
	SlaveSerial  uint32        // behind the master: a zone transfer did not happen
	SlaveDelay   time.Duration // added before the slave answers
	Hastate      string        // the body dnsmng answers ("unavailable": no database)
	SlaveDown    bool          // the slave's bind does not answer

	servers []*mdns.Server
	http    *http.Server
}

// Update changes the service's behaviour under its lock.
func (a *ADNSService) Update(f func(*ADNSService)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

var demoRecords = map[string]string{"iam." + demoZone: "10.10.0.81", "www." + demoZone: "10.10.0.80", "api." + demoZone: "10.10.0.82"}

func (a *ADNSService) handler(slave bool) mdns.HandlerFunc {
	return func(w mdns.ResponseWriter, req *mdns.Msg) {
		a.mu.Lock()
		serial, delay, down := a.MasterSerial, time.Duration(0), false
		if slave {
			serial, delay, down = a.SlaveSerial, a.SlaveDelay, a.SlaveDown
		}
		a.mu.Unlock()
		if down {
			return // no answer: the client times out
		}
		time.Sleep(delay)
		m := new(mdns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		soa := &mdns.SOA{Hdr: mdns.RR_Header{Name: demoZone, Rrtype: mdns.TypeSOA, Class: mdns.ClassINET, Ttl: 300},
			Ns: "ns1." + demoZone, Mbox: "hostmaster." + demoZone, Serial: serial, Refresh: 60, Retry: 60, Expire: 86400, Minttl: 60}
		if len(req.Question) == 1 {
			q := req.Question[0]
			name := strings.ToLower(q.Name)
			addr, known := demoRecords[name]
			switch {
			case !mdns.IsSubDomain(demoZone, name):
				m.Rcode = mdns.RcodeRefused
			case name == demoZone && q.Qtype == mdns.TypeSOA:
				m.Answer = append(m.Answer, soa)
			case known && q.Qtype == mdns.TypeA:
				m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 300}, A: net.ParseIP(addr)})
			case known || name == demoZone:
				m.Ns = append(m.Ns, soa) // NODATA
			default:
				m.Rcode = mdns.RcodeNameError
				m.Ns = append(m.Ns, soa)
			}
		}
		_ = w.WriteMsg(m)
	}
}

// startADNS serves bind on both VIPs (one port, tried until free on both) and dnsmng on the master VIP.
func startADNS(site *config.Site, sc Scenario) (*ADNSService, error) {
	a := &ADNSService{MasterSerial: 2026112503, SlaveSerial: 2026112503, Hastate: "10.10.0.21"}
	if sc.ADNS.SlaveSerialBehind > 0 {
		a.SlaveSerial -= uint32(sc.ADNS.SlaveSerialBehind)
	}
	if sc.ADNS.HastateUnavailable {
		a.Hastate = "unavailable"
	}
	var err error
	for range 10 {
		var pcs []net.PacketConn
		pcs, err = listenSamePort(demoSlaveVIP, demoMasterVIP)
		if err != nil {
			continue
		}
		for i, pc := range pcs {
			srv := &mdns.Server{PacketConn: pc, Handler: a.handler(i == 0)}
			a.servers = append(a.servers, srv)
			go srv.ActivateAndServe()
		}
		site.ADNS.DNSPort = pcs[0].LocalAddr().(*net.UDPAddr).Port
		break
	}
	if err != nil {
		return nil, fmt.Errorf("demo DNS: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(demoMasterVIP, "0"))
	if err != nil {
		a.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ha/hastate", func(w http.ResponseWriter, _ *http.Request) {
		a.mu.Lock()
		body := a.Hastate
		a.mu.Unlock()
		fmt.Fprintln(w, body)
	})
	a.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go a.http.Serve(ln)
	site.ADNS.APIPort = ln.Addr().(*net.TCPAddr).Port
	return a, nil
}

func listenSamePort(first string, others ...string) ([]net.PacketConn, error) {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(first, "0"))
	if err != nil {
		return nil, err
	}
	out := []net.PacketConn{pc}
	port := strconv.Itoa(pc.LocalAddr().(*net.UDPAddr).Port)
	for _, o := range others {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(o, port))
		if err != nil {
			for _, c := range out {
				c.Close()
			}
			return nil, err
		}
		out = append(out, pc)
	}
	return out, nil
}

// Close stops the DNS servers and dnsmng.
func (a *ADNSService) Close() {
	if a == nil {
		return
	}
	for _, s := range a.servers {
		_ = s.Shutdown()
	}
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.http.Shutdown(ctx)
	}
}

// ADNSScenario is a scenario's DNS trouble.
type ADNSScenario struct {
	SlaveSerialBehind  int  // the slave's zone serial lags the master's by this much
	HastateUnavailable bool // dnsmng cannot reach its database
}

func init() {
	commands["ip"] = ipAddr
}

// ipAddr answers `ip -o addr show`: loopback, the host's own address and keepalived's VIPs.
func ipAddr(h *Host, st *HostState, argv []string, _ time.Time) (string, string, int) {
	if strings.Join(argv[1:], " ") != "-o addr show" {
		return "", "sim: only ip -o addr show is emulated\n", 1
	}
	const tail = `\       valid_lft forever preferred_lft forever`
	var b strings.Builder
	fmt.Fprintf(&b, "1: lo    inet 127.0.0.1/8 scope host lo%s\n", tail)
	fmt.Fprintf(&b, "2: eth0    inet 10.10.0.%d/24 brd 10.10.0.255 scope global eth0%s\n", 20+len(h.Name)%7, tail)
	for _, v := range st.DNS.VIPs {
		fmt.Fprintf(&b, "2: eth0    inet %s/32 scope global eth0%s\n", v, tail)
	}
	return b.String(), "", 0
}

// demoADNS binds the master VIP on ops1 and the slave VIP on ops2; the slave is one zone update
// behind the master (SOA drift).
func demoADNS(sc *Scenario) {
	for i := range sc.Hosts {
		switch h := &sc.Hosts[i]; h.Name {
		case "ops1":
			h.State.DNS.VIPs = []string{demoMasterVIP}
		case "ops2":
			h.State.DNS.VIPs = []string{demoSlaveVIP}
		}
	}
	sc.ADNS.SlaveSerialBehind = 1
}

// outageADNS is the outage's DNS and time trouble: ops2's upstream NTP servers are gone,
// keepalived on ops2 also took the master VIP (split brain) and dnsmng lost its database.
func outageADNS(sc *Scenario) {
	outageNTP(sc)
	for i := range sc.Hosts {
		if h := &sc.Hosts[i]; h.Name == "ops2" {
			h.State.DNS.VIPs = append(h.State.DNS.VIPs, demoMasterVIP)
		}
	}
	sc.ADNS.HastateUnavailable = true
}
