package config

// Off switches a custom resource off in resources: (never watched, its checks absent).
const Off = "off"

// ResourceNames are the keys of resources:, which are also the resources' plural names.
var ResourceNames = []string{"machines", "machineops", "zones", "dnsendpoints", "dnsrecords", "ipinstances"}

func (r Resources) all() map[string]string {
	return map[string]string{"machines": r.Machines, "machineops": r.MachineOps, "zones": r.Zones,
		"dnsendpoints": r.DNSEndpoints, "dnsrecords": r.DNSRecords, "ipinstances": r.IPInstances}
}

// ByName maps each resource that is not off to its full name (resource.version.group), by its
// key in resources:.
func (r Resources) ByName() map[string]string {
	out := map[string]string{}
	for k, v := range r.all() {
		if v != Off && v != "" {
			out[k] = v
		}
	}
	return out
}

// IsOff tells whether a resource (its full name as configured) is switched off.
func IsOff(full string) bool { return full == Off || full == "" }
