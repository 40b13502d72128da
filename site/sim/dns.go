package sim

// DNSState is what a simulated ADNS host holds of the DNS service: the VIPs keepalived bound on it.
type DNSState struct {
	VIPs []string
}

// demoADNS binds the master VIP on ops1 and the slave VIP on ops2.
func demoADNS(sc *Scenario) {
	for i := range sc.Hosts {
		switch h := &sc.Hosts[i]; h.Name {
		case "ops1":
			h.State.DNS.VIPs = []string{demoMasterVIP}
		case "ops2":
			h.State.DNS.VIPs = []string{demoSlaveVIP}
		}
	}
}

// outageADNS is the outage's DNS and time trouble: ops2's upstream NTP servers are gone, and
// keepalived on ops2 also took the master VIP (split brain).
func outageADNS(sc *Scenario) {
	outageNTP(sc)
	for i := range sc.Hosts {
		if h := &sc.Hosts[i]; h.Name == "ops2" {
			h.State.DNS.VIPs = append(h.State.DNS.VIPs, demoMasterVIP)
		}
	}
}

const (
	demoMasterVIP = "10.10.0.100"
	demoSlaveVIP  = "10.10.0.101"
)
