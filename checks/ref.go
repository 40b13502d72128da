package checks

import "strings"

// Ref is the one typed name of what a finding, a cockpit row or an action is about. Findings
// carry their target as text (Finding.Target) and their kind (Finding.Kind); Ref is how that
// text is read, in this one place, so nothing else parses target strings.
type Ref struct {
	Kind      string // host | node | pod | machine | adns-instance | adns-process | cluster | other
	Cluster   string // the site file's cluster name, for Kubernetes objects on a multi-cluster site
	Namespace string // for pods
	Name      string // host, node, pod or object name; for ADNS: the instance (host/container) or instance/process
}

// Kinds of targets.
const (
	KindHost         = "host"
	KindNode         = "node"
	KindPod          = "pod"
	KindMachine      = "machine"
	KindADNSInstance = "adns-instance"
	KindADNSProcess  = "adns-process"
	KindCluster      = "cluster"
	KindOther        = "other"
)

// kubeKinds hold a cluster prefix ("cluster/…") in finding targets when a site has several clusters.
var kubeDepth = map[string]int{KindNode: 1, KindPod: 2, KindMachine: 1}

// ParseRef reads a finding's target of the given kind.
func ParseRef(kind, target string) Ref {
	r := Ref{Kind: kind, Name: target}
	if depth, ok := kubeDepth[kind]; ok {
		parts := strings.Split(target, "/")
		if len(parts) > depth {
			r.Cluster, parts = parts[0], parts[1:]
		}
		if kind == KindPod && len(parts) == 2 {
			r.Namespace, parts = parts[0], parts[1:]
		}
		r.Name = strings.Join(parts, "/")
	}
	return r
}

// Target writes the ref the way findings name their targets.
func (r Ref) Target() string {
	// One concatenation: a pod table builds 100,000 of these at a full load.
	switch {
	case r.Cluster != "" && r.Namespace != "":
		return r.Cluster + "/" + r.Namespace + "/" + r.Name
	case r.Cluster != "":
		return r.Cluster + "/" + r.Name
	case r.Namespace != "":
		return r.Namespace + "/" + r.Name
	}
	return r.Name
}

// Ref is the typed name of the finding's target.
func (f Finding) Ref() Ref { return ParseRef(f.KindOrDefault(), f.Target) }

// KindOrDefault is the finding's kind; checks written before kinds existed get theirs from
// their id.
func (f Finding) KindOrDefault() string {
	if f.Kind != "" {
		return f.Kind
	}
	if k, ok := defaultKinds[f.Check]; ok {
		return k
	}
	if strings.HasPrefix(f.Check, "host.") {
		return KindHost
	}
	return KindOther
}

var defaultKinds = map[string]string{
	"kube.node": KindNode, "kube.allocation": KindNode, "kube.pod": KindPod, "kube.static-pod": KindPod,
	"kube.machine": KindMachine, "kube.api": KindCluster, "adns.processes": KindADNSInstance,
	"etcd.health": KindHost, "etcd.members": KindHost,
	"ntp.sync": KindHost, "ntp.upstream": KindHost, "dns.resolv": KindHost, "cert.kubelet": KindHost,
}

// guideSections are the guide's sections (RUNBOOK.md) of the checks that do not name their own,
// by id or by id prefix (the longest match wins).
var guideSections = map[string]string{
	"host.reachable": "§2.3.1", "host.kubelet": "§2.3.2", "host.uptime": "§2.3.2", "host.load": "§5.4.1",
	"host.cpu": "§5.4.1", "host.memory": "§5.4.1", "host.disk": "§5.4.1", "host.logdirs": "§5.8.2",
	"host.ports": "§2.1", "host.units": "§9.7", "host.containers": "§6", "etcd": "§5.2",
	"kube.node": "§2.3.1", "kube.allocation": "§5.6.5", "kube.pod": "§4.4.1", "kube.workload": "§5.6.2",
	"kube.static-pod": "§5.6.4", "kube.namespace": "§4.4.1", "kube.machine": "§2.3.1", "kube.machineop": "§5.8.4",
	"adns": "§6", "dns": "§3.2", "ntp": "§3.1", "certs": "§5.6.6", "logs": "§5.5",
}

// GuideOf is the guide's section of a check id ("" when none is known): the id's own, else its
// longest dotted prefix's. Every finding asks (a round of 5,000 nodes spent 40 % of its time
// here when it walked every section).
func GuideOf(id string) string {
	for k := id; ; {
		if g, ok := guideSections[k]; ok {
			return g
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			return ""
		}
		k = k[:i]
	}
}
