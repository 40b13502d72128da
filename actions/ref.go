package actions

import (
	"slices"
	"strings"

	"opsdeck/checks"
)

// Applicable is one action that applies to a selected thing, with the target in the action's
// own naming.
type Applicable struct {
	Action Action
	Target string
}

// ForRef lists the actions that apply to what r names (a finding's target or a cockpit row),
// asking each action whether the target is among its current targets. It may walk the caches
// (pod targets), so callers off the UI goroutine.
func (r *Registry) ForRef(ref checks.Ref) []Applicable {
	var out []Applicable
	for _, a := range r.All() {
		targets := a.Targets()
		for _, t := range candidates(a.TargetKind, ref) {
			if strings.HasSuffix(t, "/*") { // every target under an instance
				prefix := strings.TrimSuffix(t, "*")
				for _, have := range targets {
					if strings.HasPrefix(have, prefix) {
						out = append(out, Applicable{a, have})
					}
				}
				continue
			}
			if slices.Contains(targets, t) {
				out = append(out, Applicable{a, t})
			}
		}
	}
	return out
}

// candidates are the names an action of kind would give ref. Kubernetes actions name an object
// "cluster:rest" on a site with several clusters; findings name it "cluster/rest" (checks.Ref).
func candidates(kind string, ref checks.Ref) []string {
	join := func(rest string) string {
		if ref.Cluster != "" {
			return ref.Cluster + ":" + rest
		}
		return rest
	}
	nsName := ref.Name
	if ref.Namespace != "" {
		nsName = ref.Namespace + "/" + ref.Name
	}
	switch kind {
	case "host":
		if ref.Kind == checks.KindHost || ref.Kind == checks.KindNode {
			return []string{ref.Name} // a node's host has its name
		}
	case "node":
		if ref.Kind == checks.KindNode || ref.Kind == checks.KindHost {
			return []string{join(ref.Name)}
		}
	case "pod":
		if ref.Kind == checks.KindPod {
			return []string{join(nsName)}
		}
	case "object":
		switch ref.Kind {
		case checks.KindPod:
			return []string{join("pods/" + nsName)}
		case checks.KindMachine:
			return []string{join("machines/" + ref.Name)}
		}
	case "container":
		switch ref.Kind {
		case checks.KindADNSInstance:
			return []string{ref.Name}
		case checks.KindHost:
			return []string{ref.Name + "/*"} // the host's ADNS containers
		}
	case "adns-process":
		switch ref.Kind {
		case checks.KindADNSProcess:
			return []string{ref.Name}
		case checks.KindADNSInstance, checks.KindHost:
			return []string{ref.Name + "/*"} // the processes of the instance or of the host's instances
		}
	}
	return nil
}
